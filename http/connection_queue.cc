#include "http/connection_queue.h"

#include <sys/resource.h>
#include <unistd.h>

namespace vigy::http {
namespace {

thread_local bool t_refusing = false;

// HTTP threads yield the processor to the scheduler and its workers: on
// Linux a thread's nice value is its own.
constexpr int kNice = 10;

}  // namespace

ConnectionQueue::ConnectionQueue(size_t workers, size_t max_waiting) : max_waiting_(max_waiting) {
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(false); });
  threads_.emplace_back([this] { Work(true); });
}

ConnectionQueue::~ConnectionQueue() { shutdown(); }

void ConnectionQueue::enqueue(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    if (waiting_.size() < max_waiting_) {
      waiting_.push_back(std::move(fn));
    } else {
      refused_.push_back(std::move(fn));
    }
  }
  ready_.notify_all();
}

void ConnectionQueue::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shutdown_ && threads_.empty()) return;
    shutdown_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

bool ConnectionQueue::Refusing() { return t_refusing; }

void ConnectionQueue::Work(bool refusing) {
  t_refusing = refusing;
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kNice);
  std::deque<std::function<void()>>& jobs = refusing ? refused_ : waiting_;
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return shutdown_ || !jobs.empty(); });
      if (jobs.empty()) return;  // shut down, nothing left to serve
      job = std::move(jobs.front());
      jobs.pop_front();
    }
    job();
  }
}

}  // namespace vigy::http
