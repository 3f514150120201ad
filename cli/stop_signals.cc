#include "cli/stop_signals.h"

#include <fmt/format.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <string>

#include "core/held_leases.h"
#include "core/shell.h"
#include "storage/store_open.h"

namespace vigy::cli {
namespace {

// How often the signal thread looks whether it should end.
constexpr long kPollNanos = 100'000'000;

// Writes all of `text` to stderr without stdio, whose lock another thread
// may hold.
void WriteStderr(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string_view SignalName(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      break;
  }
  static thread_local std::string other;
  other = fmt::format("signal {}", signal);
  return other;
}

void EndInterrupted(int signal) {
  // First stop any commit, then kill what ticks started, then give back the
  // leases, so no other tick starts while a command of ours still runs.
  std::vector<core::HeldLease> leases = core::EndHeldLeases();
  core::KillRunningShells();
  for (const core::HeldLease& lease : leases) {
    auto store = storage::OpenStore(lease.store_location, core::OpenMode::kExisting);
    if (store.ok()) (*store)->ReleaseTickLease(lease.vigy_id, lease.token);
  }
  std::string line = fmt::format("vigy: interrupted by {}", SignalName(signal));
  if (!leases.empty()) line += "; the tick in progress was stopped and not recorded";
  WriteStderr(line + "\n");
  ::_exit(130);
}

StopSignals::StopSignals(std::function<void(int)> on_first) : on_first_(std::move(on_first)) {
  sigemptyset(&stop_set_);
  sigaddset(&stop_set_, SIGINT);
  sigaddset(&stop_set_, SIGTERM);
  sigaddset(&stop_set_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_set_, &previous_mask_);
  thread_ = std::thread([this] { Wait(); });
}

StopSignals::~StopSignals() {
  closing_ = true;
  // Wake the signal thread now rather than at its next poll, so a command
  // does not wait for it on its way out.
  pthread_kill(thread_.native_handle(), SIGHUP);
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void StopSignals::Wait() {
  const timespec poll{0, kPollNanos};
  while (!closing_) {
    int signal = sigtimedwait(&stop_set_, nullptr, &poll);
    if (signal < 0) continue;  // timed out or interrupted: look at closing_ again
    if (closing_) break;       // the wake-up from the destructor, or too late to matter
    if (!received_.exchange(true)) {
      on_first_(signal);
      continue;
    }
    // A second signal: whoever sent it does not want to wait.
    EndInterrupted(signal);
  }
}

}  // namespace vigy::cli
