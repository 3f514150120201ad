#include "core/run_follower.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/clock.h"

namespace vigy::core {
namespace {

// Runs read per query while catching up.
constexpr int64_t kBatch = 500;

}  // namespace

RunFollower::RunFollower(std::vector<std::string> vigy_ids, bool failed_only)
    : vigy_ids_(std::move(vigy_ids)), failed_only_(failed_only) {}

Status RunFollower::Start(std::unique_ptr<Store> store, std::optional<int64_t> after_seq) {
  store_ = std::move(store);
  // The feed and the data version first, so a commit racing with this
  // start is still announced, or moves the version, and is noticed on the
  // next poll.
  if (Status s = Listen(); !s.ok()) return s;
  Result<int64_t> version = store_->DataVersion();
  if (!version.ok()) return version.status();
  data_version_ = *version;
  if (after_seq) {
    last_seq_ = *after_seq;
    look_now_ = true;  // runs after `after_seq` may be there already
    return Status::Ok();
  }
  Result<int64_t> latest = store_->LatestRunSeq();
  if (!latest.ok()) return latest.status();
  last_seq_ = *latest;
  return Status::Ok();
}

Status RunFollower::Poll(const std::function<bool(const RunRecord&)>& deliver) {
  if (store_->missing()) return Reopen();
  bool look = look_now_;
  if (feed_) {
    const int64_t now = SteadyNowMs();
    look = look || now >= backstop_at_ms_;
    if (look) backstop_at_ms_ = now + kBackstopMs;
  } else {
    Result<int64_t> version = store_->DataVersion();
    if (!version.ok()) return version.status();
    look = look || !data_version_ || *version != *data_version_;
    data_version_ = *version;
  }
  if (!look) return Status::Ok();
  look_now_ = true;  // until this poll has read everything: an error leaves it set
  for (;;) {
    // Every run numbered up to `latest` was committed before it was read, so
    // once the filtered query comes back short, nothing up to `latest` is
    // left to deliver, whether it matched the filter or not.
    Result<int64_t> latest = store_->LatestRunSeq();
    if (!latest.ok()) return latest.status();
    Result<std::vector<RunRecord>> runs =
        store_->ListRunsCommittedAfter(last_seq_, vigy_ids_, failed_only_, kBatch);
    if (!runs.ok()) return runs.status();
    for (const RunRecord& run : *runs) {
      last_seq_ = run.seq;
      if (!deliver(run)) return Status::Ok();  // the next poll goes on from here
    }
    if (static_cast<int64_t>(runs->size()) == kBatch) continue;
    last_seq_ = std::max(*latest, last_seq_);
    look_now_ = false;
    return Status::Ok();
  }
}

// A store that did not exist when the follow started (a file not there
// yet, a database without tables): once it is, every run in it was
// committed after the start.
Status RunFollower::Reopen() {
  Result<std::unique_ptr<Store>> store = store_->NewConnection();
  if (!store.ok()) return store.status();
  if ((*store)->missing()) return Status::Ok();
  store_ = std::move(store).value();
  last_seq_ = 0;
  look_now_ = true;
  return Listen();
}

Status RunFollower::Listen() {
  Result<std::unique_ptr<ChangeFeed>> feed = store_->ListenForChanges(ChangeTopic::kRuns);
  if (!feed.ok()) return feed.status();
  feed_ = std::move(feed).value();
  backstop_at_ms_ = SteadyNowMs() + kBackstopMs;
  return Status::Ok();
}

void RunFollower::Wait(int64_t most_ms) {
  if (!feed_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(most_ms));
    return;
  }
  // A feed that cannot reach the store waited out the time; the next
  // backstop poll reports the store's error.
  const int64_t until = SteadyNowMs() + most_ms;
  Result<bool> heard = feed_->Wait(most_ms);
  if (!heard.ok() || !*heard) return;
  look_now_ = true;
  // One look per `most_ms` at most, however many commits are announced:
  // those announced meanwhile are read by the same look.
  const int64_t left = until - SteadyNowMs();
  if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(left));
}

}  // namespace vigy::core
