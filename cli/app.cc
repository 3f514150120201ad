#include "cli/app.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/ids.h"
#include "lisp/suggest.h"

namespace vigy::cli {

void AddGlobalOptions(CLI::App& app, GlobalOptions& global, int& verbose, int& quiet) {
  app.add_option("--db", global.db,
                 "the store file (default: $VIGY_DB, else $XDG_DATA_HOME/vigy/vigy.db)")
      ->type_name("PATH");
  // Counted by repetition (-vv); "--verbose=N" is refused rather than parsed.
  app.add_flag("-v,--verbose", verbose, "say more (repeat for more)")->disable_flag_override();
  app.add_flag("-q,--quiet", quiet, "say less")->disable_flag_override();
  app.add_flag("--json", global.json, "print data as JSON");
  app.add_flag("--no-color", global.no_color, "never colour output (also: NO_COLOR=1)");
}

namespace {

struct BoundCommand {
  std::string name;
  CLI::App* sub;
  CommandRunner run;
};

// CLI11's message, shaped like every other error: lower case first, one line.
std::string OneLine(std::string message) {
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
      !std::isupper(static_cast<unsigned char>(message[1]))) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  return message;
}

// The first argument that is neither an option nor an option's value, if the
// parse got no further than the top level: what the user meant as a command.
std::string FirstWord(const std::vector<std::string>& remaining) {
  for (const std::string& arg : remaining) {
    if (!arg.empty() && arg[0] != '-') return arg;
  }
  return "";
}

std::string UnknownCommand(const std::string& word, const std::vector<BoundCommand>& commands) {
  std::vector<std::string_view> names;
  for (const BoundCommand& c : commands) {
    if (!c.sub->get_group().empty()) names.push_back(c.name);
  }
  std::string guess = lisp::ClosestName(word, names);
  if (guess.empty()) return fmt::format("unknown command '{}'", word);
  return fmt::format("unknown command '{}' (did you mean '{}'?)", word, guess);
}

// An argument that looks like an option but is none. For a command, one
// that could be a vigy name ("-dash") gets the hint how to pass such a name.
std::string UnknownOption(const std::string& arg, const BoundCommand* selected) {
  if (selected && !arg.starts_with("--") && core::ValidateVigyName(arg).ok()) {
    return fmt::format(
        "unknown option '{}' (a vigy named '{}' goes after '--', as in: vigy {} -- {})", arg, arg,
        selected->name, arg);
  }
  return fmt::format("unknown option '{}'", arg);
}

// The first argument left over that starts with '-', if any.
std::string FirstDashed(const std::vector<std::string>& remaining) {
  for (const std::string& arg : remaining) {
    if (arg.size() > 1 && arg[0] == '-') return arg;
  }
  return "";
}

std::string UsageMessage(const CLI::ParseError& e, const BoundCommand* selected,
                         const std::vector<BoundCommand>& commands, CLI::App& app) {
  // An unknown option is the problem to name, even when CLI11 noticed a
  // missing argument first ("rm --bogus" lacks its VIGY because of it).
  std::vector<std::string> leftover = app.remaining();
  if (selected) {
    std::vector<std::string> own = selected->sub->remaining();
    leftover.insert(leftover.begin(), own.begin(), own.end());
  }
  if (selected && dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    std::string dashed = FirstDashed(leftover);
    if (!dashed.empty()) return UnknownOption(dashed, selected);
  }
  // "--db: At Most 1 required but received 2": an option given twice.
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    std::string_view what = e.what();
    size_t colon = what.find(": At Most 1 required");
    if (colon != std::string_view::npos) {
      return fmt::format("{} was given more than once", what.substr(0, colon));
    }
    size_t override_at = what.find(" was given a disallowed flag override");
    if (override_at != std::string_view::npos) {
      return fmt::format("--{} takes no value (repeat it to count)", what.substr(0, override_at));
    }
  }
  if (selected == nullptr) {
    std::vector<std::string> remaining = app.remaining();
    std::string word = FirstWord(remaining);
    if (!word.empty()) return UnknownCommand(word, commands);
    if (!remaining.empty()) return UnknownOption(remaining[0], selected);
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
        std::string_view(e.what()).starts_with("A subcommand")) {
      return "a command is required";
    }
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::vector<std::string> extras = selected ? selected->sub->remaining() : app.remaining();
    if (extras.empty()) extras = app.remaining();
    if (!extras.empty() && extras[0].starts_with("-")) return UnknownOption(extras[0], selected);
    if (!extras.empty()) return fmt::format("unexpected argument '{}'", extras[0]);
  }
  return OneLine(e.what());
}

// An option that takes a value but was handed another option of the same
// command instead ("serve --selector --once"): CLI11 takes the next word as
// the value; a user almost never means that.
std::string ValueThatIsAnOption(const CLI::App& app, const BoundCommand* selected) {
  std::vector<const CLI::App*> scopes = {&app};
  if (selected) scopes.push_back(selected->sub);
  for (const CLI::App* scope : scopes) {
    for (const CLI::Option* option : scope->get_options()) {
      if (!option->nonpositional() || option->get_expected_min() == 0 || option->count() == 0) {
        continue;
      }
      for (const std::string& value : option->results()) {
        if (!value.starts_with("--")) continue;
        std::string name = value.substr(0, value.find('='));
        for (const CLI::App* other : scopes) {
          if (other->get_option_no_throw(name) != nullptr) {
            return fmt::format("{} needs a value, got the option '{}'", option->get_name(), value);
          }
        }
      }
    }
  }
  return "";
}

// "vigy help [COMMAND]": the position of "help" where a command would go
// (after any global options), or 0 when the command line is not a help request.
int HelpRequestAt(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--db") {
      ++i;
      continue;
    }
    if (arg.starts_with("-")) continue;
    return arg == "help" ? i : 0;
  }
  return 0;
}

int ExitWith(Output& out, const core::Status& status) {
  if (!status.ok() && !status.message().empty()) out.Error(status.message());
  out.Flush();
  return core::ExitCode(status);
}

}  // namespace

int Main(int argc, char** argv) {
  GlobalOptions global;
  int verbose = 0;
  int quiet = 0;

  CLI::App app{"vigy: small reconcilers written in a Lisp, ticked from one SQLite file.", "vigy"};
  app.set_version_flag("--version", std::string("vigy ") + VIGY_VERSION);
  AddGlobalOptions(app, global, verbose, quiet);
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command
  app.footer("Run 'vigy COMMAND --help' for a command's options.");

  std::vector<BoundCommand> commands;
  for (Command& command : Commands()) {
    CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
    if (command.prints_data) sub->add_flag("--json", global.json, "print data as JSON");
    if (command.hidden) sub->group("");
    commands.push_back({std::string(command.name), sub, command.setup(*sub)});
  }

  // "vigy" alone and "vigy help [COMMAND]" print the usage, as --help does.
  if (argc == 1) {
    Output::ForProcess(NoColorRequested()).Print(app.help());
    return 0;
  }
  if (int at = HelpRequestAt(argc, argv); at > 0) {
    Output out = Output::ForProcess(NoColorRequested());
    if (at + 1 >= argc) {
      out.Print(app.help());
      return 0;
    }
    std::string topic = argv[at + 1];
    for (const BoundCommand& c : commands) {
      if (c.name == topic || (topic == "ls" && c.name == "list")) {
        out.Print(c.sub->help("vigy"));
        return 0;
      }
    }
    out.Error(UnknownCommand(topic, commands));
    out.PrintError("run 'vigy --help' for usage\n");
    return ExitWith(out, core::Status::InvalidArgument(""));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    Output out = Output::ForProcess(global.no_color || NoColorRequested());
    const BoundCommand* selected = nullptr;
    for (const BoundCommand& c : commands) {
      if (c.sub->parsed()) selected = &c;
    }
    out.Error(UsageMessage(e, selected, commands, app));
    out.PrintError(
        fmt::format("run 'vigy {}--help' for usage\n", selected ? selected->name + " " : ""));
    return ExitWith(out, core::Status::InvalidArgument(""));
  } catch (const std::exception& e) {
    // A value CLI11 could not convert (a number past its range, say).
    Output out = Output::ForProcess(global.no_color || NoColorRequested());
    out.Error(OneLine(fmt::format("a command-line value could not be read: {}", e.what())));
    out.PrintError("run 'vigy --help' for usage\n");
    return ExitWith(out, core::Status::InvalidArgument(""));
  }

  global.verbosity = verbose - quiet;
  Output out = Output::ForProcess(global.no_color);
  const BoundCommand* chosen = nullptr;
  for (const BoundCommand& c : commands) {
    if (c.sub->parsed()) chosen = &c;
  }
  if (std::string problem = ValueThatIsAnOption(app, chosen); !problem.empty()) {
    out.Error(problem);
    out.PrintError(
        fmt::format("run 'vigy {}--help' for usage\n", chosen ? chosen->name + " " : ""));
    return ExitWith(out, core::Status::InvalidArgument(""));
  }
  for (const BoundCommand& c : commands) {
    if (!c.sub->parsed()) continue;
    try {
      return ExitWith(out, c.run(Invocation{global, out}));
    } catch (const std::exception& e) {
      return ExitWith(out, core::Status::Failed(fmt::format("internal error: {}", e.what())));
    }
  }
  return ExitWith(out, core::Status::InvalidArgument("a command is required"));
}

}  // namespace vigy::cli
