#include "storage/sqlite_db.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cassert>

namespace vigy::storage {

using core::Result;
using core::Status;

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), in_use_(other.in_use_), bind_error_(other.bind_error_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

void Statement::Remember(int rc) {
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

Statement& Statement::BindInt(int index, int64_t value) {
  Remember(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::BindText(int index, std::string_view value) {
  Remember(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::BindNull(int index) {
  Remember(sqlite3_bind_null(stmt_, index));
  return *this;
}

Statement& Statement::BindOptInt(int index, const std::optional<int64_t>& value) {
  return value ? BindInt(index, *value) : BindNull(index);
}

Statement& Statement::BindOptText(int index, const std::optional<std::string>& value) {
  return value ? BindText(index, *value) : BindNull(index);
}

Result<bool> Statement::Step() {
  if (bind_error_ != 0) return db_->Error(bind_error_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc);
}

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return std::string();
  int size = sqlite3_column_bytes(stmt_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::optional<int64_t> Statement::OptInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<std::string> Statement::OptText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

// ---- Db ----

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, int busy_timeout_ms,
                                     const std::string& name) {
  const std::string& shown = name.empty() ? path : name;
  sqlite3* handle = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (path == ":memory:") flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    return Status::StoreUnusable(fmt::format("cannot open store '{}': {}", shown, message));
  }
  sqlite3_extended_result_codes(handle, 0);
  sqlite3_busy_timeout(handle, busy_timeout_ms);
  // Closing a connection does not checkpoint the WAL: short-lived commands
  // (add, kv set) then cost one sync instead of several. ~Db bounds what
  // that leaves (kWalBoundBytes).
  sqlite3_db_config(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  return std::unique_ptr<Db>(new Db(handle, shown));
}

Db::~Db() {
  for (auto& [sql, cached] : cache_) {
    assert(!cached.in_use && "a statement outlived its connection");
    sqlite3_finalize(cached.stmt);
  }
  CheckpointLargeWal();
  sqlite3_close(handle_);
}

void Db::CheckpointLargeWal() {
  const char* file = sqlite3_db_filename(handle_, "main");
  if (file == nullptr || *file == '\0') return;  // in memory
  const char* wal = sqlite3_filename_wal(file);
  struct stat info {};
  if (wal == nullptr || stat(wal, &info) != 0 || info.st_size <= kWalBoundBytes) return;
  // Best effort: busy (another connection mid-transaction) leaves it for the
  // next one to close, and a long-lived connection checkpoints as it commits.
  sqlite3_busy_timeout(handle_, kCloseCheckpointWaitMs);
  sqlite3_wal_checkpoint_v2(handle_, "main", SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

Status Db::CheckpointPassive() {
  int rc = sqlite3_wal_checkpoint_v2(handle_, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc);
}

void Db::OnCommit(std::function<bool(int log_pages)> committed) {
  on_commit_ = std::move(committed);
  if (!on_commit_) {
    sqlite3_wal_autocheckpoint(handle_, kAutoCheckpointPages);
    return;
  }
  sqlite3_wal_hook(
      handle_,
      [](void* self, sqlite3* handle, const char* schema, int log_pages) {
        if (static_cast<Db*>(self)->on_commit_(log_pages)) {
          // Not CheckpointPassive(): a failure here is ignored, as SQLite
          // ignores its own, and must not become the connection's last error.
          sqlite3_wal_checkpoint_v2(handle, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        }
        return SQLITE_OK;
      },
      this);
}

Result<Statement> Db::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(this, it->second.stmt, &it->second.in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc);
  }
  ++prepare_count_;
  if (it != cache_.end()) return Statement(this, stmt, nullptr);  // the cached one is busy
  auto added = cache_.emplace(std::string(sql), Cached{stmt, true}).first;
  return Statement(this, stmt, &added->second.in_use);
}

Status Db::Exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(handle_, sql.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc);
}

Result<int64_t> Db::QueryInt(std::string_view sql) {
  Result<Statement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row)
    return Status::StoreUnusable(fmt::format("store '{}': '{}' returned no row", path_, sql));
  return stmt->Int(0);
}

std::string Db::file() const {
  const char* file = sqlite3_db_filename(handle_, "main");
  return file == nullptr ? std::string() : std::string(file);
}

int64_t Db::Changes() const { return sqlite3_changes64(handle_); }

bool Db::LastErrorWasStoreFailure() const {
  if (last_error_rc_ == 0) return false;
  if (sqlite3_get_autocommit(handle_) != 0) return true;  // the transaction is gone
  switch (last_error_rc_ & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return false;
    default:
      return true;
  }
}

Status Db::Error(int rc) const {
  last_error_rc_ = rc;
  int primary = rc & 0xff;
  std::string detail = sqlite3_errmsg(handle_);
  if (detail.empty() || detail == "not an error") detail = sqlite3_errstr(rc);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Status::Conflict(fmt::format(
        "store '{}' is locked by another process and stayed locked too long ({})", path_, detail));
  }
  if (primary == SQLITE_NOTADB) {
    return Status::StoreUnusable(
        fmt::format("store '{}' is not a vigy store (not an SQLite database)", path_));
  }
  if (primary == SQLITE_CORRUPT) {
    return Status::StoreUnusable(fmt::format("store '{}' is corrupt ({})", path_, detail));
  }
  return Status::StoreUnusable(fmt::format("store '{}': {}", path_, detail));
}

// ---- Transaction ----

Result<Transaction> Transaction::Begin(Db& db, Kind kind) {
  Result<Statement> begin = db.Prepare(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!begin.ok()) return begin.status();
  if (Status s = begin->Run(); !s.ok()) return s;
  return Transaction(db);
}

Transaction::~Transaction() {
  if (!open_) return;
  Result<Statement> rollback = db_->Prepare("ROLLBACK");
  if (rollback.ok()) (void)rollback->Run();
}

Status Transaction::Commit() {
  assert(open_);
  Result<Statement> commit = db_->Prepare("COMMIT");
  if (!commit.ok()) return commit.status();
  Status s = commit->Run();
  // A failed COMMIT leaves the transaction open; the destructor rolls it back.
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace vigy::storage
