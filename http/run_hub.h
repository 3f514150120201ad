// The runs committed to the store, by any process, as serve's HTTP side sees
// them: one thread follows the store's commit sequence (core::RunFollower,
// as `vigy watch` does) on its own connection, keeps the latest runs for
// the event streams, and counts them for /metrics. Event streams wait on it
// instead of each polling the store.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "http/store_pool.h"

namespace vigy::core {
class RunFollower;
}  // namespace vigy::core

namespace vigy::http {

// One committed run, ready to send.
struct RunEvent {
  int64_t seq = 0;  // the store's commit sequence number: the SSE event id
  std::string vigy_id;
  std::string json;  // core::ToJson(run), on one line
};

// Observations in cumulative buckets, as Prometheus histograms count them.
struct Histogram {
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  // Adds the observations of `other`, which has the same bounds.
  void Add(const Histogram& other);

  std::vector<double> bounds;   // ascending; +Inf is implied
  std::vector<int64_t> counts;  // per bucket, not cumulative; one more for +Inf
  double sum = 0;
  int64_t count = 0;
};

// Counts of the runs committed since serve started.
struct RunStats {
  RunStats();
  // Ticks by vigy name and result ("ok", "failed", "skipped").
  std::map<std::string, std::map<std::string, int64_t>> ticks;
  Histogram duration_seconds;
  Histogram lateness_seconds;  // scheduled runs only: started_at - scheduled_at
  // When each vigy's latest ok run ended (epoch ms), by vigy name.
  std::map<std::string, int64_t> last_success_ms;
};

class RunHub {
 public:
  // How often the store is checked for new commits (one that announces
  // them: at each announcement, and every RunFollower::kBackstopMs).
  static constexpr std::chrono::milliseconds kPollInterval{25};
  // Runs kept for streams that fall behind or reconnect.
  static constexpr size_t kKeep = 4096;

  explicit RunHub(StorePool::Opener open);
  ~RunHub();
  RunHub(const RunHub&) = delete;
  RunHub& operator=(const RunHub&) = delete;

  // Opens its own connection and starts following after the newest run.
  core::Status Start();
  // Stops following and wakes every waiting stream. Idempotent.
  void Stop();
  bool stopped() const { return stopped_; }

  // The commit sequence number of the newest run seen.
  int64_t latest_seq();
  // The runs committed after `cursor` (of vigy `vigy_id` only, when not
  // empty), oldest first, waiting up to `wait` for one; moves `cursor` past
  // what it looked at. Empty on timeout or stop. A cursor older than the
  // runs kept resumes at the oldest one kept.
  std::vector<std::shared_ptr<const RunEvent>> Next(int64_t& cursor, const std::string& vigy_id,
                                                    std::chrono::milliseconds wait);
  // A copy of the counts.
  RunStats Stats();

 private:
  void Follow();

  const StorePool::Opener open_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<const RunEvent>> recent_;
  int64_t latest_seq_ = 0;
  RunStats stats_;
  std::atomic<bool> stopped_{false};
  std::thread thread_;
  std::unique_ptr<core::RunFollower> follower_;  // used by thread_ only, once started
};

}  // namespace vigy::http
