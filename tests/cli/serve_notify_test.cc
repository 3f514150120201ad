// vigy serve --notify end to end: a real serve runs the hook command, with
// real shells, as a vigy breaks and recovers.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/background_vigy.h"
#include "tests/cli/store_e2e.h"
#include "tests/storage/store_helpers.h"
#include "tests/support/files.h"

namespace vigy::testing {
namespace {

using std::chrono::seconds;

// Fails while its kv key "broken" is set.
constexpr const char* kFlaky =
    "(if (vigy-get \"broken\") (throw (error :broken \"the disk is down\")) (vigy-noop))\n";

std::vector<std::string> LinesOf(const std::string& path) {
  std::vector<std::string> lines;
  if (!std::filesystem::exists(path)) return lines;
  std::istringstream in(ReadFile(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int64_t FailedRuns(const Sandbox& sandbox, const std::string& name) {
  return storage::testing::QueryInt((sandbox.dir() / "vigy.db").string(),
                                    "SELECT count(*) FROM runs WHERE result = 'failed' AND "
                                    "vigy_name = '" +
                                        name + "'");
}

void WaitServing(BackgroundVigy& serve) {
  const bool serving =
      BackgroundVigy::WaitUntil([&] { return serve.Err().find("serving") != std::string::npos; });
  INFO(serve.Err());
  REQUIRE(serving);
}

TEST_CASE("serve --notify tells a failure once however often it repeats, then the recovery") {
  Sandbox sandbox;
  AddVigy(sandbox, "flaky", kFlaky, {"--every", "100ms"});
  const std::string told = (sandbox.dir() / "told").string();
  BackgroundVigy serve(
      sandbox, {"serve", "--notify",
                "{ printf '%s %s ' \"$VIGY_EVENT\" \"$VIGY_NAME\"; cat; } >> '" + told + "'"});
  WaitServing(serve);

  Must(sandbox, {"kv", "flaky", "set", "broken", "true"});
  REQUIRE(BackgroundVigy::WaitUntil([&] { return FailedRuns(sandbox, "flaky") >= 4; }));
  Must(sandbox, {"kv", "flaky", "rm", "broken"});
  REQUIRE(BackgroundVigy::WaitUntil([&] { return LinesOf(told).size() >= 2; }));
  serve.Signal(SIGTERM);
  REQUIRE(serve.WaitExit(seconds(10)) == 0);

  const std::vector<std::string> lines = LinesOf(told);
  INFO(serve.Err());
  REQUIRE(lines.size() == 2);  // four failures or more, told once
  REQUIRE(lines[0].rfind("failed flaky ", 0) == 0);
  nlohmann::json failed = nlohmann::json::parse(lines[0].substr(13));
  CHECK(failed["kind"] == "failed");
  CHECK(failed["vigy"]["name"] == "flaky");
  CHECK(failed["run"]["result"] == "failed");
  CHECK(failed["run"]["error"].get<std::string>().find("the disk is down") != std::string::npos);
  REQUIRE(lines[1].rfind("recovered flaky ", 0) == 0);
  nlohmann::json recovered = nlohmann::json::parse(lines[1].substr(16));
  CHECK(recovered["run"]["result"] == "ok");
  CHECK(recovered["run"]["tick"].get<int64_t>() > failed["run"]["tick"].get<int64_t>());
}

TEST_CASE(
    "a notify command that hangs delays no tick, is killed at its timeout and logged, and does not "
    "hold up the stop") {
  Sandbox sandbox;
  AddVigy(sandbox, "flaky", kFlaky, {"--every", "100ms"});
  Must(sandbox, {"kv", "flaky", "set", "broken", "true"});
  AddVigy(sandbox, "other", kFlaky, {"--every", "100ms"});
  Must(sandbox, {"kv", "other", "set", "broken", "true"});
  AddVigy(sandbox, "steady", kCounter, {"--every", "100ms"});
  BackgroundVigy serve(sandbox, {"serve", "--notify", "sleep 60", "--notify-timeout", "1500ms"});
  WaitServing(serve);
  REQUIRE(BackgroundVigy::WaitUntil(
      [&] { return serve.Err().find("was killed after 1500 ms") != std::string::npos; }));
  // While the first hook slept, ticks went on at their cadence: 1.5 s of
  // a vigy every 100 ms.
  CHECK(storage::testing::QueryInt((sandbox.dir() / "vigy.db").string(),
                                   "SELECT count(*) FROM runs WHERE vigy_name = 'steady'") >= 8);
  const auto stop = std::chrono::steady_clock::now();
  serve.Signal(SIGTERM);
  REQUIRE(serve.WaitExit(seconds(10)) == 0);
  // The second hook (the other vigy's) was running or waiting: cut to the
  // stop's allowance of one timeout, not the sleep's 60 s.
  CHECK(std::chrono::steady_clock::now() - stop < seconds(8));
  CHECK(serve.Err().find("notify: the command for the 'failed' event of ") != std::string::npos);
}

TEST_CASE("serve refuses a notify timeout that is not a duration, before touching the store") {
  Sandbox sandbox;
  BinaryResult r = sandbox.Run({"serve", "--notify", "true", "--notify-timeout", "soon"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--notify-timeout") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(sandbox.dir() / "vigy.db"));
}

}  // namespace
}  // namespace vigy::testing
