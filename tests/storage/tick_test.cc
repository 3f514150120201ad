#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "core/store.h"
#include "tests/storage/store_helpers.h"

namespace vigy::storage {
namespace {

using core::Status;
using nlohmann::json;
using testing::Add;
using testing::kT0;
using testing::SampleVigy;
using testing::TempDir;
using testing::TestStore;

TickLease Lease(core::Store& store, const std::string& id, const std::string& token,
                int64_t now_ms = kT0, int64_t duration_ms = 10000) {
  core::Result<LeaseAttempt> attempt = store.TryAcquireTickLease(id, token, duration_ms, now_ms);
  INFO(attempt.status().ToString());
  REQUIRE(attempt.ok());
  REQUIRE(attempt->acquired());
  return *attempt->lease;
}

// Sleeps until the wall clock is past `until_ms` (a lease's expiry: the
// PostgreSQL store times leases by the server's clock, which on the test
// cluster is this host's).
void SleepPast(int64_t until_ms) {
  while (SystemNowMs() <= until_ms + 5) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

TEST_SUITE("store") {
  TEST_CASE("a lease hands the tick the vigy, its counters, kv and latest state") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    REQUIRE(store->KvSet(vigy.id, "seed", json{{"a", 1}}).ok());

    const int64_t before = SystemNowMs();
    TickLease first = Lease(*store, vigy.id, "me", before);
    const int64_t after = SystemNowMs();
    CHECK(first.token == "me");
    // The lease runs for its duration from when it was taken.
    CHECK(first.expires_at_ms >= before + 10000);
    CHECK(first.expires_at_ms <= after + 10000);
    CHECK(first.vigy == vigy);
    CHECK(first.runtime == core::VigyRuntime{});
    CHECK(first.kv == core::Kv{{"seed", json{{"a", 1}}}});
    CHECK_FALSE(first.state);
    REQUIRE(store->CommitTick(testing::NextTick(first, kT0 + 100)).ok());

    TickLease second = Lease(*store, vigy.id, "me", kT0 + 200);
    CHECK(second.runtime.tick_count == 1);
    CHECK(second.runtime.last_tick_ms == kT0 + 100);
    CHECK(second.runtime.last_result == "ok");
    CHECK(second.kv.at("n") == 1);
    REQUIRE(second.state);
    CHECK(second.state->state.desired == json{{"n", 1}});
    CHECK(second.state->updated_at_ms == kT0 + 100);
  }

  TEST_CASE("a held lease is busy for others until it is released or expires") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    TickLease one = Lease(*store, vigy.id, "one", SystemNowMs(), 60000);

    core::Result<LeaseAttempt> busy =
        store->TryAcquireTickLease(vigy.id, "two", 1000, SystemNowMs());
    REQUIRE(busy.ok());
    CHECK_FALSE(busy->acquired());
    CHECK(busy->vigy_name == "backup");
    CHECK(busy->holder == "one");
    CHECK(busy->held_until_ms == one.expires_at_ms);

    // The holder may renew, here for a short time; another takes over once
    // that is up.
    TickLease renewed = Lease(*store, vigy.id, "one", SystemNowMs(), 300);
    CHECK(renewed.expires_at_ms < one.expires_at_ms);
    busy = store->TryAcquireTickLease(vigy.id, "two", 1000, SystemNowMs());
    REQUIRE(busy.ok());
    CHECK_FALSE(busy->acquired());
    CHECK(busy->held_until_ms == renewed.expires_at_ms);
    SleepPast(renewed.expires_at_ms);
    Lease(*store, vigy.id, "two", SystemNowMs(), 60000);

    REQUIRE(store->ReleaseTickLease(vigy.id, "one").ok());  // not the holder: no effect
    CHECK_FALSE(store->TryAcquireTickLease(vigy.id, "three", 1000, SystemNowMs())->acquired());
    REQUIRE(store->ReleaseTickLease(vigy.id, "two").ok());
    Lease(*store, vigy.id, "three", SystemNowMs());
  }

  TEST_CASE("a lease on a vigy that does not exist is not found") {
    TestStore test_store;
    auto store = test_store.Open();
    CHECK(store->TryAcquireTickLease("0123456789abcdef", "me", 1000, kT0).status() ==
          Status::NotFound("no such vigy '0123456789abcdef'"));
  }

  TEST_CASE(
      "committing a tick writes the run, actions, state, kv and counters and frees the lease") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    REQUIRE(store->KvSet(vigy.id, "gone", 1).ok());
    TickLease lease = Lease(*store, vigy.id, "me");

    TickCommit commit = testing::NextTick(lease, kT0 + 100);
    commit.kv_writes["gone"] = std::nullopt;
    commit.run.actions = {{"create", json{{"path", "/x"}}, "ok", std::nullopt},
                          {"noop", std::nullopt, "ok", "nothing to do"}};
    commit.run.log = {{"info", "hello"}};
    commit.run.events = {{"Created", "made /x"}};
    commit.run.metrics = {{"files", 3}, {"ratio", 0.5}};
    commit.run.trace = {{"step", json::array({1, 2})}};
    commit.state->observed["files"] = 3;
    commit.state->conditions = {{"Ready", "true", "Synced", std::nullopt, kT0 + 100}};
    commit.runtime.next_due_ms = kT0 + 5100;
    commit.run.scheduled_at_ms = kT0 + 90;
    REQUIRE(store->CommitTick(commit).ok());

    core::Result<core::RunRecord> stored = store->GetRun(commit.run.id);
    REQUIRE(stored.ok());
    CHECK(stored->seq == 1);
    CHECK(*store->LatestRunSeq() == 1);
    commit.run.seq = stored->seq;
    CHECK(*stored == commit.run);
    CHECK(store->KvList(vigy.id).value() == core::Kv{{"n", 1}});
    core::Result<std::optional<StateSnapshot>> state = store->GetState(vigy.id);
    REQUIRE(state.ok());
    REQUIRE(state->has_value());
    CHECK((*state)->state == *commit.state);
    core::VigyRuntime expected = commit.runtime;
    expected.last_result = "ok";
    expected.last_run_at_ms = kT0 + 103;
    CHECK(*store->GetRuntime(vigy.id) == expected);
    CHECK(store->TryAcquireTickLease(vigy.id, "other", 1000, kT0 + 200)->acquired());
  }

  TEST_CASE("a failed tick keeps the previous state") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    testing::TickOnce(*store, vigy.id, kT0);
    core::RunRecord failed = testing::TickOnce(*store, vigy.id, kT0 + 1000, false);
    CHECK(store->GetState(vigy.id).value()->state.desired == json{{"n", 1}});
    CHECK(store->GetState(vigy.id).value()->updated_at_ms == kT0);
    CHECK(store->GetRun(failed.id)->error == "1:1: boom");
    CHECK(store->GetRuntime(vigy.id)->consecutive_failures == 1);
  }

  TEST_CASE("a commit without the lease writes nothing") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    TickLease lease = Lease(*store, vigy.id, "me", SystemNowMs(), 200);
    SleepPast(lease.expires_at_ms);
    Lease(*store, vigy.id, "thief", SystemNowMs(), 60000);  // mine expired and was taken

    TickCommit commit = testing::NextTick(lease, kT0 + 100);
    Status s = store->CommitTick(commit);
    CHECK(s == Status::Conflict(
                   "tick 1 of vigy 'backup' no longer holds its lease (it ran past the lease and "
                   "another tick took over); its run was not recorded"));
    CHECK(store->ListRuns({})->empty());
    CHECK(store->KvList(vigy.id)->empty());
    CHECK_FALSE(store->GetState(vigy.id)->has_value());
    CHECK(store->GetRuntime(vigy.id)->tick_count == 0);
  }

  TEST_CASE("a commit that fails half-way leaves nothing behind and keeps the lease") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    TickLease lease = Lease(*store, vigy.id, "me");

    // The kv and state are written before the run, whose insert then fails.
    TickCommit commit = testing::NextTick(lease, kT0 + 100);
    commit.run.actions = {{"create", std::nullopt, "ok", std::nullopt}};
    commit.run.result = "exploded";
    Status s = store->CommitTick(commit);
    CHECK(s.code() == Status::Code::kStoreUnusable);
    CHECK(store->KvList(vigy.id)->empty());
    CHECK_FALSE(store->GetState(vigy.id)->has_value());
    CHECK(store->ListRuns({})->empty());
    CHECK(test_store.QueryInt("SELECT count(*) FROM actions") == 0);
    CHECK(*store->GetRuntime(vigy.id) == core::VigyRuntime{});

    commit.run.result = "ok";
    REQUIRE(store->CommitTick(commit).ok());
    CHECK(store->KvList(vigy.id)->at("n") == 1);
  }

  TEST_CASE("a vigy removed during its tick refuses the commit") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    TickLease lease = Lease(*store, vigy.id, "me");
    REQUIRE(store->DeleteVigy(vigy.id).ok());
    CHECK(store->CommitTick(testing::NextTick(lease, kT0)) ==
          Status::NotFound(
              "vigy 'backup' was removed while it was ticking; its run was not recorded"));

    // Re-added under the same name (so the same id): the old tick must not land in it.
    Add(*store, vigy);
    CHECK(store->CommitTick(testing::NextTick(lease, kT0)).code() == Status::Code::kConflict);
    CHECK(store->ListRuns({})->empty());
  }

  TEST_CASE("waiting for a lease succeeds once the holder lets go, and gives up after the bound") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    REQUIRE(store->AcquireTickLease(vigy.id, "holder", 60000, 0).ok());

    core::Result<TickLease> timed_out = store->AcquireTickLease(vigy.id, "waiter", 60000, 30);
    CHECK(timed_out.status().code() == Status::Code::kConflict);
    CHECK(timed_out.status().message().starts_with(
        "vigy 'backup' is being ticked by another process (its lease runs for "));

    std::atomic<bool> released{false};
    std::thread releaser([&released, &test_store, id = vigy.id] {
      auto other = test_store.TryOpen(OpenMode::kExisting);
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
      released = other.ok() && (*other)->ReleaseTickLease(id, "holder").ok();
    });
    core::Result<TickLease> waited = store->AcquireTickLease(vigy.id, "waiter", 60000, 5000);
    releaser.join();
    CHECK(released);
    CHECK(waited.ok());
  }

  TEST_CASE("two connections ticking one vigy at once never record the same tick twice") {
    TestStore test_store;
    core::Vigy vigy = SampleVigy("backup");
    Add(*test_store.Open(), vigy);

    constexpr int kTicksEach = 40;
    std::atomic<int> failures{0};
    auto worker = [&] {
      core::Result<std::unique_ptr<core::Store>> store = test_store.TryOpen(OpenMode::kExisting);
      if (!store.ok()) {
        ++failures;
        return;
      }
      std::string token = NewLeaseToken();
      for (int i = 0; i < kTicksEach; ++i) {
        core::Result<TickLease> lease = (*store)->AcquireTickLease(vigy.id, token, 60000, 20000);
        if (!lease.ok()) {
          ++failures;
          return;
        }
        // Hold the lease a moment, as a real tick would, so the other waits.
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        if (!(*store)->CommitTick(testing::NextTick(*lease, SystemNowMs())).ok()) ++failures;
      }
    };
    std::thread a(worker);
    std::thread b(worker);
    a.join();
    b.join();
    REQUIRE(failures == 0);

    auto store = test_store.Open();
    std::vector<core::RunRecord> runs = *store->ListRuns({vigy.id});
    REQUIRE(runs.size() == 2 * kTicksEach);
    std::vector<int64_t> ticks;
    for (const core::RunRecord& run : runs) ticks.push_back(run.tick);
    std::sort(ticks.begin(), ticks.end());
    for (int i = 0; i < 2 * kTicksEach; ++i) CHECK(ticks[static_cast<size_t>(i)] == i + 1);
    CHECK(store->KvGet(vigy.id, "n")->value() == 2 * kTicksEach);
    CHECK(store->GetRuntime(vigy.id)->tick_count == 2 * kTicksEach);
  }
}

// The SQLite store times leases by the `now_ms` its caller passes (the
// PostgreSQL store by the server's clock, whatever the caller's says): the
// tests above use the real clock, which both agree on.
TEST_CASE("the SQLite store times a lease by the caller's clock") {
  TempDir dir;
  auto store = testing::OpenStore(dir.File("vigy.db"));
  core::Vigy vigy = SampleVigy("backup");
  Add(*store, vigy);
  CHECK(Lease(*store, vigy.id, "one", kT0, 1000).expires_at_ms == kT0 + 1000);

  core::Result<LeaseAttempt> busy = store->TryAcquireTickLease(vigy.id, "two", 1000, kT0 + 999);
  REQUIRE(busy.ok());
  CHECK_FALSE(busy->acquired());
  CHECK(busy->held_until_ms == kT0 + 1000);
  CHECK(Lease(*store, vigy.id, "one", kT0 + 500, 1000).expires_at_ms == kT0 + 1500);
  CHECK_FALSE(store->TryAcquireTickLease(vigy.id, "two", 1000, kT0 + 1400)->acquired());
  CHECK(Lease(*store, vigy.id, "two", kT0 + 1500, 1000).expires_at_ms == kT0 + 2500);
}

}  // namespace
}  // namespace vigy::storage
