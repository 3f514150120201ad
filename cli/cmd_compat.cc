// The first vigy's command names, so that its scripts keep working: register
// (add --replace, --every in milliseconds), inspect (show), delete (rm) and
// tail (watch --json). Hidden from --help; vigy(1) lists them under
// COMPATIBILITY. Each one runs the command it stands for.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace vigy::cli {

using core::Status;

void SetupRegister(CLI::App& sub, RegisterOptions& options) {
  sub.add_option("file", options.file, "the program file, or - for stdin")
      ->required()
      ->type_name("FILE");
  sub.add_option("--name", options.name, "the vigy's name")->required()->type_name("NAME");
  sub.add_option("--every", options.every_ms, "tick interval in milliseconds (default 1000)")
      ->type_name("MS");
  sub.add_option("--label", options.labels, "a label KEY=VALUE (repeatable)")->type_name("K=V");
  sub.add_flag("--disabled", options.disabled, "register it disabled");
  sub.footer(
      "As 'vigy add --replace FILE --name NAME --every MSms': registers the vigy, or\n"
      "updates the one of that name keeping its kv, state and runs.");
}

Status RunRegister(const Invocation& inv, const RegisterOptions& options) {
  if (options.every_ms.empty() ||
      options.every_ms.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("bad --every '{}': expected a whole number of milliseconds", options.every_ms));
  }
  AddOptions add;
  add.file = options.file;
  add.name = options.name;
  add.replace = true;
  add.settings.every = options.every_ms + "ms";
  add.settings.labels = options.labels;
  add.settings.disabled = options.disabled;
  return RunAdd(inv, add);
}

void SetupTail(CLI::App& sub, TailOptions& options) {
  sub.add_option("--id", options.id, "only the runs of this vigy (name, id or id prefix)")
      ->type_name("VIGY");
  sub.footer("As 'vigy watch --json [VIGY]': one JSON run per line as runs are committed.");
}

Status RunTail(const Invocation& inv, const TailOptions& options) {
  GlobalOptions global = inv.global;
  global.json = true;
  WatchOptions watch;
  if (options.id) watch.vigies.push_back(*options.id);
  return RunWatch(Invocation{global, inv.out}, watch);
}

}  // namespace vigy::cli
