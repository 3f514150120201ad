// SIGINT, SIGTERM and SIGHUP: how a command stops. Signals are taken by a
// thread of their own (sigwait), so a stop request runs as ordinary code, not
// in a signal handler.
//  - serve and watch stop gracefully on the first signal (on_first) and end
//    at once on a second.
//  - The commands that tick (tick, run, eval) end at once on the first,
//    through EndInterrupted: the one cleanup path for a ticking process.
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <string_view>
#include <thread>

namespace vigy::cli {

// Ends the process after a stop signal, leaving nothing behind: the process
// groups of the commands its ticks started (sh, handlers) are killed, no
// tick commits after this, every tick lease it holds is given back, and
// "vigy: interrupted by SIGx" is printed; then it exits 130. Never returns.
[[noreturn]] void EndInterrupted(int signal);

// "SIGINT", "SIGTERM", "SIGHUP" (or "signal N").
std::string_view SignalName(int signal);

class StopSignals {
 public:
  // Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, and so in every
  // thread it starts afterwards: create this before starting any other
  // thread. `on_first` runs (on the signal thread) for the first signal,
  // with its number; a second ends the process through EndInterrupted.
  explicit StopSignals(std::function<void(int signal)> on_first);
  // Stops the signal thread and restores the calling thread's signal mask;
  // a signal still pending is then delivered as usual.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Whether a signal arrived.
  bool received() const { return received_; }

 private:
  void Wait();

  std::function<void(int)> on_first_;
  sigset_t stop_set_;
  sigset_t previous_mask_;
  std::atomic<bool> received_{false};
  std::atomic<bool> closing_{false};
  std::thread thread_;
};

}  // namespace vigy::cli
