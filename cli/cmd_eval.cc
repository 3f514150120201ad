// vigy eval EXPR: compile and run one expression, print its value.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/program_file.h"
#include "cli/session.h"
#include "cli/stop_signals.h"
#include "lisp/json.h"
#include "lisp/printer.h"

namespace vigy::cli {

void SetupEval(CLI::App& sub, EvalOptions& options) {
  sub.add_option("EXPR", options.expr, "the code to run (one or more forms)")
      ->required()
      ->type_name("");
  AddLimitOptions(sub, options.limits);
  sub.footer(
      "Prints the readable form of the last form's value (with --json, the value as JSON).\n"
      "Output of display and print goes to stdout, or to stderr with --json, so that stdout\n"
      "is exactly one JSON document. Exits 1 if the code fails.");
}

core::Status RunEval(const Invocation& inv, const EvalOptions& options) {
  // A signal ends the command through the one cleanup path: the commands
  // the program started are killed before it exits 130.
  StopSignals signals(EndInterrupted);
  auto limits = ToLimits(options.limits);
  if (!limits.ok()) return limits.status();

  // Under --json, stdout is the value alone; what the program prints goes to
  // stderr, as the log of a run would.
  const bool json = inv.global.json;
  bool line_open = false;  // display left a partial line
  Session session("eval", *limits, [&](std::string_view text) {
    if (text.empty()) return;
    json ? inv.out.PrintError(text) : inv.out.Print(text);
    line_open = text.back() != '\n';
  });
  Session::Outcome outcome = session.Evaluate(options.expr, "<eval>");
  if (line_open) json ? inv.out.PrintError("\n") : inv.out.Print("\n");
  if (!outcome.ok) {
    PrintDiagnostics(inv.out, outcome.errors, options.expr, "vigy: ");
    return core::Status::Failed("");
  }
  if (json) {
    nlohmann::json value;
    try {
      value = lisp::ToJson(outcome.value);
    } catch (const std::length_error& e) {
      return core::Status::Failed(fmt::format("the value has no JSON form: {}", e.what()));
    }
    inv.out.PrintJson(value);
  } else {
    inv.out.Print(lisp::Repr(outcome.value) + "\n");
  }
  return core::Status::Ok();
}

}  // namespace vigy::cli
