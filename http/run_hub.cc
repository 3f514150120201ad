#include "http/run_hub.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include "core/model_json.h"
#include "core/run_follower.h"

namespace vigy::http {
namespace {

std::vector<double> DurationBounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
}
std::vector<double> LatenessBounds() {
  return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30};
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds(std::move(upper_bounds)), counts(bounds.size() + 1, 0) {}

void Histogram::Observe(double value) {
  size_t bucket = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
  ++counts[bucket];
  sum += value;
  ++count;
}

void Histogram::Add(const Histogram& other) {
  for (size_t i = 0; i < counts.size() && i < other.counts.size(); ++i)
    counts[i] += other.counts[i];
  sum += other.sum;
  count += other.count;
}

RunStats::RunStats() : duration_seconds(DurationBounds()), lateness_seconds(LatenessBounds()) {}

RunHub::RunHub(StorePool::Opener open) : open_(std::move(open)) {}

RunHub::~RunHub() { Stop(); }

core::Status RunHub::Start() {
  auto store = open_();
  if (!store.ok()) return store.status();
  follower_ = std::make_unique<core::RunFollower>();
  if (core::Status s = follower_->Start(std::move(store).value()); !s.ok()) return s;
  latest_seq_ = follower_->last_seq();
  thread_ = std::thread([this] { Follow(); });
  return core::Status::Ok();
}

void RunHub::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t RunHub::latest_seq() {
  std::lock_guard lock(mutex_);
  return latest_seq_;
}

std::vector<std::shared_ptr<const RunEvent>> RunHub::Next(int64_t& cursor,
                                                          const std::string& vigy_id,
                                                          std::chrono::milliseconds wait) {
  std::vector<std::shared_ptr<const RunEvent>> found;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::unique_lock lock(mutex_);
  for (;;) {
    for (const auto& event : recent_) {
      if (event->seq <= cursor) continue;
      if (vigy_id.empty() || event->vigy_id == vigy_id) found.push_back(event);
    }
    cursor = std::max(cursor, latest_seq_);
    if (!found.empty() || stopped_) return found;
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) return found;
  }
}

RunStats RunHub::Stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

void RunHub::Follow() {
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);  // below the scheduler's
  while (!stopped_) {
    std::vector<std::shared_ptr<const RunEvent>> fresh;
    RunStats delta;
    // A store error is retried at the next poll; the streams just wait.
    (void)follower_->Poll([&](const core::RunRecord& run) {
      auto event = std::make_shared<RunEvent>();
      event->seq = run.seq;
      event->vigy_id = run.vigy_id;
      event->json =
          core::ToJson(run).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      fresh.push_back(std::move(event));
      ++delta.ticks[run.vigy_name][run.result];
      delta.duration_seconds.Observe(static_cast<double>(run.duration_ms) / 1000.0);
      if (run.scheduled_at_ms) {
        int64_t late = std::max<int64_t>(0, run.started_at_ms - *run.scheduled_at_ms);
        delta.lateness_seconds.Observe(static_cast<double>(late) / 1000.0);
      }
      if (run.ok()) delta.last_success_ms[run.vigy_name] = run.ended_at_ms;
      return true;
    });
    if (!fresh.empty()) {
      {
        std::lock_guard lock(mutex_);
        for (auto& event : fresh) recent_.push_back(std::move(event));
        while (recent_.size() > kKeep) recent_.pop_front();
        latest_seq_ = std::max(latest_seq_, follower_->last_seq());
        for (const auto& [name, results] : delta.ticks) {
          for (const auto& [result, count] : results) stats_.ticks[name][result] += count;
        }
        stats_.duration_seconds.Add(delta.duration_seconds);
        stats_.lateness_seconds.Add(delta.lateness_seconds);
        for (const auto& [name, at] : delta.last_success_ms) {
          int64_t& known = stats_.last_success_ms[name];
          known = std::max(known, at);
        }
      }
      changed_.notify_all();
    } else {
      std::lock_guard lock(mutex_);
      latest_seq_ = std::max(latest_seq_, follower_->last_seq());
    }
    if (!stopped_) follower_->Wait(kPollInterval.count());
  }
}

}  // namespace vigy::http
