#include "core/run_follower.h"

#include <algorithm>

namespace vigy::core {
namespace {

// Runs read per query while catching up.
constexpr int64_t kBatch = 500;

}  // namespace

RunFollower::RunFollower(std::vector<std::string> vigy_ids, bool failed_only)
    : vigy_ids_(std::move(vigy_ids)), failed_only_(failed_only) {}

Status RunFollower::Start(std::unique_ptr<Store> store, std::optional<int64_t> after_seq) {
  store_ = std::move(store);
  // The data version first, so a commit racing with this start still moves
  // it and is noticed on the next poll.
  Result<int64_t> version = store_->DataVersion();
  if (!version.ok()) return version.status();
  data_version_ = *version;
  if (after_seq) {
    last_seq_ = *after_seq;
    data_version_.reset();  // look at once: runs after `after_seq` may be there already
    return Status::Ok();
  }
  Result<int64_t> latest = store_->LatestRunSeq();
  if (!latest.ok()) return latest.status();
  last_seq_ = *latest;
  return Status::Ok();
}

Status RunFollower::Poll(const std::function<bool(const RunRecord&)>& deliver) {
  if (store_->missing()) return Reopen();
  Result<int64_t> version = store_->DataVersion();
  if (!version.ok()) return version.status();
  if (data_version_ && *version == *data_version_) return Status::Ok();
  data_version_ = *version;
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
      if (!deliver(run)) {
        data_version_.reset();  // the next poll goes on from here
        return Status::Ok();
      }
    }
    if (static_cast<int64_t>(runs->size()) == kBatch) continue;
    last_seq_ = std::max(*latest, last_seq_);
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
  data_version_.reset();
  return Status::Ok();
}

}  // namespace vigy::core
