// The threads that serve HTTP connections, bounded: `workers` connections
// are served at once and at most `max_waiting` more wait for a free thread.
// A connection beyond that is handed to one extra thread that answers it
// with 503 at once (see Refusing()), so a flood of connections can neither
// grow the thread count nor starve the scheduler. The threads run at a lower
// priority (nice 10) than the scheduler's, so HTTP load does not delay ticks.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vigy::http {

class ConnectionQueue : public httplib::TaskQueue {
 public:
  ConnectionQueue(size_t workers, size_t max_waiting);
  ~ConnectionQueue() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // True on the thread serving a connection that came when the queue was
  // full: its requests must be answered with 503 and the connection closed.
  static bool Refusing();

 private:
  void Work(bool refusing);

  const size_t max_waiting_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> waiting_;
  std::deque<std::function<void()>> refused_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vigy::http
