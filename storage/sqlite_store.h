// The store: one SQLite file holding every vigy, its runtime counters, runs
// and their actions, latest state and kv. Any number of processes may use the
// same file at once (serve, ticks, edits from the command line): writes are
// short transactions that wait for each other, and a lease in the file makes
// sure only one tick of a vigy runs at a time. The tables are documented in
// SCHEMA.md beside this file.
//
// A SqliteStore is one connection and is not thread-safe: open one per
// thread. Every call that can fail returns a Status; SQLite's own errors
// become kConflict when the file stayed locked past the busy timeout and
// kStoreUnusable otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/tick_context.h"
#include "core/vigy.h"

namespace vigy::storage {

class Db;
class Statement;

enum class OpenMode {
  // Create the file (0600) and any missing directories (0700) when the file
  // does not exist. For commands that add vigies, and for serve.
  kCreate,
  // Never create anything. A missing (or empty) file opens as an empty
  // stand-in held in memory (missing() is true): reads find nothing (no
  // vigies, no runs), lookups and changes to a vigy are kNotFound, pruning
  // removes nothing, and adding a vigy is refused with kStoreUnusable. For
  // every command that only reads or changes existing vigies.
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

// One row of ListVigies.
struct VigyListing {
  core::Vigy vigy;
  core::VigyRuntime runtime;
  std::optional<RunSummary> last_run;  // unset until the first committed tick
};

// A vigy's latest state and when a tick last declared it.
struct StateSnapshot {
  core::VigyState state;
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
  core::Vigy vigy;
  core::VigyRuntime runtime;
  core::Kv kv;                         // runtime "__" keys included
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
  core::RunRecord run;  // with its actions
  // The state the tick declared; unset (for a failed tick) keeps the previous.
  std::optional<core::VigyState> state;
  core::KvWrites kv_writes;  // program writes (if ok) and the runtime counters
  // The counters after this tick. last_result and last_run_at_ms are taken
  // from `run` (its result and ended_at), whatever they hold here.
  core::VigyRuntime runtime;
  // After recording the run, keep only the newest `keep_runs` runs of this
  // vigy (with their actions), in the same transaction. Unset: keep all;
  // below 1 counts as 1 (the run just recorded always stays).
  std::optional<int64_t> keep_runs;
};

// What a running serve records about itself in the store (one row), so other
// processes can name it and tell a live serve from a dead one.
struct ServeRecord {
  int64_t pid = 0;
  std::string host;              // gethostname()
  std::string lease_prefix;      // LeaseTokenPrefix() of the serve process
  std::string selector;          // --selector as given; empty: every vigy
  std::string version;           // the vigy version that runs it
  int64_t started_at_ms = 0;
  int64_t heartbeat_at_ms = 0;   // refreshed every kServeHeartbeatMs while it runs
  std::optional<int64_t> stopped_at_ms;  // set when it exited cleanly

  friend bool operator==(const ServeRecord&, const ServeRecord&) = default;
};

// How often a running serve refreshes its heartbeat, and how old a heartbeat
// may be before other processes treat that serve as gone.
inline constexpr int64_t kServeHeartbeatMs = 1000;
inline constexpr int64_t kServeStaleMs = 5000;

// Whether `serve` describes a serve that is running now: it did not stop
// cleanly, its heartbeat is at most kServeStaleMs old, and (when it runs on
// this host) its process still exists.
bool ServeIsLive(const ServeRecord& serve, int64_t now_ms);

// The wall clock in epoch milliseconds.
int64_t SystemNowMs();

// A token no other lease owner uses: LeaseTokenPrefix() and a counter.
std::string NewLeaseToken();
// The part every token of this process starts with: process id and random
// bits, ending in '-'. No other process has the same prefix.
const std::string& LeaseTokenPrefix();

class SqliteStore {
 public:
  // How long a call waits for another process's write transaction before
  // giving up with kConflict.
  static constexpr int kBusyTimeoutMs = 5000;

  // Opens the store at `path`, creating it according to `mode`, and applies
  // pending migrations. kStoreUnusable, with the file left untouched, when
  // the file or its directory can be written by group or others (the
  // message says which chmod fixes it), when it is not an SQLite database or
  // belongs to another program, or when it was written by a newer vigy.
  static core::Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, OpenMode mode);

  ~SqliteStore();
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::string& path() const { return path_; }
  // Whether this is the empty stand-in for a missing file (OpenMode::kExisting).
  bool missing() const { return missing_; }
  // Statements compiled so far on this connection; flat once warm.
  int64_t prepare_count() const;

  // A number that grows whenever any process adds, updates, removes, enables
  // or disables a vigy or sets or removes a kv key from outside a tick.
  // Cheap: poll it to notice changes (ticks do not change it).
  core::Result<int64_t> ChangeStamp();

  // ---- vigies (store_vigies.cc) ----

  // Adds `vigy` with fresh runtime counters. kConflict "vigy 'x' already
  // exists" when the name (or, for a hash collision, the id) is taken.
  core::Status InsertVigy(const core::Vigy& vigy);
  // Adds `vigy`, or replaces an existing vigy of the same name as if it were
  // removed and added again in one step: its runtime counters, runs, state
  // and kv are dropped. (UpdateVigy keeps them.)
  core::Status ReplaceVigy(const core::Vigy& vigy);
  // Rewrites every field of the vigy with `vigy.id` except id, name and
  // created_at; counters, runs, state and kv are kept, except that a changed
  // schedule (kind, interval, cron or jitter) clears the planned next tick
  // (next_due_ms), so serve plans the new schedule afresh. kNotFound if
  // absent.
  core::Status UpdateVigy(const core::Vigy& vigy);
  // Removes the vigy and everything that belongs to it. kNotFound if absent.
  core::Status DeleteVigy(std::string_view id);
  // Sets enabled and updated_at. kNotFound if absent.
  core::Status SetEnabled(std::string_view id, bool enabled, int64_t now_ms);

  // The vigy `ref` names: a name, else a full id, else a unique id prefix of
  // at least 4 characters. Names win over ids. kNotFound "no such vigy 'x'";
  // kInvalidArgument for an ambiguous prefix, listing the candidates.
  core::Result<core::Vigy> FindVigy(std::string_view ref);
  // The vigy with exactly this id. kNotFound if absent.
  core::Result<core::Vigy> GetVigy(std::string_view id);
  core::Result<core::VigyRuntime> GetRuntime(std::string_view id);
  // Every vigy by name, with its counters and latest run, in one query.
  // Without `with_programs` each program is left empty (revision is set).
  core::Result<std::vector<VigyListing>> ListVigies(bool with_programs = false);
  // Records when the scheduler plans the vigy's next tick. kNotFound if absent.
  core::Status SetNextDue(std::string_view id, std::optional<int64_t> next_due_ms);

  // ---- kv and state (store_kv.cc) ----
  //
  // Keys are stored as given: refusing the runtime's "__" keys is the
  // caller's choice. Setting or removing a key of a missing vigy is kNotFound.

  core::Result<std::optional<nlohmann::json>> KvGet(std::string_view id, std::string_view key);
  core::Status KvSet(std::string_view id, std::string_view key, const nlohmann::json& value);
  // Whether the key existed.
  core::Result<bool> KvDelete(std::string_view id, std::string_view key);
  core::Result<core::Kv> KvList(std::string_view id);
  // Unset before the vigy's first successful tick.
  core::Result<std::optional<StateSnapshot>> GetState(std::string_view id);

  // ---- runs (store_runs.cc) ----

  // Runs newest first (per vigy by tick, across vigies by run id), each with
  // its actions.
  core::Result<std::vector<core::RunRecord>> ListRuns(const RunQuery& query);
  // kNotFound "no such run 'x'".
  core::Result<core::RunRecord> GetRun(std::string_view run_id);
  // Keeps the newest `keep` runs of each vigy (or of `vigy_id` only) and
  // removes the older ones with their actions. Returns how many runs went.
  core::Result<int64_t> PruneRuns(int64_t keep,
                                  const std::optional<std::string>& vigy_id = std::nullopt);

  // ---- ticks (store_tick.cc) ----
  //
  // A tick holds the vigy's lease from start to commit. The lease is taken
  // when nobody holds it, when its holder's time ran out, or when `token`
  // already holds it (renewing it). Pass a duration longer than the tick can
  // take (its timeout plus handlers and a margin): once it expires another
  // process may take it, and then this tick's commit is refused.

  // One attempt. kNotFound if the vigy is absent; otherwise the lease with
  // everything the tick starts from, or (not an error) who holds it.
  core::Result<LeaseAttempt> TryAcquireTickLease(std::string_view id, const std::string& token,
                                                 int64_t duration_ms, int64_t now_ms);
  // Attempts until the lease is free, sleeping a little (a few ms, growing to
  // 50) between attempts, for at most `max_wait_ms`; then kConflict saying
  // the vigy is being ticked elsewhere. `now` supplies the lease times.
  core::Result<TickLease> AcquireTickLease(std::string_view id, const std::string& token,
                                           int64_t duration_ms, int64_t max_wait_ms,
                                           const std::function<int64_t()>& now = SystemNowMs);
  // In one transaction: checks that `commit.lease_token` still holds the
  // lease, inserts the run and its actions, replaces the state (if set),
  // applies the kv writes, stores the counters and releases the lease. If
  // any step fails nothing is written (and the lease is still held). kNotFound
  // if the vigy was removed meanwhile; kConflict if the lease is not held.
  core::Status CommitTick(const TickCommit& commit);
  // Gives up a lease without committing (an aborted or dry-run tick). Ok
  // whether or not `token` held it.
  core::Status ReleaseTickLease(std::string_view id, const std::string& token);

  // ---- batched ticks, for serve (store_tick.cc) ----

  // TryAcquireTickLease for each of `ids`, all in one write transaction, each
  // with its own fresh token (NewLeaseToken()). The lease of each vigy runs
  // for duration_for(vigy) ms. One attempt per id, in order: a vigy that is
  // gone is an attempt with no lease and an empty vigy_name (not an error);
  // an error of the transaction itself fails the whole call with nothing
  // leased.
  core::Result<std::vector<LeaseAttempt>> TryAcquireTickLeases(
      const std::vector<std::string>& ids,
      const std::function<int64_t(const core::Vigy&)>& duration_for, int64_t now_ms);
  // CommitTick for each of `commits`, all in one transaction, each tick
  // all-or-nothing on its own: a commit refused on its own account
  // (kNotFound: the vigy was removed; kConflict: its lease was lost;
  // kStoreUnusable: its data broke a constraint) writes nothing and does not
  // affect the others. One status per commit, in order.
  // An error of the store itself (disk full, I/O error, locked past the busy
  // timeout) is the call's error instead: then nothing is written and every
  // lease stays held, so the batch can be committed again later.
  core::Result<std::vector<core::Status>> CommitTicks(const std::vector<TickCommit>& commits);
  // Gives up every lease whose token starts with `prefix` (the leases of a
  // process that is known to be gone). Returns how many were released.
  // kInvalidArgument for an empty prefix.
  core::Result<int64_t> ReleaseLeasesWithPrefix(std::string_view prefix);

  // ---- run feed, for watch (store_runs.cc) ----

  // The commit sequence number of the newest committed run; 0 when none.
  // Every committed run has a seq, assigned in commit order and never
  // reused (also not after its vigy is removed).
  core::Result<int64_t> LatestRunSeq();
  // Runs with seq > after_seq, oldest commit first, at most `limit` (<= 0:
  // all), each with its actions and seq. Only runs of `vigy_ids` when that
  // is not empty; only failed runs when failed_only.
  core::Result<std::vector<core::RunRecord>> ListRunsCommittedAfter(
      int64_t after_seq, const std::vector<std::string>& vigy_ids, bool failed_only,
      int64_t limit);
  // PRAGMA data_version of this connection: changes whenever another
  // connection commits to the file. Cheap; poll it before querying.
  core::Result<int64_t> DataVersion();

  // ---- serve (store_serve.cc) ----

  // Replaces the serve row with `serve` (a serve starting up).
  core::Status RecordServeStart(const ServeRecord& serve);
  // Sets heartbeat_at of the serve row of process `pid`; kConflict if the
  // row now belongs to another serve.
  core::Status RecordServeHeartbeat(int64_t pid, int64_t now_ms);
  // Sets stopped_at (and heartbeat_at) of the serve row of process `pid`;
  // kConflict, changing nothing, if the row now belongs to another serve.
  core::Status RecordServeStop(int64_t pid, int64_t now_ms);
  // The serve row; unset when no serve ever ran on this store.
  core::Result<std::optional<ServeRecord>> ReadServe();
  // Moves every commit in the WAL into the database file and truncates the
  // WAL to nothing. For a serve whose store file was deleted or replaced:
  // the WAL and its index are found by the path, so left as they are they
  // would be read as part of whatever file is at the path now.
  core::Status EmptyWal();

 private:
  SqliteStore(std::unique_ptr<Db> db, std::string path, bool missing);

  // Adds one to the change stamp; inside a write transaction.
  core::Status BumpChangeStamp();
  // Inserts the vigy and its runtime row; inside a write transaction.
  core::Status InsertVigyRows(const core::Vigy& vigy);
  core::Result<bool> VigyExists(std::string_view id);
  core::Status RequireVigy(std::string_view id);
  core::Result<std::vector<core::RunRecord>> ReadRuns(std::string_view sql,
                                                      const std::function<void(Statement&)>& bind);
  core::Status AttachActions(std::vector<core::RunRecord>& runs);
  // One lease attempt inside the caller's write transaction: the lease runs
  // for duration_for(vigy) ms. kNotFound if the vigy is absent; busy is not
  // an error (nothing written).
  core::Result<LeaseAttempt> LeaseInTransaction(
      std::string_view id, const std::string& token,
      const std::function<int64_t(const core::Vigy&)>& duration_for, int64_t now_ms);
  // CommitTicks; CommitTick is a batch of one.
  core::Result<std::vector<core::Status>> CommitTickBatch(std::span<const TickCommit> commits);
  // Everything one tick writes, its run numbered `seq`, inside the caller's
  // write transaction. On failure some of it may be written: the caller
  // rolls back.
  core::Status WriteTick(const TickCommit& commit, int64_t seq);

  std::unique_ptr<Db> db_;
  std::string path_;
  bool missing_;
};

}  // namespace vigy::storage
