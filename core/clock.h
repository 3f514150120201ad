// The time the scheduler reads and waits on. Serve gets a SystemClock; tests
// get a ManualClock and move time themselves instead of sleeping.
//
// There is one time scale: wall-clock milliseconds since the Unix epoch. Due
// times are stored (next_due, backoff_until, scheduled_at), shared with other
// processes and compared across restarts, and cron is wall-clock by
// definition, so a separate steady clock would only add conversions. A wall
// clock that is stepped is handled where it matters: SleepUntilMs waits for an
// absolute wall time (a stepped clock wakes sleepers at the right wall time),
// and NextEveryDue (core/schedule.h) re-anchors an interval chain when the
// clock went backwards. Tick timeouts are not measured on this clock; the
// evaluator keeps its own steady deadline.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace vigy::core {

// The system's wall clock in epoch milliseconds.
int64_t SystemNowMs();
// Milliseconds on the system's steady (monotonic) clock, from an arbitrary
// start: for waits and intervals within one process, never for times stored.
int64_t SteadyNowMs();

class Clock {
 public:
  virtual ~Clock() = default;

  // Wall-clock time in milliseconds since the Unix epoch.
  virtual int64_t NowMs() = 0;

  // Blocks until NowMs() >= deadline_ms or Wake() is called. Returns true when
  // the deadline was reached, false when woken early. A Wake() that arrives
  // while no thread sleeps is kept: the next SleepUntilMs returns false at
  // once. A deadline already reached returns true at once (and keeps a
  // pending wake for the next call).
  virtual bool SleepUntilMs(int64_t deadline_ms) = 0;

  // Ends the current (or next) SleepUntilMs early. Thread-safe; not
  // async-signal-safe (a signal handler should hand over to a thread that
  // calls it, e.g. one blocked in sigwait).
  virtual void Wake() = 0;
};

// The system's real-time clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() override;
  bool SleepUntilMs(int64_t deadline_ms) override;
  void Wake() override;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool wake_pending_ = false;
};

// A clock that moves only when told to. Thread-safe: one thread may sleep on
// it (the scheduler under test) while another sets the time.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 0) : now_ms_(start_ms) {}

  int64_t NowMs() override;
  // Waits for SetMs/AdvanceMs to reach the deadline, or for Wake(). With
  // auto-advance on, the clock jumps to the deadline instead and the call
  // returns true at once, so a single thread can simulate hours of schedule.
  bool SleepUntilMs(int64_t deadline_ms) override;
  void Wake() override;

  // Moves time to `now_ms` (backwards too: that is how a test steps the
  // clock back) and wakes sleepers whose deadline is reached.
  void SetMs(int64_t now_ms);
  void AdvanceMs(int64_t delta_ms);
  void SetAutoAdvance(bool on);

  // Blocks until at least `count` threads are inside SleepUntilMs, so a test
  // can move time only once the code under test is waiting.
  void WaitForSleepers(int count = 1);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int64_t now_ms_;
  bool wake_pending_ = false;
  bool auto_advance_ = false;
  int sleepers_ = 0;
};

}  // namespace vigy::core
