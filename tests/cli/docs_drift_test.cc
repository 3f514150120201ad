// The man page (man/vigy.1) and the shell completions (completions/) are
// written by hand. These tests keep them from drifting away from the binary:
// they read the real command line from `vigy --help` and `vigy COMMAND --help`
// (the tree app.cc builds from the table in commands.cc) and fail when a
// command or a long option is missing from the man page or from any of the
// three completion scripts. They also render the page with groff and check
// the bash script's syntax; tests/cli/completions_test.cc runs the scripts.
#include <doctest/doctest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "tests/cli/run_binary.h"
#include "tests/support/files.h"

namespace vigy::cli {
namespace {

const std::string kSourceDir = VIGY_SOURCE_DIR;
const std::string kManPage = kSourceDir + "/man/vigy.1";
const std::string kBashScript = kSourceDir + "/completions/vigy.bash";
const std::string kZshScript = kSourceDir + "/completions/_vigy";
const std::string kFishScript = kSourceDir + "/completions/vigy.fish";

using testing::ReadFile;

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

using testing::CommandResult;
using testing::RunShellCommand;

// ---------------------------------------------------------------------------
// The command line as the binary describes it.

struct HelpText {
  std::vector<std::string> options;      // every option name, short and long
  std::vector<std::string> subcommands;  // every subcommand name and alias
};

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(' ');
  return std::string(text.substr(begin, end - begin + 1));
}

// Reads CLI11's help: the names in the first column of its "Options:" and
// "Subcommands:" sections ("-h,--help   Print ...", "list, ls   list ...").
HelpText ParseHelp(std::string_view help) {
  HelpText parsed;
  enum class Section { kOther, kOptions, kSubcommands } section = Section::kOther;
  for (const std::string& line : Lines(help)) {
    if (line.empty() || line[0] != ' ') {
      section = line == "Options:"       ? Section::kOptions
                : line == "Subcommands:" ? Section::kSubcommands
                                         : Section::kOther;
      continue;
    }
    std::string entry = Trim(line);
    // The first column ends at the first run of two spaces.
    if (size_t gap = entry.find("  "); gap != std::string::npos) entry.resize(gap);
    if (section == Section::kOptions) {
      if (entry.empty() || entry[0] != '-') continue;  // a wrapped description
      entry = entry.substr(0, entry.find(' '));        // drop the value's name
      std::istringstream names(entry);
      for (std::string name; std::getline(names, name, ',');) {
        if (name.size() >= 2) parsed.options.push_back(name);  // not a lone "-"
      }
    } else if (section == Section::kSubcommands) {
      std::istringstream names(entry);
      for (std::string name; std::getline(names, name, ',');) {
        if (!Trim(name).empty()) parsed.subcommands.push_back(Trim(name));
      }
    }
  }
  return parsed;
}

std::vector<std::string> LongOptions(const std::vector<std::string>& options) {
  std::vector<std::string> long_options;
  for (const std::string& option : options) {
    if (option.starts_with("--")) long_options.push_back(option);
  }
  return long_options;
}

struct CommandLine {
  std::vector<std::string> global_options;                  // long forms
  std::vector<std::string> commands;                        // names and aliases
  std::map<std::string, std::vector<std::string>> options;  // long forms, per command
};

// Asks the real binary, once per test run.
const CommandLine& RealCommandLine() {
  static const CommandLine line = [] {
    CommandLine result;
    testing::Sandbox sandbox;
    testing::BinaryResult top = sandbox.Run({"--help"});
    REQUIRE(top.exit_code == 0);
    HelpText help = ParseHelp(top.out);
    result.global_options = LongOptions(help.options);
    result.commands = help.subcommands;
    for (const std::string& command : result.commands) {
      testing::BinaryResult sub = sandbox.Run({command, "--help"});
      INFO("vigy ", command, " --help: ", sub.err);
      REQUIRE(sub.exit_code == 0);
      result.options[command] = LongOptions(ParseHelp(sub.out).options);
    }
    return result;
  }();
  return line;
}

// ---------------------------------------------------------------------------
// Finding names in the documents.

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// Whether `word` occurs in `text` as a whole word: not inside a longer option
// or name ("--no" is not found in "--no-color").
bool HasWord(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    bool starts = at == 0 || !IsNameChar(text[at - 1]);
    size_t after = at + word.size();
    bool ends = after == text.size() || !IsNameChar(text[after]);
    if (starts && ends) return true;
  }
  return false;
}

// The page's text with comments dropped and the escapes a reader would not
// see resolved: "\-\-every" reads "--every", "\fBadd\fP" reads "add".
std::string RoffText(std::string_view roff) {
  std::string out;
  for (size_t i = 0; i < roff.size(); ++i) {
    if (roff[i] != '\\' || i + 1 == roff.size()) {
      out += roff[i];
      continue;
    }
    char e = roff[++i];
    if (e == '"') {  // a comment, to the end of the line
      size_t newline = roff.find('\n', i);
      if (newline == std::string_view::npos) break;
      i = newline - 1;
    } else if (e == 'f') {  // \fB, \fP, ...
      if (i + 1 < roff.size()) ++i;
    } else if (e == '(') {  // \(xx: a glyph, shown as a space here
      out += ' ';
      i += 2;
    } else if (e == '&' || e == '%') {
      // zero width
    } else if (e == 'e') {
      out += '\\';
    } else {
      out += e;  // \- and the like: the character itself
    }
  }
  return out;
}

// The man page cut at its headings: ".SH NAME" and ".SS vigy add ..." each
// start a section that runs to the next heading.
struct ManSection {
  std::string heading;  // the heading line without its macro
  std::string body;
};

std::vector<ManSection> ManSections(const std::string& text) {
  std::vector<ManSection> sections;
  for (const std::string& line : Lines(text)) {
    if (line.starts_with(".SH ") || line.starts_with(".SS ")) {
      sections.push_back({line.substr(4), ""});
    } else if (!sections.empty()) {
      sections.back().body += line + "\n";
    }
  }
  return sections;
}

// The commands a ".SS vigy list ..., vigy ls ..." heading is about; none for
// a heading that does not start with "vigy ".
std::set<std::string> HeadingCommands(std::string_view heading) {
  std::set<std::string> commands;
  if (!heading.starts_with("vigy ")) return commands;
  for (size_t at = heading.find("vigy "); at != std::string_view::npos;
       at = heading.find("vigy ", at + 1)) {
    if (at > 0 && IsNameChar(heading[at - 1])) continue;
    size_t begin = at + 5;
    size_t end = begin;
    while (end < heading.size() && IsNameChar(heading[end])) ++end;
    if (end > begin) commands.emplace(heading.substr(begin, end - begin));
  }
  return commands;
}

std::string Join(const std::vector<std::string>& words) {
  std::string joined;
  for (const std::string& word : words) joined += " " + word;
  return joined;
}

// ---------------------------------------------------------------------------

TEST_CASE("the help parser reads CLI11's option and subcommand columns") {
  HelpText help = ParseHelp(
      "Usage: vigy [OPTIONS] SUBCOMMAND\n"
      "\n"
      "Options:\n"
      "  -h,--help                   Print this help message and exit\n"
      "  --db PATH                   the store file\n"
      "  --label K=V ...             a label\n"
      "  --a-very-long-option-name VALUE\n"
      "                              - a description on its own line\n"
      "\n"
      "Subcommands:\n"
      "  run                         evaluate a program\n"
      "  list, ls                    list vigies\n"
      "\n"
      "Run 'vigy COMMAND --help' for a command's options.\n");
  CHECK(help.options ==
        std::vector<std::string>{"-h", "--help", "--db", "--label", "--a-very-long-option-name"});
  CHECK(help.subcommands == std::vector<std::string>{"run", "list", "ls"});
}

TEST_CASE("a word is found only whole") {
  CHECK(HasWord("see --no-color.", "--no-color"));
  CHECK(HasWord("'--every=[tick", "--every"));
  CHECK_FALSE(HasWord("--no-color", "--no"));
  CHECK_FALSE(HasWord("--max-steps", "--max"));
  CHECK_FALSE(HasWord("runs", "run"));
  CHECK(RoffText(".BI \\-\\-every \" D\"\\\" comment\n") == ".BI --every \" D\"\n");
  CHECK(HeadingCommands("vigy list [options], vigy ls [options]") ==
        std::set<std::string>{"list", "ls"});
  CHECK(HeadingCommands("The vigy object").empty());
}

TEST_CASE("the binary's help lists every command of the table, and options") {
  const CommandLine& line = RealCommandLine();
  std::set<std::string> from_help(line.commands.begin(), line.commands.end());
  for (const Command& command : Commands()) {
    // Hidden commands (for the completion scripts' use) stay out of the help,
    // and so out of the documents.
    CHECK_MESSAGE(from_help.count(std::string(command.name)) == (command.hidden ? 0 : 1),
                  "vigy --help and the table disagree on: ", command.name);
  }
  for (const char* option : {"--db", "--json", "--no-color", "--version", "--help"}) {
    CHECK_MESSAGE(HasWord(Join(line.global_options), option), "global option ", option);
  }
  REQUIRE(line.options.count("add") == 1);
  CHECK(HasWord(Join(line.options.at("add")), "--every"));
}

TEST_CASE("the man page documents every command and option of the binary") {
  const CommandLine& line = RealCommandLine();
  std::vector<ManSection> sections = ManSections(RoffText(ReadFile(kManPage)));
  std::set<std::string> globals(line.global_options.begin(), line.global_options.end());

  std::string missing;
  const ManSection* global_section = nullptr;
  for (const ManSection& section : sections) {
    if (section.heading == "GLOBAL OPTIONS") global_section = &section;
  }
  REQUIRE_MESSAGE(global_section != nullptr, "man/vigy.1 has no GLOBAL OPTIONS section");
  for (const std::string& option : line.global_options) {
    if (!HasWord(global_section->body, option)) missing += " (global)" + option;
  }

  for (const std::string& command : line.commands) {
    std::string text;  // every section whose heading names the command
    for (const ManSection& section : sections) {
      if (HeadingCommands(section.heading).count(command) == 1) {
        text += section.heading + "\n" + section.body;
      }
    }
    if (text.empty()) {
      missing += " (no .SS heading naming 'vigy " + command + "')";
      continue;
    }
    for (const std::string& option : line.options.at(command)) {
      // --help and --json are global options too, documented once.
      if (globals.count(option) == 1) continue;
      if (!HasWord(text, option)) missing += " " + command + ":" + option;
    }
  }
  INFO("missing from man/vigy.1:", missing);
  CHECK(missing.empty());
}

TEST_CASE("the man page documents no command the binary lacks") {
  const CommandLine& line = RealCommandLine();
  std::set<std::string> real(line.commands.begin(), line.commands.end());
  std::string extra;
  for (const ManSection& section : ManSections(RoffText(ReadFile(kManPage)))) {
    for (const std::string& command : HeadingCommands(section.heading)) {
      if (real.count(command) == 0) extra += " " + command;
    }
  }
  INFO("commands in man/vigy.1 headings that vigy --help does not list:", extra);
  CHECK(extra.empty());
}

TEST_CASE("the man page renders with groff without warnings") {
  CommandResult which = RunShellCommand("command -v groff");
  REQUIRE_MESSAGE(which.exit_code == 0,
                  "groff is missing: install the groff-base package (apt-get install groff-base)");
  for (const char* device : {"", " -Tutf8", " -Tascii"}) {
    std::string command = std::string("groff -man -ww -z") + device + " '" + kManPage + "'";
    INFO(command);
    CommandResult rendered = RunShellCommand(command);
    CHECK(rendered.output == "");
    CHECK(rendered.exit_code == 0);
  }
}

// Every long option, global or a command's, once.
std::set<std::string> AllLongOptions(const CommandLine& line) {
  std::set<std::string> all(line.global_options.begin(), line.global_options.end());
  for (const auto& [command, options] : line.options) all.insert(options.begin(), options.end());
  return all;
}

TEST_CASE("the bash completion knows every command and option") {
  const CommandLine& line = RealCommandLine();
  std::string script = ReadFile(kBashScript);

  // The commands it offers: the words of its `local commands='...'` line.
  std::string offered;
  for (const std::string& text : Lines(script)) {
    std::string trimmed = Trim(text);
    if (trimmed.starts_with("local commands='")) offered = trimmed;
  }
  REQUIRE_MESSAGE(!offered.empty(), "no \"local commands='...'\" line in completions/vigy.bash");
  std::string missing;
  for (const std::string& command : line.commands) {
    if (!HasWord(offered, command)) missing += " (command)" + command;
  }
  for (const std::string& option : AllLongOptions(line)) {
    if (!HasWord(script, option)) missing += " " + option;
  }
  INFO("missing from completions/vigy.bash:", missing);
  CHECK(missing.empty());
}

TEST_CASE("the bash completion script is valid bash") {
  CommandResult checked = RunShellCommand("bash -n '" + kBashScript + "'");
  INFO(checked.output);
  CHECK(checked.exit_code == 0);
}

TEST_CASE("the zsh completion knows every command and option") {
  const CommandLine& line = RealCommandLine();
  std::string script = ReadFile(kZshScript);
  std::string missing;
  for (const std::string& command : line.commands) {
    // An entry of its command list: 'name:description'.
    if (script.find("'" + command + ":") == std::string::npos) missing += " (command)" + command;
  }
  for (const std::string& option : AllLongOptions(line)) {
    if (!HasWord(script, option)) missing += " " + option;
  }
  INFO("missing from completions/_vigy:", missing);
  CHECK(missing.empty());
}

TEST_CASE("the fish completion knows every command and each command's options") {
  const CommandLine& line = RealCommandLine();
  std::vector<std::string> script = Lines(ReadFile(kFishScript));
  std::set<std::string> globals(line.global_options.begin(), line.global_options.end());

  // Whether some `complete` line offers `-l NAME` for `command` (or, with
  // `command` empty, for every command: no condition on a subcommand).
  auto offers = [&](const std::string& command, const std::string& option) {
    std::string flag = "-l " + option.substr(2);
    for (const std::string& text : script) {
      if (!text.starts_with("complete ") || !HasWord(text, flag)) continue;
      size_t seen = text.find("__fish_seen_subcommand_from");
      if (seen == std::string::npos) return true;  // offered everywhere
      if (command.empty()) continue;
      std::string condition = text.substr(seen, text.find('\'', seen) - seen);
      if (HasWord(condition.substr(27), command)) return true;
    }
    return false;
  };

  std::string missing;
  for (const std::string& command : line.commands) {
    bool listed = false;
    for (const std::string& text : script) {
      if (text.starts_with("complete ") && text.find(" -a " + command + " ") != std::string::npos)
        listed = true;
    }
    if (!listed) missing += " (command)" + command;
  }
  for (const std::string& option : line.global_options) {
    if (!offers("", option)) missing += " (global)" + option;
  }
  for (const auto& [command, options] : line.options) {
    for (const std::string& option : options) {
      if (globals.count(option) == 1) continue;
      if (!offers(command, option)) missing += " " + command + ":" + option;
    }
  }
  INFO("missing from completions/vigy.fish:", missing);
  CHECK(missing.empty());
}

}  // namespace
}  // namespace vigy::cli
