#include "storage/sqlite_store.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "storage/schema.h"
#include "storage/sqlite_db.h"
#include "storage/store_file.h"
#include "storage/store_open.h"
#include "storage/wal_checkpointer.h"

namespace vigy::storage {

using core::Result;
using core::Status;

namespace {

Result<bool> InWalMode(Db& db) {
  Result<Statement> mode = db.Prepare("PRAGMA journal_mode");
  if (!mode.ok()) return mode.status();
  Result<bool> row = mode->Step();
  if (!row.ok()) return row.status();
  return *row && mode->Text(0) == "wal";
}

// The connection settings every store connection uses. WAL lets readers run
// while a writer commits; synchronous=NORMAL syncs the WAL only at
// checkpoints, so a power loss or OS crash may lose the latest commits, but
// never corrupts the file or half-applies a transaction (an application crash
// loses nothing committed).
Status Configure(Db& db) {
  // temp_store=MEMORY: the statement and savepoint journals of a batched
  // commit stay in memory instead of spilling to temporary files.
  if (Status s = db.Exec(
          "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;");
      !s.ok()) {
    return s;
  }
  // Switching to WAL needs the file to itself and does not wait for it, so
  // when several processes open a new store at once the losers retry until
  // one of them has switched it.
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(SqliteStore::kBusyTimeoutMs);
  for (;;) {
    Result<bool> wal = InWalMode(db);
    Status s = wal.ok() ? Status::Ok() : wal.status();
    if (wal.ok() && *wal) return Status::Ok();
    // Switching writes the file header, so only once the file is known to be ours.
    if (s.ok()) s = db.Exec("PRAGMA journal_mode = WAL");
    if (s.ok() || s.code() != Status::Code::kConflict || Clock::now() > deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// The empty in-memory stand-in for a store that does not exist.
Result<std::unique_ptr<Db>> OpenEmptyDb(const std::string& path) {
  Result<std::unique_ptr<Db>> db = Db::Open(":memory:", SqliteStore::kBusyTimeoutMs, path);
  if (!db.ok()) return db.status();
  if (Status s = Migrate(**db); !s.ok()) return s;
  return db;
}

Result<std::unique_ptr<Db>> OpenFile(const std::string& path) {
  if (Status s = CheckStorePermissions(path); !s.ok()) return s;
  if (Status s = CheckSqliteHeader(path); !s.ok()) return s;
  Result<std::unique_ptr<Db>> db = Db::Open(path, SqliteStore::kBusyTimeoutMs);
  if (!db.ok()) return db.status();
  if (Status s = CheckStoreIdentity(**db); !s.ok()) return s;
  if (Status s = Configure(**db); !s.ok()) return s;
  if (Status s = Migrate(**db); !s.ok()) return s;
  return db;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, OpenMode mode) {
  Result<std::optional<int64_t>> size = StoreFileSize(path);
  if (!size.ok()) return size.status();
  // An empty file (say, from touch) is a store nobody has written yet.
  bool absent = !size->has_value() || **size == 0;
  if (absent && mode == OpenMode::kExisting) {
    Result<std::unique_ptr<Db>> db = OpenEmptyDb(path);
    if (!db.ok()) return db.status();
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db), path, true));
  }
  if (!size->has_value()) {
    if (Status s = CreateStoreFile(path); !s.ok()) return s;
  }
  Result<std::unique_ptr<Db>> db = OpenFile(path);
  if (!db.ok()) return db.status();
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db), path, false));
}

SqliteStore::SqliteStore(std::unique_ptr<Db> db, const std::string& path, bool missing)
    : SqliteStore(std::move(db), path, path, missing) {}

SqliteStore::SqliteStore(std::unique_ptr<Db> db, std::string path, std::string location,
                         bool missing)
    : db_(std::move(db)),
      path_(std::move(path)),
      location_(std::move(location)),
      missing_(missing) {}

Result<std::unique_ptr<core::Store>> SqliteStore::OpenStandIn(const std::string& shown_as,
                                                              const std::string& location) {
  Result<std::unique_ptr<Db>> db = OpenEmptyDb(shown_as);
  if (!db.ok()) return db.status();
  return std::unique_ptr<core::Store>(
      new SqliteStore(std::move(*db), shown_as, location, /*missing=*/true));
}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<core::Store>> SqliteStore::NewConnection() {
  return OpenStore(location_, OpenMode::kExisting);
}

int64_t SqliteStore::prepare_count() const { return db_->prepare_count(); }

Result<int64_t> SqliteStore::ChangeStamp() {
  return db_->QueryInt("SELECT value FROM meta WHERE key = 'change_stamp'");
}

Status SqliteStore::BumpChangeStamp() {
  return db_->Execute("UPDATE meta SET value = value + 1 WHERE key = 'change_stamp'");
}

Result<bool> SqliteStore::VigyExists(std::string_view id) {
  Result<Statement> stmt = db_->Query("SELECT 1 FROM vigies WHERE id = ?1", id);
  if (!stmt.ok()) return stmt.status();
  return stmt->Step();
}

Status SqliteStore::RequireVigy(std::string_view id) {
  Result<bool> exists = VigyExists(id);
  if (!exists.ok()) return exists.status();
  if (!*exists) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  return Status::Ok();
}

}  // namespace vigy::storage
