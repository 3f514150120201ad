#include "core/timer_queue.h"

namespace vigy::core {

void TimerQueue::Schedule(const std::string& vigy_id, int64_t due_ms) {
  const uint64_t generation = next_generation_++;
  planned_[vigy_id] = Plan{generation, due_ms};
  heap_.push(Entry{due_ms, generation, vigy_id});
  CompactIfSparse();
}

void TimerQueue::Cancel(const std::string& vigy_id) {
  planned_.erase(vigy_id);
  CompactIfSparse();
}

std::optional<int64_t> TimerQueue::DueOf(const std::string& vigy_id) const {
  auto it = planned_.find(vigy_id);
  if (it == planned_.end()) return std::nullopt;
  return it->second.due_ms;
}

std::optional<int64_t> TimerQueue::NextDueMs() {
  DropStale();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due_ms;
}

std::vector<TimerQueue::Timer> TimerQueue::PopDue(int64_t now_ms, size_t max) {
  std::vector<Timer> due;
  for (DropStale(); due.size() < max && !heap_.empty() && heap_.top().due_ms <= now_ms;
       DropStale()) {
    Entry entry = heap_.top();
    heap_.pop();
    planned_.erase(entry.vigy_id);
    due.push_back(Timer{std::move(entry.vigy_id), entry.due_ms});
  }
  return due;
}

void TimerQueue::DropStale() {
  while (!heap_.empty()) {
    const Entry& top = heap_.top();
    auto it = planned_.find(top.vigy_id);
    if (it != planned_.end() && it->second.generation == top.generation) return;
    heap_.pop();
  }
}

void TimerQueue::CompactIfSparse() {
  if (heap_.size() < 64 || heap_.size() < 4 * planned_.size()) return;
  std::vector<Entry> live;
  live.reserve(planned_.size());
  for (const auto& [id, plan] : planned_) live.push_back(Entry{plan.due_ms, plan.generation, id});
  heap_ = decltype(heap_)(std::greater<>(), std::move(live));
}

}  // namespace vigy::core
