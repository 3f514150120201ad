// The store port: every operation the tick pipeline, the scheduler, watch and
// the commands need from the place vigies live, in the model's terms. The
// store holds every vigy, its runtime counters, runs and their actions,
// latest state and kv; any number of processes may use one store at once, and
// a lease in the store makes sure only one tick of a vigy runs at a time.
//
// Implementations live outside core (storage/ has the SQLite one); the
// command line opens one and hands it in. Shaped for a store reached over a
// network: every call may be a round trip, so reads return whole answers
// (a listing with its counters and latest runs, a lease with everything the
// tick starts from) and serve's leases and commits go in batches.
//
// A Store is one connection and is not thread-safe: use one per thread
// (NewConnection). Every call that can fail returns a Status: kNotFound for a
// missing vigy or run, kConflict when the store stayed busy (locked by
// another writer) past its patience or a lease is held elsewhere,
// kStoreUnusable for everything else the store itself refuses.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/model.h"
#include "core/status.h"
#include "core/store_records.h"
#include "core/vigy.h"
#include "core/vigy_import.h"

namespace vigy::core {

// What a ChangeFeed announces.
enum class ChangeTopic {
  kVigies,  // the change stamp moved (vigies or kv changed from outside a tick)
  kRuns,    // runs were committed
};

// Announcements, by a store that makes them, of changes committed through
// any connection. Its own connection to the store; not thread-safe (one
// thread waits on it).
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // Waits at most `timeout_ms` for an announcement. True when one came, or
  // when some may have been missed (the connection was lost and restored);
  // false when the time ran out. kStoreUnusable, after waiting out the time,
  // while the store cannot be reached.
  virtual Result<bool> Wait(int64_t timeout_ms) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Where the store is, as users name it in messages (for SQLite, the path;
  // for PostgreSQL, the location with any password masked).
  virtual const std::string& path() const = 0;
  // Where the store is, as the command line opens it again (for SQLite, the
  // path; for PostgreSQL, the location as given, password included): never
  // shown to anyone.
  virtual const std::string& location() const = 0;
  // Whether this is the empty stand-in for a store that does not exist
  // (OpenMode::kExisting).
  virtual bool missing() const = 0;
  // Another connection to the same store, for another thread.
  virtual Result<std::unique_ptr<Store>> NewConnection() = 0;

  // A number that grows whenever any process adds, updates, removes, enables
  // or disables a vigy or sets or removes a kv key from outside a tick.
  // Cheap: poll it to notice changes (ticks do not change it).
  virtual Result<int64_t> ChangeStamp() = 0;
  // A number that changes whenever another connection commits anything.
  // Cheap: poll it before querying.
  virtual Result<int64_t> DataVersion() = 0;
  // A feed of `topic`'s announcements, or null for a store that makes none
  // (then poll ChangeStamp or DataVersion). Announcements are sent once
  // the change commits; a feed hears those committed after it opened.
  virtual Result<std::unique_ptr<ChangeFeed>> ListenForChanges(ChangeTopic topic) = 0;

  // ---- vigies ----

  // Adds `vigy` with fresh runtime counters. kConflict "vigy 'x' already
  // exists" when the name (or, for a hash collision, the id) is taken.
  virtual Status InsertVigy(const Vigy& vigy) = 0;
  // Adds `vigy`, or replaces an existing vigy of the same name as if it were
  // removed and added again in one step: its runtime counters, runs, state
  // and kv are dropped. (UpdateVigy keeps them.)
  virtual Status ReplaceVigy(const Vigy& vigy) = 0;
  // Rewrites every field of the vigy with `vigy.id` except id, name and
  // created_at; counters, runs, state and kv are kept, except that a changed
  // schedule (kind, interval, cron or jitter) clears the planned next tick
  // (next_due_ms), so serve plans the new schedule afresh. kNotFound if
  // absent.
  virtual Status UpdateVigy(const Vigy& vigy) = 0;
  // Removes the vigy and everything that belongs to it. kNotFound if absent.
  virtual Status DeleteVigy(std::string_view id) = 0;
  // Sets enabled and updated_at. kNotFound if absent.
  virtual Status SetEnabled(std::string_view id, bool enabled, int64_t now_ms) = 0;

  // The vigy `ref` names: a name, else a full id, else a unique id prefix of
  // at least 4 characters. Names win over ids. kNotFound "no such vigy 'x'";
  // kInvalidArgument for an ambiguous prefix, listing the candidates.
  virtual Result<Vigy> FindVigy(std::string_view ref) = 0;
  // The vigy with exactly this id. kNotFound if absent.
  virtual Result<Vigy> GetVigy(std::string_view id) = 0;
  virtual Result<VigyRuntime> GetRuntime(std::string_view id) = 0;
  // Every vigy by name, with its counters and latest run, in one query.
  // Without `with_programs` each program is left empty (revision is set).
  virtual Result<std::vector<VigyListing>> ListVigies(bool with_programs = false) = 0;
  // Records when the scheduler plans the vigy's next tick. kNotFound if absent.
  virtual Status SetNextDue(std::string_view id, std::optional<int64_t> next_due_ms) = 0;
  // Writes everything of one vigy `vigy import` read (core/vigy_import.h)
  // in one transaction: the record, its counters (no lease held), state, kv,
  // and its runs with their actions, numbered (seq) in the order given after
  // every run committed so far; the run with the highest tick becomes the
  // vigy's latest run. kConflict "vigy 'x' already exists" when the name (or
  // the id) is taken, unless `replace`: then the vigy of that name is removed
  // first with everything it had, as ReplaceVigy does. kConflict when a run
  // id is already in the store. Nothing is written unless all of it is.
  virtual Status ImportVigy(const VigyImport& record, bool replace) = 0;

  // ---- kv and state ----
  //
  // Keys are stored as given: refusing the runtime's "__" keys is the
  // caller's choice. Setting or removing a key of a missing vigy is kNotFound.

  virtual Result<std::optional<nlohmann::json>> KvGet(std::string_view id,
                                                      std::string_view key) = 0;
  virtual Status KvSet(std::string_view id, std::string_view key, const nlohmann::json& value) = 0;
  // Whether the key existed.
  virtual Result<bool> KvDelete(std::string_view id, std::string_view key) = 0;
  virtual Result<Kv> KvList(std::string_view id) = 0;
  // Unset before the vigy's first successful tick.
  virtual Result<std::optional<StateSnapshot>> GetState(std::string_view id) = 0;

  // ---- runs ----

  // Runs newest first (per vigy by tick, across vigies by run id), each with
  // its actions.
  virtual Result<std::vector<RunRecord>> ListRuns(const RunQuery& query) = 0;
  // kNotFound "no such run 'x'".
  virtual Result<RunRecord> GetRun(std::string_view run_id) = 0;
  // Keeps the newest `keep` runs of each vigy (or of `vigy_id` only) and
  // removes the older ones with their actions. Returns how many runs went.
  virtual Result<int64_t> PruneRuns(int64_t keep,
                                    const std::optional<std::string>& vigy_id = std::nullopt) = 0;

  // ---- run feed, for watch ----

  // The commit sequence number of the newest committed run; 0 when none.
  // Every committed run has a seq, assigned in commit order and never
  // reused (also not after its vigy is removed).
  virtual Result<int64_t> LatestRunSeq() = 0;
  // Runs with seq > after_seq, oldest commit first, at most `limit` (<= 0:
  // all), each with its actions and seq. Only runs of `vigy_ids` when that
  // is not empty; only failed runs when failed_only.
  virtual Result<std::vector<RunRecord>> ListRunsCommittedAfter(
      int64_t after_seq, const std::vector<std::string>& vigy_ids, bool failed_only,
      int64_t limit) = 0;

  // ---- ticks ----
  //
  // A tick holds the vigy's lease from start to commit. The lease is taken
  // when nobody holds it, when its holder's time ran out, or when `token`
  // already holds it (renewing it). Pass a duration longer than the tick can
  // take (its timeout plus handlers and a margin): once it expires another
  // process may take it, and then this tick's commit is refused.

  // One attempt. kNotFound if the vigy is absent; otherwise the lease with
  // everything the tick starts from, or (not an error) who holds it.
  virtual Result<LeaseAttempt> TryAcquireTickLease(std::string_view id, const std::string& token,
                                                   int64_t duration_ms, int64_t now_ms) = 0;
  // Attempts until the lease is free, sleeping a little (a few ms, growing to
  // 50) between attempts, for at most `max_wait_ms`; then kConflict saying
  // the vigy is being ticked elsewhere. `now` supplies the lease times (a
  // store shared by serves times leases by its own clock instead).
  Result<TickLease> AcquireTickLease(std::string_view id, const std::string& token,
                                     int64_t duration_ms, int64_t max_wait_ms,
                                     const std::function<int64_t()>& now = SystemNowMs);
  // All at once: checks that `commit.lease_token` still holds the lease,
  // records the run and its actions, replaces the state (if set), applies
  // the kv writes, stores the counters and releases the lease. If any step
  // fails nothing is written (and the lease is still held). kNotFound if the
  // vigy was removed meanwhile; kConflict if the lease is not held (on a
  // store shared by serves, also when it expired, whether or not anyone
  // took it since).
  virtual Status CommitTick(const TickCommit& commit) = 0;
  // Gives up a lease without committing (an aborted or dry-run tick). Ok
  // whether or not `token` held it.
  virtual Status ReleaseTickLease(std::string_view id, const std::string& token) = 0;

  // ---- batched ticks, for serve ----

  // TryAcquireTickLease for each of `ids`, all at once, each with its own
  // fresh token (NewLeaseToken()). The lease of each vigy runs for
  // duration_for(vigy) ms. One attempt per id, in order: a vigy that is gone
  // is an attempt with no lease and an empty vigy_name (not an error); an
  // error of the store itself fails the whole call with nothing leased.
  virtual Result<std::vector<LeaseAttempt>> TryAcquireTickLeases(
      const std::vector<std::string>& ids, const std::function<int64_t(const Vigy&)>& duration_for,
      int64_t now_ms) = 0;
  // CommitTick for each of `commits`, all at once, each tick all-or-nothing
  // on its own: a commit refused on its own account (kNotFound: the vigy was
  // removed; kConflict: its lease was lost; kStoreUnusable: its data broke a
  // constraint) writes nothing and does not affect the others. One status
  // per commit, in order. An error of the store itself (disk full, I/O
  // error, busy past its patience) is the call's error instead: then nothing
  // is written and every lease stays held, so the batch can be committed
  // again later.
  virtual Result<std::vector<Status>> CommitTicks(const std::vector<TickCommit>& commits) = 0;
  // Gives up every lease whose token starts with `prefix` (the leases of a
  // process that is known to be gone). Returns how many were released.
  // kInvalidArgument for an empty prefix.
  virtual Result<int64_t> ReleaseLeasesWithPrefix(std::string_view prefix) = 0;

  // ---- serve ----
  //
  // Every running serve keeps a serve row. A store that serves one at a time
  // (SQLite: serve holds a lock on the file) has one row, the latest
  // serve's; a store shared by serves (PostgreSQL: any number of serves, on
  // any hosts, take turns by the leases) keeps a row per serve process.

  // Whether many serves may run on this store at once.
  virtual bool SharedByServes() const = 0;
  // Records `serve` starting up: replaces the serve row, or (shared) the row
  // of the same process on the same host, and adds it otherwise.
  virtual Status RecordServeStart(const ServeRecord& serve) = 0;
  // Sets heartbeat_at of the serve row of process `pid` on this host;
  // kConflict if there is no such row (it now belongs to another serve).
  virtual Status RecordServeHeartbeat(int64_t pid, int64_t now_ms) = 0;
  // Sets stopped_at (and heartbeat_at) of the serve row of process `pid` on
  // this host; kConflict, changing nothing, if there is no such row.
  virtual Status RecordServeStop(int64_t pid, int64_t now_ms) = 0;
  // The serve row heard from last (shared: a running serve's before any
  // stopped one's); unset when no serve ever ran on this store.
  virtual Result<std::optional<ServeRecord>> ReadServe() = 0;
  // Every serve row, the one ReadServe gives first.
  virtual Result<std::vector<ServeRecord>> ListServes() = 0;
  // Leaves nothing this connection committed outside the store proper (for
  // SQLite: moves the WAL into the database file and truncates it). For a
  // serve whose store was deleted or replaced under it: what it left beside
  // the old store must not be taken as part of whatever is there now.
  virtual Status Checkpoint() = 0;
};

// What serve checks, with each heartbeat, about the store it holds exclusively
// (for SQLite, a lock on the store file).
class ServeGuard {
 public:
  virtual ~ServeGuard() = default;
  // Whether the store was deleted or replaced under the running serve.
  virtual bool StoreReplaced() const = 0;
  // Whether this process may no longer write the store, although its open
  // connection still could (a file's mode changed, a read-only remount).
  virtual bool StoreReadOnly() const = 0;
};

}  // namespace vigy::core
