// vigy serve, health and list end to end: real serve processes on a store in
// a sandbox, changed from other processes, signalled, and checked through
// the store and the other commands.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/time_format.h"
#include "tests/cli/background_vigy.h"
#include "tests/cli/store_e2e.h"
#include "tests/support/store_sql.h"

namespace vigy::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

int64_t Count(const Sandbox& sandbox, const std::string& sql) {
  return StoreSql(sandbox.store_location()).QueryInt(sql);
}

int64_t RunsOf(const Sandbox& sandbox, const std::string& name) {
  return Count(sandbox, "SELECT count(*) FROM runs WHERE vigy_name = '" + name + "'");
}

// The runs of `name`, oldest first, as `vigy runs --json` prints them.
std::vector<nlohmann::json> RunsJson(const Sandbox& sandbox, const std::string& name) {
  BinaryResult r = Must(sandbox, {"runs", name, "--json"});
  std::vector<nlohmann::json> runs;
  for (const nlohmann::json& run : nlohmann::json::parse(r.out)) runs.push_back(run);
  std::reverse(runs.begin(), runs.end());
  return runs;
}

int64_t Ms(const nlohmann::json& rfc3339) {
  return *core::ParseRfc3339Ms(rfc3339.get<std::string>());
}

// Whether any process's command line contains `text`.
bool AnyProcessMentions(const std::string& text) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(text) != std::string::npos) return true;
  }
  return false;
}

// Waits until serve has recorded itself and started ticking.
void WaitServing(BackgroundVigy& serve) {
  bool serving =
      BackgroundVigy::WaitUntil([&] { return serve.Err().find("serving") != std::string::npos; });
  INFO(serve.Err());
  REQUIRE(serving);
}

// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("serve ticks an every-vigy on drift-free slots and records when each was due") {
  Sandbox sandbox;
  AddVigy(sandbox, "pulse", kCounter, {"--every", "200ms"});
  BackgroundVigy serve(sandbox, {"serve"});
  REQUIRE(BackgroundVigy::WaitUntil([&] { return RunsOf(sandbox, "pulse") >= 5; }));
  serve.Signal(SIGTERM);
  REQUIRE(serve.WaitExit(seconds(10)) == 0);

  std::vector<nlohmann::json> runs = RunsJson(sandbox, "pulse");
  REQUIRE(runs.size() >= 5);
  for (size_t i = 0; i < runs.size(); ++i) {
    INFO(runs[i].dump());
    REQUIRE(runs[i].contains("scheduled_at"));
    CHECK(runs[i]["tick"] == i + 1);
    CHECK(Ms(runs[i]["started_at"]) >= Ms(runs[i]["scheduled_at"]));
    if (i > 0) CHECK(Ms(runs[i]["scheduled_at"]) - Ms(runs[i - 1]["scheduled_at"]) == 200);
  }
  // Every tick serve started was committed.
  CHECK(Count(sandbox, "SELECT tick_count FROM runtime") == static_cast<int64_t>(runs.size()));
}

TEST_CASE("serve picks up add, disable and rm made by other processes within a second") {
  Sandbox sandbox;
  AddVigy(sandbox, "first", kCounter, {"--every", "100ms"});
  BackgroundVigy serve(sandbox, {"serve"});
  WaitServing(serve);

  AddVigy(sandbox, "added", kCounter, {"--every", "100ms"});
  auto added_at = std::chrono::steady_clock::now();
  REQUIRE(BackgroundVigy::WaitUntil([&] { return RunsOf(sandbox, "added") >= 1; }));
  // A change poll every 250 ms; a second is the promise (plus slack for a busy machine).
  CHECK(std::chrono::steady_clock::now() - added_at < milliseconds(2000));

  Must(sandbox, {"disable", "first"});
  std::this_thread::sleep_for(milliseconds(1000));  // four change polls
  int64_t after_disable = RunsOf(sandbox, "first");
  std::this_thread::sleep_for(milliseconds(600));
  CHECK(RunsOf(sandbox, "first") == after_disable);

  Must(sandbox, {"rm", "added"});
  std::this_thread::sleep_for(milliseconds(600));
  CHECK(RunsOf(sandbox, "added") == 0);
  CHECK(serve.WaitExit(milliseconds(0)) == std::nullopt);  // still serving

  serve.Signal(SIGTERM);
  CHECK(serve.WaitExit(seconds(10)) == 0);
  CHECK(serve.Err().find("first: no longer ticked: disabled") != std::string::npos);
}

TEST_CASE("SIGTERM lets the tick in flight finish, commits it and exits 0") {
  Sandbox sandbox;
  AddVigy(sandbox, "slow", "(sh \"sleep 0.5\")\n(vigy-incr \"done\")\n", {"--every", "100ms"});
  BackgroundVigy serve(sandbox, {"serve"});
  REQUIRE(BackgroundVigy::WaitUntil([&] { return RunsOf(sandbox, "slow") >= 1; }));
  // Ticks run back to back now: the next one is in flight.
  std::this_thread::sleep_for(milliseconds(200));
  const int64_t before = RunsOf(sandbox, "slow");
  serve.Signal(SIGTERM);
  REQUIRE(serve.WaitExit(seconds(10)) == 0);
  const int64_t runs = RunsOf(sandbox, "slow");
  CHECK(runs == before + 1);
  CHECK(Count(sandbox, "SELECT tick_count FROM runtime") == runs);
  BinaryResult done = Must(sandbox, {"kv", "slow", "get", "done"});
  CHECK(done.out == std::to_string(runs) + "\n");
}

TEST_CASE("a second signal ends serve at once, and the command it was running with it") {
  Sandbox sandbox;
  AddVigy(sandbox, "stuck", "(sh \"touch started; sleep 31.5\")\n",
          {"--every", "1h", "--timeout", "1m"});
  BackgroundVigy serve(sandbox, {"serve"});
  REQUIRE(BackgroundVigy::WaitUntil(
      [&] { return std::filesystem::exists(sandbox.dir() / "started"); }));
  serve.Signal(SIGTERM);
  CHECK(serve.WaitExit(milliseconds(500)) == std::nullopt);  // waiting for the tick
  serve.Signal(SIGTERM);
  CHECK(serve.WaitExit(seconds(3)) == 130);
  // Killed, the command is gone as soon as the kernel has run its exit
  // (it would otherwise live on for 31.5 s).
  CHECK(BackgroundVigy::WaitUntil([] { return !AnyProcessMentions("31.5"); }, seconds(5)));
}

TEST_CASE("a tick stuck past its timeout fails on time while other vigies keep their cadence") {
  Sandbox sandbox;
  AddVigy(sandbox, "stuck", "(sh \"sleep 1000\")\n", {"--every", "1h", "--timeout", "1s"});
  AddVigy(sandbox, "steady", kCounter, {"--every", "200ms"});
  BackgroundVigy serve(sandbox, {"serve"});
  REQUIRE(BackgroundVigy::WaitUntil([&] { return RunsOf(sandbox, "stuck") >= 1; }));
  std::this_thread::sleep_for(milliseconds(600));
  serve.Signal(SIGTERM);
  REQUIRE(serve.WaitExit(seconds(10)) == 0);

  std::vector<nlohmann::json> stuck = RunsJson(sandbox, "stuck");
  REQUIRE(stuck.size() == 1);
  CHECK(stuck[0]["result"] == "failed");
  CHECK(stuck[0]["duration_ms"].get<int64_t>() < 3000);
  std::vector<nlohmann::json> steady = RunsJson(sandbox, "steady");
  CHECK(steady.size() >= 6);
  for (size_t i = 1; i < steady.size(); ++i) {
    CHECK(Ms(steady[i]["scheduled_at"]) - Ms(steady[i - 1]["scheduled_at"]) == 200);
  }
}

TEST_CASE("serve prunes each vigy's history to --keep-runs as it goes") {
  Sandbox sandbox;
  AddVigy(sandbox, "chatty", kCounter, {"--every", "100ms"});
  BackgroundVigy serve(sandbox, {"serve", "--keep-runs", "3"});
  REQUIRE(BackgroundVigy::WaitUntil(
      [&] { return Count(sandbox, "SELECT tick_count FROM runtime") >= 8; }));
  serve.Signal(SIGTERM);
  REQUIRE(serve.WaitExit(seconds(10)) == 0);
  CHECK(RunsOf(sandbox, "chatty") == 3);
  CHECK(Count(sandbox, "SELECT min(tick) FROM runs") ==
        Count(sandbox, "SELECT tick_count FROM runtime") - 2);
}

TEST_CASE("serve --once ticks what is due once, and exits 1 if any tick failed") {
  Sandbox sandbox;
  AddVigy(sandbox, "good", kCounter, {"--every", "1m"});
  AddVigy(sandbox, "bad", kFailing, {"--every", "1m"});
  AddVigy(sandbox, "manual", kCounter);
  BinaryResult once = sandbox.Run({"serve", "--once"}, "", seconds(30));
  CHECK(once.exit_code == 1);
  CHECK(RunsOf(sandbox, "good") == 1);
  CHECK(RunsOf(sandbox, "bad") == 1);
  CHECK(RunsOf(sandbox, "manual") == 0);
  CHECK(once.err.find("bad: tick 1 failed") != std::string::npos);

  // Nothing is due again for a minute.
  Must(sandbox, {"rm", "bad"});
  BinaryResult again = sandbox.Run({"serve", "--once"}, "", seconds(30));
  CHECK(again.exit_code == 0);
  CHECK(RunsOf(sandbox, "good") == 1);
}

TEST_CASE("serve --log-format json writes one JSON object per line") {
  Sandbox sandbox;
  AddVigy(sandbox, "bad", kFailing, {"--every", "1m"});
  BinaryResult once = sandbox.Run({"serve", "--once", "--log-format", "json"}, "", seconds(30));
  CHECK(once.exit_code == 1);
  std::vector<std::string> events;
  size_t start = 0;
  while (start < once.err.size()) {
    size_t end = once.err.find('\n', start);
    std::string line = once.err.substr(start, end - start);
    start = end == std::string::npos ? once.err.size() : end + 1;
    if (line.starts_with("vigy: ")) continue;  // the exit message
    nlohmann::json j = nlohmann::json::parse(line);
    events.push_back(j["event"].get<std::string>());
    if (j["event"] == "tick_failed") {
      CHECK(j["vigy"] == "bad");
      CHECK(j["tick"] == 1);
      CHECK(j["error"].get<std::string>().find("2:1") != std::string::npos);
    }
  }
  CHECK(events == std::vector<std::string>{"started", "tick_failed", "stopped"});
}

TEST_CASE("health is 0 only while a serve is live and no vigy fails") {
  Sandbox sandbox;
  AddVigy(sandbox, "fine", kCounter, {"--every", "100ms"});
  BinaryResult none = sandbox.Run({"health"});
  CHECK(none.exit_code == 1);
  CHECK(none.out.find("no serve has run") != std::string::npos);

  {
    BackgroundVigy serve(sandbox, {"serve"});
    WaitServing(serve);
    REQUIRE(BackgroundVigy::WaitUntil([&] { return RunsOf(sandbox, "fine") >= 1; }));
    BinaryResult healthy = sandbox.Run({"health"});
    INFO(healthy.out);
    CHECK(healthy.exit_code == 0);

    AddVigy(sandbox, "broken", kFailing, {"--every", "100ms"});
    REQUIRE(BackgroundVigy::WaitUntil([&] { return RunsOf(sandbox, "broken") >= 1; }));
    BinaryResult failing = sandbox.Run({"health", "--json"});
    CHECK(failing.exit_code == 1);
    nlohmann::json report = nlohmann::json::parse(failing.out);
    CHECK(report["ok"] == false);
    REQUIRE(report["problems"].size() == 1);
    CHECK(report["problems"][0]["vigy"] == "broken");
    CHECK(report["problems"][0]["kind"] == "failing");
    CHECK(report["serve"]["pid"] == serve.pid());
    Must(sandbox, {"rm", "broken"});
    CHECK(sandbox.Run({"health"}).exit_code == 0);

    serve.Signal(SIGKILL);
    serve.WaitExit(seconds(5));
  }
  BinaryResult dead = sandbox.Run({"health"});
  CHECK(dead.exit_code == 1);
  CHECK(dead.out.find("is not running") != std::string::npos);
}

TEST_CASE("list shows when serve plans each vigy's next tick, only while a serve is live") {
  Sandbox sandbox;
  AddVigy(sandbox, "hourly", kCounter, {"--every", "1h"});
  {
    BackgroundVigy serve(sandbox, {"serve"});
    REQUIRE(BackgroundVigy::WaitUntil([&] { return RunsOf(sandbox, "hourly") >= 1; }));
    BinaryResult list = Must(sandbox, {"list"});
    INFO(list.out);
    CHECK((list.out.ends_with("in 1h\n") || list.out.ends_with("in 59m\n")));
    serve.Signal(SIGTERM);
    REQUIRE(serve.WaitExit(seconds(10)) == 0);
  }
  BinaryResult list = Must(sandbox, {"list"});
  CHECK(list.out.ends_with("-\n"));
}

TEST_CASE("show gives no next tick for a disabled vigy, as list does") {
  Sandbox sandbox;
  AddVigy(sandbox, "hourly", kCounter, {"--every", "1h"});
  BackgroundVigy serve(sandbox, {"serve"});
  REQUIRE(BackgroundVigy::WaitUntil([&] { return RunsOf(sandbox, "hourly") >= 1; }));
  REQUIRE(Must(sandbox, {"show", "hourly"}).out.find("\nnext ") != std::string::npos);
  Must(sandbox, {"disable", "hourly"});
  BinaryResult show = Must(sandbox, {"show", "hourly"});
  INFO(show.out);
  CHECK(show.out.find("\nnext ") == std::string::npos);
  CHECK(Must(sandbox, {"list"}).out.ends_with("-\n"));
  serve.Signal(SIGTERM);
  REQUIRE(serve.WaitExit(seconds(10)) == 0);
}

TEST_CASE("serve --once on a store that does not exist ticks nothing and creates nothing") {
  Sandbox sandbox;
  BinaryResult once = sandbox.Run({"serve", "--once"}, "", seconds(30));
  CHECK(once.exit_code == 0);
  CHECK(once.out == "");
  CHECK_FALSE(sandbox.store_exists());
}

TEST_CASE("serve counts the vigies it schedules in words: 1 vigy, 2 vigies") {
  Sandbox one;
  AddVigy(one, "a", kCounter, {"--every", "1h"});
  CHECK(one.Run({"serve", "--once"}, "", seconds(30)).err.find("(1 vigy scheduled)") !=
        std::string::npos);
  Sandbox two;
  AddVigy(two, "a", kCounter, {"--every", "1h"});
  AddVigy(two, "b", kCounter, {"--every", "1h"});
  CHECK(two.Run({"serve", "--once"}, "", seconds(30)).err.find("(2 vigies scheduled)") !=
        std::string::npos);
}

TEST_SUITE_END();

// SQLite only: on PostgreSQL any number of serves share a store
// (tests/cli/pg_fleet_test.cc).
TEST_CASE("a second serve on the same store exits 4 naming the first one's pid") {
  Sandbox sandbox;
  AddVigy(sandbox, "idle", kCounter, {"--every", "1h"});
  BackgroundVigy first(sandbox, {"serve"});
  WaitServing(first);
  BinaryResult second = sandbox.Run({"serve"}, "", seconds(10));
  CHECK(second.exit_code == 4);
  CHECK(second.err.find("pid " + std::to_string(first.pid())) != std::string::npos);
  CHECK(std::count(second.err.begin(), second.err.end(), '\n') == 1);
  first.Signal(SIGTERM);
  CHECK(first.WaitExit(seconds(10)) == 0);
  // Once the first is gone, the store can be served again.
  BackgroundVigy third(sandbox, {"serve"}, "third");
  WaitServing(third);
  third.Signal(SIGINT);
  CHECK(third.WaitExit(seconds(10)) == 0);
}

}  // namespace
}  // namespace vigy::testing
