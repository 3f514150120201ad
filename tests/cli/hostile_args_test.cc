// The command line under attack. Random argument vectors, generated from the
// one description of the commands (the table in cli/commands.cc and the
// options each command's setup declares, walked here through CLI11), with
// hostile values (hostile_values.h), are thrown at the real binary against a
// real store in a temporary directory. Every invocation must:
//  - end by itself (exit), never by a signal it was not sent;
//  - exit with a documented code: 0, 1, 2, 3, 4, 5 or 130;
//  - on failure, say why in exactly one "vigy: " line on stderr, its last
//    line; a usage error (2) may add the one line pointing at --help after
//    it, a program's compile diagnostics (file:line:col, its source line and
//    a caret) may come before it, check may report each of its files before
//    its summary, and a command the harness stopped with a signal may exit
//    130 without a word (as after Ctrl-C); no raw escape character ever;
//  - leave every file in the directory byte for byte as it was, unless it
//    was a writing command (add, update, rm, enable, disable, tick, kv set or
//    rm, runs --prune, serve, import, export) that succeeded (or, for tick
//    and serve --once, recorded failed runs: exit 1);
//  - leave no tick lease held in the store;
//  - finish within a bound (serve and watch, which run until stopped, are
//    sent SIGTERM after a moment and must then stop);
//  - leave no process it started behind (every process carries a marker in
//    its environment, which the harness looks for in /proc).
// Seeded: VIGY_HOSTILE_SEED (default fixed), VIGY_HOSTILE_COUNT invocations
// (default sized for CI, about a minute), or VIGY_HOSTILE_SECONDS to run for
// a time instead; bench/hostile_args.sh makes the long run. Each failure
// prints the seed, the invocation's index and the command line to rerun.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/app.h"
#include "cli/commands.h"
#include "core/ids.h"
#include "storage/sqlite_db.h"
#include "tests/cli/hostile_values.h"
#include "tests/cli/run_binary.h"

namespace vigy::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using hostile::Dice;

// ---------------------------------------------------------------------------
// The commands, as the binary describes them.

struct OptionSpec {
  std::vector<std::string> spellings;  // "--every", "-l"; empty for a positional
  std::string kind;                    // what its values mean (see ValueFor)
  bool flag = false;                   // takes no value
  bool repeatable = false;
};

struct CommandSpec {
  std::string name;
  std::vector<OptionSpec> options;      // named options and flags
  std::vector<OptionSpec> positionals;  // in order
};

OptionSpec Describe(const CLI::Option& option) {
  OptionSpec spec;
  for (const std::string& name : option.get_lnames()) spec.spellings.push_back("--" + name);
  for (const std::string& name : option.get_snames()) spec.spellings.push_back("-" + name);
  spec.flag = option.get_type_size() == 0;
  spec.repeatable = option.get_expected_max() > 1 || option.get_items_expected_max() > 1;
  const std::string type = option.get_type_name();
  // A positional is known by its name, an option by its long name or the
  // type name its help shows.
  if (!option.nonpositional()) {
    spec.kind = option.get_name();
  } else if (option.check_lname("name") || option.check_lname("cron") ||
             option.check_lname("log-format") || option.check_lname("since")) {
    spec.kind = option.get_lnames().front();
  } else {
    spec.kind = type;
  }
  return spec;
}

std::vector<OptionSpec> DescribeOptions(const CLI::App& app, bool positionals) {
  std::vector<OptionSpec> specs;
  for (const CLI::Option* option : app.get_options()) {
    if (option->nonpositional() == positionals) continue;
    specs.push_back(Describe(*option));
  }
  return specs;
}

struct CommandLine {
  std::vector<OptionSpec> globals;
  std::vector<CommandSpec> commands;
};

CommandLine DescribeCommandLine() {
  CommandLine line;
  CLI::App app;
  cli::GlobalOptions global;
  int verbose = 0;
  int quiet = 0;
  cli::AddGlobalOptions(app, global, verbose, quiet);
  line.globals = DescribeOptions(app, false);
  line.globals.push_back(OptionSpec{{"--version"}, "", true, false});
  static std::vector<cli::Command> table;  // option storage lives in the runners
  static std::vector<cli::CommandRunner> runners;
  table = cli::Commands();
  for (cli::Command& command : table) {
    CLI::App* sub = app.add_subcommand(std::string(command.name), "");
    if (command.prints_data) sub->add_flag("--json", global.json, "");
    runners.push_back(command.setup(*sub));
    CommandSpec spec;
    spec.name = std::string(command.name);
    spec.options = DescribeOptions(*sub, false);
    spec.positionals = DescribeOptions(*sub, true);
    line.commands.push_back(std::move(spec));
  }
  return line;
}

// ---------------------------------------------------------------------------
// The directory the binary works in.

// Fixed names the store holds after each reset.
const std::vector<std::string> kNames = {"alpha", "beta", "gamma"};

struct Workspace {
  fs::path root;  // holds work/ and io/
  fs::path work;  // the binary's working directory: fixtures, store, home
  fs::path io;    // the binary's stdin, stdout and stderr files
  fs::path store() const { return work / "vigy.db"; }
};

void WriteFile(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFixtures(const Workspace& ws) {
  WriteFile(ws.work / "ok.vigy", "(vigy-noop)\n");
  WriteFile(ws.work / "acts.vigy", "(dotimes (i 3) (vigy-create i))\n");
  WriteFile(ws.work / "fails.vigy", "(vigy-set \"a\" 1)\n(car (list))\n");
  WriteFile(ws.work / "bad.vigy", "(define x 1)\n(undefined-fn x)\n(car 1 2 3)\n");
  WriteFile(ws.work / "empty.vigy", "");
  WriteFile(ws.work / "comment.vigy", ";; nothing\n");
  WriteFile(ws.work / "bom.vigy", "\xef\xbb\xbf(vigy-noop)\n");
  WriteFile(ws.work / "nul.vigy", std::string("(vigy-noop)\0(x)\n", 16));
  WriteFile(ws.work / "deep.vigy", hostile::Repeat("(", 5000) + hostile::Repeat(")", 5000));
  WriteFile(ws.work / "esc.vigy", "(error \"a\\nb \\u001b[31mRED\")\n");
  WriteFile(ws.work / "big.vigy", hostile::Repeat("(vigy-noop)\n", 200000));  // 2.4 MB
  std::string binary;
  uint64_t x = 0x9e3779b97f4a7c15;
  for (int i = 0; i < 4096; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    binary += static_cast<char>(x & 0xff);
  }
  WriteFile(ws.work / "binary.vigy", binary);
  WriteFile(ws.work / "notadb.txt", "this is not a database\n");
  fs::create_directories(ws.work / "dir.vigy");
  fs::create_directories(ws.work / "home");
  std::error_code ignored;
  fs::create_symlink("ok.vigy", ws.work / "link.vigy", ignored);
  fs::create_symlink("loop.vigy", ws.work / "loop.vigy", ignored);
  ::mkfifo((ws.work / "fifo.vigy").c_str(), 0600);
}

std::string Path(Dice& dice, const Workspace& ws) {
  static const std::vector<std::string> local = {
      "ok.vigy",      "acts.vigy", "fails.vigy", "bad.vigy",  "empty.vigy", "comment.vigy",
      "bom.vigy",     "nul.vigy",  "deep.vigy",  "esc.vigy",  "big.vigy",   "binary.vigy",
      "notadb.txt",   "dir.vigy",  "link.vigy",  "loop.vigy", "fifo.vigy",  "missing.vigy",
      "nodir/x.vigy", "-",         ".",          "vigy.db",   "home",       "dir.vigy/",
  };
  static const std::vector<std::string> system = {
      "/dev/null", "/dev/zero", "/dev/urandom", "/proc/self/status", "/", "/nonexistent/x"};
  if (dice.Chance(0.08)) return dice.Pick(system);
  if (dice.Chance(0.05)) return std::string(5000, 'p') + ".vigy";
  if (dice.Chance(0.05)) return "new\nline.vigy";
  std::string name = dice.Pick(local);
  return dice.Chance(0.3) ? (ws.work / name).string() : name;
}

std::string StorePathValue(Dice& dice, const Workspace& ws) {
  static const std::vector<std::string> values = {
      "",          ".",          "/",       "dir.vigy",         "/dev/null",
      "/dev/zero", "notadb.txt", "ok.vigy", "missing-dir/x.db", "fifo.vigy",
      "new.db",    "-",          "home",    "vigy.db-wal",
  };
  if (dice.Chance(0.6)) return ws.store().string();
  if (dice.Chance(0.05)) return std::string(5000, 'd') + ".db";
  return dice.Pick(values);
}

// ---------------------------------------------------------------------------
// Argument vectors.

std::string ValueFor(Dice& dice, const std::string& kind, const Workspace& ws) {
  if (dice.Chance(0.07)) return hostile::AnyHostile(dice);
  if (kind == "D" || kind == "since") return hostile::Duration(dice);
  if (kind == "N") return hostile::Count(dice);
  if (kind == "SIZE") return hostile::Size(dice);
  if (kind == "S") return hostile::Selector(dice);
  if (kind == "PATH") return StorePathValue(dice, ws);
  if (kind == "KEY=JSON") return hostile::KeyValueJson(dice, hostile::Key(dice));
  if (kind == "K=V") return hostile::Label(dice);
  if (kind == "KEY") return hostile::Key(dice);
  if (kind == "CMD") return hostile::Handler(dice);
  if (kind == "cron") return hostile::Cron(dice);
  if (kind == "name" || kind == "VIGY") {
    std::vector<std::string> known = kNames;
    known.push_back(core::VigyIdFromName("alpha").substr(0, 4));
    known.push_back(core::VigyIdFromName("beta"));
    return hostile::Name(dice, known);
  }
  if (kind == "log-format")
    return dice.Pick(std::vector<std::string>{"text", "json", "JSON", "xml", ""});
  if (kind == "FILE") return Path(dice, ws);
  if (kind == "EXPR") return hostile::Program(dice);
  if (kind == "SHELL")
    return dice.Pick(std::vector<std::string>{"bash", "zsh", "fish", "sh", "", "BASH"});
  if (kind == "ACTION") {
    return dice.Pick(std::vector<std::string>{"get", "set", "rm", "list", "del", "", "SET"});
  }
  if (kind == "JSON") return hostile::Json(dice);
  return hostile::AnyHostile(dice);  // a kind this harness does not know yet
}

// One option as it could be written: --opt value, --opt=value, -o value.
void AppendOption(Dice& dice, const OptionSpec& option, const Workspace& ws,
                  std::vector<std::string>& args) {
  const std::string& spelling = dice.Pick(option.spellings);
  if (option.flag) {
    args.push_back(spelling);
    return;
  }
  std::string value = ValueFor(dice, option.kind, ws);
  if (spelling.starts_with("--") && dice.Chance(0.4)) {
    args.push_back(spelling + "=" + value);
  } else {
    args.push_back(spelling);
    if (!dice.Chance(0.03)) args.push_back(value);  // sometimes the value is missing
  }
}

struct Invocation {
  std::vector<std::string> args;
  std::string command;                                    // the command chosen, empty if none
  std::map<std::string, std::optional<std::string>> env;  // changes to the base environment
  std::string stdin_text;
  std::optional<int> signal;  // sent after signal_after
  std::chrono::milliseconds signal_after{0};
};

Invocation Generate(Dice& dice, const CommandLine& line, const Workspace& ws) {
  Invocation inv;
  std::vector<std::string> front;
  for (const OptionSpec& global : line.globals) {
    if (global.spellings.front() == "--version" && !dice.Chance(0.02)) continue;
    if (dice.Chance(global.spellings.front() == "--db" ? 0.25 : 0.1)) {
      AppendOption(dice, global, ws, front);
    }
  }
  std::vector<std::string> body;
  if (dice.Chance(0.03)) {
    body.push_back(dice.Chance(0.5) ? "help" : hostile::AnyHostile(dice));
  } else if (!dice.Chance(0.01)) {
    const CommandSpec& command = dice.Pick(line.commands);
    inv.command = command.name;
    body.push_back(command.name);
    std::vector<std::vector<std::string>> pieces;
    for (const OptionSpec& option : command.options) {
      if (option.spellings.front() == "--help" && !dice.Chance(0.03)) continue;
      double p = option.spellings.front() == "--help" ? 1.0 : 0.3;
      int times = dice.Chance(p) ? (option.repeatable && dice.Chance(0.3) ? 2 : 1) : 0;
      if (dice.Chance(0.02)) times = 2;  // a single option given twice
      for (int i = 0; i < times; ++i) {
        std::vector<std::string> piece;
        AppendOption(dice, option, ws, piece);
        pieces.push_back(piece);
      }
    }
    for (const OptionSpec& positional : command.positionals) {
      size_t n = dice.Below(positional.repeatable ? 4 : 2) + (dice.Chance(0.8) ? 1 : 0);
      for (size_t i = 0; i < n && i < 3; ++i) {
        pieces.push_back({ValueFor(dice, positional.kind, ws)});
      }
    }
    if (dice.Chance(0.05)) pieces.push_back({dice.Chance(0.5) ? "--bogus" : "--"});
    // Mostly in the order declared; sometimes shuffled.
    if (dice.Chance(0.3)) {
      for (size_t i = pieces.size(); i > 1; --i) std::swap(pieces[i - 1], pieces[dice.Below(i)]);
    }
    for (auto& piece : pieces) body.insert(body.end(), piece.begin(), piece.end());
  }
  inv.args = front;
  inv.args.insert(inv.args.end(), body.begin(), body.end());
  // Global options may also follow the command.
  if (dice.Chance(0.1)) {
    std::vector<std::string> tail;
    AppendOption(dice, dice.Pick(line.globals), ws, tail);
    if (tail.front() != "--version") inv.args.insert(inv.args.end(), tail.begin(), tail.end());
  }

  if (dice.Chance(0.1))
    inv.env["VIGY_DB"] = std::nullopt;
  else if (dice.Chance(0.08))
    inv.env["VIGY_DB"] = "";
  else if (dice.Chance(0.05))
    inv.env["VIGY_DB"] = StorePathValue(dice, ws);
  if (dice.Chance(0.1)) {
    inv.env["TZ"] = dice.Pick(std::vector<std::string>{"Nowhere/City", "", "UTC", "Europe/Berlin",
                                                       "America/St_Johns", ":/etc/localtime"});
  }
  if (dice.Chance(0.05)) inv.env["NO_COLOR"] = "1";
  if (dice.Chance(0.05)) inv.env["TERM"] = "dumb";
  if (dice.Chance(0.15)) inv.stdin_text = hostile::Program(dice) + "\n";
  if (dice.Chance(0.03)) inv.stdin_text = ReadFile(ws.work / "binary.vigy");
  if (dice.Chance(0.04)) {
    inv.signal = dice.Pick(std::vector<int>{SIGINT, SIGTERM, SIGHUP});
    inv.signal_after = std::chrono::milliseconds(dice.Below(400));
  }
  return inv;
}

// The command line, quoted for a POSIX shell, to rerun by hand.
std::string ShellQuoted(const Invocation& inv) {
  auto quote = [](const std::string& s) {
    std::string out = "'";
    for (char c : s) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += "'";
    if (out.size() > 200) out = out.substr(0, 120) + "...(" + std::to_string(s.size()) + " bytes)'";
    return out;
  };
  std::string text;
  for (const auto& [name, value] : inv.env) {
    text += value ? name + "=" + quote(*value) + " " : "env -u " + name + " ";
  }
  text += "vigy";
  for (const std::string& arg : inv.args) text += " " + quote(arg);
  if (!inv.stdin_text.empty()) text += " < (" + std::to_string(inv.stdin_text.size()) + " bytes)";
  if (inv.signal) {
    text += " & sleep " + std::to_string(inv.signal_after.count()) + "ms; kill -" +
            std::to_string(*inv.signal);
  }
  return text;
}

// ---------------------------------------------------------------------------
// Running one invocation.

struct Outcome {
  int exit_code = -1;          // when it exited
  int signal = 0;              // when a signal ended it
  bool timed_out = false;      // killed by the harness at the hard bound
  bool stopped_by_us = false;  // sent SIGTERM because it runs until stopped
  std::string out;
  std::string err;
  std::chrono::milliseconds took{0};
};

constexpr auto kHardBound = std::chrono::seconds(40);

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif
constexpr auto kLongRunnerGrace = std::chrono::milliseconds(1500);

Outcome Execute(const Invocation& inv, const Workspace& ws, const std::string& marker) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    std::string name = text.substr(0, text.find('='));
    if (name == "VIGY_DB" || name == "HOME" || name == "XDG_DATA_HOME" || name == "NO_COLOR" ||
        name == "TZ" || name == "TERM" || name == "VIGY_HOSTILE_MARK" || inv.env.count(name)) {
      continue;
    }
    env.push_back(text);
  }
  env.push_back("HOME=" + (ws.work / "home").string());
  env.push_back("VIGY_HOSTILE_MARK=" + marker);
  if (!inv.env.count("VIGY_DB")) env.push_back("VIGY_DB=" + ws.store().string());
  for (const auto& [name, value] : inv.env) {
    if (value) env.push_back(name + "=" + *value);
  }
  WriteFile(ws.io / "stdin", inv.stdin_text);
  const std::string in_path = (ws.io / "stdin").string();
  const std::string out_path = (ws.io / "stdout").string();
  const std::string err_path = (ws.io / "stderr").string();
  const std::string dir = ws.work.string();
  std::vector<std::string> argv{VIGY_BINARY};
  argv.insert(argv.end(), inv.args.begin(), inv.args.end());
  const ExecVectors line(std::move(argv), std::move(env));

  const auto start = Clock::now();
  pid_t pid = ForkForExec();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(126);
    int in = open(in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    // A runaway reader fails on memory instead of taking the machine's.
    // AddressSanitizer reserves terabytes of shadow address space at start,
    // so an address-space limit stops an instrumented vigy before main; that
    // build's run of this test goes without one (the plain build's keeps it).
    if (!kAddressSanitizer) {
      rlimit memory{size_t{3} << 30, size_t{3} << 30};
      setrlimit(RLIMIT_AS, &memory);
    }
    execve(line.argv()[0], line.argv(), line.envp());
    _exit(127);
  }

  Outcome outcome;
  const bool runs_until_stopped =
      inv.command == "serve" || inv.command == "watch" || inv.command == "tail";
  bool signalled = false;
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    const auto elapsed = Clock::now() - start;
    if (inv.signal && !signalled && elapsed >= inv.signal_after) {
      kill(pid, *inv.signal);
      signalled = true;
    }
    if (runs_until_stopped && !outcome.stopped_by_us && elapsed >= kLongRunnerGrace) {
      kill(pid, SIGTERM);
      outcome.stopped_by_us = true;
    }
    if (elapsed >= kHardBound) {
      outcome.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  outcome.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  outcome.out = ReadFile(out_path);
  outcome.err = ReadFile(err_path);
  return outcome;
}

// The pids of live processes whose environment holds `marker`.
std::vector<pid_t> ProcessesMarked(const std::string& marker) {
  const std::string needle = "VIGY_HOSTILE_MARK=" + marker;
  std::vector<pid_t> found;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::string environ_text = ReadFile(entry.path() / "environ");
    size_t at = environ_text.find(needle);
    if (at == std::string::npos) continue;
    size_t end = at + needle.size();
    if (end < environ_text.size() && environ_text[end] != '\0') continue;
    found.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return found;
}

// ---------------------------------------------------------------------------
// What may change, and the checks.

// Every regular file under work/, with its bytes (as a hash for big ones,
// with size and modification time).
using Snapshot = std::map<std::string, std::string>;

Snapshot Take(const Workspace& ws) {
  Snapshot snapshot;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(ws.work, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    const fs::path& path = it->path();
    std::string key = fs::relative(path, ws.work, ec).string();
    // The shared-memory index of a WAL store is rebuilt by every reader.
    if (key.ends_with("-shm")) continue;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;
    if (st.st_size > (1 << 20)) {
      snapshot[key] = "size " + std::to_string(st.st_size) + " mtime " +
                      std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    } else {
      snapshot[key] = ReadFile(path);
    }
  }
  return snapshot;
}

std::vector<std::string> Differences(const Snapshot& before, const Snapshot& after) {
  std::vector<std::string> changed;
  for (const auto& [path, bytes] : after) {
    auto it = before.find(path);
    if (it == before.end()) {
      changed.push_back("created " + path);
    } else if (it->second != bytes) {
      changed.push_back("changed " + path);
    }
  }
  for (const auto& [path, bytes] : before) {
    if (!after.count(path)) changed.push_back("removed " + path);
  }
  return changed;
}

bool Has(const std::vector<std::string>& args, std::string_view word) {
  return std::find(args.begin(), args.end(), word) != args.end();
}

// Whether the invocation, having ended as it did, may have changed files.
bool MayWrite(const Invocation& inv, const Outcome& outcome) {
  static const std::set<std::string> writers = {"add",     "update", "rm",    "enable",
                                                "disable", "tick",   "serve", "register",
                                                "delete",  "import", "export"};
  bool writer = writers.count(inv.command) > 0 ||
                (inv.command == "kv" && (Has(inv.args, "set") || Has(inv.args, "rm"))) ||
                (inv.command == "runs" && Has(inv.args, "--prune"));
  if (!writer) return false;
  if (outcome.exit_code == 0) return true;
  // Failed runs are recorded; an interrupted serve or tick may have committed
  // ticks before the signal.
  if ((inv.command == "tick" || inv.command == "serve") &&
      (outcome.exit_code == 1 || outcome.exit_code == 130)) {
    return true;
  }
  return false;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// What is wrong with stderr for a failed invocation, if anything.
std::optional<std::string> ErrorShapeProblem(const Outcome& outcome, const std::string& command,
                                             bool signalled) {
  std::vector<std::string> lines = Lines(outcome.err);
  if (!outcome.err.empty() && outcome.err.back() != '\n') return "stderr does not end a line";
  for (const std::string& line : lines) {
    for (char c : line) {
      if (c == '\x1b') return "stderr holds a raw escape character";
    }
  }
  if (outcome.exit_code == 2 && !lines.empty() && lines.back().starts_with("run 'vigy ") &&
      lines.back().ends_with("--help' for usage")) {
    lines.pop_back();
  }
  // A program's error may be followed by its source line and a caret, each
  // indented two spaces (vigy(1), check and eval).
  while (lines.size() >= 2 && lines.back().starts_with("  ") &&
         std::any_of(lines.begin(), lines.end() - 1,
                     [](const std::string& l) { return l.starts_with("vigy: "); })) {
    lines.pop_back();
  }
  size_t errors = 0;
  for (const std::string& line : lines) errors += line.starts_with("vigy: ") ? 1 : 0;
  if (outcome.exit_code == 1 && errors == 0) return std::nullopt;  // the run or report says it
  // Stopped by the harness's signal, as a user's Ctrl-C: 130 needs no words.
  if (outcome.exit_code == 130 && errors == 0 && signalled) return std::nullopt;
  // check reports each file it cannot read or compile, then sums up.
  if (command == "check" && errors > 1 && !lines.back().starts_with("vigy: ")) {
    return "the 'vigy: ' summary is not the last line";
  }
  if (command == "check" && errors > 1) return std::nullopt;
  if (errors != 1) return "stderr has " + std::to_string(errors) + " 'vigy: ' lines, not 1";
  if (!lines.back().starts_with("vigy: ")) return "the 'vigy: ' line is not the last";
  return std::nullopt;
}

std::string Excerpt(const std::string& text) {
  std::string shown = text.size() > 600 ? text.substr(0, 600) + "..." : text;
  std::string out;
  for (char c : shown) {
    if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\x" + std::string(1, "0123456789abcdef"[(c >> 4) & 0xf]) +
             std::string(1, "0123456789abcdef"[c & 0xf]);
    } else {
      out += c;
    }
  }
  return out;
}

struct Finding {
  std::string what;
  std::string detail;
};

// Leases left held in the store, or nullopt if the store cannot be read.
std::optional<int64_t> LeasesHeld(const Workspace& ws) {
  if (!fs::exists(ws.store())) return 0;
  auto db = storage::Db::Open(ws.store().string(), 2000);
  if (!db.ok()) return std::nullopt;
  auto count = (*db)->QueryInt("SELECT count(*) FROM runtime WHERE lease_owner IS NOT NULL");
  if (!count.ok()) return std::nullopt;
  return *count;
}

std::vector<Finding> Check(const Invocation& inv, const Outcome& outcome, const Snapshot& before,
                           const Snapshot& after, const std::vector<pid_t>& left,
                           std::optional<int64_t> leases) {
  static const std::set<int> documented = {0, 1, 2, 3, 4, 5, 130};
  std::vector<Finding> findings;
  auto add = [&](std::string what, std::string detail = "") {
    findings.push_back({std::move(what), std::move(detail)});
  };
  if (outcome.timed_out) {
    add("did not finish within " + std::to_string(kHardBound.count()) + " s");
  } else if (outcome.signal != 0) {
    const bool ours = (inv.signal && outcome.signal == *inv.signal) ||
                      (outcome.stopped_by_us && outcome.signal == SIGTERM);
    if (!ours) add("killed by signal " + std::to_string(outcome.signal), Excerpt(outcome.err));
  } else {
    if (!documented.count(outcome.exit_code)) {
      add("exit code " + std::to_string(outcome.exit_code) + " is not documented",
          Excerpt(outcome.err));
    }
    if (outcome.exit_code != 0 && documented.count(outcome.exit_code)) {
      const bool signalled = inv.signal.has_value() || outcome.stopped_by_us;
      if (auto problem = ErrorShapeProblem(outcome, inv.command, signalled)) {
        add("error shape: " + *problem, Excerpt(outcome.err));
      }
    }
  }
  if (!outcome.timed_out && !MayWrite(inv, outcome)) {
    std::vector<std::string> changed = Differences(before, after);
    if (!changed.empty()) {
      std::string list;
      for (const std::string& c : changed) list += (list.empty() ? "" : ", ") + c;
      add("files changed by a command that may not write (exit " +
              std::to_string(outcome.exit_code) + ")",
          list + " | stderr: " + Excerpt(outcome.err));
    }
  }
  if (!left.empty()) {
    add(std::to_string(left.size()) + " process(es) it started outlived it");
  }
  if (leases && *leases > 0) add(std::to_string(*leases) + " tick lease(s) left held");
  return findings;
}

// ---------------------------------------------------------------------------
// The run.

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 10);
}

// The store after a reset: three vigies (one with actions and a handler, one
// failing), some runs and kv. The fixtures are written again first: a
// successful `export -o` may have replaced one.
void ResetStore(const Workspace& ws) {
  WriteFixtures(ws);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ignored;
    fs::remove(ws.work / ("vigy.db" + std::string(suffix)), ignored);
  }
  std::error_code ignored;
  fs::remove_all(ws.work / "home", ignored);
  fs::create_directories(ws.work / "home");
  fs::remove(ws.work / "new.db", ignored);
  auto setup = [&](std::vector<std::string> args) {
    Invocation inv;
    inv.args = std::move(args);
    Outcome outcome = Execute(inv, ws, "setup");
    INFO(ShellQuoted(inv), ": ", outcome.err);
    REQUIRE(outcome.exit_code == 0);
  };
  setup({"add", "ok.vigy", "--name", "alpha", "--every", "1h", "--label", "env=prod"});
  setup(
      {"add", "acts.vigy", "--name", "beta", "--handler", "cat > /dev/null", "--label", "env=dev"});
  setup({"add", "fails.vigy", "--name", "gamma", "--disabled"});
  setup({"tick", "alpha", "beta"});
  setup({"kv", "alpha", "set", "count", "3"});
}

struct Summary {
  uint64_t invocations = 0;
  std::map<std::string, uint64_t> by_command;
  std::map<int, uint64_t> by_exit;
  std::vector<std::string> failures;
};

Summary Attack(uint64_t seed, uint64_t count, uint64_t seconds) {
  const CommandLine line = DescribeCommandLine();
  Sandbox sandbox;  // removed at the end
  Workspace ws{sandbox.dir(), sandbox.dir() / "work", sandbox.dir() / "io"};
  fs::create_directories(ws.work);
  fs::create_directories(ws.io);
  WriteFixtures(ws);
  ResetStore(ws);

  Summary summary;
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  for (uint64_t index = 0;; ++index) {
    if (seconds > 0 ? Clock::now() >= deadline : index >= count) break;
    // Each invocation draws from its own generator: (seed, index) names it.
    Dice dice(seed * 0x100000001b3ULL ^ (index + 1) * 0x9e3779b97f4a7c15ULL);
    if (index % 60 == 59) ResetStore(ws);
    Invocation inv = Generate(dice, line, ws);
    const std::string marker = std::to_string(::getpid()) + "-" + std::to_string(index);
    Snapshot before = Take(ws);
    Outcome outcome = Execute(inv, ws, marker);
    std::vector<pid_t> left = ProcessesMarked(marker);
    // A process escaping for a moment (the kernel still tearing a group
    // down) is given a short while before it counts.
    for (int i = 0; i < 50 && !left.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      left = ProcessesMarked(marker);
    }
    for (pid_t pid : left) kill(pid, SIGKILL);
    Snapshot after = Take(ws);
    std::optional<int64_t> leases = LeasesHeld(ws);

    ++summary.invocations;
    ++summary.by_command[inv.command.empty() ? "(none)" : inv.command];
    ++summary.by_exit[outcome.signal ? 128 + outcome.signal : outcome.exit_code];
    for (const Finding& finding : Check(inv, outcome, before, after, left, leases)) {
      summary.failures.push_back("seed " + std::to_string(seed) + " #" + std::to_string(index) +
                                 ": " + finding.what + "\n    " + ShellQuoted(inv) +
                                 (finding.detail.empty() ? "" : "\n    " + finding.detail));
      if (leases && *leases > 0) ResetStore(ws);
    }
  }
  return summary;
}

TEST_CASE(
    "hostile command lines never crash, hang, misreport, write on failure or leave processes") {
  const uint64_t seed = EnvNumber("VIGY_HOSTILE_SEED", 20261205);
  const uint64_t count = EnvNumber("VIGY_HOSTILE_COUNT", 400);
  const uint64_t seconds = EnvNumber("VIGY_HOSTILE_SECONDS", 0);
  Summary summary = Attack(seed, count, seconds);

  std::ostringstream report;
  report << "hostile command lines: seed " << seed << ", " << summary.invocations
         << " invocations, " << summary.failures.size() << " findings\n  exits:";
  for (const auto& [code, n] : summary.by_exit) report << " " << code << "x" << n;
  report << "\n  commands:";
  for (const auto& [name, n] : summary.by_command) report << " " << name << "x" << n;
  report << "\n";
  for (const std::string& failure : summary.failures) report << failure << "\n";
  if (std::getenv("VIGY_HOSTILE_REPORT") != nullptr || !summary.failures.empty()) {
    std::cerr << report.str();
  }
  CHECK(summary.invocations > 0);
  CHECK(summary.failures.empty());
}

}  // namespace
}  // namespace vigy::testing
