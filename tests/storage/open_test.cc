#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <thread>
#include <vector>

#include "core/ids.h"
#include "storage/pg_conn.h"
#include "storage/pg_store.h"
#include "storage/schema.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"
#include "storage/store_open.h"
#include "tests/storage/store_helpers.h"

namespace vigy::storage {
namespace {

using core::Status;
using testing::OpenStore;
using testing::TempDir;
using testing::TestStore;

unsigned ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<unsigned>(st.st_mode) & 07777;
}

Status OpenFails(const std::string& path, OpenMode mode = OpenMode::kCreate) {
  core::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path, mode);
  REQUIRE_FALSE(store.ok());
  return store.status();
}

// Opens the new store at `location` from several threads at once, each
// with a connection of its own, as processes starting together would; each
// adds a vigy. Requires that every one succeeded and the store holds all.
void CreateAtOnce(const std::string& location) {
  constexpr int kOpeners = 4;
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> openers;
  for (int i = 0; i < kOpeners; ++i) {
    openers.emplace_back([&results, &location, i] {
      core::Result<std::unique_ptr<core::Store>> store =
          storage::OpenStore(location, OpenMode::kCreate);
      results[static_cast<size_t>(i)] = store.status();
      if (store.ok()) {
        results[static_cast<size_t>(i)] =
            (*store)->InsertVigy(testing::SampleVigy(fmt::format("v{}", i)));
      }
    });
  }
  for (std::thread& t : openers) t.join();
  for (const Status& s : results) CHECK(s.ToString() == "ok");
  core::Result<std::unique_ptr<core::Store>> store =
      storage::OpenStore(location, OpenMode::kExisting);
  REQUIRE(store.ok());
  CHECK((*store)->ListVigies()->size() == kOpeners);
}

TEST_SUITE("store") {
  TEST_CASE("the store under test is the one VIGY_TEST_STORE names") {
    const char* named = std::getenv("VIGY_TEST_STORE");
    const bool postgresql = named != nullptr && std::string_view(named) == "postgresql";
    TestStore test_store;
    auto store = test_store.Open();
    CHECK(test_store.postgresql() == postgresql);
    CHECK(IsPostgresLocation(test_store.location()) == postgresql);
    CHECK((dynamic_cast<PgStore*>(store.get()) != nullptr) == postgresql);
    CHECK((dynamic_cast<SqliteStore*>(store.get()) != nullptr) == !postgresql);
    // Looked for by ctest (tests/CMakeLists.txt): the "postgresql:" run
    // fails when it reads store-under-test=sqlite.
    MESSAGE("store-under-test=", std::string(postgresql ? "postgresql" : "sqlite"), " at ",
            store->path());
  }

  TEST_CASE("reopening a store keeps what was written") {
    TestStore test_store;
    {
      auto store = test_store.Open();
      testing::Add(*store, testing::SampleVigy("backup"));
      REQUIRE(store->KvSet(core::VigyIdFromName("backup"), "k", 42).ok());
    }
    auto store = test_store.Open(OpenMode::kExisting);
    CHECK_FALSE(store->missing());
    core::Result<core::Vigy> vigy = store->FindVigy("backup");
    REQUIRE(vigy.ok());
    CHECK(*vigy == testing::SampleVigy("backup"));
    CHECK(store->KvGet(vigy->id, "k")->value() == 42);
  }

  TEST_CASE("a missing store opened without creating is empty and nothing is created") {
    TestStore absent;
    auto store = absent.Open(OpenMode::kExisting);
    CHECK(store->missing());
    CHECK(store->path() == absent.location());
    CHECK(store->ListVigies()->empty());
    CHECK(store->ListRuns({})->empty());
    CHECK(store->FindVigy("backup").status() == Status::NotFound("no such vigy 'backup'"));
    CHECK(store->DeleteVigy("0123456789abcdef").code() == Status::Code::kNotFound);
    CHECK(store->KvSet("0123456789abcdef", "k", 1).code() == Status::Code::kNotFound);
    CHECK(*store->PruneRuns(10) == 0);
    CHECK(*store->ChangeStamp() == 0);
    CHECK_FALSE(store->ReadServe()->has_value());
    Status add = store->InsertVigy(testing::SampleVigy("backup"));
    CHECK(add.code() == Status::Code::kStoreUnusable);
    CHECK(add.message() ==
          fmt::format("store '{}' does not exist and was opened without creating it",
                      absent.location()));
    CHECK(absent.TableCount() == 0);

    // A new connection of the stand-in opens the store once it exists.
    auto stand_in_again = store->NewConnection();
    REQUIRE(stand_in_again.ok());
    CHECK((*stand_in_again)->missing());
    testing::Add(*absent.Open(), testing::SampleVigy("backup"));
    auto created = store->NewConnection();
    REQUIRE(created.ok());
    CHECK_FALSE((*created)->missing());
    CHECK((*created)->FindVigy("backup").ok());
  }

  TEST_CASE("several connections can open a new store at the same time") {
    TestStore test_store;
    auto first = test_store.Open();
    auto second = test_store.Open();
    testing::Add(*first, testing::SampleVigy("backup"));
    CHECK(second->FindVigy("backup").ok());
  }

  TEST_CASE("processes creating the same new store at once all end up with one good store") {
    for (int round = 0; round < 5; ++round) {
      TestStore test_store;
      CreateAtOnce(test_store.location());
    }
  }
}

TEST_CASE("a new store is created 0600 inside new 0700 directories") {
  TempDir dir;
  std::string path = dir.File("data/vigy/vigy.db");
  OpenStore(path);
  CHECK(ModeOf(path) == 0600);
  CHECK(ModeOf(dir.File("data/vigy")) == 0700);
  CHECK(ModeOf(dir.File("data")) == 0700);
}

TEST_CASE("migrations from empty create every table and stamp the schema version") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  OpenStore(path).reset();
  CHECK(testing::QueryInt(path, "PRAGMA user_version") == kSchemaVersion);
  CHECK(testing::QueryInt(path, "PRAGMA application_id") == kApplicationId);
  for (const char* table :
       {"meta", "vigies", "programs", "runtime", "runs", "actions", "state", "kv", "serve"}) {
    CAPTURE(table);
    std::string sql = fmt::format(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{}'", table);
    CHECK(testing::QueryInt(path, sql) == 1);
  }
  CHECK(testing::QueryInt(path,
                          "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                          "name IN ('runs_by_vigy_tick', 'actions_by_vigy_kind_at', "
                          "'runs_by_seq')") == 3);
  CHECK(testing::QueryInt(path, "SELECT value FROM meta WHERE key = 'run_seq'") == 0);
}

// The schema of version 1, as released: stores in the field look like this.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('change_stamp', 0);
CREATE TABLE vigies (
  id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL UNIQUE, program TEXT NOT NULL,
  revision TEXT NOT NULL,
  schedule_kind TEXT NOT NULL CHECK (schedule_kind IN ('none', 'every', 'cron')),
  every_ms INTEGER, cron TEXT, jitter_ms INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)), labels TEXT NOT NULL DEFAULT '{}',
  timeout_ms INTEGER, max_steps INTEGER, handler TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE runtime (
  vigy_id TEXT PRIMARY KEY NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  tick_count INTEGER NOT NULL DEFAULT 0, last_tick_at INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0, backoff_until INTEGER NOT NULL DEFAULT 0,
  next_due_at INTEGER, last_result TEXT, last_run_at INTEGER, last_run_id TEXT,
  lease_owner TEXT, lease_until INTEGER) WITHOUT ROWID;
CREATE TABLE runs (
  id TEXT PRIMARY KEY NOT NULL, vigy_id TEXT NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  vigy_name TEXT NOT NULL, revision TEXT NOT NULL, tick INTEGER NOT NULL,
  scheduled_at INTEGER, started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  result TEXT NOT NULL CHECK (result IN ('ok', 'failed', 'skipped')), error TEXT,
  log TEXT NOT NULL DEFAULT '[]', events TEXT NOT NULL DEFAULT '[]',
  metrics TEXT NOT NULL DEFAULT '{}', trace TEXT NOT NULL DEFAULT '{}');
CREATE INDEX runs_by_vigy_tick ON runs (vigy_id, tick);
CREATE TABLE actions (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, seq INTEGER NOT NULL,
  vigy_id TEXT NOT NULL REFERENCES vigies (id) ON DELETE CASCADE, kind TEXT NOT NULL,
  payload TEXT, result TEXT, message TEXT, at INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
CREATE INDEX actions_by_vigy_kind_at ON actions (vigy_id, kind, at);
CREATE TABLE state (
  vigy_id TEXT PRIMARY KEY NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  desired TEXT NOT NULL DEFAULT '{}', observed TEXT NOT NULL DEFAULT '{}',
  conditions TEXT NOT NULL DEFAULT '[]', updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE kv (
  vigy_id TEXT NOT NULL REFERENCES vigies (id) ON DELETE CASCADE, key TEXT NOT NULL,
  value TEXT NOT NULL, PRIMARY KEY (vigy_id, key)) WITHOUT ROWID;
PRAGMA application_id = 1986619257;
PRAGMA user_version = 1;
)sql";

TEST_CASE("a version 1 store migrates to the current schema, numbering its runs in order") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  const std::string id = core::VigyIdFromName("backup");
  {
    std::unique_ptr<Db> raw = testing::OpenRaw(path);
    REQUIRE(raw->Exec(kSchemaV1).ok());
    REQUIRE(
        raw->Exec(fmt::format("INSERT INTO vigies (id, name, program, revision, schedule_kind, "
                              "every_ms, enabled, created_at, updated_at) VALUES ('{}', 'backup', "
                              "'(vigy-noop)', 'r1', 'every', 5000, 1, 1, 1);"
                              "INSERT INTO runtime (vigy_id, tick_count) VALUES ('{}', 4);",
                              id, id))
            .ok());
    // Inserted out of id order, with one removed, as pruning leaves them.
    for (int tick : {1, 2, 3, 4}) {
      REQUIRE(raw->Exec(fmt::format("INSERT INTO runs (id, vigy_id, vigy_name, revision, tick, "
                                    "started_at, ended_at, duration_ms, result) VALUES "
                                    "('run{}', '{}', 'backup', 'r1', {}, {}, {}, 1, 'ok')",
                                    5 - tick, id, tick, tick, tick + 1))
                  .ok());
    }
    REQUIRE(raw->Exec("DELETE FROM runs WHERE tick = 2").ok());
    // Enough vigies with kilobyte programs to fill a few hundred pages.
    for (int i = 0; i < 300; ++i) {
      REQUIRE(raw->Exec(fmt::format("INSERT INTO vigies (id, name, program, revision, "
                                    "schedule_kind, enabled, created_at, updated_at) VALUES "
                                    "('big{}', 'big{}', '(vigy-log \"{}\")', 'r', 'none', 1, 1, 1)",
                                    i, i, std::string(1000, 'x')))
                  .ok());
    }
  }
  REQUIRE(::chmod(path.c_str(), 0600) == 0);

  auto store = OpenStore(path, OpenMode::kExisting);
  CHECK(testing::QueryInt(path, "PRAGMA user_version") == kSchemaVersion);
  std::vector<core::RunRecord> runs = *store->ListRunsCommittedAfter(0, {}, false, 0);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].tick == 1);
  CHECK(runs[1].tick == 3);
  CHECK(runs[2].tick == 4);
  CHECK(runs[0].seq >= 1);
  CHECK(runs[0].seq < runs[1].seq);
  CHECK(runs[1].seq < runs[2].seq);
  CHECK(*store->LatestRunSeq() == runs[2].seq);
  CHECK(store->GetRun("run1")->seq == runs[2].seq);
  CHECK_FALSE(store->ReadServe()->has_value());
  // Schema 3: the program moved to its own table, the column is gone.
  CHECK(store->GetVigy(id)->program == "(vigy-noop)");
  CHECK(testing::QueryInt(path,
                          "SELECT count(*) FROM pragma_table_info('vigies') "
                          "WHERE name = 'program'") == 0);
  CHECK(store->GetVigy("big7")->program.size() == 1000 + 13);
  // The vigies table was rebuilt, not left as sparse as the programs made it.
  int64_t program_pages =
      testing::QueryInt(path, "SELECT count(*) FROM dbstat WHERE name = 'programs'");
  int64_t vigy_pages = testing::QueryInt(path, "SELECT count(*) FROM dbstat WHERE name = 'vigies'");
  CHECK(program_pages >= 75);
  CHECK(vigy_pages * 5 < program_pages);

  core::RunRecord next = testing::TickOnce(*store, id, testing::kT0);
  CHECK(next.tick == 5);
  CHECK(next.seq == runs[2].seq + 1);
}

TEST_CASE("the store runs in WAL mode with foreign keys on") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  OpenStore(path).reset();
  std::unique_ptr<Db> raw = testing::OpenRaw(path);
  core::Result<Statement> mode = raw->Prepare("PRAGMA journal_mode");
  REQUIRE(mode.ok());
  REQUIRE(*mode->Step());
  CHECK(mode->Text(0) == "wal");
}

TEST_CASE("a store written by a newer vigy is refused and left byte for byte unchanged") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  {
    auto store = OpenStore(path);
    testing::Add(*store, testing::SampleVigy("backup"));
  }
  REQUIRE(testing::OpenRaw(path)->Exec("PRAGMA user_version = 99").ok());
  std::string before = testing::ReadFile(path);

  for (OpenMode mode : {OpenMode::kCreate, OpenMode::kExisting}) {
    Status s = OpenFails(path, mode);
    CHECK(s.code() == Status::Code::kStoreUnusable);
    CHECK(s.message() == fmt::format("store '{}' was written by a newer vigy (schema 99, this vigy "
                                     "knows {}); upgrade vigy to use it",
                                     path, kSchemaVersion));
  }
  CHECK(testing::ReadFile(path) == before);
  CHECK(testing::QueryInt(path, "PRAGMA user_version") == 99);
}

TEST_CASE("a file that is not an SQLite database is refused untouched") {
  TempDir dir;
  std::string path = dir.File("notes.txt");
  std::string text = "these are my notes, not a database\n";
  std::ofstream(path) << text;
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Status s = OpenFails(path);
  CHECK(s.code() == Status::Code::kStoreUnusable);
  CHECK(
      s.message() ==
      fmt::format("'{}' is not a vigy store (not an SQLite database); refusing to touch it", path));
  CHECK(testing::ReadFile(path) == text);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_CASE("an SQLite database of another program is refused untouched") {
  TempDir dir;
  std::string path = dir.File("other.db");
  REQUIRE(testing::OpenRaw(path)->Exec("CREATE TABLE songs (title TEXT)").ok());
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string before = testing::ReadFile(path);
  Status s = OpenFails(path);
  CHECK(s.code() == Status::Code::kStoreUnusable);
  CHECK(s.message() ==
        fmt::format("'{}' is an SQLite database but not a vigy store; refusing to touch it", path));
  CHECK(testing::ReadFile(path) == before);
}

TEST_CASE("a store file others can write is refused with the chmod that fixes it") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  OpenStore(path).reset();
  REQUIRE(::chmod(path.c_str(), 0666) == 0);
  Status s = OpenFails(path, OpenMode::kExisting);
  CHECK(s.code() == Status::Code::kStoreUnusable);
  CHECK(s.message() == fmt::format("store '{}' can be written by group or others (mode 0666), and "
                                   "vigy runs the programs it holds; fix it with: chmod 600 '{}'",
                                   path, path));
  REQUIRE(::chmod(path.c_str(), 0620) == 0);
  CHECK(OpenFails(path).code() == Status::Code::kStoreUnusable);
  REQUIRE(::chmod(path.c_str(), 0644) == 0);  // readable by others is allowed
  OpenStore(path);
}

TEST_CASE("a store directory others can write is refused, before anything is created there") {
  TempDir dir;
  std::string sub = dir.File("shared");
  std::filesystem::create_directory(sub);
  REQUIRE(::chmod(sub.c_str(), 0777) == 0);
  std::string path = sub + "/vigy.db";
  Status s = OpenFails(path);
  CHECK(s.code() == Status::Code::kStoreUnusable);
  CHECK(s.message() == fmt::format("store directory '{}' can be written by group or others (mode "
                                   "0777), so others could replace the store; fix it with: "
                                   "chmod 700 '{}'",
                                   sub, sub));
  CHECK_FALSE(std::filesystem::exists(path));

  REQUIRE(::chmod(sub.c_str(), 01777) == 0);
  s = OpenFails(path);
  CHECK(s.message().find("keep the store in a private directory") != std::string::npos);
}

TEST_CASE("a missing store file opened without creating makes no directory for it") {
  TempDir dir;
  std::string path = dir.File("none/vigy.db");
  auto store = OpenStore(path, OpenMode::kExisting);
  CHECK(store->missing());
  Status add = store->InsertVigy(testing::SampleVigy("backup"));
  CHECK(add.message() ==
        fmt::format("store '{}' does not exist and was opened without creating it", path));
  CHECK_FALSE(std::filesystem::exists(dir.File("none")));
}

TEST_CASE("an empty file becomes a store when opened for creating") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  std::ofstream(path).flush();
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  CHECK(OpenStore(path, OpenMode::kExisting)->missing());
  CHECK(testing::ReadFile(path).empty());
  auto store = OpenStore(path);
  CHECK_FALSE(store->missing());
  testing::Add(*store, testing::SampleVigy("backup"));
}

TEST_CASE("a directory given as the store is refused") {
  TempDir dir;
  Status s = OpenFails(dir.path());
  CHECK(s.code() == Status::Code::kStoreUnusable);
  CHECK(s.message() ==
        fmt::format("store '{}' is a directory; give the path of a file inside it", dir.path()));
}

TEST_CASE("processes creating the same new store file in a new directory at once all succeed") {
  for (int round = 0; round < 5; ++round) {
    TempDir dir;
    CreateAtOnce(dir.File("new/vigy.db"));
  }
}

TEST_CASE("a store written only by short-lived connections keeps its log bounded") {
  // Each connection is the store's only one, as each short-lived command is:
  // it writes, then closes without the checkpoint SQLite would run on close.
  TempDir dir;
  const std::string path = dir.File("vigy.db");
  const std::string wal = path + "-wal";
  {
    std::unique_ptr<SqliteStore> store = OpenStore(path);
    testing::Add(*store, testing::SampleVigy("writer"));
  }
  const nlohmann::json value = std::string(8 * 1024, 'x');
  std::uintmax_t largest = 0;
  for (int i = 0; i < 400; ++i) {  // about 4 MB of writes
    std::unique_ptr<SqliteStore> store = OpenStore(path);
    REQUIRE(store->KvSet(core::VigyIdFromName("writer"), fmt::format("k{}", i % 20), value).ok());
    store.reset();
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(wal, error);
    if (!error) largest = std::max(largest, size);
  }
  // The bound, plus what the last connection wrote past it.
  CHECK(largest <= static_cast<std::uintmax_t>(Db::kWalBoundBytes) + 64 * 1024);
  std::unique_ptr<SqliteStore> store = OpenStore(path);
  core::Result<core::Kv> kv = store->KvList(core::VigyIdFromName("writer"));
  REQUIRE(kv.ok());
  CHECK(kv->size() == 20);
}

}  // namespace
}  // namespace vigy::storage
