// vigy rm VIGY...: remove vigies with everything that belongs to them.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "core/ops_vigies.h"

namespace vigy::cli {

void SetupRm(CLI::App& sub, RmOptions& options) {
  sub.add_option("VIGY", options.vigies, "vigies: names, ids or unique id prefixes")
      ->required()
      ->type_name("");
  sub.footer(
      "Removes each vigy with its kv, state and run history. Every VIGY is looked up first:\n"
      "if any names no vigy (exit 3) or is an ambiguous prefix (exit 2), nothing is removed.\n"
      "Prints one line per vigy removed (none with -q).");
}

core::Status RunRm(const Invocation& inv, const RmOptions& options) {
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  auto vigies = core::DeleteVigies(**store, options.vigies);
  if (!vigies.ok()) return vigies.status();
  for (const core::Vigy& vigy : *vigies) {
    if (inv.global.verbosity >= 0) inv.out.Print(fmt::format("removed {}\n", vigy.name));
  }
  return core::Status::Ok();
}

}  // namespace vigy::cli
