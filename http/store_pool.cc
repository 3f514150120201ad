#include "http/store_pool.h"

namespace vigy::http {

// Idle connections kept; more are closed when returned.
constexpr size_t kMaxIdle = 16;

core::Result<StorePool::Borrowed> StorePool::Borrow() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<core::Store> store = std::move(idle_.back());
      idle_.pop_back();
      return Borrowed(*this, std::move(store));
    }
  }
  auto store = open_();
  if (!store.ok()) return store.status();
  return Borrowed(*this, std::move(store).value());
}

void StorePool::Return(std::unique_ptr<core::Store> store) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(store));
}

}  // namespace vigy::http
