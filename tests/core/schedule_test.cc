// The scheduler's time math with explicit times: drift-free intervals and
// skipped slots, jitter, cron slots, failure backoff on top of the schedule,
// requeue, and catching up once after downtime.
#include "core/schedule.h"

#include <doctest/doctest.h>

#include <limits>
#include <set>

#include "core/clock.h"
#include "core/ids.h"
#include "core/tick_pipeline.h"
#include "tests/core/cron_helpers.h"

namespace vigy::core {
namespace {

using testing::At;
using testing::Zone;

const std::string kId = VigyIdFromName("backup");

CompiledSchedule Every(int64_t every_ms, int64_t jitter_ms = 0) {
  Result<CompiledSchedule> compiled =
      CompileSchedule(Schedule{ScheduleKind::kEvery, every_ms, "", jitter_ms}, kId);
  REQUIRE(compiled.ok());
  return *compiled;
}

CompiledSchedule CronSchedule(const std::string& expr, int64_t jitter_ms = 0) {
  Result<CompiledSchedule> compiled =
      CompileSchedule(Schedule{ScheduleKind::kCron, 0, expr, jitter_ms}, kId);
  INFO(compiled.status().ToString());
  REQUIRE(compiled.ok());
  return *compiled;
}

VigyRuntime Planned(int64_t next_due_ms) {
  VigyRuntime runtime;
  runtime.next_due_ms = next_due_ms;
  return runtime;
}

VigyRuntime FailedTimes(int64_t failures, int64_t tick_start_ms) {
  VigyRuntime runtime;
  runtime.consecutive_failures = failures;
  runtime.backoff_until_ms = tick_start_ms + FailureBackoffMs(failures);
  return runtime;
}

// ---- jitter ----

TEST_CASE("jitter stays inside its window and is stable per id") {
  for (int64_t window : {1, 7, 1000, 600'000}) {
    for (int i = 0; i < 500; ++i) {
      std::string id = VigyIdFromName("vigy-" + std::to_string(i));
      int64_t offset = StableJitterMs(id, window);
      CHECK(offset >= 0);
      CHECK(offset < window);
      CHECK(StableJitterMs(id, window) == offset);
    }
  }
  CHECK(StableJitterMs(kId, 0) == 0);
  CHECK(StableJitterMs(kId, -5) == 0);
}

TEST_CASE("jitter spreads different ids across the window") {
  std::set<int64_t> offsets;
  for (int i = 0; i < 500; ++i) {
    offsets.insert(StableJitterMs(VigyIdFromName("vigy-" + std::to_string(i)), 600'000));
  }
  CHECK(offsets.size() > 490);
  CHECK(*offsets.begin() < 60'000);
  CHECK(*offsets.rbegin() > 540'000);
}

TEST_CASE("a vigy's jitter does not change between releases") {
  // Stored plans and operators' expectations depend on it: pinned.
  CHECK(StableJitterMs("0123456789abcdef", 60'000) == 25'822);
}

// ---- every: drift-free, skipping missed slots ----

TEST_CASE("the next interval slot is one interval after the previous due time") {
  CHECK(NextEveryDue(0, 1000, 0) == Due{1000, 0});
  CHECK(NextEveryDue(0, 1000, 130) == Due{1000, 0});
}

TEST_CASE("a slot less than one interval late still runs, at once") {
  CHECK(NextEveryDue(0, 1000, 1000) == Due{1000, 0});
  CHECK(NextEveryDue(0, 1000, 1500) == Due{1000, 0});
  CHECK(NextEveryDue(0, 1000, 1999) == Due{1000, 0});
}

TEST_CASE("slots a full interval or more behind are skipped and counted") {
  CHECK(NextEveryDue(0, 1000, 2000) == Due{2000, 1});
  CHECK(NextEveryDue(0, 1000, 5500) == Due{5000, 4});
  CHECK(NextEveryDue(-5000, 1000, -2500) == Due{-3000, 1});
  // A three-and-a-half-second tick of a one-second vigy.
  CHECK(NextEveryDue(10'000, 1000, 13'500) == Due{13'000, 2});
}

TEST_CASE("ticks that start and end late do not drift the interval") {
  int64_t due = 0;
  for (int i = 1; i <= 1000; ++i) {
    int64_t started = due + (i % 7) * 40;
    int64_t ended = started + 130 + (i % 3) * 200;
    Due next = NextEveryDue(due, 1000, ended);
    REQUIRE(next.due_ms == int64_t{i} * 1000);
    REQUIRE(next.skipped == 0);
    due = next.due_ms;
  }
}

TEST_CASE("an interval chain restarts from now when the clock was set back") {
  CHECK(NextEveryDue(10'000, 1000, 5000) == Due{6000, 0});
}

// ---- cron slots ----

TEST_CASE("the next cron slot follows the previous due time") {
  CompiledSchedule hourly = CronSchedule("0 * * * *");
  CHECK(NextCronDue(*hourly.cron, 0, At("2027-06-01T10:00:00Z"), At("2027-06-01T10:00:00.050Z"),
                    Zone("UTC")) == Due{At("2027-06-01T11:00:00Z"), 0});
}

TEST_CASE("a cron slot that passed during a long tick runs at once, older ones are skipped") {
  CronSpec every_five = testing::Cron("*/5 * * * *");
  CHECK(NextCronDue(every_five, 0, At("2027-06-01T10:00:00Z"), At("2027-06-01T10:07:00Z"),
                    Zone("UTC")) == Due{At("2027-06-01T10:05:00Z"), 0});
  CronSpec every_minute = testing::Cron("* * * * *");
  CHECK(NextCronDue(every_minute, 0, At("2027-06-01T10:00:00Z"), At("2027-06-01T10:05:30Z"),
                    Zone("UTC")) == Due{At("2027-06-01T10:05:00Z"), 4});
}

TEST_CASE("cron slots are shifted by the vigy's jitter") {
  CompiledSchedule hourly = CronSchedule("0 * * * *", 600'000);
  const int64_t j = hourly.jitter_offset_ms;
  REQUIRE(j == StableJitterMs(kId, 600'000));
  REQUIRE(j > 0);
  const int64_t ten = At("2027-06-01T10:00:00Z");
  CHECK(NextCronDue(*hourly.cron, j, ten + j, ten + j + 10, Zone("UTC")) ==
        Due{At("2027-06-01T11:00:00Z") + j, 0});
  // Between the cron instant and its jittered due time, the slot is still ahead.
  CHECK(NextCronDue(*hourly.cron, j, ten - 3'600'000 + j, ten + j / 2, Zone("UTC")) ==
        Due{ten + j, 0});
}

TEST_CASE("a cron that never matches again has no next slot") {
  CronSpec never = testing::Cron("0 0 30 2 *");
  CHECK_FALSE(
      NextCronDue(never, 0, At("2027-06-01T10:00:00Z"), At("2027-06-01T10:00:00Z"), Zone("UTC"))
          .has_value());
}

TEST_CASE("counting skipped cron slots stops at the cap but still finds the latest slot") {
  CronSpec every_second = testing::Cron("* * * * * *");
  const int64_t previous = At("2027-06-01T00:00:00Z");
  const int64_t now = previous + 150'000'500;
  // Every second is a slot in any zone (real-time spacing), so the process
  // zone will do.
  std::optional<Due> due = NextCronDue(every_second, 0, previous, now);
  REQUIRE(due.has_value());
  CHECK(due->due_ms == previous + 150'000'000);
  CHECK(due->skipped == kMaxCountedCronSkips);
}

// ---- compiling ----

TEST_CASE("compiling a schedule checks it and resolves the vigy's jitter") {
  Result<CompiledSchedule> bad =
      CompileSchedule(Schedule{ScheduleKind::kCron, 0, "61 * * * *", 0}, kId);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "bad cron '61 * * * *': minute field '61': 61 is out of range 0-59");
  Result<CompiledSchedule> zero = CompileSchedule(Schedule{ScheduleKind::kEvery, 0, "", 0}, kId);
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.status().message() == "every interval must be positive, got 0 ms");
  CHECK(CompileSchedule(Schedule{}, kId).ok());
  CHECK(Every(5000, 2000).jitter_offset_ms == StableJitterMs(kId, 2000));
}

// ---- the first due time ----

TEST_CASE("a vigy without a schedule is never due, requeue or not") {
  CompiledSchedule none = *CompileSchedule(Schedule{}, kId);
  CHECK_FALSE(InitialDue(none, VigyRuntime{}, 1'000'000).has_value());
  CHECK_FALSE(NextDueAfterTick(none, VigyRuntime{}, 1'000'000, 1'000'000, 5000).has_value());
}

TEST_CASE("a never-ticked interval vigy ticks at once, or within its jitter window") {
  const int64_t now = At("2027-06-01T10:00:00Z");
  CHECK(InitialDue(Every(60'000), VigyRuntime{}, now) == Due{now, 0});
  CompiledSchedule jittered = Every(60'000, 30'000);
  std::optional<Due> due = InitialDue(jittered, VigyRuntime{}, now);
  REQUIRE(due.has_value());
  CHECK(due->due_ms == now + StableJitterMs(kId, 30'000));
  CHECK(due->due_ms < now + 30'000);
}

TEST_CASE("a never-ticked cron vigy waits for its first slot after now") {
  const int64_t now = At("2027-06-01T10:20:00Z");
  CHECK(InitialDue(CronSchedule("0 * * * *"), VigyRuntime{}, now, Zone("UTC")) ==
        Due{At("2027-06-01T11:00:00Z"), 0});
  CompiledSchedule jittered = CronSchedule("0 * * * *", 600'000);
  CHECK(InitialDue(jittered, VigyRuntime{}, now, Zone("UTC")) ==
        Due{At("2027-06-01T11:00:00Z") + jittered.jitter_offset_ms, 0});
  CHECK_FALSE(InitialDue(CronSchedule("0 0 30 2 *"), VigyRuntime{}, now, Zone("UTC")).has_value());
}

TEST_CASE("a plan still in the future is kept at start-up") {
  const int64_t now = At("2027-06-01T10:20:00Z");
  CHECK(InitialDue(Every(60'000), Planned(now + 400), now) == Due{now + 400, 0});
  CHECK(InitialDue(Every(60'000), Planned(now), now) == Due{now, 0});
  // A requeue far beyond the interval survives a restart.
  CHECK(InitialDue(Every(60'000), Planned(now + 86'400'000), now) == Due{now + 86'400'000, 0});
}

TEST_CASE("an interval tick that came due during downtime runs once at start-up") {
  const int64_t planned = At("2027-06-01T10:00:00Z");
  const int64_t now = planned + 630'000;  // down for ten and a half minutes
  CompiledSchedule every_minute = Every(60'000);
  std::optional<Due> first = InitialDue(every_minute, Planned(planned), now);
  // Slots 10:00 .. 10:09 were missed; 10:10 is the latest not in the future.
  CHECK(first == Due{planned + 600'000, 10});
  // After that one tick, the next is back on the interval, in the future.
  std::optional<Due> next =
      NextDueAfterTick(every_minute, VigyRuntime{}, first->due_ms, now + 50, std::nullopt);
  CHECK(next == Due{planned + 660'000, 0});
}

TEST_CASE("a cron tick that came due during downtime runs once at start-up") {
  CompiledSchedule hourly = CronSchedule("0 * * * *");
  const int64_t now = At("2027-06-01T14:50:00Z");
  std::optional<Due> first =
      InitialDue(hourly, Planned(At("2027-06-01T10:00:00Z")), now, Zone("UTC"));
  CHECK(first == Due{At("2027-06-01T14:00:00Z"), 4});
  CHECK(NextDueAfterTick(hourly, VigyRuntime{}, first->due_ms, now + 50, std::nullopt,
                         Zone("UTC")) == Due{At("2027-06-01T15:00:00Z"), 0});
}

TEST_CASE("a missed requeue plan runs at start-up unless a cron slot came after it") {
  CompiledSchedule hourly = CronSchedule("0 * * * *");
  const int64_t plan = At("2027-06-01T10:07:00Z");
  CHECK(InitialDue(hourly, Planned(plan), At("2027-06-01T10:30:00Z"), Zone("UTC")) == Due{plan, 0});
  CHECK(InitialDue(hourly, Planned(plan), At("2027-06-01T11:30:00Z"), Zone("UTC")) ==
        Due{At("2027-06-01T11:00:00Z"), 1});
}

TEST_CASE("a vigy ticked before but never planned continues from its last tick") {
  const int64_t now = At("2027-06-01T12:10:00Z");
  VigyRuntime ticked;
  ticked.last_tick_ms = now - 250'000;
  // every minute: the slot after the last tick was 190 s ago; three missed.
  CHECK(InitialDue(Every(60'000), ticked, now) == Due{now - 10'000, 3});
  ticked.last_tick_ms = now - 20'000;
  CHECK(InitialDue(Every(60'000), ticked, now) == Due{now + 40'000, 0});
  ticked.last_tick_ms = At("2027-06-01T09:00:00.200Z");
  CHECK(InitialDue(CronSchedule("0 * * * *"), ticked, now, Zone("UTC")) ==
        Due{At("2027-06-01T12:00:00Z"), 2});
}

// ---- failure backoff on top of the schedule ----

TEST_CASE("consecutive failures push the next tick back 1, 2, 4, 8, 16, then 30 seconds") {
  const CompiledSchedule fast = Every(100);
  const int64_t expected[] = {1000, 2000, 4000, 8000, 16'000, 30'000, 30'000, 30'000};
  int64_t start = 1'000'000;
  for (int failures = 1; failures <= 8; ++failures) {
    INFO("failures: " << failures);
    std::optional<Due> next =
        NextDueAfterTick(fast, FailedTimes(failures, start), start, start + 20, std::nullopt);
    REQUIRE(next.has_value());
    CHECK(next->due_ms == start + expected[failures - 1]);
    start = next->due_ms;
  }
}

TEST_CASE("a success resets the backoff to the plain schedule") {
  const int64_t start = 1'000'000;
  VigyRuntime recovered;  // consecutive_failures 0, backoff_until 0
  CHECK(NextDueAfterTick(Every(100), recovered, start, start + 20, std::nullopt) ==
        Due{start + 100, 0});
}

TEST_CASE("backoff only delays: a later schedule slot wins") {
  const int64_t start = 1'000'000;
  CHECK(NextDueAfterTick(Every(3'600'000), FailedTimes(1, start), start, start + 20,
                         std::nullopt) == Due{start + 3'600'000, 0});
  CHECK(ApplyBackoff(5000, FailedTimes(2, 0)) == 5000);
  CHECK(ApplyBackoff(500, FailedTimes(2, 0)) == 2000);
}

TEST_CASE("a persisted backoff still holds after a restart") {
  const int64_t now = 1'000'000;
  VigyRuntime runtime = FailedTimes(4, now - 1000);  // backoff until now + 7 s
  runtime.next_due_ms = now + 100;
  CHECK(InitialDue(Every(100), runtime, now) == Due{now + 7000, 0});
  runtime.backoff_until_ms = now - 1;  // expired during the downtime
  CHECK(InitialDue(Every(100), runtime, now) == Due{now + 100, 0});
}

// ---- requeue ----

TEST_CASE("a requeue replaces the next slot for one tick, then the schedule resumes") {
  const int64_t now = At("2027-06-01T10:00:00.020Z");
  CompiledSchedule hourly_every = Every(3'600'000);
  std::optional<Due> requeued = NextDueAfterTick(hourly_every, VigyRuntime{}, now - 20, now, 5000);
  CHECK(requeued == Due{now + 5000, 0});
  CHECK(NextDueAfterTick(hourly_every, VigyRuntime{}, requeued->due_ms, requeued->due_ms + 20,
                         std::nullopt) == Due{now + 5000 + 3'600'000, 0});

  CompiledSchedule hourly_cron = CronSchedule("0 * * * *");
  requeued = NextDueAfterTick(hourly_cron, VigyRuntime{}, now - 20, now, 90'000, Zone("UTC"));
  CHECK(requeued == Due{now + 90'000, 0});
  CHECK(NextDueAfterTick(hourly_cron, VigyRuntime{}, requeued->due_ms, requeued->due_ms + 20,
                         std::nullopt, Zone("UTC")) == Due{At("2027-06-01T11:00:00Z"), 0});
}

TEST_CASE("a requeue of zero waits the minimum, and a huge one does not overflow") {
  CHECK(RequeueDue(1000, 0) == 1000 + kMinRequeueMs);
  CHECK(RequeueDue(1000, 99) == 1000 + kMinRequeueMs);
  CHECK(RequeueDue(1000, 250) == 1250);
  CHECK(RequeueDue(1000, std::numeric_limits<int64_t>::max() - 10) ==
        std::numeric_limits<int64_t>::max());
}

TEST_CASE("a huge stored interval or jitter saturates in the future instead of wrapping to 1970") {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t now = At("2027-06-01T10:00:00Z");
  CompiledSchedule huge = Every(max);
  // A first tick at once, then the next one as far away as the clock goes.
  CHECK(InitialDue(huge, VigyRuntime{}, now) == Due{now, 0});
  std::optional<Due> next = NextDueAfterTick(huge, VigyRuntime{}, now, now + 5, std::nullopt);
  REQUIRE(next.has_value());
  CHECK(next->due_ms == max);
  CHECK(NextEveryDue(now, max, now + 5).due_ms == max);
  // Ticked before, never planned: the next slot is not in the past.
  VigyRuntime ticked;
  ticked.last_tick_ms = now - 1000;
  std::optional<Due> after_restart = InitialDue(huge, ticked, now);
  REQUIRE(after_restart.has_value());
  CHECK(after_restart->due_ms > now);
  // A jitter window as large as the clock puts the first tick later, never earlier.
  std::optional<Due> jittered = InitialDue(Every(1000, max), VigyRuntime{}, now);
  REQUIRE(jittered.has_value());
  CHECK(jittered->due_ms >= now);
}

TEST_CASE("failure backoff applies on top of a requeue") {
  const int64_t start = 1'000'000;
  CHECK(NextDueAfterTick(Every(60'000), FailedTimes(3, start), start, start + 20, 100) ==
        Due{start + 4000, 0});
}

// ---- driven by a manual clock ----

TEST_CASE("a suspended serve ticks once on resume, skips the missed slots and keeps its phase") {
  ManualClock clock(At("2027-06-01T10:00:00Z"));
  clock.SetAutoAdvance(true);
  const CompiledSchedule every_second = Every(1000, 500);
  std::optional<Due> due = InitialDue(every_second, VigyRuntime{}, clock.NowMs());
  REQUIRE(due.has_value());
  const int64_t phase = due->due_ms % 1000;
  std::vector<int64_t> dues;
  std::vector<int64_t> starts;
  int64_t skipped = 0;
  for (int tick = 0; tick < 20; ++tick) {
    clock.SleepUntilMs(due->due_ms);
    dues.push_back(due->due_ms);
    starts.push_back(clock.NowMs());
    clock.AdvanceMs(120);                       // the tick itself
    if (tick == 9) clock.AdvanceMs(3'600'000);  // the machine sleeps for an hour
    due = NextDueAfterTick(every_second, VigyRuntime{}, due->due_ms, clock.NowMs(), std::nullopt);
    REQUIRE(due.has_value());
    skipped += due->skipped;
  }
  // On resume: one tick at once (not 3600), the missed slots counted, then
  // one per second again on the same jittered phase.
  CHECK(skipped == 3599);
  CHECK(starts[10] == starts[9] + 120 + 3'600'000);
  for (size_t i = 1; i < dues.size(); ++i) {
    CHECK(dues[i] % 1000 == phase);
    CHECK(dues[i] - dues[i - 1] == (i == 10 ? 3'600'000 : 1000));
    if (i != 10) CHECK(starts[i] == dues[i]);
  }
}

}  // namespace
}  // namespace vigy::core
