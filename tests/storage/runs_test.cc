#include <doctest/doctest.h>
#include <fmt/format.h>

#include "core/store.h"
#include "storage/sqlite_store.h"
#include "tests/storage/store_helpers.h"

namespace vigy::storage {
namespace {

using core::RunRecord;
using core::Status;
using nlohmann::json;
using testing::Add;
using testing::kT0;
using testing::OpenStore;
using testing::SampleVigy;
using testing::TempDir;
using testing::TestStore;

// Commits one tick at `tick_ms` with `actions` actions of kind `kind`.
RunRecord TickWithActions(core::Store& store, const std::string& id, int64_t tick_ms, int actions,
                          const std::string& kind = "create", bool ok = true) {
  core::Result<TickLease> lease = store.AcquireTickLease(id, NewLeaseToken(), 60000, 0);
  REQUIRE(lease.ok());
  TickCommit commit = testing::NextTick(*lease, tick_ms, ok);
  for (int i = 0; i < actions; ++i) {
    commit.run.actions.push_back({kind, json{{"i", i}}, "ok", std::nullopt});
  }
  testing::Commit(store, commit);
  return commit.run;
}

std::vector<int64_t> Ticks(const std::vector<RunRecord>& runs) {
  std::vector<int64_t> ticks;
  for (const RunRecord& run : runs) ticks.push_back(run.tick);
  return ticks;
}

TEST_SUITE("store") {
  TEST_CASE("runs are listed newest first with their actions in order") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, SampleVigy("backup"));
    Add(*store, SampleVigy("web"));
    std::string backup = core::VigyIdFromName("backup");
    std::string web = core::VigyIdFromName("web");
    TickWithActions(*store, backup, kT0 + 1000, 2);
    TickWithActions(*store, web, kT0 + 2000, 0);
    RunRecord third = TickWithActions(*store, backup, kT0 + 3000, 3, "update", false);

    std::vector<RunRecord> of_backup = *store->ListRuns({backup});
    CHECK(Ticks(of_backup) == std::vector<int64_t>{2, 1});
    CHECK(of_backup[0] == third);
    REQUIRE(of_backup[0].actions.size() == 3);
    CHECK(of_backup[0].actions[2].payload == json{{"i", 2}});
    CHECK(of_backup[1].actions.size() == 2);

    std::vector<RunRecord> all = *store->ListRuns({});
    REQUIRE(all.size() == 3);
    CHECK(all[0].vigy_name == "backup");
    CHECK(all[1].vigy_name == "web");
    CHECK(all[2].vigy_name == "backup");
  }

  TEST_CASE("runs can be limited, restricted to failures, or to those since a time") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, SampleVigy("backup"));
    std::string id = core::VigyIdFromName("backup");
    for (int i = 0; i < 6; ++i)
      TickWithActions(*store, id, kT0 + i * 1000, 1, "create", i % 2 == 0);

    CHECK(Ticks(*store->ListRuns({id, 2})) == std::vector<int64_t>{6, 5});
    CHECK(Ticks(*store->ListRuns({id, 0, true})) == std::vector<int64_t>{6, 4, 2});
    CHECK(Ticks(*store->ListRuns({id, 0, false, kT0 + 3000})) == std::vector<int64_t>{6, 5, 4});
    CHECK(Ticks(*store->ListRuns({std::nullopt, 1, true, kT0 + 3000})) == std::vector<int64_t>{6});
    CHECK(store->ListRuns({"0000000000000000"})->empty());
  }

  TEST_CASE("a run that does not exist is not found") {
    TestStore test_store;
    auto store = test_store.Open();
    CHECK(store->GetRun("nope").status() == Status::NotFound("no such run 'nope'"));
  }

  TEST_CASE("pruning keeps the newest runs of each vigy with their actions") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, SampleVigy("backup"));
    Add(*store, SampleVigy("web"));
    std::string backup = core::VigyIdFromName("backup");
    std::string web = core::VigyIdFromName("web");
    for (int i = 0; i < 5; ++i) TickWithActions(*store, backup, kT0 + i, 2);
    for (int i = 0; i < 2; ++i) TickWithActions(*store, web, kT0 + i, 1);

    CHECK(*store->PruneRuns(3) == 2);
    CHECK(Ticks(*store->ListRuns({backup})) == std::vector<int64_t>{5, 4, 3});
    CHECK(Ticks(*store->ListRuns({web})) == std::vector<int64_t>{2, 1});
    CHECK(test_store.QueryInt("SELECT count(*) FROM actions") == 3 * 2 + 2 * 1);
    CHECK(test_store.QueryInt("SELECT count(*) FROM actions WHERE run_id NOT IN "
                              "(SELECT id FROM runs)") == 0);

    CHECK(*store->PruneRuns(1, web) == 1);
    CHECK(Ticks(*store->ListRuns({web})) == std::vector<int64_t>{2});
    CHECK(Ticks(*store->ListRuns({backup})) == std::vector<int64_t>{5, 4, 3});
    CHECK(*store->PruneRuns(3) == 0);
    CHECK(store->PruneRuns(-1).status().code() == Status::Code::kInvalidArgument);

    // The latest run stays in listings while it is kept.
    CHECK(store->ListVigies()->at(0).last_run->tick == 5);
  }
}

TEST_CASE("actions of one kind for one vigy over a time range are one indexed query") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  OpenStore(path).reset();
  std::unique_ptr<Db> db = testing::OpenRaw(path);
  core::Result<Statement> plan = db->Prepare(
      "EXPLAIN QUERY PLAN SELECT run_id, payload FROM actions "
      "WHERE vigy_id = 'x' AND kind = 'create' AND at >= 0 AND at < 604800000");
  REQUIRE(plan.ok());
  std::string details;
  while (*plan->Step()) details += plan->Text(3) + "\n";
  CHECK(details.find("USING INDEX actions_by_vigy_kind_at") != std::string::npos);
}

TEST_CASE("a vigy's runs by tick use the runs index") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  OpenStore(path).reset();
  std::unique_ptr<Db> db = testing::OpenRaw(path);
  core::Result<Statement> plan = db->Prepare(
      "EXPLAIN QUERY PLAN SELECT id FROM runs WHERE vigy_id = 'x' ORDER BY tick DESC LIMIT 20");
  REQUIRE(plan.ok());
  std::string details;
  while (*plan->Step()) details += plan->Text(3) + "\n";
  CHECK(details.find("runs_by_vigy_tick") != std::string::npos);
  CHECK(details.find("TEMP B-TREE") == std::string::npos);
}

}  // namespace
}  // namespace vigy::storage
