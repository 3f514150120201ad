// vigy completions SHELL: the completion script for a shell, as installed.
// vigy __complete-vigies: the vigy names the completion scripts offer for a
// VIGY argument, one per line; hidden from --help, and silent whatever the
// store's state, since a shell calls it on every Tab.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/completion_scripts.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "storage/sqlite_store.h"

namespace vigy::cli {
namespace {

std::string ShellNames() {
  std::string names;
  for (const CompletionScript& script : CompletionScripts()) {
    if (!names.empty()) names += ", ";
    names += script.shell;
  }
  return names;
}

}  // namespace

void SetupCompletions(CLI::App& sub, CompletionsOptions& options) {
  sub.add_option("SHELL", options.shell, "bash, zsh or fish")->required()->type_name("");
  sub.footer(
      "Prints the completion script for SHELL, the same file the package installs.\n"
      "To use it in the current shell:\n"
      "  bash:  source <(vigy completions bash)\n"
      "  zsh:   vigy completions zsh > ~/.zfunc/_vigy   (with ~/.zfunc on $fpath)\n"
      "  fish:  vigy completions fish | source");
}

core::Status RunCompletions(const Invocation& inv, const CompletionsOptions& options) {
  for (const CompletionScript& script : CompletionScripts()) {
    if (script.shell == options.shell) {
      inv.out.Print(script.text);
      return core::Status::Ok();
    }
  }
  return core::Status::InvalidArgument(
      fmt::format("unknown shell '{}' (expected one of: {})", options.shell, ShellNames()));
}

void SetupCompleteVigies(CLI::App& sub, CompleteVigiesOptions& /*options*/) {
  sub.footer(
      "Prints the name of every vigy in the store, one per line; nothing, and exit 0,\n"
      "when there is no store or it cannot be read.");
}

core::Status RunCompleteVigies(const Invocation& inv, const CompleteVigiesOptions& /*options*/) {
  // kExisting never creates the store; a missing one reads as empty.
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return core::Status::Ok();
  auto listings = (*store)->ListVigies();
  if (!listings.ok()) return core::Status::Ok();
  std::string names;
  for (const core::VigyListing& listing : *listings) names += listing.vigy.name + "\n";
  inv.out.Print(names);
  return core::Status::Ok();
}

}  // namespace vigy::cli
