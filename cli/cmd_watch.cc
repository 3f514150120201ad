// vigy watch [VIGY...]: prints runs as they are committed, by any process,
// until interrupted. It follows the store's commit sequence (runs.seq), so
// every run is printed once, in commit order.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/run_printer.h"
#include "cli/stop_signals.h"
#include "cli/store_access.h"
#include "cli/vigy_printer.h"
#include "core/model_json.h"
#include "core/time_format.h"
#include "storage/sqlite_store.h"

namespace vigy::cli {
namespace {

using core::Status;

// How often the store is checked for new commits.
constexpr int kPollMs = 50;
// Runs read per query while catching up.
constexpr int64_t kBatch = 500;
// Vigy names are padded to this width so that short names line up.
constexpr size_t kNameWidth = 16;
constexpr size_t kErrorWidth = 100;

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > kErrorWidth) line = line.substr(0, kErrorWidth - 3) + "...";
  return line;
}

// STARTED  VIGY  #TICK  RESULT  DURATION [late N] [error], one line.
std::string RunLine(const Output& out, const core::RunRecord& run) {
  std::string line = fmt::format(
      "{}  {:<{}}  #{:<4}  {}  {}ms", core::FormatRfc3339Ms(run.started_at_ms), run.vigy_name,
      kNameWidth, run.tick, out.Paint(ResultStyle(run.result), fmt::format("{:<7}", run.result)),
      run.duration_ms);
  if (run.scheduled_at_ms) line += "  " + FormatLateness(run);
  if (!run.ok() && run.error) line += "  " + out.Paint(Style::kRed, FirstLine(*run.error));
  return line + "\n";
}

// Follows one store from `last_seq` on.
class Follower {
 public:
  Follower(const Invocation& inv, std::vector<std::string> vigy_ids, bool failed_only)
      : inv_(inv), vigy_ids_(std::move(vigy_ids)), failed_only_(failed_only) {}

  // Starts at the newest committed run: only later commits are printed.
  Status Start(std::unique_ptr<core::Store> store) {
    store_ = std::move(store);
    // The data version first, so a commit racing with this start still
    // moves it and is noticed on the next poll.
    core::Result<int64_t> version = store_->DataVersion();
    if (!version.ok()) return version.status();
    data_version_ = *version;
    core::Result<int64_t> latest = store_->LatestRunSeq();
    if (!latest.ok()) return latest.status();
    last_seq_ = *latest;
    return Status::Ok();
  }

  // What is being watched, for -v.
  std::string Describe() const {
    if (store_->missing()) {
      return fmt::format("watching '{}' for new runs (no store there yet)", store_->path());
    }
    return fmt::format("watching '{}' for new runs", store_->path());
  }

  // Prints what was committed since the last poll. Sets `closed` when stdout
  // can no longer be written.
  Status Poll(bool& closed) {
    if (store_->missing()) return Reopen();
    core::Result<int64_t> version = store_->DataVersion();
    if (!version.ok()) return version.status();
    if (*version == data_version_) return Status::Ok();
    data_version_ = *version;
    for (;;) {
      // Every run numbered up to `latest` was committed before it was read,
      // so once the filtered query comes back short, nothing up to `latest`
      // is left to print, whether it matched the filter or not.
      core::Result<int64_t> latest = store_->LatestRunSeq();
      if (!latest.ok()) return latest.status();
      core::Result<std::vector<core::RunRecord>> runs =
          store_->ListRunsCommittedAfter(last_seq_, vigy_ids_, failed_only_, kBatch);
      if (!runs.ok()) return runs.status();
      for (const core::RunRecord& run : *runs) Print(run);
      std::fflush(stdout);
      if (std::ferror(stdout)) {
        closed = true;
        return Status::Ok();
      }
      if (static_cast<int64_t>(runs->size()) == kBatch) {
        last_seq_ = runs->back().seq;
        continue;
      }
      last_seq_ = std::max(*latest, runs->empty() ? last_seq_ : runs->back().seq);
      return Status::Ok();
    }
  }

 private:
  // A store that did not exist when the watch started: once the file is
  // there, every run in it was committed after the start.
  Status Reopen() {
    std::error_code ec;
    if (std::filesystem::file_size(store_->path(), ec) == 0 || ec) return Status::Ok();
    core::Result<std::unique_ptr<core::Store>> store = store_->NewConnection();
    if (!store.ok()) return store.status();
    if ((*store)->missing()) return Status::Ok();
    store_ = std::move(store).value();
    last_seq_ = 0;
    data_version_.reset();
    return Status::Ok();
  }

  void Print(const core::RunRecord& run) {
    if (inv_.global.json) {
      inv_.out.Print(CompactJson(core::ToJson(run)) + "\n");
    } else {
      inv_.out.Print(RunLine(inv_.out, run));
    }
  }

  const Invocation& inv_;
  std::vector<std::string> vigy_ids_;
  bool failed_only_;
  std::unique_ptr<core::Store> store_;
  std::optional<int64_t> data_version_;
  int64_t last_seq_ = 0;
};

}  // namespace

void SetupWatch(CLI::App& sub, WatchOptions& options) {
  sub.add_option("VIGY", options.vigies, "only these vigies' runs (name, id or unique id prefix)")
      ->type_name("");
  sub.add_flag("--failed", options.failed, "only failed runs");
  sub.footer(
      "Prints each run committed after watch starts, by any process (serve, tick), in commit\n"
      "order, one line per run: STARTED, VIGY, #TICK, RESULT, DURATION, how late a scheduled\n"
      "tick started, and the first line of the error. With --json, one run object per line.\n"
      "Checks for new runs every 50ms and runs until interrupted (exit 130); with -v, says on\n"
      "stderr what it watches. A store that does not exist yet is waited for; VIGY names must\n"
      "exist when watch starts.");
}

Status RunWatch(const Invocation& inv, const WatchOptions& options) {
  StopSignals stop([](int) {});
  // A closed stdout then shows up as a write error instead of killing the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  std::vector<std::string> ids;
  if (!options.vigies.empty()) {
    core::Result<std::vector<core::Vigy>> vigies = ResolveVigies(**store, options.vigies);
    if (!vigies.ok()) return vigies.status();
    for (const core::Vigy& vigy : *vigies) ids.push_back(vigy.id);
  }

  Follower follower(inv, std::move(ids), options.failed);
  if (Status s = follower.Start(std::move(store).value()); !s.ok()) return s;
  if (inv.global.verbosity > 0) inv.out.PrintError(fmt::format("vigy: {}\n", follower.Describe()));
  while (!stop.received()) {
    bool closed = false;
    if (Status s = follower.Poll(closed); !s.ok()) return s;
    if (closed) return Status::Ok();  // the reader went away: nothing left to do
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
  return Status::Interrupted("");
}

}  // namespace vigy::cli
