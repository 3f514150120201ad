// The scheduler's timer queue: which vigy is due next. One plan per vigy;
// planning a vigy again replaces its earlier plan, and cancelled or replaced
// plans are dropped lazily when they reach the front. Not thread-safe: the
// scheduler's own thread owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

namespace vigy::core {

class TimerQueue {
 public:
  struct Timer {
    std::string vigy_id;
    int64_t due_ms = 0;
  };

  // Plans `vigy_id` for `due_ms`, replacing any plan it had.
  void Schedule(const std::string& vigy_id, int64_t due_ms);
  // Drops the plan of `vigy_id`, if any.
  void Cancel(const std::string& vigy_id);
  // The plan of `vigy_id`, if any.
  std::optional<int64_t> DueOf(const std::string& vigy_id) const;
  // The earliest plan; unset when nothing is planned.
  std::optional<int64_t> NextDueMs();
  // Removes and returns the plans due at or before `now_ms`, earliest first
  // (plans due at the same time in the order they were made), at most `max`.
  std::vector<Timer> PopDue(int64_t now_ms, size_t max);
  // How many vigies have a plan.
  size_t size() const { return planned_.size(); }

 private:
  struct Entry {
    int64_t due_ms;
    uint64_t generation;  // orders equal due times and tells current plans from replaced ones
    std::string vigy_id;
    bool operator>(const Entry& other) const {
      return due_ms != other.due_ms ? due_ms > other.due_ms : generation > other.generation;
    }
  };
  struct Plan {
    uint64_t generation;
    int64_t due_ms;
  };

  // Pops replaced and cancelled entries off the front.
  void DropStale();
  // Rebuilds the heap from the current plans once stale entries dominate it.
  void CompactIfSparse();

  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::unordered_map<std::string, Plan> planned_;
  uint64_t next_generation_ = 0;
};

}  // namespace vigy::core
