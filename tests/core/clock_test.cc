// The clocks: a manual clock that tests move by hand (and that wakes a
// sleeping thread when moved), and the system clock's sleep and wake.
#include "core/clock.h"

#include <doctest/doctest.h>

#include <thread>

namespace vigy::core {
namespace {

TEST_CASE("a manual clock shows the time it was set to") {
  ManualClock clock(1'000);
  CHECK(clock.NowMs() == 1'000);
  clock.AdvanceMs(250);
  CHECK(clock.NowMs() == 1'250);
  clock.SetMs(500);  // stepping back is allowed
  CHECK(clock.NowMs() == 500);
}

TEST_CASE("sleeping until a time already reached returns at once") {
  ManualClock clock(1'000);
  CHECK(clock.SleepUntilMs(1'000));
  CHECK(clock.SleepUntilMs(0));
  CHECK(clock.NowMs() == 1'000);
}

TEST_CASE("a sleeper on a manual clock wakes when another thread moves time past its deadline") {
  ManualClock clock(0);
  bool reached = false;
  int64_t woke_at = -1;
  std::thread sleeper([&] {
    reached = clock.SleepUntilMs(5'000);
    woke_at = clock.NowMs();
  });
  clock.WaitForSleepers(1);
  clock.AdvanceMs(4'999);  // not yet
  clock.WaitForSleepers(1);
  clock.AdvanceMs(1);
  sleeper.join();
  CHECK(reached);
  CHECK(woke_at == 5'000);
}

TEST_CASE("a wake ends a manual sleep early, and a wake with no sleeper is kept for the next") {
  ManualClock clock(0);
  bool reached = true;
  std::thread sleeper([&] { reached = clock.SleepUntilMs(60'000); });
  clock.WaitForSleepers(1);
  clock.Wake();
  sleeper.join();
  CHECK_FALSE(reached);
  CHECK(clock.NowMs() == 0);

  clock.Wake();
  CHECK_FALSE(clock.SleepUntilMs(60'000));  // the pending wake, consumed
  clock.SetAutoAdvance(true);
  CHECK(clock.SleepUntilMs(60'000));
}

TEST_CASE("with auto-advance, sleeping jumps the manual clock to the deadline") {
  ManualClock clock(1'000);
  clock.SetAutoAdvance(true);
  CHECK(clock.SleepUntilMs(3'600'000));
  CHECK(clock.NowMs() == 3'600'000);
  CHECK(clock.SleepUntilMs(10));  // never backwards
  CHECK(clock.NowMs() == 3'600'000);
}

TEST_CASE("the system clock reads epoch milliseconds and sleeps to a deadline") {
  SystemClock clock;
  int64_t now = clock.NowMs();
  CHECK(now > 1'700'000'000'000);  // after November 2023
  CHECK(clock.SleepUntilMs(now - 1'000));
  CHECK(clock.SleepUntilMs(now + 5));
  CHECK(clock.NowMs() >= now + 5);
}

TEST_CASE("a wake ends a system-clock sleep early") {
  SystemClock clock;
  clock.Wake();  // kept until the next sleep
  CHECK_FALSE(clock.SleepUntilMs(clock.NowMs() + 60'000));
  std::thread waker([&] { clock.Wake(); });
  int64_t before = clock.NowMs();
  CHECK_FALSE(clock.SleepUntilMs(before + 60'000));
  CHECK(clock.NowMs() - before < 30'000);
  waker.join();
}

}  // namespace
}  // namespace vigy::core
