// vigy repl: read, evaluate and print, one form at a time; definitions persist.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/program_file.h"
#include "cli/repl_input.h"
#include "cli/session.h"
#include "cli/stop_signals.h"
#include "lisp/printer.h"

namespace vigy::cli {
namespace {

constexpr std::string_view kPrompt = "vigy> ";
constexpr std::string_view kContinuationPrompt = "  ... ";

}  // namespace

void SetupRepl(CLI::App& sub, ReplOptions& options) {
  AddLimitOptions(sub, options.limits);
  sub.footer(
      "Reads lines from stdin until the parentheses balance, evaluates them and prints the\n"
      "value. Definitions persist for the session; so does the kv of the vigy intrinsics.\n"
      "Limits apply to each input separately. Ctrl-D (end of input) exits 0; when stdin is\n"
      "not a terminal (a script piped in), it exits 1 if any input failed, as sqlite3 does.\n"
      "Ctrl-C ends the session at once, killing the commands it started, and exits 130.");
}

core::Status RunRepl(const Invocation& inv, const ReplOptions& options) {
  // Ctrl-C (or SIGTERM, SIGHUP) ends the session through the one cleanup
  // path: the commands its programs started are killed, exit 130.
  StopSignals signals(EndInterrupted);
  auto limits = ToLimits(options.limits);
  if (!limits.ok()) return limits.status();

  const bool interactive = isatty(STDIN_FILENO) == 1;
  bool line_open = false;  // display left a partial line on stdout
  Session session("repl", *limits, [&](std::string_view text) {
    if (text.empty()) return;
    inv.out.Print(text);
    line_open = text.back() != '\n';
  });

  std::string pending;
  std::string line;
  int inputs = 0;
  int failed = 0;
  while (true) {
    if (interactive) {
      inv.out.Print(inv.out.Paint(Style::kDim, pending.empty() ? kPrompt : kContinuationPrompt));
      inv.out.Flush();
    }
    bool eof = !std::getline(std::cin, line);
    if (!eof) {
      pending += line;
      pending += '\n';
    }
    InputBalance balance = ScanInput(pending);
    if (!balance.has_code) {
      pending.clear();
      if (eof) break;
      continue;
    }
    if (balance.open() && !eof) continue;

    Session::Outcome outcome = session.Evaluate(pending, "<repl>");
    ++inputs;
    if (!outcome.ok) ++failed;
    if (line_open) inv.out.Print("\n");
    line_open = false;
    if (outcome.ok) {
      inv.out.Print(lisp::Repr(outcome.value) + "\n");
    } else {
      PrintDiagnostics(inv.out, outcome.errors, pending);
    }
    pending.clear();
    if (eof) break;
  }
  if (interactive) inv.out.Print("\n");
  if (failed > 0 && !interactive) {
    return core::Status::Failed(
        fmt::format("{} of {} input{} failed", failed, inputs, inputs == 1 ? "" : "s"));
  }
  return core::Status::Ok();
}

}  // namespace vigy::cli
