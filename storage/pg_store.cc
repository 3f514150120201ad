// PgStore: opening, the change stamp, and the serve row.
#include "storage/pg_store.h"

#include <fmt/format.h>

#include "storage/pg_conn.h"
#include "storage/pg_schema.h"
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
  return conn_->QueryInt("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint");
}

Status PgStore::BumpChangeStamp() {
  return conn_->Run("UPDATE meta SET value = value + 1 WHERE key = 'change_stamp'").status();
}

Status PgStore::RequireVigy(std::string_view id) {
  Result<PgRows> rows = conn_->Run("SELECT 1 FROM vigies WHERE id = $1", id);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  return Status::Ok();
}

// ---- the serve row ----

Status PgStore::RecordServeStart(const core::ServeRecord& serve) {
  return conn_
      ->Run(
          "INSERT INTO serve (id, pid, host, lease_prefix, selector, version, started_at, "
          "heartbeat_at, stopped_at) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) "
          "ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, "
          "lease_prefix = excluded.lease_prefix, selector = excluded.selector, "
          "version = excluded.version, started_at = excluded.started_at, "
          "heartbeat_at = excluded.heartbeat_at, stopped_at = excluded.stopped_at",
          serve.pid, serve.host, serve.lease_prefix, serve.selector, serve.version,
          serve.started_at_ms, serve.heartbeat_at_ms, serve.stopped_at_ms)
      .status();
}

namespace {

// Why the serve row no longer belongs to process `pid`.
Status NotOurServe(const std::string& where, int64_t pid,
                   const Result<std::optional<core::ServeRecord>>& row) {
  if (!row.ok()) return row.status();
  if (!row->has_value()) {
    return Status::Conflict(
        fmt::format("store '{}' has no serve record for process {} any more", where, pid));
  }
  const core::ServeRecord& other = **row;
  return Status::Conflict(
      fmt::format("store '{}' is now served by process {} on {}", where, other.pid, other.host));
}

}  // namespace

Status PgStore::RecordServeHeartbeat(int64_t pid, int64_t now_ms) {
  Result<PgRows> updated =
      conn_->Run("UPDATE serve SET heartbeat_at = $2 WHERE id = 1 AND pid = $1", pid, now_ms);
  if (!updated.ok()) return updated.status();
  if (updated->affected() == 0) return NotOurServe(path(), pid, ReadServe());
  return Status::Ok();
}

Status PgStore::RecordServeStop(int64_t pid, int64_t now_ms) {
  Result<PgRows> updated = conn_->Run(
      "UPDATE serve SET heartbeat_at = $2, stopped_at = $2 WHERE id = 1 AND pid = $1", pid, now_ms);
  if (!updated.ok()) return updated.status();
  if (updated->affected() == 0) return NotOurServe(path(), pid, ReadServe());
  return Status::Ok();
}

Result<std::optional<core::ServeRecord>> PgStore::ReadServe() {
  Result<PgRows> rows = conn_->Run(
      "SELECT pid, host, lease_prefix, selector, version, started_at, heartbeat_at, stopped_at "
      "FROM serve WHERE id = 1");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<core::ServeRecord>();
  PgRow row = (*rows)[0];
  core::ServeRecord serve;
  serve.pid = row.Int(0);
  serve.host = row.Text(1);
  serve.lease_prefix = row.Text(2);
  serve.selector = row.Text(3);
  serve.version = row.Text(4);
  serve.started_at_ms = row.Int(5);
  serve.heartbeat_at_ms = row.Int(6);
  serve.stopped_at_ms = row.OptInt(7);
  return std::optional<core::ServeRecord>(std::move(serve));
}

Status PgStore::Checkpoint() { return Status::Ok(); }

}  // namespace vigy::storage
