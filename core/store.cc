#include "core/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace vigy::core {
namespace {

// Waits between lease attempts: short at first, growing to the longest.
constexpr int64_t kFirstWaitMs = 2;
constexpr int64_t kLongestWaitMs = 50;

}  // namespace

Result<TickLease> Store::AcquireTickLease(std::string_view id, const std::string& token,
                                          int64_t duration_ms, int64_t max_wait_ms,
                                          const std::function<int64_t()>& now) {
  using Steady = std::chrono::steady_clock;
  const Steady::time_point deadline = Steady::now() + std::chrono::milliseconds(max_wait_ms);
  int64_t wait_ms = kFirstWaitMs;
  for (;;) {
    Result<LeaseAttempt> attempt = TryAcquireTickLease(id, token, duration_ms, now());
    if (!attempt.ok()) return attempt.status();
    if (attempt->acquired()) return std::move(*attempt->lease);
    Steady::time_point wake = Steady::now() + std::chrono::milliseconds(wait_ms);
    if (wake > deadline) {
      return Status::Conflict(fmt::format(
          "vigy '{}' is being ticked by another process (its lease runs for {} ms more); "
          "try again later",
          attempt->vigy_name, std::max<int64_t>(0, attempt->held_until_ms - now())));
    }
    std::this_thread::sleep_until(wake);
    wait_ms = std::min(wait_ms * 2, kLongestWaitMs);
  }
}

}  // namespace vigy::core
