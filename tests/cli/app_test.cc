// End to end: what every command shares — version, help, usage errors.
#include <doctest/doctest.h>

#include "cli/commands.h"
#include "tests/cli/e2e_helpers.h"

namespace vigy::testing {
namespace {

TEST_CASE("--version prints the name and version and exits 0") {
  BinaryResult r = RunVigy({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.starts_with("vigy "));
  CHECK(r.out.ends_with("\n"));
}

TEST_CASE("--help lists every command in the command table and exits 0") {
  BinaryResult r = RunVigy({"--help"});
  CHECK(r.exit_code == 0);
  for (const cli::Command& command : cli::Commands()) {
    CAPTURE(command.name);
    // A hidden command is left out on purpose. Listed: a line "  NAME  summary"
    // (or "  NAME, ALIAS  summary").
    const std::string line = "\n  " + std::string(command.name);
    const bool listed =
        r.out.find(line + " ") != std::string::npos || r.out.find(line + ",") != std::string::npos;
    CHECK(listed != command.hidden);
    CHECK((r.out.find(std::string(command.summary)) != std::string::npos) != command.hidden);
  }
}

TEST_CASE("every command has its own --help that exits 0") {
  for (const cli::Command& command : cli::Commands()) {
    CAPTURE(command.name);
    BinaryResult r = RunVigy({std::string(command.name), "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("vigy " + std::string(command.name)) != std::string::npos);
    if (command.prints_data) CHECK(r.out.find("--json") != std::string::npos);
  }
}

TEST_CASE("an unknown command is a usage error that exits 2") {
  BinaryResult r = RunVigy({"frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "vigy: unknown command 'frobnicate'\nrun 'vigy --help' for usage\n");
}

TEST_CASE("a mistyped command gets a suggestion") {
  BinaryResult r = RunVigy({"evl", "(+ 1 2)"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "vigy: unknown command 'evl' (did you mean 'eval'?)\nrun 'vigy --help' for usage\n");
}

TEST_CASE("an unknown option is a usage error that exits 2") {
  BinaryResult r = RunVigy({"eval", "--frob", "1"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: unknown option '--frob'\nrun 'vigy eval --help' for usage\n");
  r = RunVigy({"--frob"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: unknown option '--frob'\nrun 'vigy --help' for usage\n");
}

TEST_CASE("vigy alone and vigy help print the usage and exit 0") {
  const std::string usage = RunVigy({"--help"}).out;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, {"help"}, {"--db", "x.db", "help"}}) {
    BinaryResult r = RunVigy(args);
    CHECK(r.exit_code == 0);
    CHECK(r.out == usage);
    CHECK(r.err == "");
  }
  BinaryResult r = RunVigy({"help", "kv"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == RunVigy({"kv", "--help"}).out);
  CHECK(RunVigy({"help", "ls"}).out == RunVigy({"list", "--help"}).out);
}

TEST_CASE("global options without a command are a usage error that exits 2") {
  BinaryResult r = RunVigy({"-v"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: a command is required\nrun 'vigy --help' for usage\n");
}

TEST_CASE("global options are accepted after the command too") {
  BinaryResult r = RunVigy({"eval", "--no-color", "-q", "--db", "x.db", "(+ 2 2)"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "4\n");
}

TEST_CASE("output has no colour codes when it is not a terminal") {
  BinaryResult r = RunVigy({"run", "prog.vigy"}, "", {{"prog.vigy", "(car (list))\n"}});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find('\x1b') == std::string::npos);
}

}  // namespace
}  // namespace vigy::testing
