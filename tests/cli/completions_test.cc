// The completion scripts of completions/ loaded into their shells and asked
// what they offer for a command line: bash through COMP_WORDS and friends,
// zsh through its line editor on a pseudo-terminal (tests/cli/zsh_complete.zsh),
// fish through `complete -C`. Vigy names come from a real store through the
// real binary. zsh and fish must be installed: a missing shell fails here.
// Also `vigy completions SHELL` and the hidden name listing the scripts use.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/cli/run_binary.h"
#include "tests/cli/store_e2e.h"
#include "tests/support/files.h"
#include "tests/support/shell_quote.h"

// Sets of offered words print as {a, b} when a check fails.
namespace doctest {
template <>
struct StringMaker<std::set<std::string>> {
  static String convert(const std::set<std::string>& words) {
    std::string text = "{";
    for (const std::string& word : words) text += (text.size() > 1 ? ", " : "") + word;
    return (text + "}").c_str();
  }
};
}  // namespace doctest

namespace vigy::cli {
namespace {

using testing::BinaryResult;
using testing::CommandResult;
using testing::RunShellCommand;
using testing::Sandbox;

const std::string kSourceDir = VIGY_SOURCE_DIR;
const std::string kCompletionsDir = kSourceDir + "/completions";
const std::string kZshDriver = kSourceDir + "/tests/cli/zsh_complete.zsh";

using testing::ReadFile;

using testing::ShellQuote;

std::set<std::string> LineSet(std::string_view text) {
  std::set<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.insert(line);
  }
  return lines;
}

bool Has(const std::set<std::string>& offered, const std::set<std::string>& wanted) {
  for (const std::string& word : wanted) {
    if (offered.count(word) == 0) return false;
  }
  return true;
}

// A store with two vigies, web and db-backup, made by the real binary, and
// the environment the shells run in: the binary's directory first on PATH,
// VIGY_DB naming the store (unless `with_store` is false).
class CompletionWorld {
 public:
  CompletionWorld() {
    sandbox_.Write("counter.vigy", testing::kCounter);
    for (const char* name : {"web", "db-backup"}) {
      BinaryResult added = sandbox_.Run({"add", "counter.vigy", "--name", name});
      REQUIRE_MESSAGE(added.exit_code == 0, added.err);
    }
  }

  const Sandbox& sandbox() const { return sandbox_; }
  std::string store() const { return (sandbox_.dir() / "vigy.db").string(); }

  // `command` run by /bin/sh in the sandbox, with vigy on PATH and VIGY_DB
  // set to `db` (unset when empty).
  CommandResult Shell(const std::string& command, const std::string& db) const {
    std::string bin_dir = std::filesystem::path(VIGY_BINARY).parent_path().string();
    std::string env =
        "cd " + ShellQuote(sandbox_.dir().string()) + " && PATH=" + ShellQuote(bin_dir) +
        ":\"$PATH\" && export PATH && " +
        (db.empty() ? "unset VIGY_DB && " : "VIGY_DB=" + ShellQuote(db) + " && export VIGY_DB && ");
    return RunShellCommand(env + command);
  }

 private:
  Sandbox sandbox_;
};

// bash's words for a command line typed up to its end, as bash splits them
// for completion: at spaces, and around "=" (in COMP_WORDBREAKS).
std::vector<std::string> BashWords(std::string_view line) {
  std::vector<std::string> words{""};
  for (char c : line) {
    if (c == ' ') {
      if (!words.back().empty()) words.emplace_back();
    } else if (c == '=') {
      if (!words.back().empty()) words.emplace_back();
      words.back() = "=";
      words.emplace_back();
    } else {
      if (words.back() == "=") words.emplace_back();
      words.back() += c;
    }
  }
  // A line that ends in "=" completes the word "=" itself, as bash does.
  if (words.size() > 1 && words.back().empty() && words[words.size() - 2] == "=" &&
      !line.ends_with(' ')) {
    words.pop_back();
  }
  return words;
}

// What the bash script offers for `line` (the cursor at its end).
std::set<std::string> BashOffers(const CompletionWorld& world, std::string_view line,
                                 const std::string& db) {
  std::vector<std::string> words = BashWords(line);
  std::string script = "source " + ShellQuote(kCompletionsDir + "/vigy.bash") + "\n";
  script += "COMP_WORDS=(";
  for (const std::string& word : words) script += " " + ShellQuote(word);
  script += " )\n";
  script += "COMP_CWORD=" + std::to_string(words.size() - 1) + "\n";
  script += "COMP_LINE=" + ShellQuote(line) + "\n";
  script += "COMP_POINT=${#COMP_LINE}\n";
  script += "_vigy\n";
  script += "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
  CommandResult result = world.Shell("bash --norc --noprofile -c " + ShellQuote(script), db);
  INFO("bash, completing '", line, "': ", result.output);
  CHECK(result.exit_code == 0);
  return LineSet(result.output);
}

// What zsh's completion system, with _vigy on $fpath, offers for `line`.
std::set<std::string> ZshOffers(const CompletionWorld& world, std::string_view line,
                                const std::string& db) {
  CommandResult result = world.Shell("zsh -f " + ShellQuote(kZshDriver) + " " +
                                         ShellQuote(kCompletionsDir) + " " + ShellQuote(line),
                                     db);
  INFO("zsh, completing '", line, "': ", result.output);
  CHECK(result.exit_code == 0);
  return LineSet(result.output);
}

// What fish offers for `line`, descriptions dropped.
std::set<std::string> FishOffers(const CompletionWorld& world, std::string_view line,
                                 const std::string& db) {
  std::string script =
      "source " + ShellQuote(kCompletionsDir + "/vigy.fish") + "; complete -C " + ShellQuote(line);
  CommandResult result = world.Shell("fish --no-config -c " + ShellQuote(script), db);
  INFO("fish, completing '", line, "': ", result.output);
  CHECK(result.exit_code == 0);
  std::set<std::string> offered;
  for (const std::string& entry : LineSet(result.output)) {
    offered.insert(entry.substr(0, entry.find('\t')));
  }
  return offered;
}

using Completer = std::set<std::string> (*)(const CompletionWorld&, std::string_view,
                                            const std::string&);

// The checks every shell must pass.
void ChecksForEveryShell(Completer complete) {
  CompletionWorld world;
  const std::string db = world.store();
  const std::set<std::string> vigies{"web", "db-backup"};

  SUBCASE("commands") {
    CHECK(complete(world, "vigy se", db) == std::set<std::string>{"serve"});
    CHECK(Has(complete(world, "vigy ", db),
              {"add", "tick", "runs", "watch", "serve", "health", "completions"}));
    CHECK(complete(world, "vigy ", db).count("__complete-vigies") == 0);
  }
  SUBCASE("options of a command") {
    std::set<std::string> offered = complete(world, "vigy serve --", db);
    CHECK(Has(offered, {"--once", "--keep-runs", "--log-format", "--workers", "--selector"}));
    CHECK(offered.count("--dry-run") == 0);
    CHECK(Has(complete(world, "vigy health --st", db), {"--stale-after"}));
    CHECK(Has(complete(world, "vigy --db x tick --", db), {"--all", "--dry-run"}));
  }
  SUBCASE("fixed option values") {
    CHECK(complete(world, "vigy serve --log-format ", db) == std::set<std::string>{"text", "json"});
    CHECK(complete(world, "vigy serve --log-format j", db) == std::set<std::string>{"json"});
    CHECK(complete(world, "vigy completions ", db) == std::set<std::string>{"bash", "zsh", "fish"});
    CHECK(complete(world, "vigy kv web ", db) == std::set<std::string>{"get", "set", "rm", "list"});
  }
  SUBCASE("vigy names from the store in VIGY_DB") {
    for (const char* line : {"vigy show ", "vigy rm ", "vigy tick web ", "vigy runs ", "vigy kv ",
                             "vigy watch ", "vigy update ", "vigy enable "}) {
      INFO(line);
      CHECK(complete(world, line, db) == vigies);
    }
    CHECK(complete(world, "vigy show w", db) == std::set<std::string>{"web"});
  }
  SUBCASE("vigy names from the store --db names") {
    CHECK(complete(world, "vigy --db " + db + " show ", "") == vigies);
    CHECK(complete(world, "vigy show --db " + db + " ", "") == vigies);
  }
  SUBCASE("no names, and no noise, without a store") {
    CHECK(complete(world, "vigy show ", (world.sandbox().dir() / "none.db").string()).empty());
    CHECK_FALSE(std::filesystem::exists(world.sandbox().dir() / "none.db"));
  }
  SUBCASE("file names where a FILE is expected") {
    CHECK(complete(world, "vigy add cou", db) == std::set<std::string>{"counter.vigy"});
    CHECK(complete(world, "vigy check cou", db) == std::set<std::string>{"counter.vigy"});
    CHECK(complete(world, "vigy update web cou", db) == std::set<std::string>{"counter.vigy"});
  }
}

TEST_CASE("vigy completions prints each shell's completion script byte for byte") {
  for (const auto& entry : {std::pair{"bash", "vigy.bash"}, std::pair{"zsh", "_vigy"},
                            std::pair{"fish", "vigy.fish"}}) {
    const std::string shell = entry.first;
    const std::string file = entry.second;
    INFO(shell);
    BinaryResult printed = testing::RunVigy({"completions", shell});
    CHECK(printed.exit_code == 0);
    CHECK(printed.err == "");
    CHECK(printed.out == ReadFile(kCompletionsDir + "/" + file));
  }
}

TEST_CASE("vigy completions with an unknown shell is a usage error naming the shells") {
  BinaryResult printed = testing::RunVigy({"completions", "tcsh"});
  CHECK(printed.exit_code == 2);
  CHECK(printed.out == "");
  CHECK(printed.err == "vigy: unknown shell 'tcsh' (expected one of: bash, zsh, fish)\n");
}

TEST_CASE("the vigy name listing prints nothing and creates nothing without a store") {
  Sandbox sandbox;
  BinaryResult listed = sandbox.Run({"__complete-vigies"});
  CHECK(listed.exit_code == 0);
  CHECK(listed.out == "");
  CHECK(listed.err == "");
  CHECK_FALSE(std::filesystem::exists(sandbox.dir() / "vigy.db"));

  listed =
      sandbox.Run({"--db", (sandbox.dir() / "no/such/dir/x.db").string(), "__complete-vigies"});
  CHECK(listed.exit_code == 0);
  CHECK(listed.out == "");
  CHECK(listed.err == "");
  CHECK_FALSE(std::filesystem::exists(sandbox.dir() / "no"));
}

TEST_CASE("the vigy name listing prints nothing for a store it cannot read") {
  Sandbox sandbox;
  sandbox.Write("vigy.db", "this is not an SQLite database, not even close to one\n");
  chmod((sandbox.dir() / "vigy.db").c_str(), 0600);
  BinaryResult listed = sandbox.Run({"__complete-vigies"});
  CHECK(listed.exit_code == 0);
  CHECK(listed.out == "");
  CHECK(listed.err == "");
  // The same store is an error for the commands that use it.
  CHECK(sandbox.Run({"list"}).exit_code == 5);
}

TEST_CASE("the vigy name listing prints one name per line, from the store --db names") {
  CompletionWorld world;
  BinaryResult listed = world.sandbox().Run({"__complete-vigies"});
  CHECK(listed.exit_code == 0);
  CHECK(listed.err == "");
  CHECK(listed.out == "db-backup\nweb\n");

  Sandbox elsewhere;
  CHECK(elsewhere.Run({"--db", world.store(), "__complete-vigies"}).out == "db-backup\nweb\n");
  CHECK(elsewhere.Run({"__complete-vigies", "--db", world.store()}).out == "db-backup\nweb\n");
}

TEST_CASE("the vigy name listing is hidden from help") {
  BinaryResult help = testing::RunVigy({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("__complete") == std::string::npos);
  CHECK(help.out.find("completions") != std::string::npos);
  BinaryResult typo = testing::RunVigy({"__complete-vigy"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("__complete-vigies") == std::string::npos);
}

TEST_CASE("bash completion offers commands, options, values, files and vigy names") {
  CommandResult bash = RunShellCommand("command -v bash");
  REQUIRE_MESSAGE(bash.exit_code == 0, "bash is missing");
  ChecksForEveryShell(BashOffers);
}

TEST_CASE("bash completion completes the value of --opt=value") {
  CompletionWorld world;
  CHECK(BashWords("vigy serve --log-format=j") ==
        std::vector<std::string>{"vigy", "serve", "--log-format", "=", "j"});
  CHECK(BashWords("vigy serve --log-format=") ==
        std::vector<std::string>{"vigy", "serve", "--log-format", "="});
  CHECK(BashOffers(world, "vigy serve --log-format=j", world.store()) ==
        std::set<std::string>{"json"});
  CHECK(BashOffers(world, "vigy serve --log-format=", world.store()) ==
        std::set<std::string>{"text", "json"});
  CHECK(BashOffers(world, "vigy --db=" + world.store() + " show ", "") ==
        std::set<std::string>{"web", "db-backup"});
}

TEST_CASE("zsh completion offers commands, options, values, files and vigy names") {
  CommandResult zsh = RunShellCommand("command -v zsh");
  REQUIRE_MESSAGE(zsh.exit_code == 0, "zsh is missing: install it (apt-get install zsh)");
  ChecksForEveryShell(ZshOffers);
}

TEST_CASE("fish completion offers commands, options, values, files and vigy names") {
  CommandResult fish = RunShellCommand("command -v fish");
  REQUIRE_MESSAGE(fish.exit_code == 0, "fish is missing: install it (apt-get install fish)");
  ChecksForEveryShell(FishOffers);
}

}  // namespace
}  // namespace vigy::cli
