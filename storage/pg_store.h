// The PostgreSQL store: the tables of SCHEMA.md in a PostgreSQL database,
// implementing the store port (core/store.h, where each operation's
// contract is), for users who keep one registry for many hosts. Selected by
// a --db location such as postgresql://host/db (pg_conn.h says which). Any
// number of processes on any hosts may use one database at once: writes are
// short transactions that lock the rows they change, and the commits of
// ticks take turns on one row, so runs are numbered in commit order.
//
// A PgStore is one connection and is not thread-safe: open one per thread.
// Credentials come from libpq's usual places (the location, PGPASSFILE or
// ~/.pgpass, PGSERVICE); messages show the location with its password
// masked. Lock waits past PgConn::kLockTimeoutMs become kConflict; every
// other error of the server or the connection kStoreUnusable.
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

class PgConn;
class PgRows;
struct PgParam;

class PgStore final : public core::Store {
 public:
  // Connects to the store at `location` and creates its tables (kCreate) or
  // applies pending migrations. With kExisting, a database whose schema holds
  // no tables opens as the empty stand-in (core::OpenMode). kStoreUnusable,
  // with nothing written, when the server cannot be reached or refuses the
  // login, when the schema holds tables that are not a vigy store, or when
  // the store was written by a newer vigy.
  static core::Result<std::unique_ptr<core::Store>> Open(const std::string& location,
                                                         core::OpenMode mode);

  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  const std::string& path() const override;
  const std::string& location() const override;
  bool missing() const override { return false; }
  core::Result<std::unique_ptr<core::Store>> NewConnection() override;

  core::Result<int64_t> ChangeStamp() override;
  // The server's write-ahead log insert position: it moves with every
  // commit of any connection at once, whether or not the log was flushed
  // (and sometimes without a commit, which only costs a query).
  core::Result<int64_t> DataVersion() override;
  // A feed on a connection of its own (pg_change_feed.h): every commit
  // that moves the change stamp, or commits runs, sends a NOTIFY.
  core::Result<std::unique_ptr<core::ChangeFeed>> ListenForChanges(
      core::ChangeTopic topic) override;

  // ---- vigies (pg_store_vigies.cc) ----
  core::Status InsertVigy(const core::Vigy& vigy) override;
  core::Status ReplaceVigy(const core::Vigy& vigy) override;
  core::Status UpdateVigy(const core::Vigy& vigy) override;
  core::Status DeleteVigy(std::string_view id) override;
  core::Status SetEnabled(std::string_view id, bool enabled, int64_t now_ms) override;
  core::Result<core::Vigy> FindVigy(std::string_view ref) override;
  core::Result<core::Vigy> GetVigy(std::string_view id) override;
  core::Result<core::VigyRuntime> GetRuntime(std::string_view id) override;
  core::Result<std::vector<core::VigyListing>> ListVigies(bool with_programs = false) override;
  core::Status SetNextDue(std::string_view id, std::optional<int64_t> next_due_ms) override;
  // pg_store_import.cc: takes the run sequence's row first, as commits do.
  core::Status ImportVigy(const core::VigyImport& record, bool replace) override;

  // ---- kv and state (pg_store_kv.cc) ----
  core::Result<std::optional<nlohmann::json>> KvGet(std::string_view id,
                                                    std::string_view key) override;
  core::Status KvSet(std::string_view id, std::string_view key,
                     const nlohmann::json& value) override;
  core::Result<bool> KvDelete(std::string_view id, std::string_view key) override;
  core::Result<core::Kv> KvList(std::string_view id) override;
  core::Result<std::optional<core::StateSnapshot>> GetState(std::string_view id) override;

  // ---- runs and the run feed (pg_store_runs.cc) ----
  core::Result<std::vector<core::RunRecord>> ListRuns(const core::RunQuery& query) override;
  core::Result<core::RunRecord> GetRun(std::string_view run_id) override;
  core::Result<int64_t> PruneRuns(
      int64_t keep, const std::optional<std::string>& vigy_id = std::nullopt) override;
  core::Result<int64_t> LatestRunSeq() override;
  core::Result<std::vector<core::RunRecord>> ListRunsCommittedAfter(
      int64_t after_seq, const std::vector<std::string>& vigy_ids, bool failed_only,
      int64_t limit) override;

  // ---- ticks (pg_store_tick.cc) ----
  // A batch of leases is one transaction; so is a batch of commits, which
  // first takes the run sequence's row, so commits of all processes take
  // turns and number their runs in commit order. Leases are timed by the
  // database's clock (`now_ms` is not used), and a commit whose lease
  // expired is refused (kConflict) even if nobody took the lease since.
  core::Result<core::LeaseAttempt> TryAcquireTickLease(std::string_view id,
                                                       const std::string& token,
                                                       int64_t duration_ms,
                                                       int64_t now_ms) override;
  core::Status CommitTick(const core::TickCommit& commit) override;
  core::Status ReleaseTickLease(std::string_view id, const std::string& token) override;
  core::Result<std::vector<core::LeaseAttempt>> TryAcquireTickLeases(
      const std::vector<std::string>& ids,
      const std::function<int64_t(const core::Vigy&)>& duration_for, int64_t now_ms) override;
  core::Result<std::vector<core::Status>> CommitTicks(
      const std::vector<core::TickCommit>& commits) override;
  core::Result<int64_t> ReleaseLeasesWithPrefix(std::string_view prefix) override;

  // ---- serve (pg_store.cc) ----
  // A row per serve process, keyed by host and pid. A serve starting up
  // also forgets the rows of serves not heard from for kForgetServeMs.
  static constexpr int64_t kForgetServeMs = int64_t{24} * 60 * 60 * 1000;
  bool SharedByServes() const override { return true; }
  core::Status RecordServeStart(const core::ServeRecord& serve) override;
  core::Status RecordServeHeartbeat(int64_t pid, int64_t now_ms) override;
  core::Status RecordServeStop(int64_t pid, int64_t now_ms) override;
  core::Result<std::optional<core::ServeRecord>> ReadServe() override;
  core::Result<std::vector<core::ServeRecord>> ListServes() override;
  // Nothing to do: the server keeps what was committed.
  core::Status Checkpoint() override;

 private:
  explicit PgStore(std::unique_ptr<PgConn> conn);

  core::Status BumpChangeStamp();
  core::Status InsertVigyRows(const core::Vigy& vigy);
  core::Status RequireVigy(std::string_view id);
  // The vigies `rows` hold (kVigyColumns from column 0).
  core::Result<std::vector<core::Vigy>> ReadVigies(const PgRows& rows);
  core::Result<std::vector<core::RunRecord>> ReadRuns(const PgRows& rows);
  core::Status AttachActions(std::vector<core::RunRecord>& runs);
  // The runs `sql` selects (kRunColumns) with their actions, read from one
  // snapshot.
  core::Result<std::vector<core::RunRecord>> QueryRunsWithActions(
      std::string_view sql, const std::vector<PgParam>& params);
  // The lease attempts for `ids`, inside the caller's transaction.
  core::Result<std::vector<core::LeaseAttempt>> LeaseInTransaction(
      const std::vector<std::string>& ids, const std::vector<std::string>& tokens,
      const std::function<int64_t(const core::Vigy&)>& duration_for, int64_t now_ms);
  // Every commit's status: each tick whose lease is held is written, all in
  // one statement; the rest are refused on their own.
  core::Result<std::vector<core::Status>> CommitTickBatch(
      std::span<const core::TickCommit> commits);

  std::unique_ptr<PgConn> conn_;
};

}  // namespace vigy::storage
