#include "core/clock.h"

#include <chrono>

namespace vigy::core {

int64_t SystemNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::NowMs() { return SystemNowMs(); }

bool SystemClock::SleepUntilMs(int64_t deadline_ms) {
  using namespace std::chrono;
  const system_clock::time_point deadline{milliseconds{deadline_ms}};
  std::unique_lock lock(mutex_);
  // An absolute wait on the real-time clock: if the clock is stepped while we
  // wait, we still wake at the requested wall time.
  while (true) {
    if (system_clock::now() >= deadline) return true;
    if (wake_pending_) {
      wake_pending_ = false;
      return false;
    }
    changed_.wait_until(lock, deadline);
  }
}

void SystemClock::Wake() {
  {
    std::lock_guard lock(mutex_);
    wake_pending_ = true;
  }
  changed_.notify_all();
}

int64_t ManualClock::NowMs() {
  std::lock_guard lock(mutex_);
  return now_ms_;
}

bool ManualClock::SleepUntilMs(int64_t deadline_ms) {
  std::unique_lock lock(mutex_);
  if (auto_advance_ && !wake_pending_) {
    if (deadline_ms > now_ms_) now_ms_ = deadline_ms;
    return true;
  }
  ++sleepers_;
  changed_.notify_all();  // WaitForSleepers
  while (!wake_pending_ && now_ms_ < deadline_ms) changed_.wait(lock);
  --sleepers_;
  if (now_ms_ >= deadline_ms) return true;
  wake_pending_ = false;
  return false;
}

void ManualClock::Wake() {
  {
    std::lock_guard lock(mutex_);
    wake_pending_ = true;
  }
  changed_.notify_all();
}

void ManualClock::SetMs(int64_t now_ms) {
  {
    std::lock_guard lock(mutex_);
    now_ms_ = now_ms;
  }
  changed_.notify_all();
}

void ManualClock::AdvanceMs(int64_t delta_ms) {
  {
    std::lock_guard lock(mutex_);
    now_ms_ += delta_ms;
  }
  changed_.notify_all();
}

void ManualClock::SetAutoAdvance(bool on) {
  std::lock_guard lock(mutex_);
  auto_advance_ = on;
}

void ManualClock::WaitForSleepers(int count) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return sleepers_ >= count; });
}

}  // namespace vigy::core
