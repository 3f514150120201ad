// Store connections for the HTTP threads: a SqliteStore is one connection
// and not thread-safe, so each request borrows one for its duration. Opened
// on demand, kept for reuse, never shared by two requests at once; none of
// them is the scheduler's.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/store.h"

namespace vigy::http {

class StorePool {
 public:
  using Opener = std::function<core::Result<std::unique_ptr<core::Store>>()>;
  explicit StorePool(Opener open) : open_(std::move(open)) {}

  // A connection, returned to the pool when the Borrowed goes.
  class Borrowed {
   public:
    Borrowed(StorePool& pool, std::unique_ptr<core::Store> store)
        : pool_(&pool), store_(std::move(store)) {}
    Borrowed(Borrowed&&) = default;
    ~Borrowed() {
      if (store_) pool_->Return(std::move(store_));
    }
    core::Store& operator*() const { return *store_; }
    core::Store* operator->() const { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<core::Store> store_;
  };

  // kStoreUnusable (or the store's own error) when a connection cannot be opened.
  core::Result<Borrowed> Borrow();

 private:
  void Return(std::unique_ptr<core::Store> store);

  const Opener open_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<core::Store>> idle_;
};

}  // namespace vigy::http
