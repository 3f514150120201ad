// How a subcommand joins the binary: each one is described once, by a Command
// in the table of commands.cc (name, one-line summary, whether it prints data,
// how it adds its options, how it runs). app.cc builds the command tree, the
// help text and dispatch from that table, so they cannot drift apart.
// commands.h lists the commands themselves.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace vigy::cli {

class Output;

// The options every command sees, set before a command runs.
struct GlobalOptions {
  std::optional<std::string> db;  // --db PATH; unset when not given (the default applies)
  int verbosity = 0;              // +1 per -v, -1 per -q
  bool json = false;              // --json: print data as JSON on stdout
  bool no_color = false;
};

// What a command's run function is handed.
struct Invocation {
  const GlobalOptions& global;
  Output& out;
};

// A command's run function, bound to the options its setup function declared.
using CommandRunner = std::function<core::Status(const Invocation&)>;

struct Command {
  std::string_view name;
  std::string_view summary;
  bool prints_data = false;  // gets a --json flag of its own
  // Adds the command's options and positionals to `sub` (a fresh CLI11
  // subcommand) and returns the function that runs the command once the
  // command line has been parsed into them.
  std::function<CommandRunner(CLI::App& sub)> setup;
  // Left out of --help and of "did you mean": for the shell completions' use.
  bool hidden = false;
};

// Builds a Command whose options live in an `Options` value shared by its
// setup function `setup(CLI::App&, Options&)` and its run function
// `run(const Invocation&, const Options&)`.
template <typename Options>
Command MakeCommand(std::string_view name, std::string_view summary, bool prints_data,
                    void (*setup)(CLI::App&, Options&),
                    core::Status (*run)(const Invocation&, const Options&)) {
  return Command{name, summary, prints_data, [setup, run](CLI::App& sub) -> CommandRunner {
                   auto options = std::make_shared<Options>();
                   setup(sub, *options);
                   return [options, run](const Invocation& inv) { return run(inv, *options); };
                 }};
}

// `command`, hidden from --help (see Command::hidden).
inline Command Hidden(Command command) {
  command.hidden = true;
  return command;
}

}  // namespace vigy::cli
