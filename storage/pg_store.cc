// PgStore: opening, the change stamp, and the serve row.
#include "storage/pg_store.h"

#include <fmt/format.h>

#include "storage/pg_change_feed.h"
#include "storage/pg_conn.h"
#include "storage/pg_schema.h"
#include "storage/row_readers.h"
#include "storage/sqlite_store.h"

namespace vigy::storage {

using core::Result;
using core::Status;

Result<std::unique_ptr<core::Store>> PgStore::Open(const std::string& location,
                                                   core::OpenMode mode) {
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(location);
  if (!conn.ok()) return conn.status();
  Result<PgStoreContent> content = CheckPgStoreIdentity(**conn);
  if (!content.ok()) return content.status();
  if (*content == PgStoreContent::kEmpty && mode == core::OpenMode::kExisting) {
    return SqliteStore::OpenStandIn((*conn)->where(), location);
  }
  if (Status s = MigratePg(**conn); !s.ok()) return s;
  return std::unique_ptr<core::Store>(new PgStore(std::move(conn).value()));
}

PgStore::PgStore(std::unique_ptr<PgConn> conn) : conn_(std::move(conn)) {}

PgStore::~PgStore() = default;

const std::string& PgStore::path() const { return conn_->where(); }

const std::string& PgStore::location() const { return conn_->location(); }

Result<std::unique_ptr<core::Store>> PgStore::NewConnection() {
  return Open(conn_->location(), core::OpenMode::kExisting);
}

Result<int64_t> PgStore::ChangeStamp() {
  return conn_->QueryInt("SELECT value FROM meta WHERE key = 'change_stamp'");
}

Result<int64_t> PgStore::DataVersion() {
  return conn_->QueryInt("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint");
}

Result<std::unique_ptr<core::ChangeFeed>> PgStore::ListenForChanges(core::ChangeTopic topic) {
  return PgChangeFeed::Open(conn_->location(), topic);
}

Status PgStore::BumpChangeStamp() {
  // Announced to every PgChangeFeed of kVigies once the caller commits.
  static const std::string kBump = fmt::format(
      "WITH bumped AS (UPDATE meta SET value = value + 1 WHERE key = 'change_stamp' RETURNING 1) "
      "SELECT pg_notify('{}', current_schema()) FROM bumped",
      kVigiesChannel);
  return conn_->Run(kBump).status();
}

Status PgStore::RequireVigy(std::string_view id) {
  Result<PgRows> rows = conn_->Run("SELECT 1 FROM vigies WHERE id = $1", id);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  return Status::Ok();
}

// ---- the serve rows ----

Status PgStore::RecordServeStart(const core::ServeRecord& serve) {
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  if (Status s = conn_
                     ->Run("DELETE FROM serve WHERE heartbeat_at < $1",
                           serve.started_at_ms - kForgetServeMs)
                     .status();
      !s.ok())
    return s;
  if (Status s =
          conn_
              ->Run("INSERT INTO serve (host, pid, lease_prefix, selector, version, started_at, "
                    "heartbeat_at, stopped_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                    "ON CONFLICT (host, pid) DO UPDATE SET lease_prefix = excluded.lease_prefix, "
                    "selector = excluded.selector, version = excluded.version, "
                    "started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, "
                    "stopped_at = excluded.stopped_at",
                    serve.host, serve.pid, serve.lease_prefix, serve.selector, serve.version,
                    serve.started_at_ms, serve.heartbeat_at_ms, serve.stopped_at_ms)
              .status();
      !s.ok())
    return s;
  return tx->Commit();
}

namespace {

Status NoServeRow(const std::string& where, int64_t pid) {
  return Status::Conflict(
      fmt::format("store '{}' has no serve record for process {} on {} any more", where, pid,
                  core::ThisHost()));
}

constexpr std::string_view kSelectServes =
    "SELECT pid, host, lease_prefix, selector, version, started_at, heartbeat_at, stopped_at "
    "FROM serve ORDER BY stopped_at IS NULL DESC, heartbeat_at DESC, started_at DESC, host, pid";

}  // namespace

Status PgStore::RecordServeHeartbeat(int64_t pid, int64_t now_ms) {
  Result<PgRows> updated =
      conn_->Run("UPDATE serve SET heartbeat_at = $3 WHERE host = $1 AND pid = $2",
                 core::ThisHost(), pid, now_ms);
  if (!updated.ok()) return updated.status();
  if (updated->affected() == 0) return NoServeRow(path(), pid);
  return Status::Ok();
}

Status PgStore::RecordServeStop(int64_t pid, int64_t now_ms) {
  Result<PgRows> updated =
      conn_->Run("UPDATE serve SET heartbeat_at = $3, stopped_at = $3 WHERE host = $1 AND pid = $2",
                 core::ThisHost(), pid, now_ms);
  if (!updated.ok()) return updated.status();
  if (updated->affected() == 0) return NoServeRow(path(), pid);
  return Status::Ok();
}

Result<std::vector<core::ServeRecord>> PgStore::ListServes() {
  Result<PgRows> rows = conn_->Run(kSelectServes);
  if (!rows.ok()) return rows.status();
  std::vector<core::ServeRecord> serves;
  serves.reserve(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    serves.push_back(ReadServeRow((*rows)[i]));
  }
  return serves;
}

Result<std::optional<core::ServeRecord>> PgStore::ReadServe() {
  Result<std::vector<core::ServeRecord>> serves = ListServes();
  if (!serves.ok()) return serves.status();
  if (serves->empty()) return std::optional<core::ServeRecord>();
  return std::optional<core::ServeRecord>(std::move(serves->front()));
}

Status PgStore::Checkpoint() { return Status::Ok(); }

}  // namespace vigy::storage
