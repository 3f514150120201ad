#include <doctest/doctest.h>

#include "core/store.h"
#include "storage/sqlite_store.h"
#include "tests/storage/store_helpers.h"

namespace vigy::storage {
namespace {

using core::RunRecord;
using nlohmann::json;
using testing::Add;
using testing::kT0;
using testing::OpenStore;
using testing::SampleVigy;
using testing::TempDir;
using testing::TestStore;

std::vector<int64_t> Seqs(const std::vector<RunRecord>& runs) {
  std::vector<int64_t> seqs;
  for (const RunRecord& run : runs) seqs.push_back(run.seq);
  return seqs;
}

TEST_SUITE("store") {
  TEST_CASE("an empty store has no runs to follow") {
    TestStore test_store;
    auto store = test_store.Open();
    CHECK(*store->LatestRunSeq() == 0);
    CHECK(store->ListRunsCommittedAfter(0, {}, false, 0)->empty());
    TestStore absent;
    auto missing = absent.Open(OpenMode::kExisting);
    REQUIRE(missing->missing());
    CHECK(*missing->LatestRunSeq() == 0);
    CHECK(missing->ListRunsCommittedAfter(0, {}, false, 10)->empty());
  }

  TEST_CASE("runs committed after a seq come oldest commit first, filtered and limited") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy a = SampleVigy("a");
    core::Vigy b = SampleVigy("b");
    core::Vigy c = SampleVigy("c");
    for (const core::Vigy& v : {a, b, c}) Add(*store, v);
    // Committed in this order; started_at (and so run ids) deliberately out of order.
    std::vector<RunRecord> committed;
    committed.push_back(testing::TickOnce(*store, a.id, kT0 + 500));         // 1
    committed.push_back(testing::TickOnce(*store, b.id, kT0 + 100, false));  // 2
    committed.push_back(testing::TickOnce(*store, c.id, kT0 + 300));         // 3
    committed.push_back(testing::TickOnce(*store, a.id, kT0 + 200, false));  // 4
    committed.push_back(testing::TickOnce(*store, b.id, kT0 + 400));         // 5
    CHECK(*store->LatestRunSeq() == 5);

    std::vector<RunRecord> all = *store->ListRunsCommittedAfter(0, {}, false, 0);
    CHECK(Seqs(all) == std::vector<int64_t>{1, 2, 3, 4, 5});
    CHECK(all == committed);
    CHECK(Seqs(*store->ListRunsCommittedAfter(2, {}, false, 0)) == std::vector<int64_t>{3, 4, 5});
    CHECK(Seqs(*store->ListRunsCommittedAfter(1, {}, false, 2)) == std::vector<int64_t>{2, 3});
    CHECK(store->ListRunsCommittedAfter(5, {}, false, 0)->empty());
    CHECK(Seqs(*store->ListRunsCommittedAfter(0, {a.id}, false, 0)) == std::vector<int64_t>{1, 4});
    CHECK(Seqs(*store->ListRunsCommittedAfter(0, {a.id, b.id}, false, 0)) ==
          std::vector<int64_t>{1, 2, 4, 5});
    CHECK(Seqs(*store->ListRunsCommittedAfter(0, {}, true, 0)) == std::vector<int64_t>{2, 4});
    CHECK(Seqs(*store->ListRunsCommittedAfter(2, {a.id, b.id}, true, 0)) ==
          std::vector<int64_t>{4});
    CHECK(Seqs(*store->ListRunsCommittedAfter(0, {b.id, c.id}, false, 2)) ==
          std::vector<int64_t>{2, 3});
    CHECK(store->ListRunsCommittedAfter(0, {"0000000000000000"}, false, 0)->empty());
  }

  TEST_CASE("followed runs carry their actions and scheduled time") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("a");
    Add(*store, vigy);
    core::Result<TickLease> lease = store->AcquireTickLease(vigy.id, NewLeaseToken(), 60000, 0);
    REQUIRE(lease.ok());
    TickCommit commit = testing::NextTick(*lease, kT0 + 7);
    commit.run.scheduled_at_ms = kT0;
    commit.run.actions = {{"create", json{{"path", "/x"}}, "ok", std::nullopt},
                          {"noop", std::nullopt, "ok", std::nullopt}};
    testing::Commit(*store, commit);
    std::vector<RunRecord> runs = *store->ListRunsCommittedAfter(0, {}, false, 0);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0] == commit.run);
    CHECK(runs[0].scheduled_at_ms == kT0);
    CHECK(store->ListRuns({vigy.id})->at(0).scheduled_at_ms == kT0);
  }

  TEST_CASE("the data version moves when another connection commits") {
    TestStore test_store;
    auto writer = test_store.Open();
    auto watcher = test_store.Open(OpenMode::kExisting);
    core::Vigy vigy = SampleVigy("a");
    Add(*writer, vigy);

    int64_t version = *watcher->DataVersion();
    CHECK(watcher->ListRunsCommittedAfter(0, {}, false, 0)->empty());
    RunRecord run = testing::TickOnce(*writer, vigy.id, kT0);
    // Whoever polls the version right after a commit is to see it moved:
    // that is when it queries again.
    int64_t moved = *watcher->DataVersion();
    CHECK(moved != version);
    std::vector<RunRecord> seen = *watcher->ListRunsCommittedAfter(0, {}, false, 0);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == run);
    CHECK(*watcher->LatestRunSeq() == run.seq);

    // And again for a commit that changes nothing but kv.
    REQUIRE(writer->KvSet(vigy.id, "k", 1).ok());
    CHECK(*watcher->DataVersion() != moved);
  }
}

// SQLite's data version (PRAGMA data_version) moves only for other
// connections' commits; the port lets it move at other times too (the
// PostgreSQL store's moves with the server's log).
TEST_CASE("the SQLite data version does not move on the connection's own reads") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  auto writer = OpenStore(path);
  auto watcher = OpenStore(path, OpenMode::kExisting);
  core::Vigy vigy = SampleVigy("a");
  Add(*writer, vigy);

  int64_t version = *watcher->DataVersion();
  CHECK(*watcher->DataVersion() == version);
  CHECK(watcher->ListRunsCommittedAfter(0, {}, false, 0)->empty());
  CHECK(*watcher->DataVersion() == version);

  RunRecord run = testing::TickOnce(*writer, vigy.id, kT0);
  int64_t moved = *watcher->DataVersion();
  CHECK(moved != version);
  CHECK(watcher->ListRunsCommittedAfter(0, {}, false, 0)->size() == 1);
  CHECK(*watcher->LatestRunSeq() == run.seq);
  CHECK(*watcher->DataVersion() == moved);
}

}  // namespace
}  // namespace vigy::storage
