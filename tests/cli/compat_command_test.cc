// The first vigy's command names, end to end with the real binary: each does
// what the command it stands for does, is left out of --help, and is
// documented and completed.
#include <doctest/doctest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/background_vigy.h"
#include "tests/cli/store_e2e.h"
#include "tests/support/files.h"

namespace vigy::testing {
namespace {

using std::chrono::seconds;

TEST_CASE("register adds a vigy ticking every MS milliseconds, and replaces it keeping its kv") {
  Sandbox sandbox;
  sandbox.Write("c.vigy", kCounter);
  Must(sandbox, {"register", "c.vigy", "--name", "web", "--every", "250", "--label", "env=prod"});
  nlohmann::json shown =
      nlohmann::json::parse(Must(sandbox, {"inspect", "web", "--json"}).out)["vigy"];
  CHECK(shown["name"] == "web");
  CHECK(shown["schedule"]["every_ms"] == 250);
  CHECK(shown["labels"]["env"] == "prod");
  CHECK(shown["enabled"] == true);

  Must(sandbox, {"kv", "web", "set", "n", "41"});
  Must(sandbox, {"register", "c.vigy", "--name", "web", "--disabled"});  // again: replaced
  shown = nlohmann::json::parse(Must(sandbox, {"inspect", "web", "--json"}).out)["vigy"];
  CHECK(shown["schedule"]["every_ms"] == 1000);  // the original's default
  CHECK(shown["enabled"] == false);
  CHECK(Must(sandbox, {"kv", "web", "get", "n"}).out == "41\n");  // kept
}

TEST_CASE("register refuses an --every that is not whole milliseconds, writing nothing") {
  Sandbox sandbox;
  sandbox.Write("c.vigy", kCounter);
  for (const char* every : {"1s", "", "-5", "1.5"}) {
    CAPTURE(every);
    BinaryResult r = sandbox.Run({"register", "c.vigy", "--name", "web", "--every", every});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--every") != std::string::npos);
  }
  CHECK(Must(sandbox, {"list", "--json"}).out == "[]\n");
}

TEST_CASE("delete removes vigies as rm does") {
  Sandbox sandbox;
  AddVigy(sandbox, "a", kCounter);
  Must(sandbox, {"delete", "a"});
  CHECK(sandbox.Run({"inspect", "a"}).exit_code == 3);
  CHECK(sandbox.Run({"delete", "a"}).exit_code == 3);
}

TEST_CASE("tail prints each committed run as one JSON line, of one vigy with --id") {
  Sandbox sandbox;
  AddVigy(sandbox, "a", kCounter);
  AddVigy(sandbox, "b", kCounter);
  BackgroundVigy tail(sandbox, {"tail", "--id", "a", "-v"}, "tail");
  // -v says when it follows the store; runs committed from then on are printed.
  REQUIRE(
      BackgroundVigy::WaitUntil([&] { return tail.Err().find("watching") != std::string::npos; }));
  Must(sandbox, {"tick", "b"});
  Must(sandbox, {"tick", "a"});
  REQUIRE(BackgroundVigy::WaitUntil([&] { return !tail.Out().empty(); }));
  tail.Signal(SIGTERM);
  tail.WaitExit(seconds(10));
  const std::string out = tail.Out();
  CAPTURE(out);
  REQUIRE(out.find('\n') == out.size() - 1);  // one line: b's run is not a's
  nlohmann::json run = nlohmann::json::parse(out);
  CHECK(run["vigy_name"] == "a");
  CHECK(run["result"] == "ok");
}

TEST_CASE(
    "the compatibility names are out of --help, in the man page and completed by every shell") {
  const std::string help = Must(Sandbox(), {"--help"}).out;
  const std::string man = ReadFile(std::string(VIGY_SOURCE_DIR) + "/man/vigy.1");
  const std::string bash = ReadFile(std::string(VIGY_SOURCE_DIR) + "/completions/vigy.bash");
  const std::string zsh = ReadFile(std::string(VIGY_SOURCE_DIR) + "/completions/_vigy");
  const std::string fish = ReadFile(std::string(VIGY_SOURCE_DIR) + "/completions/vigy.fish");
  REQUIRE(man.find(".SH COMPATIBILITY") != std::string::npos);
  const std::string compatibility = man.substr(man.find(".SH COMPATIBILITY"));
  for (const std::string name : {"register", "inspect", "delete", "tail"}) {
    CAPTURE(name);
    CHECK(help.find("\n  " + name + " ") == std::string::npos);  // not a command line
    CHECK(compatibility.find("vigy " + name) != std::string::npos);
    CHECK(bash.find(" " + name) != std::string::npos);
    CHECK(zsh.find("'" + name + ":") != std::string::npos);
    CHECK(fish.find("-a " + name + " ") != std::string::npos);
  }
}

}  // namespace
}  // namespace vigy::testing
