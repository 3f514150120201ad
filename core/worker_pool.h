// A fixed set of threads that run jobs in the order they were submitted:
// serve evaluates many vigies in parallel without a thread per vigy.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vigy::core {

class WorkerPool {
 public:
  // Starts `threads` (at least 1) workers.
  explicit WorkerPool(int threads);
  // Runs every job already submitted to the end, then joins the workers.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job` for the next free worker. Thread-safe. A job must not
  // throw (an escaping exception ends the process, as in any std::thread).
  void Submit(std::function<void()> job);

  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void Work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vigy::core
