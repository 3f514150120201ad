#include "core/store_records.h"

#include <errno.h>
#include <fmt/format.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <random>

namespace vigy::core {
namespace {}  // namespace

std::string ThisHost() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return std::string();
  return std::string(name);
}

bool ServeIsLive(const ServeRecord& serve, int64_t now_ms) {
  if (serve.stopped_at_ms) return false;
  if (serve.heartbeat_at_ms < now_ms - kServeStaleMs) return false;
  if (serve.host != ThisHost()) return true;  // its process cannot be checked from here
  if (serve.pid <= 0) return false;
  // EPERM means the process exists but belongs to someone else.
  return ::kill(static_cast<pid_t>(serve.pid), 0) == 0 || errno != ESRCH;
}

const std::string& LeaseTokenPrefix() {
  // Made again in a forked child, which must not share its parent's prefix.
  static std::mutex mutex;
  static std::string prefix;
  static std::atomic<pid_t> made_for{0};
  const pid_t pid = ::getpid();
  if (made_for.load(std::memory_order_acquire) != pid) {
    std::lock_guard<std::mutex> lock(mutex);
    if (made_for.load(std::memory_order_relaxed) != pid) {
      std::random_device device;
      const uint64_t bits = (uint64_t{device()} << 32) ^ device();
      prefix = fmt::format("{}-{:016x}-", pid, bits);
      made_for.store(pid, std::memory_order_release);
    }
  }
  return prefix;
}

std::string NewLeaseToken() {
  static std::atomic<uint64_t> counter{0};
  return LeaseTokenPrefix() + std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace vigy::core
