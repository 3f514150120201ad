// SqliteStore: the serve row, where a running serve says who and where it is
// and keeps a heartbeat, so other processes can tell a live serve from one
// that died without cleaning up.
#include <errno.h>
#include <fmt/format.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include "storage/row_readers.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"
#include "storage/wal_checkpointer.h"

namespace vigy::storage {

using core::Result;
using core::Status;

Status SqliteStore::RecordServeStart(const ServeRecord& serve) {
  return db_->Execute(
      "INSERT OR REPLACE INTO serve (id, pid, host, lease_prefix, selector, version, "
      "started_at, heartbeat_at, stopped_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      serve.pid, serve.host, serve.lease_prefix, serve.selector, serve.version, serve.started_at_ms,
      serve.heartbeat_at_ms, serve.stopped_at_ms);
}

namespace {

// Why the serve row no longer belongs to process `pid`.
Status NotOurServe(const std::string& path, int64_t pid,
                   const Result<std::optional<ServeRecord>>& row) {
  if (!row.ok()) return row.status();
  if (!row->has_value()) {
    return Status::Conflict(
        fmt::format("store '{}' has no serve record for process {} any more", path, pid));
  }
  const ServeRecord& other = **row;
  return Status::Conflict(
      fmt::format("store '{}' is now served by process {} on {}", path, other.pid, other.host));
}

}  // namespace

Status SqliteStore::RecordServeHeartbeat(int64_t pid, int64_t now_ms) {
  if (Status s =
          db_->Execute("UPDATE serve SET heartbeat_at = ?2 WHERE id = 1 AND pid = ?1", pid, now_ms);
      !s.ok())
    return s;
  if (db_->Changes() == 0) return NotOurServe(path_, pid, ReadServe());
  return Status::Ok();
}

Status SqliteStore::RecordServeStop(int64_t pid, int64_t now_ms) {
  if (Status s = db_->Execute(
          "UPDATE serve SET heartbeat_at = ?2, stopped_at = ?2 WHERE id = 1 AND pid = ?1", pid,
          now_ms);
      !s.ok())
    return s;
  if (db_->Changes() == 0) return NotOurServe(path_, pid, ReadServe());
  return Status::Ok();
}

Result<std::vector<ServeRecord>> SqliteStore::ListServes() {
  Result<std::optional<ServeRecord>> serve = ReadServe();
  if (!serve.ok()) return serve.status();
  std::vector<ServeRecord> serves;
  if (*serve) serves.push_back(std::move(**serve));
  return serves;
}

Status SqliteStore::Checkpoint() { return db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

Status SqliteStore::CheckpointInBackground() {
  if (missing_ || checkpointer_) return Status::Ok();
  Result<std::unique_ptr<WalCheckpointer>> checkpointer = WalCheckpointer::Start(*db_);
  if (!checkpointer.ok()) return checkpointer.status();
  checkpointer_ = std::move(checkpointer).value();
  return Status::Ok();
}

Result<std::optional<ServeRecord>> SqliteStore::ReadServe() {
  Result<Statement> select = db_->Prepare(
      "SELECT pid, host, lease_prefix, selector, version, started_at, heartbeat_at, stopped_at "
      "FROM serve WHERE id = 1");
  if (!select.ok()) return select.status();
  Result<bool> row = select->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ServeRecord>();
  return std::optional<ServeRecord>(ReadServeRow(*select));
}

}  // namespace vigy::storage
