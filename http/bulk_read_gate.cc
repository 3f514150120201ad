#include "http/bulk_read_gate.h"

#include <algorithm>
#include <thread>

namespace vigy::http {

size_t DefaultBulkReadSlots() {
  const size_t processors = std::thread::hardware_concurrency();
  return std::max<size_t>(1, processors > 0 ? processors - 1 : 1);
}

BulkReadGate::BulkReadGate(size_t slots) : free_(std::max<size_t>(1, slots)) {}

BulkReadGate::Turn BulkReadGate::Enter() {
  std::unique_lock lock(mutex_);
  freed_.wait(lock, [this] { return free_ > 0; });
  --free_;
  return Turn(*this);
}

void BulkReadGate::Leave() {
  {
    std::lock_guard lock(mutex_);
    ++free_;
  }
  freed_.notify_one();
}

}  // namespace vigy::http
