// vigy watch [VIGY...]: prints runs as they are committed, by any process,
// until interrupted. It follows the store's commit sequence (runs.seq), so
// every run is printed once, in commit order.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/run_printer.h"
#include "cli/stop_signals.h"
#include "cli/store_access.h"
#include "cli/vigy_printer.h"
#include "core/model_json.h"
#include "core/ops_vigies.h"
#include "core/run_follower.h"
#include "core/time_format.h"

namespace vigy::cli {
namespace {

using core::Status;

// How often the store is checked for new commits.
constexpr int kPollMs = 50;
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

// Prints the runs a RunFollower delivers.
class Printer {
 public:
  explicit Printer(const Invocation& inv) : inv_(inv) {}

  // Prints what was committed since the last poll. Sets `closed` when stdout
  // can no longer be written.
  Status Poll(core::RunFollower& follower, bool& closed) {
    bool printed = false;
    Status status = follower.Poll([&](const core::RunRecord& run) {
      Print(run);
      printed = true;
      return true;
    });
    if (!status.ok()) return status;
    if (printed) {
      std::fflush(stdout);
      closed = std::ferror(stdout) != 0;
    }
    return Status::Ok();
  }

 private:
  void Print(const core::RunRecord& run) {
    if (inv_.global.json) {
      inv_.out.Print(CompactJson(core::ToJson(run)) + "\n");
    } else {
      inv_.out.Print(RunLine(inv_.out, run));
    }
  }

  const Invocation& inv_;
};

// What is being watched, for -v.
std::string Describe(const core::RunFollower& follower) {
  if (follower.store().missing()) {
    return fmt::format("watching '{}' for new runs (no store there yet)", follower.store().path());
  }
  return fmt::format("watching '{}' for new runs", follower.store().path());
}

}  // namespace

void SetupWatch(CLI::App& sub, WatchOptions& options) {
  sub.add_option("VIGY", options.vigies, "only these vigies' runs (name, id or unique id prefix)")
      ->type_name("");
  sub.add_flag("--failed", options.failed, "only failed runs");
  sub.footer(
      "Prints each run committed after watch starts, by any process (serve, tick), in commit\n"
      "order, one line per run: STARTED, VIGY, #TICK, RESULT, DURATION, how late a scheduled\n"
      "tick started, and the first line of the error. With --json, one run object per line.\n"
      "Checks for new runs every 50ms (on PostgreSQL: as each commit is announced, and every\n"
      "5s) and runs until interrupted (exit 130); with -v, says on\n"
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
    core::Result<std::vector<core::Vigy>> vigies = core::ResolveVigies(**store, options.vigies);
    if (!vigies.ok()) return vigies.status();
    for (const core::Vigy& vigy : *vigies) ids.push_back(vigy.id);
  }

  core::RunFollower follower(std::move(ids), options.failed);
  if (Status s = follower.Start(std::move(store).value()); !s.ok()) return s;
  if (inv.global.verbosity > 0) inv.out.PrintError(fmt::format("vigy: {}\n", Describe(follower)));
  Printer printer(inv);
  while (!stop.received()) {
    bool closed = false;
    if (Status s = printer.Poll(follower, closed); !s.ok()) return s;
    if (closed) return Status::Ok();  // the reader went away: nothing left to do
    follower.Wait(kPollMs);
  }
  return Status::Interrupted("");
}

}  // namespace vigy::cli
