#include "cli/stop_signals.h"

#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "core/shell.h"

namespace vigy::cli {
namespace {

// How often the signal thread looks whether it should end.
constexpr long kPollNanos = 100'000'000;

}  // namespace

StopSignals::StopSignals(std::function<void()> on_first) : on_first_(std::move(on_first)) {
  sigemptyset(&stop_set_);
  sigaddset(&stop_set_, SIGINT);
  sigaddset(&stop_set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_set_, &previous_mask_);
  thread_ = std::thread([this] { Wait(); });
}

StopSignals::~StopSignals() {
  closing_ = true;
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void StopSignals::Wait() {
  const timespec poll{0, kPollNanos};
  while (!closing_) {
    int signal = sigtimedwait(&stop_set_, nullptr, &poll);
    if (signal < 0) continue;  // timed out or interrupted: look at closing_ again
    if (!received_.exchange(true)) {
      on_first_();
      continue;
    }
    // A second signal: whoever sent it does not want to wait.
    core::KillRunningShells();
    _exit(130);
  }
}

}  // namespace vigy::cli
