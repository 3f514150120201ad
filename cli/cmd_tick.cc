// vigy tick VIGY... | --all | --selector S: tick vigies now, through the same
// pipeline serve uses, and print their runs.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/run_printer.h"
#include "cli/stop_signals.h"
#include "cli/store_access.h"
#include "cli/vigy_printer.h"
#include "core/model_json.h"
#include "core/ops_runs.h"

namespace vigy::cli {
namespace {

using core::Status;

// The failed run's error ("line:col: message") as a diagnostic in the vigy's
// program, to print with the offending line; nullopt when the error has no
// position or the program that ran is no longer stored.
std::optional<lisp::Diagnostic> ErrorInProgram(core::Store& store, const core::RunRecord& run,
                                               std::string& source) {
  if (run.ok() || !run.error) return std::nullopt;
  int line = 0;
  int col = 0;
  int consumed = 0;
  if (std::sscanf(run.error->c_str(), "%d:%d: %n", &line, &col, &consumed) != 2 || consumed == 0 ||
      line <= 0) {
    return std::nullopt;
  }
  core::Result<core::Vigy> vigy = store.GetVigy(run.vigy_id);
  if (!vigy.ok() || vigy->revision != run.revision) return std::nullopt;
  source = std::move(vigy->program);
  return lisp::Diagnostic{run.vigy_name, lisp::SourcePos{line, col}, run.error->substr(consumed)};
}

// A failure with the same exit code and no message.
Status Silenced(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
      return Status::Ok();
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument("");
    case Status::Code::kNotFound:
      return Status::NotFound("");
    case Status::Code::kConflict:
      return Status::Conflict("");
    case Status::Code::kStoreUnusable:
      return Status::StoreUnusable("");
    case Status::Code::kFailed:
      return Status::Failed("");
    case Status::Code::kInterrupted:
      return Status::Interrupted("");
  }
  return Status::Failed("");
}

}  // namespace

void SetupTick(CLI::App& sub, TickCommandOptions& options) {
  sub.add_option("VIGY", options.vigies, "vigies to tick: names, ids or unique id prefixes")
      ->type_name("");
  sub.add_flag("--all", options.all, "tick every enabled vigy");
  sub.add_option("--selector,-l", options.selector,
                 "tick every enabled vigy whose labels match: k=v, k!=v or k, joined by commas")
      ->type_name("S");
  sub.add_flag("--dry-run", options.dry_run,
               "evaluate and print, but run no handler and record nothing");
  sub.footer(
      "Ticks each vigy once, in turn, and prints its run (with -q, failed runs only). A vigy\n"
      "named on the command line is ticked even when disabled; --all and --selector tick\n"
      "enabled vigies only, by name. With --json: the run object when one VIGY is named, else\n"
      "an array of run objects (in the order ticked; empty when nothing matched). Exits 1 if\n"
      "any run failed; a tick that could not run at all (e.g. the vigy is being ticked\n"
      "elsewhere for too long) is reported on stderr and sets its own exit code. A tick that\n"
      "must wait for another process's tick of the same vigy says so on stderr first.\n"
      "SIGINT, SIGTERM or SIGHUP stops the tick in progress (its commands are killed,\n"
      "nothing is recorded, its lease is given back) and exits 130.");
}

Status RunTick(const Invocation& inv, const TickCommandOptions& options) {
  core::TickRequest request;
  request.refs = options.vigies;
  request.all = options.all;
  request.selector = options.selector;
  request.dry_run = options.dry_run;
  request.on_wait = [&inv](const std::string& message) { inv.out.Error(message); };
  // A bad request is a usage error even when there is no store to open.
  if (Status s = core::CheckTickRequest(request); !s.ok()) return s;

  // A signal ends the command through the one cleanup path: what the tick
  // in progress started is killed and its lease given back.
  StopSignals signals(EndInterrupted);
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  bool single = options.vigies.size() == 1;
  bool any_failed = false;
  bool printed = false;           // a run's text is on stdout already
  std::optional<Status> trouble;  // the first tick that could not run
  nlohmann::json runs = nlohmann::json::array();
  auto report = [&](const core::Vigy& vigy, const core::Result<core::RunRecord>& run) {
    if (!run.ok()) {
      inv.out.Error(fmt::format("cannot tick '{}': {}", vigy.name, run.status().message()));
      if (!trouble) trouble = run.status();
      return;
    }
    any_failed = any_failed || !run->ok();
    if (inv.global.json) {
      if (single) {
        inv.out.PrintJson(core::ToJson(*run));
      } else {
        runs.push_back(core::ToJson(*run));
      }
      return;
    }
    // -q: only failed runs are worth a line.
    if (inv.global.verbosity < 0 && run->ok()) return;
    std::string text;
    if (printed) text += "\n";
    printed = true;
    if (!single && inv.global.verbosity <= 0) {
      text += Field(inv.out, "vigy", run->vigy_name);
    }
    std::string source;
    std::optional<lisp::Diagnostic> diagnostic = ErrorInProgram(**store, *run, source);
    RunView view{*run,    nullptr,
                 nullptr, diagnostic ? &*diagnostic : nullptr,
                 source,  inv.global.verbosity > 0};
    text += FormatRun(inv.out, view);
    inv.out.Print(text);
  };
  if (Status s = core::TickVigies(**store, request, report); !s.ok()) return s;
  if (inv.global.json && !single) inv.out.PrintJson(runs);
  // Its message was printed as it happened; keep only the exit code.
  if (trouble) return Silenced(*trouble);
  return any_failed ? Status::Failed("") : Status::Ok();
}

}  // namespace vigy::cli
