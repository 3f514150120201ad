// SIGINT and SIGTERM for the long-running commands: the first asks for a
// graceful stop, a second ends the process at once. Signals are taken by a
// thread of their own (sigwait), so the stop request runs as ordinary code,
// not in a signal handler.
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

namespace vigy::cli {

class StopSignals {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread, and so in every thread
  // it starts afterwards: create this before starting any other thread.
  // `on_first` runs (on the signal thread) for the first signal; a second
  // kills the commands ticks are running and exits the process with 130.
  explicit StopSignals(std::function<void()> on_first);
  // Stops the signal thread and restores the calling thread's signal mask;
  // a signal still pending is then delivered as usual.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Whether a signal arrived.
  bool received() const { return received_; }

 private:
  void Wait();

  std::function<void()> on_first_;
  sigset_t stop_set_;
  sigset_t previous_mask_;
  std::atomic<bool> received_{false};
  std::atomic<bool> closing_{false};
  std::thread thread_;
};

}  // namespace vigy::cli
