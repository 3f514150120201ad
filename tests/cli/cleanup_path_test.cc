// The one cleanup path end to end: whatever ends a command that ticks (a
// signal, the end of a tick's time) leaves no command running and no lease
// held; serve stops gracefully on SIGHUP; health tells a stopped serve from a
// dead one; a tick waiting for another's lease says so.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/cli/background_vigy.h"
#include "tests/cli/store_e2e.h"
#include "tests/storage/store_helpers.h"

namespace vigy::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Runs its command only while the file `block` exists: then it writes the
// command's pid to child.pid and sleeps for 30 s in it.
constexpr const char* kBlocking =
    "(sh \"if [ -e block ]; then echo $$ > child.pid; exec sleep 30; fi\")\n";

std::string StorePath(const Sandbox& sandbox) { return (sandbox.dir() / "vigy.db").string(); }

int64_t Count(const Sandbox& sandbox, const std::string& sql) {
  return storage::testing::QueryInt(StorePath(sandbox), sql);
}

int64_t LeasesHeld(const Sandbox& sandbox) {
  return Count(sandbox, "SELECT count(*) FROM runtime WHERE lease_owner IS NOT NULL");
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The pid a program wrote to `name`, once it is there.
pid_t WaitForPid(const Sandbox& sandbox, const std::string& name) {
  pid_t pid = 0;
  bool written = BackgroundVigy::WaitUntil([&] {
    std::string text = ReadFile(sandbox.dir() / name);
    if (text.empty() || text.back() != '\n') return false;
    pid = static_cast<pid_t>(std::stol(text));
    return true;
  });
  REQUIRE(written);
  return pid;
}

// Whether `pid` is still the test's `sleep` and has not exited (a zombie
// has; and a pid reused by another program is not the sleep).
bool Alive(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  if (stat.find("(sleep)") == std::string::npos) return false;
  char state = stat[close + 2];
  return state != 'Z' && state != 'X';
}

bool EndsSoon(pid_t pid) {
  return BackgroundVigy::WaitUntil([&] { return !Alive(pid); }, seconds(5));
}

std::string NameOf(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "SIGHUP";
}

TEST_CASE("a signal to vigy tick kills what its tick started, gives back the lease and exits 130") {
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) {
    CAPTURE(NameOf(signal));
    Sandbox sandbox;
    AddVigy(sandbox, "s8", kBlocking);
    sandbox.Write("block", "");
    BackgroundVigy tick(sandbox, {"tick", "s8"});
    const pid_t child = WaitForPid(sandbox, "child.pid");
    CHECK(LeasesHeld(sandbox) == 1);

    tick.Signal(signal);
    CHECK(tick.WaitExit(seconds(5)) == 130);
    CHECK(tick.Err() == "vigy: interrupted by " + NameOf(signal) +
                            "; the tick in progress was stopped and not recorded\n");
    CHECK(EndsSoon(child));
    CHECK(LeasesHeld(sandbox) == 0);
    CHECK(Count(sandbox, "SELECT count(*) FROM runs") == 0);

    // The next tick need not wait for a lease to expire.
    std::filesystem::remove(sandbox.dir() / "block");
    const auto start = std::chrono::steady_clock::now();
    BinaryResult next = sandbox.Run({"tick", "s8"});
    CHECK(next.exit_code == 0);
    CHECK(next.err == "");
    CHECK(std::chrono::steady_clock::now() - start < seconds(10));
  }
}

TEST_CASE("a signal to vigy run or vigy eval kills the commands its program started") {
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) {
    for (std::string command : {"run", "eval"}) {
      CAPTURE(NameOf(signal));
      CAPTURE(command);
      Sandbox sandbox;
      sandbox.Write("block", "");
      sandbox.Write("p.vigy", kBlocking);
      std::vector<std::string> args = command == "run"
                                          ? std::vector<std::string>{"run", "p.vigy"}
                                          : std::vector<std::string>{"eval", kBlocking};
      BackgroundVigy process(sandbox, args);
      const pid_t child = WaitForPid(sandbox, "child.pid");
      process.Signal(signal);
      CHECK(process.WaitExit(seconds(5)) == 130);
      CHECK(process.Err() == "vigy: interrupted by " + NameOf(signal) + "\n");
      CHECK(EndsSoon(child));
    }
  }
}

TEST_CASE("a tick's handlers share its timeout, and the actions after a failed one are skipped") {
  Sandbox sandbox;
  AddVigy(sandbox, "a", "(dotimes (i 6) (vigy-create i))\n",
          {"--handler", "sleep 30", "--timeout", "1s"});
  const auto start = std::chrono::steady_clock::now();
  BinaryResult r = sandbox.Run({"tick", "a", "--json"});
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.exit_code == 1);
  CHECK(took < seconds(4));  // six handlers of a second each took six
  nlohmann::json run = JsonOut(r);
  CHECK(run["duration_ms"].get<int64_t>() < 2000);
  REQUIRE(run["actions"].size() == 6);
  CHECK(run["actions"][0]["result"] == "failed");
  CHECK(run["actions"][0]["message"] == "timed out: the tick's timeout (1000 ms) passed");
  for (int i = 1; i < 6; ++i) {
    CAPTURE(i);
    CHECK(run["actions"][i]["result"] == "skipped");
    CHECK(run["actions"][i]["message"] == "not run: an earlier action failed");
  }
  CHECK(run["error"] ==
        "action 1 (create): handler timed out: the tick's timeout (1000 ms) passed");
}

TEST_CASE("a handler that fails stops the handlers of the later actions from running") {
  Sandbox sandbox;
  AddVigy(sandbox, "h", "(vigy-create 1) (vigy-create 2) (vigy-create 3)\n",
          {"--handler", "cat >> handled; exit 2"});
  BinaryResult r = sandbox.Run({"tick", "h", "--json"});
  CHECK(r.exit_code == 1);
  CHECK(ReadFile(sandbox.dir() / "handled") == "{\"kind\":\"create\",\"payload\":1}\n");
  nlohmann::json run = JsonOut(r);
  CHECK(run["actions"][0]["result"] == "failed");
  CHECK(run["actions"][1]["result"] == "skipped");
  CHECK(run["actions"][2]["result"] == "skipped");
}

TEST_CASE("a tick waiting for another process's tick of the same vigy says so") {
  Sandbox sandbox;
  AddVigy(sandbox, "slow", "(sh \"if [ -e block ]; then echo $$ > child.pid; sleep 1.5; fi\")\n");
  sandbox.Write("block", "");
  BackgroundVigy first(sandbox, {"tick", "slow"}, "first");
  WaitForPid(sandbox, "child.pid");
  std::filesystem::remove(sandbox.dir() / "block");
  BinaryResult second = sandbox.Run({"tick", "slow"});
  CHECK(second.exit_code == 0);
  CHECK(second.err.starts_with("vigy: waiting for vigy 'slow': pid " + std::to_string(first.pid()) +
                               " is ticking it (its lease ends in "));
  CHECK(first.WaitExit(seconds(10)) == 0);
  CHECK(Count(sandbox, "SELECT count(*) FROM runs") == 2);
}

TEST_CASE("a tick whose vigy was removed and added again says so and records nothing") {
  Sandbox sandbox;
  AddVigy(sandbox, "again", "(sh \"if [ -e block ]; then echo $$ > child.pid; sleep 1.5; fi\")\n");
  sandbox.Write("block", "");
  BackgroundVigy tick(sandbox, {"tick", "again"});
  WaitForPid(sandbox, "child.pid");
  Must(sandbox, {"rm", "again"});
  Must(sandbox, {"add", "again.vigy"});
  CHECK(tick.WaitExit(seconds(10)) == 4);
  CHECK(tick.Err() ==
        "vigy: cannot tick 'again': vigy 'again' was removed and added again while its tick 1 "
        "ran; the run was not recorded\n");
  CHECK(Count(sandbox, "SELECT count(*) FROM runs") == 0);
}

TEST_CASE("SIGHUP stops serve like SIGTERM: logged, the tick in flight committed, exit 0") {
  Sandbox sandbox;
  AddVigy(sandbox, "slow", "(sh \"echo $$ > child.pid; sleep 0.5\")\n(vigy-incr \"done\")\n",
          {"--every", "1h"});
  BackgroundVigy serve(sandbox, {"serve"});
  const pid_t child = WaitForPid(sandbox, "child.pid");
  serve.Signal(SIGHUP);
  REQUIRE(serve.WaitExit(seconds(10)) == 0);
  CHECK(serve.Err().find(" info  received SIGHUP: stopping\n") != std::string::npos);
  CHECK(Count(sandbox, "SELECT count(*) FROM runs WHERE result = 'ok'") == 1);
  CHECK(Must(sandbox, {"kv", "slow", "get", "done"}).out == "1\n");
  CHECK_FALSE(Alive(child));
}

TEST_CASE("serve --log-format json tells the signal it stops on") {
  Sandbox sandbox;
  AddVigy(sandbox, "n", "(vigy-noop)\n", {"--every", "1h"});
  BackgroundVigy serve(sandbox, {"serve", "--log-format", "json"});
  REQUIRE(BackgroundVigy::WaitUntil(
      [&] { return serve.Err().find("\"started\"") != std::string::npos; }));
  serve.Signal(SIGHUP);
  REQUIRE(serve.WaitExit(seconds(10)) == 0);
  bool found = false;
  std::string err = serve.Err();
  for (size_t start = 0, end; (end = err.find('\n', start)) != std::string::npos; start = end + 1) {
    nlohmann::json line = nlohmann::json::parse(err.substr(start, end - start));
    if (line["event"] == "signal") {
      CHECK(line["signal"] == "SIGHUP");
      found = true;
    }
  }
  CHECK(found);
}

TEST_CASE("health tells a stopped serve (running but not responding) from one not running") {
  Sandbox sandbox;
  AddVigy(sandbox, "fine", "(vigy-noop)\n", {"--every", "100ms"});
  BackgroundVigy serve(sandbox, {"serve"});
  REQUIRE(
      BackgroundVigy::WaitUntil([&] { return serve.Err().find("serving") != std::string::npos; }));
  REQUIRE(BackgroundVigy::WaitUntil([&] { return sandbox.Run({"health"}).exit_code == 0; }));
  serve.Signal(SIGSTOP);
  BinaryResult stopped;
  bool told = BackgroundVigy::WaitUntil(
      [&] {
        stopped = sandbox.Run({"health"});
        return stopped.exit_code == 1;
      },
      seconds(20));
  INFO(stopped.out);
  CHECK(told);
  CHECK(stopped.out.starts_with("serve (pid " + std::to_string(serve.pid()) +
                                ") is running but not responding: the process is stopped"));
  serve.Signal(SIGKILL);
  serve.WaitExit(seconds(5));
  BinaryResult dead = sandbox.Run({"health"});
  CHECK(dead.exit_code == 1);
  CHECK(dead.out.starts_with("serve (pid " + std::to_string(serve.pid()) + ") is not running"));
}

}  // namespace
}  // namespace vigy::testing
