// The background checkpointer copies what a writer commits into the database
// file as it is committed, and leaves the writer able to restart the log.
#include "storage/wal_checkpointer.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/storage/store_helpers.h"

namespace vigy::storage::testing {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr size_t kBigBytes = size_t{64} << 10;  // 16 pages
const std::string kBigValue(kBigBytes, 'x');

std::unique_ptr<WalCheckpointer> StartCheckpointer(Db& writer) {
  core::Result<std::unique_ptr<WalCheckpointer>> checkpointer = WalCheckpointer::Start(writer);
  INFO(checkpointer.status().ToString());
  REQUIRE(checkpointer.ok());
  return std::move(checkpointer).value();
}

// Waits (up to 10 s) for the database file itself to reach `bytes`.
int64_t WaitForDatabaseFile(const std::string& path, int64_t bytes) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto size = [&] { return static_cast<int64_t>(std::filesystem::file_size(path)); };
  while (size() < bytes && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return size();
}

TEST_CASE("the checkpointer copies what the writer commits into the database file") {
  TempDir dir;
  const std::string path = dir.File("store.db");
  std::unique_ptr<Db> writer = OpenRaw(path);
  REQUIRE(writer->Exec("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER, v TEXT)").ok());
  std::unique_ptr<WalCheckpointer> checkpointer = StartCheckpointer(*writer);
  // 40 rows of 16 pages: 640 pages, fewer than the writer's own checkpoint
  // needs, so only the checkpointer copies them.
  for (int i = 0; i < 40; ++i) {
    REQUIRE(writer->Execute("INSERT INTO t VALUES (?1, ?2)", i, kBigValue).ok());
  }
  CHECK(WaitForDatabaseFile(path, 40 * int64_t{kBigBytes}) >= 40 * int64_t{kBigBytes});

  // What the file holds by itself, without its log (as after losing it).
  checkpointer.reset();  // nothing is copied while the file is
  std::filesystem::copy_file(path, dir.File("copy.db"));
  CHECK(QueryInt(dir.File("copy.db"), "SELECT count(*) FROM t WHERE v = '" + kBigValue + "'") ==
        40);
}

// `writes` commits of 64 KiB each, every page different from the one
// before (SQLite writes only the overflow pages that changed), one every
// millisecond. Returns the largest size the log reached.
int64_t WriteAndWatchLog(SqliteStore& store, const std::string& path, int writes) {
  int64_t largest = 0;
  for (int i = 0; i < writes; ++i) {
    const std::string value(kBigBytes, static_cast<char>('a' + i % 26));
    core::Status s = store.KvSet(core::VigyIdFromName("big"), fmt::format("k{}", i % 8), value);
    INFO(s.ToString());
    REQUIRE(s.ok());
    largest = std::max(largest, static_cast<int64_t>(std::filesystem::file_size(path + "-wal")));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return largest;
}

TEST_CASE("with its checkpoints in the background, a store's log stays bounded") {
  // A checkpoint that runs while a writer writes copies everything but the
  // last pages, so the log is never all copied when the writer starts its
  // next transaction, and only then can the writer restart it: checkpoints
  // on another connection alone would let it grow without bound.
  TempDir dir;
  const std::string path = dir.File("store.db");
  std::unique_ptr<SqliteStore> store = OpenStore(path);
  Add(*store, SampleVigy("big"));
  REQUIRE(store->CheckpointInBackground().ok());
  // 1,000 commits, about 63 MiB of log in all; the writer checkpoints from
  // 16 MiB on.
  CHECK(WriteAndWatchLog(*store, path, 1000) < 24 * kMiB);
}

TEST_CASE("the writer gets its own checkpoints back when the checkpointer stops") {
  TempDir dir;
  const std::string path = dir.File("store.db");
  std::unique_ptr<Db> writer = OpenRaw(path);
  REQUIRE(writer->Exec("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER, v TEXT)").ok());
  StartCheckpointer(*writer).reset();
  for (int i = 0; i < 100; ++i) {
    REQUIRE(writer->Execute("INSERT INTO t VALUES (?1, ?2)", i, kBigValue).ok());
  }
  // 1,600 pages: SQLite's own checkpoint copied the first 1,000 or so.
  CHECK(std::filesystem::file_size(path) >= 900 * 4096);
}

TEST_CASE("the checkpointer needs a file, and stops without waiting") {
  core::Result<std::unique_ptr<Db>> memory = Db::Open(":memory:", 1000);
  REQUIRE(memory.ok());
  CHECK(WalCheckpointer::Start(**memory).status().code() == core::Status::Code::kInvalidArgument);

  TempDir dir;
  std::unique_ptr<Db> writer = OpenRaw(dir.File("store.db"));
  REQUIRE(writer->Exec("PRAGMA journal_mode = WAL").ok());
  StartCheckpointer(*writer).reset();  // never woken: the thread must not wait for work
}

}  // namespace
}  // namespace vigy::storage::testing
