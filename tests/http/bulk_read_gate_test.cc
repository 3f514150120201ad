#include "http/bulk_read_gate.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace vigy::http {
namespace {

using std::chrono::milliseconds;

TEST_CASE("bulk read gate: no more requests inside than it has slots, and every one gets in") {
  BulkReadGate gate(2);
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::atomic<int> served{0};
  std::vector<std::thread> requests;
  for (int i = 0; i < 8; ++i) {
    requests.emplace_back([&] {
      BulkReadGate::Turn turn = gate.Enter();
      const int now = ++inside;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(milliseconds(20));
      --inside;
      ++served;
    });
  }
  for (std::thread& t : requests) t.join();
  CHECK(served == 8);
  CHECK(most == 2);
}

TEST_CASE("bulk read gate: a turn moved away frees its slot once, when the last holder goes") {
  BulkReadGate gate(1);
  {
    BulkReadGate::Turn first = gate.Enter();
    BulkReadGate::Turn moved = std::move(first);
  }
  BulkReadGate::Turn held = gate.Enter();  // the one slot is free again
  auto waiting = std::async(std::launch::async, [&gate] { BulkReadGate::Turn t = gate.Enter(); });
  CHECK(waiting.wait_for(milliseconds(100)) == std::future_status::timeout);
  { BulkReadGate::Turn released = std::move(held); }
  CHECK(waiting.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
}

TEST_CASE("bulk read gate: callers get their turns in the order they asked") {
  BulkReadGate gate(1);
  std::mutex order_mutex;
  std::vector<int> order;
  auto held = std::make_unique<BulkReadGate::Turn>(gate.Enter());
  std::vector<std::thread> callers;
  for (int i = 0; i < 10; ++i) {
    callers.emplace_back([&, i] {
      BulkReadGate::Turn turn = gate.Enter();
      {
        std::lock_guard lock(order_mutex);
        order.push_back(i);
      }
      std::this_thread::sleep_for(milliseconds(1));
    });
    // The next caller asks only once this one waits.
    while (gate.waiting() < static_cast<size_t>(i) + 1)
      std::this_thread::sleep_for(milliseconds(1));
  }
  held.reset();
  for (std::thread& t : callers) t.join();
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(gate.waiting() == 0);
}

TEST_CASE("bulk read gate: one slot fewer than the processors by default, at least one") {
  const size_t processors = std::thread::hardware_concurrency();
  CHECK(DefaultBulkReadSlots() == std::max<size_t>(1, processors > 0 ? processors - 1 : 1));
  CHECK(DefaultBulkReadSlots() >= 1);
}

}  // namespace
}  // namespace vigy::http
