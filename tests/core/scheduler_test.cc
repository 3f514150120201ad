// The scheduler against a real store, on a clock the test moves: the
// cadence and scheduled_at of every-ticks, changes made through another
// connection, failure backoff, requeue, catch-up after downtime, --once,
// stopping with ticks in flight, pruning, busy leases and batches. In the
// "store" suite, so ctest runs it on an SQLite file and again on PostgreSQL
// (tests/storage/store_helpers.h).
#include "core/scheduler.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/storage/store_helpers.h"

namespace vigy::core {
namespace {

using storage::testing::kT0;
using storage::testing::SampleVigy;
using storage::testing::StoreKind;
using storage::testing::StoreKindUnderTest;
using storage::testing::TestStore;

// What a test needs of an event after the callback returned.
struct SeenEvent {
  SchedulerEvent::Kind kind;
  std::string vigy_name;
  int64_t count = 0;
  std::string message;
  int64_t tick = 0;
  std::optional<int64_t> scheduled_at_ms;
  std::string result;
};

Vigy Every(const std::string& name, int64_t every_ms, const std::string& program) {
  Vigy vigy = SampleVigy(name);
  vigy.program = program;
  vigy.revision = Revision(program);
  vigy.schedule.kind = ScheduleKind::kEvery;
  vigy.schedule.every_ms = every_ms;
  return vigy;
}

// A scheduler running on its own thread over a fresh store of the kind
// under test, with a second connection standing in for other processes, and
// a ManualClock the test steps from one wake-up of the scheduler to the next.
class Harness {
 public:
  explicit Harness(StoreKind kind = StoreKindUnderTest()) : store(kind) {}
  ~Harness() { Stop(); }

  // Changes are polled for, at times of the test's clock, on either store.
  SchedulerOptions Options() {
    SchedulerOptions options;
    options.workers = 2;
    options.listen_for_changes = false;
    options.zone = TimeZone::Named("UTC").value();
    options.on_idle = [this](int64_t wake_ms) {
      std::lock_guard lock(mutex_);
      ++idle_reports_;
      last_wake_ms_ = wake_ms;
      idle_.notify_all();
    };
    return options;
  }

  void Start(SchedulerOptions options) {
    scheduler_ = std::make_unique<Scheduler>(*serve_store_, clock, std::move(options),
                                             [this](const SchedulerEvent& event) {
                                               std::lock_guard lock(mutex_);
                                               SeenEvent seen;
                                               seen.kind = event.kind;
                                               seen.vigy_name = event.vigy_name;
                                               seen.count = event.count;
                                               seen.message = event.message;
                                               if (event.run != nullptr) {
                                                 seen.tick = event.run->tick;
                                                 seen.scheduled_at_ms = event.run->scheduled_at_ms;
                                                 seen.result = event.run->result;
                                               }
                                               events_.push_back(seen);
                                             });
    thread_ = std::thread([this] { result_ = scheduler_->Run(); });
  }

  // Moves the clock to `t_ms`, stopping at every time the scheduler wakes up
  // on the way and waiting until it has done everything due then.
  void AdvanceTo(int64_t t_ms) {
    for (;;) {
      const int64_t wake = asleep_until_ ? *asleep_until_ : WaitIdle();
      asleep_until_ = wake;
      if (wake > t_ms) {
        clock.SetMs(t_ms);
        return;
      }
      clock.SetMs(wake);
      asleep_until_.reset();
    }
  }
  void AdvanceBy(int64_t ms) { AdvanceTo(clock.NowMs() + ms); }

  // Waits until Run() returns (with --once, or after Stop()).
  Result<SchedulerSummary> Join() {
    if (thread_.joinable()) thread_.join();
    return result_;
  }
  void Stop() {
    if (scheduler_) scheduler_->Stop();
    Join();
  }

  std::vector<SeenEvent> Events(SchedulerEvent::Kind kind, const std::string& vigy = "") {
    std::lock_guard lock(mutex_);
    std::vector<SeenEvent> matching;
    for (const SeenEvent& event : events_) {
      if (event.kind == kind && (vigy.empty() || event.vigy_name == vigy))
        matching.push_back(event);
    }
    return matching;
  }
  // The scheduled_at of every committed run of `vigy`, in tick order.
  std::vector<int64_t> ScheduledTimes(const std::string& vigy) {
    std::vector<int64_t> times;
    for (const SeenEvent& event : Events(SchedulerEvent::Kind::kTicked, vigy)) {
      times.push_back(event.scheduled_at_ms.value_or(-1));
    }
    return times;
  }
  // Every run in the store, of every vigy.
  std::vector<RunRecord> Runs() {
    Result<std::vector<RunRecord>> runs = other->ListRuns(RunQuery{});
    REQUIRE(runs.ok());
    return std::move(runs).value();
  }
  int64_t RunCount(const std::string& vigy_name) {
    std::vector<RunRecord> runs = Runs();
    return std::count_if(runs.begin(), runs.end(),
                         [&](const RunRecord& run) { return run.vigy_name == vigy_name; });
  }

  TestStore store;
  std::unique_ptr<Store> other = store.Open();  // "another process"
  ManualClock clock{kT0};

 private:
  int64_t WaitIdle() {
    std::unique_lock lock(mutex_);
    bool idle = idle_.wait_for(lock, std::chrono::seconds(20),
                               [this] { return idle_reports_ > idle_seen_; });
    REQUIRE_MESSAGE(idle, "the scheduler did not settle");
    idle_seen_ = idle_reports_;
    return last_wake_ms_;
  }

  std::unique_ptr<Store> serve_store_ = store.Open();
  std::unique_ptr<Scheduler> scheduler_;
  std::thread thread_;
  Result<SchedulerSummary> result_ = Status::Ok();
  std::mutex mutex_;
  std::condition_variable idle_;
  int64_t idle_reports_ = 0;
  int64_t idle_seen_ = 0;
  int64_t last_wake_ms_ = 0;
  std::optional<int64_t> asleep_until_;
  std::vector<SeenEvent> events_;
};

void Register(Harness& h, const Vigy& vigy) {
  Status s = h.other->InsertVigy(vigy);
  INFO(s.ToString());
  REQUIRE(s.ok());
}

TEST_SUITE("store") {
  TEST_CASE("an every-vigy ticks at once, then on its drift-free slots") {
    Harness h;
    Register(h, Every("pulse", 1000, "(vigy-incr \"n\")"));
    h.Start(h.Options());
    h.AdvanceTo(kT0 + 3500);
    CHECK(h.ScheduledTimes("pulse") ==
          std::vector<int64_t>{kT0, kT0 + 1000, kT0 + 2000, kT0 + 3000});
    CHECK(h.RunCount("pulse") == 4);
    CHECK(h.other->KvGet(VigyIdFromName("pulse"), "n").value() == nlohmann::json(4));
    // The plan for the next tick is in the store for `list`.
    CHECK(h.other->GetRuntime(VigyIdFromName("pulse"))->next_due_ms == kT0 + 4000);
    h.Stop();
    CHECK(h.Join().ok());
  }

  TEST_CASE("vigies without a schedule, disabled or not selected are not ticked") {
    Harness h;
    Vigy manual = Every("manual", 1000, "(vigy-noop)");
    manual.schedule = Schedule{};
    Vigy off = Every("off", 1000, "(vigy-noop)");
    off.enabled = false;
    Vigy other_team = Every("other-team", 1000, "(vigy-noop)");
    other_team.labels = {{"team", "b"}};
    Vigy mine = Every("mine", 1000, "(vigy-noop)");
    mine.labels = {{"team", "a"}};
    for (const Vigy& v : {manual, off, other_team, mine}) Register(h, v);
    SchedulerOptions options = h.Options();
    options.selector = ParseSelector("team=a").value();
    h.Start(std::move(options));
    h.AdvanceTo(kT0 + 2500);
    CHECK(h.RunCount("mine") == 3);
    CHECK(h.RunCount("manual") == 0);
    CHECK(h.RunCount("off") == 0);
    CHECK(h.RunCount("other-team") == 0);
  }

  TEST_CASE("vigies added, disabled and removed by another process take effect within a poll") {
    Harness h;
    Register(h, Every("stays", 1000, "(vigy-noop)"));
    Register(h, Every("goes", 1000, "(vigy-noop)"));
    Register(h, Every("pauses", 1000, "(vigy-noop)"));
    h.Start(h.Options());
    h.AdvanceTo(kT0 + 1500);
    REQUIRE(h.RunCount("goes") == 2);
    REQUIRE(h.RunCount("pauses") == 2);

    REQUIRE(h.other->DeleteVigy(VigyIdFromName("goes")).ok());
    REQUIRE(h.other->SetEnabled(VigyIdFromName("pauses"), false, kT0 + 1500).ok());
    Register(h, Every("arrives", 1000, "(vigy-noop)"));
    h.AdvanceTo(kT0 + 1800);  // one change poll (250 ms) later
    CHECK(h.RunCount("arrives") == 1);
    CHECK(h.Events(SchedulerEvent::Kind::kDropped, "goes").size() == 1);
    CHECK(h.Events(SchedulerEvent::Kind::kDropped, "pauses").size() == 1);
    h.AdvanceTo(kT0 + 4500);
    CHECK(h.RunCount("goes") == 0);  // removed with its runs
    CHECK(h.RunCount("pauses") == 2);
    CHECK(h.RunCount("stays") == 5);
    // Taken on at the first poll after it was added (kT0 + 1750), then every second.
    CHECK(h.ScheduledTimes("arrives") == std::vector<int64_t>{kT0 + 1750, kT0 + 2750, kT0 + 3750});

    REQUIRE(h.other->SetEnabled(VigyIdFromName("pauses"), true, kT0 + 4500).ok());
    h.AdvanceTo(kT0 + 4800);
    CHECK(h.RunCount("pauses") == 3);  // came due while disabled: ticks once, at once
  }

  TEST_CASE("a changed schedule is planned afresh") {
    Harness h;
    Register(h, Every("edited", 1000, "(vigy-noop)"));
    h.Start(h.Options());
    h.AdvanceTo(kT0 + 1500);
    REQUIRE(h.RunCount("edited") == 2);
    Vigy slower = Every("edited", 10'000, "(vigy-noop)");
    REQUIRE(h.other->UpdateVigy(slower).ok());
    h.AdvanceTo(kT0 + 9000);
    CHECK(h.RunCount("edited") == 2);
    h.AdvanceTo(kT0 + 12'000);
    CHECK(h.ScheduledTimes("edited") == std::vector<int64_t>{kT0, kT0 + 1000, kT0 + 11'000});
  }

  TEST_CASE("failures back off 1, 2, 4 s on top of the schedule, and success resets it") {
    Harness h;
    // Fails on its first three ticks, then succeeds.
    Register(h, Every("flaky", 200,
                      "(vigy-incr \"attempts\")"
                      "(when (< (vigy-tick-count) 4) (throw (error :boom \"not yet\")))"));
    h.Start(h.Options());
    h.AdvanceTo(kT0 + 8000);
    std::vector<int64_t> times = h.ScheduledTimes("flaky");
    REQUIRE(times.size() >= 6);
    // Failed at kT0: backoff until +1 s; failed there: +2 s; then +4 s.
    CHECK(times[0] == kT0);
    CHECK(times[1] == kT0 + 1000);
    CHECK(times[2] == kT0 + 3000);
    CHECK(times[3] == kT0 + 7000);
    // Then back on the 200 ms cadence.
    CHECK(times[4] == kT0 + 7200);
    CHECK(times[5] == kT0 + 7400);
    CHECK(h.Events(SchedulerEvent::Kind::kFailed, "flaky").size() == 3);
    CHECK(h.Events(SchedulerEvent::Kind::kRecovered, "flaky").size() == 1);
    CHECK(h.other->GetRuntime(VigyIdFromName("flaky"))->consecutive_failures == 0);
  }

  TEST_CASE("a program's requeue request replaces the next slot once") {
    Harness h;
    Register(h,
             Every("eager", 3'600'000, "(when (= (vigy-tick-count) 1) (vigy-requeue-after 5000))"));
    h.Start(h.Options());
    h.AdvanceTo(kT0 + 8000);
    // 5 s after the first tick ended: its run took real time (more on a busy
    // machine) while the test's clock stood still.
    std::vector<RunRecord> runs = h.Runs();
    auto first =
        std::find_if(runs.begin(), runs.end(), [](const RunRecord& r) { return r.tick == 1; });
    REQUIRE(first != runs.end());
    const int64_t first_ended = first->ended_at_ms;
    CHECK(first_ended - kT0 < 2000);
    CHECK(h.ScheduledTimes("eager") == std::vector<int64_t>{kT0, first_ended + 5000});
    CHECK(h.other->GetRuntime(VigyIdFromName("eager"))->next_due_ms ==
          first_ended + 5000 + 3'600'000);
  }

  TEST_CASE(
      "a vigy that came due during downtime ticks once at start-up and counts the skipped slots") {
    Harness h;
    Vigy vigy = Every("sleeper", 1000, "(vigy-noop)");
    Register(h, vigy);
    // A previous serve planned a tick 10.5 s ago and then went away.
    REQUIRE(h.other->SetNextDue(vigy.id, kT0 - 10'500).ok());
    h.Start(h.Options());
    h.AdvanceTo(kT0 + 100);
    CHECK(h.ScheduledTimes("sleeper") == std::vector<int64_t>{kT0 - 500});
    h.AdvanceTo(kT0 + 600);
    CHECK(h.ScheduledTimes("sleeper") == std::vector<int64_t>{kT0 - 500, kT0 + 500});
  }

  TEST_CASE("--once ticks what is due now, once, and reports failures in its summary") {
    Harness h;
    Register(h, Every("due-ok", 1000, "(vigy-noop)"));
    Register(h, Every("due-bad", 1000, "(throw (error :boom \"no\"))"));
    Vigy later = Every("later", 60'000, "(vigy-noop)");
    Register(h, later);
    REQUIRE(h.other->SetNextDue(later.id, kT0 + 30'000).ok());
    SchedulerOptions options = h.Options();
    options.once = true;
    h.Start(std::move(options));
    Result<SchedulerSummary> summary = h.Join();
    REQUIRE(summary.ok());
    CHECK(summary->committed == 2);
    CHECK(summary->failed == 1);
    CHECK(h.RunCount("due-ok") == 1);
    CHECK(h.RunCount("due-bad") == 1);
    CHECK(h.RunCount("later") == 0);
    // The next --once picks up from the plan this one stored.
    CHECK(h.other->GetRuntime(VigyIdFromName("due-ok"))->next_due_ms == kT0 + 1000);
  }

  TEST_CASE("stopping lets the tick in flight finish and commits it") {
    Harness h;
    Register(h, Every("slow", 1000, "(sh \"sleep 0.3\") (vigy-set \"done\" true)"));
    h.Start(h.Options());
    // Let the first tick start, then stop while it runs.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    h.Stop();
    Result<SchedulerSummary> summary = h.Join();
    REQUIRE(summary.ok());
    CHECK(summary->committed == 1);
    CHECK(h.RunCount("slow") == 1);
    CHECK(h.other->KvGet(VigyIdFromName("slow"), "done").value() == nlohmann::json(true));
    std::optional<storage::ServeRecord> serve = h.other->ReadServe().value();
    REQUIRE(serve.has_value());
    CHECK(serve->stopped_at_ms.has_value());
  }

  TEST_CASE("history is pruned to keep_runs per vigy as ticks commit") {
    Harness h;
    Register(h, Every("chatty", 100, "(vigy-noop)"));
    SchedulerOptions options = h.Options();
    options.keep_runs = 3;
    h.Start(std::move(options));
    h.AdvanceTo(kT0 + 950);
    CHECK(h.Events(SchedulerEvent::Kind::kTicked, "chatty").size() == 10);
    CHECK(h.RunCount("chatty") == 3);
    std::vector<RunRecord> runs = h.Runs();
    REQUIRE(!runs.empty());
    CHECK(std::min_element(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) {
            return a.tick < b.tick;
          })->tick == 8);
  }

  TEST_CASE("a vigy leased by another process is retried and keeps its due time") {
    Harness h;
    Vigy vigy = Every("contended", 1000, "(vigy-noop)");
    Register(h, vigy);
    auto held = h.other->TryAcquireTickLease(vigy.id, "someone-else", 60'000, kT0);
    REQUIRE(held.ok());
    REQUIRE(held->acquired());
    h.Start(h.Options());
    h.AdvanceTo(kT0 + 350);
    CHECK(h.RunCount("contended") == 0);
    REQUIRE(h.other->ReleaseTickLease(vigy.id, "someone-else").ok());
    h.AdvanceTo(kT0 + 600);
    CHECK(h.ScheduledTimes("contended") == std::vector<int64_t>{kT0});
  }

  TEST_CASE("hundreds of vigies due at once all tick once, each with its own run") {
    Harness h;
    for (int i = 0; i < 300; ++i) {
      Register(h, Every(fmt::format("v{:03}", i), 1000, "(vigy-incr \"n\")"));
    }
    h.Start(h.Options());
    h.AdvanceTo(kT0 + 100);
    std::vector<RunRecord> runs = h.Runs();
    CHECK(runs.size() == 300);
    std::set<std::string> vigies;
    for (const RunRecord& run : runs) vigies.insert(run.vigy_id);
    CHECK(vigies.size() == 300);
    CHECK(
        std::all_of(runs.begin(), runs.end(), [](const RunRecord& run) { return run.tick == 1; }));
  }

  TEST_CASE("a stop requested before start-up finishes at once") {
    Harness h;
    Register(h, Every("never", 1000, "(vigy-noop)"));
    SchedulerOptions options = h.Options();
    options.on_idle = nullptr;
    h.Start(std::move(options));
    h.Stop();
    CHECK(h.Join().ok());
    CHECK(h.RunCount("never") <= 1);
  }

}  // TEST_SUITE("store")

TEST_CASE("on PostgreSQL, a change by another process is announced and taken at once") {
  Harness h(StoreKind::kPostgresql);
  Register(h, Every("first", 3'600'000, "(vigy-noop)"));
  SchedulerOptions options = h.Options();
  options.listen_for_changes = true;
  // No poll within the test: only the announcement can bring the change in.
  options.change_poll_ms = 3'600'000;
  options.change_backstop_ms = 3'600'000;
  h.Start(std::move(options));
  h.AdvanceTo(kT0 + 100);
  REQUIRE(h.RunCount("first") == 1);

  // The clock stands still: the new vigy is due at once, when it is seen.
  Register(h, Every("arrives", 3'600'000, "(vigy-noop)"));
  for (int i = 0; i < 200 && h.RunCount("arrives") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(h.RunCount("arrives") == 1);
  CHECK(h.ScheduledTimes("arrives") == std::vector<int64_t>{kT0 + 100});
}

}  // namespace
}  // namespace vigy::core
