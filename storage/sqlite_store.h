// The SQLite store: one file holding every vigy, its runtime counters, runs
// and their actions, latest state and kv, implementing the store port
// (core/store.h, where each operation's contract is). Any number of processes
// may use the same file at once (serve, ticks, edits from the command line):
// writes are short transactions that wait for each other. The tables are
// documented in SCHEMA.md beside this file.
//
// A SqliteStore is one connection and is not thread-safe: open one per
// thread. SQLite's own errors become kConflict when the file stayed locked
// past the busy timeout and kStoreUnusable otherwise.
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
#include "core/store.h"
#include "core/vigy.h"

namespace vigy::storage {

class Db;
class Statement;
class WalCheckpointer;

// The port's records under the names storage code has always used.
using core::kServeHeartbeatMs;
using core::kServeStaleMs;
using core::LeaseAttempt;
using core::LeaseTokenPrefix;
using core::NewLeaseToken;
using core::OpenMode;
using core::RunQuery;
using core::RunSummary;
using core::ServeIsLive;
using core::ServeRecord;
using core::StateSnapshot;
using core::SystemNowMs;
using core::TickCommit;
using core::TickLease;
using core::VigyListing;

class SqliteStore final : public core::Store {
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
  // The empty stand-in (OpenMode::kExisting) for the store at `location`
  // that does not exist yet, named `shown_as` in messages; its new
  // connections open `location` again (storage::OpenStore).
  static core::Result<std::unique_ptr<core::Store>> OpenStandIn(const std::string& shown_as,
                                                                const std::string& location);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::string& path() const override { return path_; }
  const std::string& location() const override { return location_; }
  bool missing() const override { return missing_; }
  // Opens the same store again (kExisting): a stand-in opens a new stand-in
  // unless the store was created meanwhile.
  core::Result<std::unique_ptr<core::Store>> NewConnection() override;
  // Statements compiled so far on this connection; flat once warm.
  int64_t prepare_count() const;

  core::Result<int64_t> ChangeStamp() override;
  // PRAGMA data_version of this connection.
  core::Result<int64_t> DataVersion() override;
  // None: a SQLite file announces nothing; readers poll.
  core::Result<std::unique_ptr<core::ChangeFeed>> ListenForChanges(core::ChangeTopic) override {
    return std::unique_ptr<core::ChangeFeed>();
  }

  // ---- vigies (store_vigies.cc) ----
  core::Status InsertVigy(const core::Vigy& vigy) override;
  core::Status ReplaceVigy(const core::Vigy& vigy) override;
  core::Status UpdateVigy(const core::Vigy& vigy) override;
  core::Status DeleteVigy(std::string_view id) override;
  core::Status SetEnabled(std::string_view id, bool enabled, int64_t now_ms) override;
  core::Result<core::Vigy> FindVigy(std::string_view ref) override;
  core::Result<core::Vigy> GetVigy(std::string_view id) override;
  core::Result<core::VigyRuntime> GetRuntime(std::string_view id) override;
  core::Result<std::vector<VigyListing>> ListVigies(bool with_programs = false) override;
  core::Status SetNextDue(std::string_view id, std::optional<int64_t> next_due_ms) override;
  // store_import.cc
  core::Status ImportVigy(const core::VigyImport& record, bool replace) override;

  // ---- kv and state (store_kv.cc) ----
  core::Result<std::optional<nlohmann::json>> KvGet(std::string_view id,
                                                    std::string_view key) override;
  core::Status KvSet(std::string_view id, std::string_view key,
                     const nlohmann::json& value) override;
  core::Result<bool> KvDelete(std::string_view id, std::string_view key) override;
  core::Result<core::Kv> KvList(std::string_view id) override;
  core::Result<std::optional<StateSnapshot>> GetState(std::string_view id) override;

  // ---- runs and the run feed (store_runs.cc) ----
  core::Result<std::vector<core::RunRecord>> ListRuns(const RunQuery& query) override;
  core::Result<core::RunRecord> GetRun(std::string_view run_id) override;
  core::Result<int64_t> PruneRuns(
      int64_t keep, const std::optional<std::string>& vigy_id = std::nullopt) override;
  core::Result<int64_t> LatestRunSeq() override;
  core::Result<std::vector<core::RunRecord>> ListRunsCommittedAfter(
      int64_t after_seq, const std::vector<std::string>& vigy_ids, bool failed_only,
      int64_t limit) override;

  // ---- ticks (store_tick.cc) ----
  // Each lease or commit call is one write transaction; the batched calls
  // put a whole batch in one.
  core::Result<LeaseAttempt> TryAcquireTickLease(std::string_view id, const std::string& token,
                                                 int64_t duration_ms, int64_t now_ms) override;
  core::Status CommitTick(const TickCommit& commit) override;
  core::Status ReleaseTickLease(std::string_view id, const std::string& token) override;
  core::Result<std::vector<LeaseAttempt>> TryAcquireTickLeases(
      const std::vector<std::string>& ids,
      const std::function<int64_t(const core::Vigy&)>& duration_for, int64_t now_ms) override;
  core::Result<std::vector<core::Status>> CommitTicks(
      const std::vector<TickCommit>& commits) override;
  core::Result<int64_t> ReleaseLeasesWithPrefix(std::string_view prefix) override;

  // ---- serve (store_serve.cc) ----
  bool SharedByServes() const override { return false; }
  core::Status RecordServeStart(const ServeRecord& serve) override;
  core::Status RecordServeHeartbeat(int64_t pid, int64_t now_ms) override;
  core::Status RecordServeStop(int64_t pid, int64_t now_ms) override;
  core::Result<std::optional<ServeRecord>> ReadServe() override;
  core::Result<std::vector<ServeRecord>> ListServes() override;
  // PRAGMA wal_checkpoint(TRUNCATE).
  core::Status Checkpoint() override;
  // From now on, a thread of its own copies what this connection commits
  // into the database file, so that its commits seldom wait for that (for
  // serve's scheduler: see wal_checkpointer.h). Nothing for a stand-in.
  // kStoreUnusable when the store cannot be opened again.
  core::Status CheckpointInBackground();

 private:
  SqliteStore(std::unique_ptr<Db> db, const std::string& path, bool missing);
  SqliteStore(std::unique_ptr<Db> db, std::string path, std::string location, bool missing);

  // Adds one to the change stamp; inside a write transaction.
  core::Status BumpChangeStamp();
  // Inserts the vigy and its runtime row; inside a write transaction.
  core::Status InsertVigyRows(const core::Vigy& vigy);
  // Writes the vigy's program to its row in programs (only when it differs);
  // inside a write transaction.
  core::Status WriteProgram(const core::Vigy& vigy);
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
  std::string location_;  // path_, but for a stand-in of another store
  bool missing_;
  // Declared after db_, so destroyed before it.
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace vigy::storage
