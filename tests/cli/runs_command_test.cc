// End to end: `vigy runs`, including --prune.
#include <doctest/doctest.h>

#include <regex>

#include "tests/cli/store_e2e.h"

namespace vigy::testing {
namespace {

// (vigy, tick) of each run listed by `vigy runs args... --json`.
std::vector<std::pair<std::string, int64_t>> Listed(const Sandbox& s,
                                                    std::vector<std::string> args) {
  args.insert(args.begin(), "runs");
  args.push_back("--json");
  BinaryResult r = s.Run(args);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  std::vector<std::pair<std::string, int64_t>> runs;
  for (const auto& run : JsonOut(r)) runs.emplace_back(run["vigy_name"], run["tick"]);
  return runs;
}

using Runs = std::vector<std::pair<std::string, int64_t>>;

// Ticks `a` (which succeeds) and `b` (which fails) in turn, `rounds` times.
void TickRounds(const Sandbox& s, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    Must(s, {"tick", "a"});
    CHECK(s.Run({"tick", "b"}).exit_code == 1);
  }
}

// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("runs lists the runs of every vigy newest first as a table") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kFailing);
  TickRounds(s, 1);
  BinaryResult r = s.Run({"runs"});
  CHECK(r.exit_code == 0);
  // The error lines up under its heading, however many digits the durations took.
  const size_t error_column = r.out.find("ERROR");
  const size_t second_line = r.out.find('\n') + 1;
  CHECK(r.out.find("2:1:", second_line) - second_line == error_column);

  std::string text = std::regex_replace(r.out, std::regex(R"([0-9a-f]{20})"), "RUNID");
  text = std::regex_replace(text, std::regex(R"(\d{4}-\d\d-\d\dT[\d:.]+Z)"), "TIME");
  text = std::regex_replace(text, std::regex(R"(\b\d+ms +)"), "Nms ");
  text = std::regex_replace(text, std::regex(R"(\b\d+ms$)", std::regex::multiline), "Nms");
  CHECK(text ==
        "ID                    VIGY  TICK  RESULT  STARTED                   DURATION  ERROR\n"
        "RUNID  b     1     failed  TIME  Nms 2:1: 'car' of an empty list\n"
        "RUNID  a     1     ok      TIME  Nms\n");
}

TEST_CASE("runs --json prints an array of run objects with their public field names") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kFailing);
  TickRounds(s, 1);
  nlohmann::json j = JsonOut(s.Run({"runs", "--json"}));
  REQUIRE(j.size() == 2);
  std::set<std::string> run_keys{"id",         "vigy_id",  "vigy_name",   "revision", "tick",
                                 "started_at", "ended_at", "duration_ms", "result",   "actions",
                                 "log",        "events",   "metrics",     "trace"};
  CHECK(Keys(j[1]) == run_keys);
  run_keys.insert("error");
  CHECK(Keys(j[0]) == run_keys);
  CHECK(j[1]["actions"] == nlohmann::json::parse(R"([{"kind":"noop","result":"ok"}])"));
  CHECK(j[1]["log"] == nlohmann::json::parse(R"([{"level":"info","message":"run 1"}])"));
}

TEST_CASE("runs of one vigy, only failed, at most N, or since a time") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kFailing);
  TickRounds(s, 3);
  CHECK(Listed(s, {"a"}) == Runs{{"a", 3}, {"a", 2}, {"a", 1}});
  CHECK(Listed(s, {"--failed"}) == Runs{{"b", 3}, {"b", 2}, {"b", 1}});
  CHECK(Listed(s, {"--limit", "2"}) == Runs{{"b", 3}, {"a", 3}});
  CHECK(Listed(s, {"a", "--failed"}).empty());
  CHECK(Listed(s, {"--since", "1h"}).size() == 6);
  CHECK(Listed(s, {"--since", "2999-01-01T00:00:00Z"}).empty());
  CHECK(Listed(s, {"--since", "2000-01-01T00:00:00Z", "-n", "1"}) == Runs{{"b", 3}});

  BinaryResult r = s.Run({"runs", "--since", "yesterday"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "vigy: bad --since 'yesterday': expected a duration back from now (e.g. 30m, 2h, 1d) "
        "or an RFC 3339 time\n");
  r = s.Run({"runs", "--limit", "0"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: bad --limit '0': expected a whole number from 1 to 1000000000\n");
}

TEST_CASE("runs shows the newest 20 unless given --limit") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  for (int i = 0; i < 21; ++i) Must(s, {"tick", "a"});
  Runs runs = Listed(s, {});
  REQUIRE(runs.size() == 20);
  CHECK(runs.front().second == 21);
  CHECK(runs.back().second == 2);
}

TEST_CASE("runs --prune keeps the newest N runs of each vigy and says how many went") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kFailing);
  TickRounds(s, 4);
  BinaryResult r = s.Run({"runs", "--prune", "--keep", "3", "a"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "removed 1 run\n");
  CHECK(Listed(s, {"a"}) == Runs{{"a", 4}, {"a", 3}, {"a", 2}});
  CHECK(Listed(s, {"b"}).size() == 4);

  r = s.Run({"runs", "--prune", "--keep", "1", "--json"});
  CHECK(r.exit_code == 0);
  CHECK(JsonOut(r) == nlohmann::json{{"removed", 5}});
  CHECK(Listed(s, {}) == Runs{{"b", 4}, {"a", 4}});

  // The default keeps 1000, so nothing more goes.
  r = s.Run({"runs", "--prune"});
  CHECK(r.out == "removed 0 runs\n");
  r = s.Run({"runs", "--prune", "--keep", "0"});
  CHECK(r.out == "removed 2 runs\n");
  CHECK(Listed(s, {}).empty());
  // Pruning never renumbers: the next tick of a carries on.
  Must(s, {"tick", "a"});
  CHECK(Listed(s, {"a"}) == Runs{{"a", 5}});
}

TEST_CASE("runs --prune refuses the listing options, and --keep needs --prune") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  BinaryResult r = s.Run({"runs", "--prune", "--failed"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: --prune cannot be used with --limit, --failed or --since\n");
  r = s.Run({"runs", "--keep", "3"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: --keep needs --prune\n");
  r = s.Run({"runs", "--prune", "--keep", "-1"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("runs of an unknown vigy exits 3, of a store that does not exist, lists nothing") {
  Sandbox s;
  BinaryResult r = s.Run({"runs", "--json"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "[]\n");
  r = s.Run({"runs", "ghost"});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "vigy: no such vigy 'ghost'\n");
  r = s.Run({"runs", "--prune"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "removed 0 runs\n");
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
