// vigy run FILE: evaluate a program once, without a store, and print the run.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/arg_parsers.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/program_file.h"
#include "cli/run_printer.h"
#include "cli/stop_signals.h"
#include "core/ops_programs.h"

namespace vigy::cli {
namespace {

core::Result<core::Kv> SeedKv(const std::vector<std::string>& seeds) {
  core::Kv kv;
  for (const std::string& seed : seeds) {
    auto parsed = ParseKvSeed(seed);
    if (!parsed.ok()) return parsed.status();
    kv[parsed->first] = std::move(parsed->second);
  }
  return kv;
}

}  // namespace

void SetupRun(CLI::App& sub, RunOptions& options) {
  sub.add_option("FILE", options.file, "the program (- for stdin)")->required()->type_name("");
  sub.add_option("--kv", options.kv, "seed the kv: KEY=JSON, e.g. --kv count=3 --kv name='\"web\"'")
      ->type_name("KEY=JSON")
      ->allow_extra_args(false);  // one value per --kv, so FILE may follow
  AddLimitOptions(sub, options.limits);
  sub.footer(
      "The vigy is named after the file's stem. Prints the run; with --json, the run object\n"
      "plus \"kv\" and \"state\". Exits 0 if the run is ok, 1 if the program fails to compile\n"
      "or the run fails, 2 on bad arguments.");
}

core::Status RunRun(const Invocation& inv, const RunOptions& options) {
  // A signal ends the command through the one cleanup path: the commands
  // the program started are killed before it exits 130.
  StopSignals signals(EndInterrupted);
  auto limits = ToLimits(options.limits);
  if (!limits.ok()) return limits.status();
  auto kv = SeedKv(options.kv);
  if (!kv.ok()) return kv.status();
  auto file = ReadProgramFile(options.file);
  if (!file.ok()) return file.status();

  core::RunRequest request;
  request.source = file->text;
  request.file = file->name;
  request.vigy_name = file->stem;
  request.kv = std::move(*kv);
  request.limits = *limits;
  std::vector<lisp::Diagnostic> diagnostics;
  core::Result<core::TickOutcome> ran = core::RunProgram(request, &diagnostics);
  PrintDiagnostics(inv.out, diagnostics, file->text);
  if (!ran.ok()) {
    return ran.status().code() == core::Status::Code::kFailed ? core::Status::Failed("")
                                                              : ran.status();
  }
  const core::TickOutcome& outcome = *ran;

  const lisp::Diagnostic* diagnostic = outcome.diagnostic ? &*outcome.diagnostic : nullptr;
  if (inv.global.json) {
    inv.out.PrintJson(core::ToJson(outcome));
    if (diagnostic) inv.out.Error(diagnostic->Format());
  } else {
    RunView view{outcome.run, &outcome.state, &outcome.kv,
                 diagnostic,  file->text,     inv.global.verbosity > 0};
    inv.out.Print(FormatRun(inv.out, view));
  }
  return outcome.run.ok() ? core::Status::Ok() : core::Status::Failed("");
}

}  // namespace vigy::cli
