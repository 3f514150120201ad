#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "core/store.h"
#include "tests/storage/store_helpers.h"

namespace vigy::storage {
namespace {

using core::RunRecord;
using core::Status;
using nlohmann::json;
using testing::Add;
using testing::kT0;
using testing::SampleVigy;
using testing::TestStore;

std::vector<LeaseAttempt> LeaseAll(core::Store& store, const std::vector<std::string>& ids,
                                   int64_t now_ms = kT0, int64_t duration_ms = 10000) {
  core::Result<std::vector<LeaseAttempt>> attempts = store.TryAcquireTickLeases(
      ids, [duration_ms](const core::Vigy&) { return duration_ms; }, now_ms);
  INFO(attempts.status().ToString());
  REQUIRE(attempts.ok());
  REQUIRE(attempts->size() == ids.size());
  return std::move(attempts).value();
}

// Adds a sample vigy of each name; their ids, in the same order.
std::vector<std::string> AddSamples(core::Store& store, std::initializer_list<const char*> names) {
  std::vector<std::string> ids;
  for (const char* name : names) {
    Add(store, SampleVigy(name));
    ids.push_back(core::VigyIdFromName(name));
  }
  return ids;
}

std::vector<int64_t> Seqs(const std::vector<RunRecord>& runs) {
  std::vector<int64_t> seqs;
  for (const RunRecord& run : runs) seqs.push_back(run.seq);
  return seqs;
}

// Sleeps until the wall clock is past `until_ms` (a lease's expiry: the
// PostgreSQL store times leases by the server's clock, which on the test
// cluster is this host's).
void SleepPast(int64_t until_ms) {
  while (SystemNowMs() <= until_ms + 5) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

TEST_SUITE("store") {
  TEST_CASE("leasing a batch takes each free vigy for its own duration with its own token") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy fast = SampleVigy("fast");
    core::Vigy slow = SampleVigy("slow");
    slow.timeout_ms = 30000;
    Add(*store, fast);
    Add(*store, slow);
    REQUIRE(store->KvSet(slow.id, "seed", 7).ok());

    auto duration = [](const core::Vigy& vigy) { return vigy.timeout_ms.value_or(1000) * 2; };
    const int64_t before = SystemNowMs();
    core::Result<std::vector<LeaseAttempt>> attempts =
        store->TryAcquireTickLeases({fast.id, slow.id}, duration, before);
    const int64_t after = SystemNowMs();
    REQUIRE(attempts.ok());
    REQUIRE(attempts->size() == 2);
    const LeaseAttempt& a = (*attempts)[0];
    const LeaseAttempt& b = (*attempts)[1];
    REQUIRE(a.acquired());
    REQUIRE(b.acquired());
    CHECK(a.vigy_name == "fast");
    CHECK(a.lease->vigy == fast);
    CHECK(a.lease->expires_at_ms >= before + 2000);
    CHECK(a.lease->expires_at_ms <= after + 2000);
    CHECK(b.lease->expires_at_ms - a.lease->expires_at_ms == 60000 - 2000);
    CHECK(b.lease->kv == core::Kv{{"seed", 7}});
    CHECK(a.lease->token != b.lease->token);
    CHECK(a.lease->token.starts_with(LeaseTokenPrefix()));
    CHECK(b.lease->token.starts_with(LeaseTokenPrefix()));

    // Both are held now: a second batch finds them busy.
    std::vector<LeaseAttempt> again = LeaseAll(*store, {fast.id, slow.id}, SystemNowMs());
    CHECK_FALSE(again[0].acquired());
    CHECK(again[0].holder == a.lease->token);
    CHECK(again[0].held_until_ms == a.lease->expires_at_ms);
    CHECK(again[1].held_until_ms == b.lease->expires_at_ms);
  }

  TEST_CASE("a batch lease skips a vigy held by another token and reports a missing one") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy busy = SampleVigy("busy");
    core::Vigy free = SampleVigy("free");
    Add(*store, busy);
    Add(*store, free);
    core::Result<LeaseAttempt> other =
        store->TryAcquireTickLease(busy.id, "other", 60000, SystemNowMs());
    REQUIRE(other.ok());
    REQUIRE(other->acquired());

    std::vector<LeaseAttempt> attempts =
        LeaseAll(*store, {busy.id, "0123456789abcdef", free.id}, SystemNowMs());
    CHECK_FALSE(attempts[0].acquired());
    CHECK(attempts[0].vigy_name == "busy");
    CHECK(attempts[0].holder == "other");
    CHECK(attempts[0].held_until_ms == other->lease->expires_at_ms);
    CHECK_FALSE(attempts[1].acquired());
    CHECK(attempts[1].vigy_name.empty());
    CHECK(attempts[1].holder.empty());
    REQUIRE(attempts[2].acquired());
    CHECK(attempts[2].vigy_name == "free");

    // The busy vigy's lease is untouched; the free one is leased for the batch.
    CHECK_FALSE(store->TryAcquireTickLease(busy.id, "third", 1000, SystemNowMs())->acquired());
    CHECK_FALSE(store->TryAcquireTickLease(free.id, "third", 1000, SystemNowMs())->acquired());
    CHECK(LeaseAll(*store, {}).empty());
  }

  TEST_CASE("a batch commits every tick with consecutive seqs") {
    TestStore test_store;
    auto store = test_store.Open();
    const std::vector<std::string> ids = AddSamples(*store, {"a", "b", "c"});
    testing::TickOnce(*store, ids[0], kT0);  // seq 1

    std::vector<TickCommit> commits;
    for (const LeaseAttempt& attempt : LeaseAll(*store, ids, kT0 + 100)) {
      REQUIRE(attempt.acquired());
      commits.push_back(testing::NextTick(*attempt.lease, kT0 + 100));
    }
    commits[1].run.actions = {{"create", json{{"x", 1}}, "ok", std::nullopt}};
    std::vector<Status> statuses = store->CommitTicks(commits).value();
    REQUIRE(statuses.size() == 3);
    for (const Status& s : statuses) CHECK(s.ok());

    CHECK(*store->LatestRunSeq() == 4);
    for (size_t i = 0; i < commits.size(); ++i) {
      core::Result<RunRecord> run = store->GetRun(commits[i].run.id);
      REQUIRE(run.ok());
      CHECK(run->seq == static_cast<int64_t>(i) + 2);
      commits[i].run.seq = run->seq;
      CHECK(*run == commits[i].run);
    }
    CHECK(store->GetRuntime(ids[0])->tick_count == 2);
    CHECK(store->KvGet(ids[2], "n")->value() == 1);
    CHECK(store->CommitTicks({}).value().empty());
  }

  TEST_CASE("a batch commit whose data the store refuses fails alone; the others commit") {
    TestStore test_store;
    auto store = test_store.Open();
    const std::vector<std::string> ids = AddSamples(*store, {"a", "b", "c", "d"});
    std::vector<TickCommit> commits;
    for (const LeaseAttempt& attempt : LeaseAll(*store, ids, kT0)) {
      REQUIRE(attempt.acquired());
      commits.push_back(testing::NextTick(*attempt.lease, kT0));
      commits.back().run.actions = {{"create", json{{"x", 1}}, "ok", std::nullopt}};
    }
    commits[1].run.result = "exploded";  // not a result the store takes
    std::vector<Status> statuses = store->CommitTicks(commits).value();
    REQUIRE(statuses.size() == 4);
    CHECK(statuses[0].ok());
    CHECK(statuses[1].code() == Status::Code::kStoreUnusable);
    CHECK(statuses[2].ok());
    CHECK(statuses[3].ok());

    CHECK(*store->LatestRunSeq() == 3);
    CHECK(store->ListRuns({})->size() == 3);
    CHECK(test_store.QueryInt("SELECT count(*) FROM actions") == 3);
    for (size_t i : {0, 2, 3}) {
      CAPTURE(i);
      CHECK(store->GetRun(commits[i].run.id).ok());
      CHECK(store->GetRuntime(ids[i])->tick_count == 1);
      CHECK(store->KvGet(ids[i], "n")->value() == 1);
    }
    // Nothing of the refused tick, and its lease is still its own.
    CHECK(store->GetRun(commits[1].run.id).status().code() == Status::Code::kNotFound);
    CHECK(store->GetRuntime(ids[1])->tick_count == 0);
    CHECK(store->KvList(ids[1])->empty());
    CHECK_FALSE(store->GetState(ids[1])->has_value());
    commits[1].run.result = "ok";
    REQUIRE(store->CommitTick(commits[1]).ok());
    CHECK(*store->LatestRunSeq() == 4);
  }

  TEST_CASE("a batch commit whose vigy was removed fails alone and writes nothing") {
    TestStore test_store;
    auto store = test_store.Open();
    const std::vector<std::string> ids = AddSamples(*store, {"a", "b", "c"});
    std::vector<TickCommit> commits;
    for (const LeaseAttempt& attempt : LeaseAll(*store, ids)) {
      commits.push_back(testing::NextTick(*attempt.lease, kT0 + 100));
      commits.back().run.actions = {{"create", std::nullopt, "ok", std::nullopt}};
    }
    REQUIRE(store->DeleteVigy(ids[1]).ok());

    std::vector<Status> statuses = store->CommitTicks(commits).value();
    REQUIRE(statuses.size() == 3);
    CHECK(statuses[0].ok());
    CHECK(statuses[1] ==
          Status::NotFound("vigy 'b' was removed while it was ticking; its run was not recorded"));
    CHECK(statuses[2].ok());

    CHECK(Seqs(*store->ListRunsCommittedAfter(0, {}, false, 0)) == std::vector<int64_t>{1, 2});
    CHECK(store->GetRun(commits[0].run.id)->seq == 1);
    CHECK(store->GetRun(commits[2].run.id)->seq == 2);
    CHECK(store->GetRun(commits[1].run.id).status().code() == Status::Code::kNotFound);
    for (const char* table : {"runs", "actions", "kv", "state"}) {
      CAPTURE(table);
      CHECK(test_store.QueryInt(
                fmt::format("SELECT count(*) FROM {} WHERE vigy_id = '{}'", table, ids[1])) == 0);
    }
    CHECK(test_store.QueryInt("SELECT count(*) FROM actions") == 2);
    CHECK(*store->LatestRunSeq() == 2);
  }

  TEST_CASE("a batch commit that lost its lease fails alone and keeps the thief's lease") {
    TestStore test_store;
    auto store = test_store.Open();
    const std::vector<std::string> ids = AddSamples(*store, {"a", "b"});
    std::vector<TickCommit> commits;
    int64_t expiry = 0;
    for (const LeaseAttempt& attempt : LeaseAll(*store, {ids[0]}, SystemNowMs(), 200)) {
      commits.push_back(testing::NextTick(*attempt.lease, kT0 + 100));
      expiry = attempt.lease->expires_at_ms;
    }
    for (const LeaseAttempt& attempt : LeaseAll(*store, {ids[1]}, SystemNowMs(), 60000)) {
      commits.push_back(testing::NextTick(*attempt.lease, kT0 + 100));
    }
    // a's lease ran out and another process took it.
    SleepPast(expiry);
    REQUIRE(store->TryAcquireTickLease(ids[0], "thief", 60000, SystemNowMs())->acquired());

    std::vector<Status> statuses = store->CommitTicks(commits).value();
    CHECK(statuses[0].code() == Status::Code::kConflict);
    CHECK(statuses[1].ok());
    CHECK(store->ListRuns({ids[0]})->empty());
    CHECK(store->KvList(ids[0])->empty());
    CHECK(store->GetRuntime(ids[0])->tick_count == 0);
    CHECK(store->GetRun(commits[1].run.id)->seq == 1);
    CHECK_FALSE(store->TryAcquireTickLease(ids[0], "someone", 1000, SystemNowMs())->acquired());
  }

  TEST_CASE("a batch where every commit fails writes nothing and moves no seq") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("a");
    Add(*store, vigy);
    std::vector<TickCommit> commits = {
        testing::NextTick(*LeaseAll(*store, {vigy.id})[0].lease, kT0)};
    commits.push_back(commits[0]);
    commits[0].lease_token = "not mine";
    commits[1].run.result = "exploded";  // refused by the runs table
    std::vector<Status> statuses = store->CommitTicks(commits).value();
    CHECK(statuses[0].code() == Status::Code::kConflict);
    CHECK(statuses[1].code() == Status::Code::kStoreUnusable);
    CHECK(*store->LatestRunSeq() == 0);
    CHECK(store->ListRuns({})->empty());
    CHECK(store->KvList(vigy.id)->empty());

    // Still leased: the good commit goes through afterwards and gets seq 1.
    commits[1].run.result = "ok";
    testing::Commit(*store, commits[1]);
    CHECK(commits[1].run.seq == 1);
  }

  TEST_CASE("keeping the newest runs on commit removes older ones with their actions") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("a");
    core::Vigy other = SampleVigy("other");
    Add(*store, vigy);
    Add(*store, other);
    testing::TickOnce(*store, other.id, kT0);
    for (int i = 0; i < 6; ++i) {
      core::Result<TickLease> lease = store->AcquireTickLease(vigy.id, NewLeaseToken(), 60000, 0);
      REQUIRE(lease.ok());
      TickCommit commit = testing::NextTick(*lease, kT0 + i);
      commit.run.actions = {{"create", json{{"i", i}}, "ok", std::nullopt},
                            {"update", std::nullopt, "ok", std::nullopt}};
      commit.keep_runs = 3;
      testing::Commit(*store, commit);
    }
    std::vector<RunRecord> runs = *store->ListRuns({vigy.id});
    REQUIRE(runs.size() == 3);
    CHECK(runs[0].tick == 6);
    CHECK(runs[2].tick == 4);
    for (const RunRecord& run : runs) CHECK(run.actions.size() == 2);
    CHECK(runs[2].actions[0].payload == json{{"i", 3}});
    CHECK(test_store.QueryInt(
              fmt::format("SELECT count(*) FROM actions WHERE vigy_id = '{}'", vigy.id)) == 6);
    CHECK(store->ListRuns({other.id})->size() == 1);  // other vigies keep theirs

    // Keeping fewer than one still keeps the run just recorded.
    core::Result<TickLease> lease = store->AcquireTickLease(vigy.id, NewLeaseToken(), 60000, 0);
    REQUIRE(lease.ok());
    TickCommit commit = testing::NextTick(*lease, kT0 + 10);
    commit.keep_runs = 0;
    testing::Commit(*store, commit);
    runs = *store->ListRuns({vigy.id});
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].tick == 7);
  }

  TEST_CASE("seqs are never reused, even after the vigy with the newest run is removed") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy keep = SampleVigy("keep");
    core::Vigy gone = SampleVigy("gone");
    Add(*store, keep);
    Add(*store, gone);
    CHECK(testing::TickOnce(*store, keep.id, kT0).seq == 1);
    CHECK(testing::TickOnce(*store, gone.id, kT0).seq == 2);
    REQUIRE(store->DeleteVigy(gone.id).ok());
    CHECK(*store->LatestRunSeq() == 2);
    CHECK(testing::TickOnce(*store, keep.id, kT0 + 1).seq == 3);

    // Also when the newest run is pruned.
    REQUIRE(*store->PruneRuns(0) == 2);
    Add(*store, gone);
    CHECK(testing::TickOnce(*store, gone.id, kT0 + 2).seq == 4);
  }

  TEST_CASE("releasing leases by prefix frees only the leases with that prefix") {
    TestStore test_store;
    auto store = test_store.Open();
    const std::vector<std::string> ids = AddSamples(*store, {"a", "b", "c", "d"});
    REQUIRE(store->TryAcquireTickLease(ids[0], "123-dead_-1", 60000, kT0)->acquired());
    REQUIRE(store->TryAcquireTickLease(ids[1], "123-dead_-2", 60000, kT0)->acquired());
    // '_' and '%' are not wildcards: "123-deadX-" does not start with "123-dead_-".
    REQUIRE(store->TryAcquireTickLease(ids[2], "123-deadX-1", 60000, kT0)->acquired());
    REQUIRE(store->TryAcquireTickLease(ids[3], "9123-dead_-1", 60000, kT0)->acquired());

    CHECK(*store->ReleaseLeasesWithPrefix("123-dead_-") == 2);
    CHECK(store->TryAcquireTickLease(ids[0], "new", 1000, kT0 + 1)->acquired());
    CHECK(store->TryAcquireTickLease(ids[1], "new", 1000, kT0 + 1)->acquired());
    CHECK_FALSE(store->TryAcquireTickLease(ids[2], "new", 1000, kT0 + 1)->acquired());
    CHECK_FALSE(store->TryAcquireTickLease(ids[3], "new", 1000, kT0 + 1)->acquired());
    CHECK(*store->ReleaseLeasesWithPrefix("123-dead_-") == 0);
    CHECK(*store->ReleaseLeasesWithPrefix("%") == 0);
    CHECK(store->ReleaseLeasesWithPrefix("").status().code() == Status::Code::kInvalidArgument);
  }

  TEST_CASE("two connections committing batches at once get unique consecutive seqs") {
    TestStore test_store;
    constexpr int kVigiesEach = 3;
    constexpr int kBatchesEach = 30;
    {
      auto store = test_store.Open();
      for (int i = 0; i < 2 * kVigiesEach; ++i) Add(*store, SampleVigy(fmt::format("v{}", i)));
    }
    std::atomic<int> failures{0};
    auto worker = [&](int first) {
      core::Result<std::unique_ptr<core::Store>> store = test_store.TryOpen(OpenMode::kExisting);
      if (!store.ok()) {
        ++failures;
        return;
      }
      std::vector<std::string> ids;
      for (int i = first; i < first + kVigiesEach; ++i) {
        ids.push_back(core::VigyIdFromName(fmt::format("v{}", i)));
      }
      for (int batch = 0; batch < kBatchesEach; ++batch) {
        core::Result<std::vector<LeaseAttempt>> attempts = (*store)->TryAcquireTickLeases(
            ids, [](const core::Vigy&) { return int64_t{60000}; }, SystemNowMs());
        if (!attempts.ok()) {
          ++failures;
          return;
        }
        std::vector<TickCommit> commits;
        for (const LeaseAttempt& attempt : *attempts) {
          if (!attempt.acquired()) {
            ++failures;
            continue;
          }
          commits.push_back(testing::NextTick(*attempt.lease, SystemNowMs()));
        }
        core::Result<std::vector<Status>> statuses = (*store)->CommitTicks(commits);
        if (!statuses.ok()) {
          ++failures;
          continue;
        }
        for (const Status& s : *statuses) {
          if (!s.ok()) ++failures;
        }
      }
    };
    std::thread a(worker, 0);
    std::thread b(worker, kVigiesEach);
    a.join();
    b.join();
    REQUIRE(failures == 0);

    auto store = test_store.Open();
    std::vector<RunRecord> runs = *store->ListRunsCommittedAfter(0, {}, false, 0);
    constexpr int kTotal = 2 * kVigiesEach * kBatchesEach;
    REQUIRE(runs.size() == kTotal);
    for (int i = 0; i < kTotal; ++i) CHECK(runs[static_cast<size_t>(i)].seq == i + 1);
    CHECK(*store->LatestRunSeq() == kTotal);
  }
}

TEST_CASE("lease tokens start with this process's prefix: its pid and random bits") {
  const std::string& prefix = LeaseTokenPrefix();
  CHECK(prefix.starts_with(fmt::format("{}-", ::getpid())));
  CHECK(prefix.ends_with("-"));
  CHECK(prefix.size() == fmt::format("{}-", ::getpid()).size() + 17);
  std::string a = NewLeaseToken();
  std::string b = NewLeaseToken();
  CHECK(a.starts_with(prefix));
  CHECK(a != b);
  CHECK(&LeaseTokenPrefix() == &prefix);
}

}  // namespace
}  // namespace vigy::storage
