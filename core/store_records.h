// The records a store hands out and takes in, beyond the plain model of
// model.h and vigy.h: listings, state snapshots, run queries, tick leases and
// commits, and the serve row. Plain data, shared by every store (core/store.h)
// and every caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/model.h"
#include "core/tick_context.h"
#include "core/vigy.h"

namespace vigy::core {

// How a command opens its store.
enum class OpenMode {
  // Create the store (for a file: mode 0600, missing directories 0700) when
  // it does not exist. For commands that add vigies, and for serve.
  kCreate,
  // Never create anything. A missing (or empty) store opens as an empty
  // stand-in (Store::missing() is true): reads find nothing (no vigies, no
  // runs), lookups and changes to a vigy are kNotFound, pruning removes
  // nothing, and adding a vigy is refused with kStoreUnusable. For every
  // command that only reads or changes existing vigies.
  kExisting,
};

// The latest run of a vigy, as listings show it.
struct RunSummary {
  std::string id;
  int64_t tick = 0;
  std::string result;
  std::optional<std::string> error;
  int64_t started_at_ms = 0;
  int64_t ended_at_ms = 0;
  int64_t duration_ms = 0;

  friend bool operator==(const RunSummary&, const RunSummary&) = default;
};

// One row of Store::ListVigies.
struct VigyListing {
  Vigy vigy;
  VigyRuntime runtime;
  std::optional<RunSummary> last_run;  // unset until the first committed tick
};

// A vigy's latest state and when a tick last declared it.
struct StateSnapshot {
  VigyState state;
  int64_t updated_at_ms = 0;  // the start of the tick that wrote it

  friend bool operator==(const StateSnapshot&, const StateSnapshot&) = default;
};

struct RunQuery {
  std::optional<std::string> vigy_id = std::nullopt;  // unset: the runs of every vigy
  int64_t limit = 0;                                  // at most this many; <= 0: all
  bool failed_only = false;
  std::optional<int64_t> since_ms = std::nullopt;  // only runs started at or after this
};

// Everything a tick starts from, read in the same transaction that took the
// lease, so it includes every earlier tick's committed writes.
struct TickLease {
  std::string token;
  int64_t expires_at_ms = 0;
  Vigy vigy;
  VigyRuntime runtime;
  Kv kv;                               // runtime "__" keys included
  std::optional<StateSnapshot> state;  // unset before the first successful tick
};

// The outcome of one attempt at a lease: the lease, or who holds it.
struct LeaseAttempt {
  std::optional<TickLease> lease;
  std::string vigy_name;
  std::string holder;         // the other owner's token, when busy
  int64_t held_until_ms = 0;  // when its lease expires, when busy

  bool acquired() const { return lease.has_value(); }
};

// Everything one tick writes, committed together or not at all.
struct TickCommit {
  std::string vigy_id;
  std::string lease_token;
  RunRecord run;  // with its actions
  // The state the tick declared; unset (for a failed tick) keeps the previous.
  std::optional<VigyState> state;
  KvWrites kv_writes;  // program writes (if ok) and the runtime counters
  // The counters after this tick. last_result and last_run_at_ms are taken
  // from `run` (its result and ended_at), whatever they hold here.
  VigyRuntime runtime;
  // After recording the run, keep only the newest `keep_runs` runs of this
  // vigy (with their actions), in the same transaction. Unset: keep all;
  // below 1 counts as 1 (the run just recorded always stays).
  std::optional<int64_t> keep_runs;
};

// What a running serve records about itself in the store (one row), so other
// processes can name it and tell a live serve from a dead one.
struct ServeRecord {
  int64_t pid = 0;
  std::string host;          // gethostname()
  std::string lease_prefix;  // LeaseTokenPrefix() of the serve process
  std::string selector;      // --selector as given; empty: every vigy
  std::string version;       // the vigy version that runs it
  int64_t started_at_ms = 0;
  int64_t heartbeat_at_ms = 0;           // refreshed every kServeHeartbeatMs while it runs
  std::optional<int64_t> stopped_at_ms;  // set when it exited cleanly

  friend bool operator==(const ServeRecord&, const ServeRecord&) = default;
};

// How often a running serve refreshes its heartbeat, and how old a heartbeat
// may be before other processes treat that serve as gone.
inline constexpr int64_t kServeHeartbeatMs = 1000;
inline constexpr int64_t kServeStaleMs = 5000;

// This host's name (gethostname), as serve rows record it; empty if unknown.
std::string ThisHost();

// Whether `serve` describes a serve that is running now: it did not stop
// cleanly, its heartbeat is at most kServeStaleMs old, and (when it runs on
// this host) its process still exists.
bool ServeIsLive(const ServeRecord& serve, int64_t now_ms);

// A token no other lease owner uses: LeaseTokenPrefix() and a counter.
std::string NewLeaseToken();
// The part every token of this process starts with: process id and random
// bits, ending in '-'. No other process has the same prefix.
const std::string& LeaseTokenPrefix();

}  // namespace vigy::core
