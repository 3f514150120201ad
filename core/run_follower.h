// Follows the runs committed to one store, by any process (serve, `vigy
// tick`, another machine's serve on a shared file), in commit order, each
// once. It reads the store's commit sequence (runs.seq). On a store that
// announces commits (PostgreSQL's NOTIFY) it looks when one is announced,
// and every kBackstopMs in case one was lost; on one that announces nothing
// (SQLite) each poll first checks the store's data version, so a poll that
// finds nothing new costs one cheap query. Used by `vigy watch` and by the
// HTTP event stream.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/store.h"

namespace vigy::core {

class RunFollower {
 public:
  // How often a store that announces commits is looked at all the same.
  static constexpr int64_t kBackstopMs = 5000;

  // Only runs of `vigy_ids` when not empty; only failed runs when failed_only.
  explicit RunFollower(std::vector<std::string> vigy_ids = {}, bool failed_only = false);

  // Takes the connection to follow. Later polls deliver the runs committed
  // after the newest one committed now, or, when `after_seq` is given, after
  // that commit sequence number.
  Status Start(std::unique_ptr<Store> store, std::optional<int64_t> after_seq = std::nullopt);

  // Calls `deliver` with each run committed since the last poll, oldest
  // first. When `deliver` returns false the poll stops after that run; the
  // next poll goes on with the run after it. A store that was missing when
  // followed is opened once its file appears; every run in it counts as new.
  Status Poll(const std::function<bool(const RunRecord&)>& deliver);
  // Blocks for `most_ms`, or on a store that announces commits until one is
  // announced (then for the rest of `most_ms` all the same, so a busy store
  // is looked at once per `most_ms` at most). Poll after it either way.
  void Wait(int64_t most_ms);

  const Store& store() const { return *store_; }
  // The commit sequence number of the last run looked at.
  int64_t last_seq() const { return last_seq_; }

 private:
  Status Reopen();
  // Opens the store's feed of commits, when it has one.
  Status Listen();

  std::vector<std::string> vigy_ids_;
  bool failed_only_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ChangeFeed> feed_;  // null: the store announces nothing
  std::optional<int64_t> data_version_;
  bool look_now_ = false;       // runs may be there: skip the cheap checks once
  int64_t backstop_at_ms_ = 0;  // steady clock; with a feed only
  int64_t last_seq_ = 0;
};

}  // namespace vigy::core
