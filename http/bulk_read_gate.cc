#include "http/bulk_read_gate.h"

#include <algorithm>
#include <thread>

namespace vigy::http {

size_t DefaultBulkReadSlots() {
  const size_t processors = std::thread::hardware_concurrency();
  return std::max<size_t>(1, processors > 0 ? processors - 1 : 1);
}

BulkReadGate::BulkReadGate(size_t slots) : slots_(std::max<size_t>(1, slots)) {}

BulkReadGate::Turn BulkReadGate::Enter() {
  std::unique_lock lock(mutex_);
  const uint64_t number = asked_++;
  freed_.wait(lock, [this, number] { return number < left_ + slots_; });
  return Turn(*this);
}

size_t BulkReadGate::waiting() {
  std::lock_guard lock(mutex_);
  const uint64_t inside_or_waiting = asked_ - left_;
  return inside_or_waiting > slots_ ? inside_or_waiting - slots_ : 0;
}

void BulkReadGate::Leave() {
  {
    std::lock_guard lock(mutex_);
    ++left_;
  }
  // Each waiter checks its own number; the next in order enters.
  freed_.notify_all();
}

}  // namespace vigy::http
