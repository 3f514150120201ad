// vigy enable VIGY... and vigy disable VIGY...: whether serve ticks a vigy.
// One file for both: they are the same command with the opposite flag.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "core/ops_vigies.h"

namespace vigy::cli {
namespace {

void Setup(CLI::App& sub, EnableOptions& options, std::string_view verb) {
  sub.add_option("VIGY", options.vigies, "vigies: names, ids or unique id prefixes")
      ->required()
      ->type_name("");
  sub.footer(fmt::format(
      "Every VIGY is looked up first: if any names no vigy (exit 3) or is an ambiguous prefix\n"
      "(exit 2), nothing is changed. Prints one line per vigy {} (none with -q); a vigy that\n"
      "already was is left untouched and said so ('x was already {}'). 'vigy tick' ticks a\n"
      "disabled vigy when it is named.",
      verb, verb));
}

core::Status SetEnabled(const Invocation& inv, const EnableOptions& options, bool enabled) {
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  auto vigies = core::SetVigiesEnabled(**store, options.vigies, enabled);
  if (!vigies.ok()) return vigies.status();
  const std::string_view verb = enabled ? "enabled" : "disabled";
  for (const core::EnabledChange& change : *vigies) {
    if (inv.global.verbosity < 0) continue;
    if (!change.changed) {
      inv.out.Print(fmt::format("{} was already {}\n", change.vigy.name, verb));
      continue;
    }
    inv.out.Print(fmt::format("{} {}\n", verb, change.vigy.name));
  }
  return core::Status::Ok();
}

}  // namespace

void SetupEnable(CLI::App& sub, EnableOptions& options) { Setup(sub, options, "enabled"); }
core::Status RunEnable(const Invocation& inv, const EnableOptions& options) {
  return SetEnabled(inv, options, true);
}

void SetupDisable(CLI::App& sub, EnableOptions& options) { Setup(sub, options, "disabled"); }
core::Status RunDisable(const Invocation& inv, const EnableOptions& options) {
  return SetEnabled(inv, options, false);
}

}  // namespace vigy::cli
