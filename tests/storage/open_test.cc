#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "storage/schema.h"
#include "storage/sqlite_store.h"
#include "tests/storage/store_helpers.h"

namespace vigy::storage {
namespace {

using core::Status;
using testing::OpenStore;
using testing::TempDir;

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
  for (const char* table : {"meta", "vigies", "runtime", "runs", "actions", "state", "kv"}) {
    CAPTURE(table);
    std::string sql = fmt::format(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{}'", table);
    CHECK(testing::QueryInt(path, sql) == 1);
  }
  CHECK(testing::QueryInt(path,
                          "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                          "name IN ('runs_by_vigy_tick', 'actions_by_vigy_kind_at')") == 2);
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

TEST_CASE("reopening a store keeps what was written") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  {
    auto store = OpenStore(path);
    testing::Add(*store, testing::SampleVigy("backup"));
    REQUIRE(store->KvSet(core::VigyIdFromName("backup"), "k", 42).ok());
  }
  auto store = OpenStore(path, OpenMode::kExisting);
  CHECK_FALSE(store->missing());
  core::Result<core::Vigy> vigy = store->FindVigy("backup");
  REQUIRE(vigy.ok());
  CHECK(*vigy == testing::SampleVigy("backup"));
  CHECK(store->KvGet(vigy->id, "k")->value() == 42);
}

TEST_CASE("a store written by a newer vigy is refused and left byte for byte unchanged") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  {
    auto store = OpenStore(path);
    testing::Add(*store, testing::SampleVigy("backup"));
  }
  REQUIRE(testing::OpenRaw(path)->Exec("PRAGMA user_version = 99").ok());
  std::string before = testing::ReadBytes(path);

  for (OpenMode mode : {OpenMode::kCreate, OpenMode::kExisting}) {
    Status s = OpenFails(path, mode);
    CHECK(s.code() == Status::Code::kStoreUnusable);
    CHECK(s.message() == fmt::format("store '{}' was written by a newer vigy (schema 99, this vigy "
                                     "knows {}); upgrade vigy to use it",
                                     path, kSchemaVersion));
  }
  CHECK(testing::ReadBytes(path) == before);
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
  CHECK(testing::ReadBytes(path) == text);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_CASE("an SQLite database of another program is refused untouched") {
  TempDir dir;
  std::string path = dir.File("other.db");
  REQUIRE(testing::OpenRaw(path)->Exec("CREATE TABLE songs (title TEXT)").ok());
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string before = testing::ReadBytes(path);
  Status s = OpenFails(path);
  CHECK(s.code() == Status::Code::kStoreUnusable);
  CHECK(s.message() ==
        fmt::format("'{}' is an SQLite database but not a vigy store; refusing to touch it", path));
  CHECK(testing::ReadBytes(path) == before);
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

TEST_CASE("a missing store opened without creating is empty and nothing is created") {
  TempDir dir;
  std::string path = dir.File("none/vigy.db");
  auto store = OpenStore(path, OpenMode::kExisting);
  CHECK(store->missing());
  CHECK(store->ListVigies()->empty());
  CHECK(store->ListRuns({})->empty());
  CHECK(store->FindVigy("backup").status() == Status::NotFound("no such vigy 'backup'"));
  CHECK(store->DeleteVigy("0123456789abcdef").code() == Status::Code::kNotFound);
  CHECK(store->KvSet("0123456789abcdef", "k", 1).code() == Status::Code::kNotFound);
  CHECK(*store->PruneRuns(10) == 0);
  CHECK(*store->ChangeStamp() == 0);
  Status add = store->InsertVigy(testing::SampleVigy("backup"));
  CHECK(add.code() == Status::Code::kStoreUnusable);
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
  CHECK(testing::ReadBytes(path).empty());
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

TEST_CASE("several connections can open a new store at the same time") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  auto first = OpenStore(path);
  auto second = OpenStore(path);
  testing::Add(*first, testing::SampleVigy("backup"));
  CHECK(second->FindVigy("backup").ok());
}

TEST_CASE("processes creating the same new store at once all end up with one good store") {
  for (int round = 0; round < 5; ++round) {
    TempDir dir;
    std::string path = dir.File("new/vigy.db");
    constexpr int kOpeners = 4;
    std::vector<Status> results(kOpeners);
    std::vector<std::thread> openers;
    for (int i = 0; i < kOpeners; ++i) {
      openers.emplace_back([&results, &path, i] {
        core::Result<std::unique_ptr<SqliteStore>> store =
            SqliteStore::Open(path, OpenMode::kCreate);
        results[static_cast<size_t>(i)] = store.status();
        if (store.ok()) {
          results[static_cast<size_t>(i)] =
              (*store)->InsertVigy(testing::SampleVigy(fmt::format("v{}", i)));
        }
      });
    }
    for (std::thread& t : openers) t.join();
    for (const Status& s : results) CHECK(s.ToString() == "ok");
    CHECK(OpenStore(path)->ListVigies()->size() == kOpeners);
  }
}

}  // namespace
}  // namespace vigy::storage
