// End to end: `vigy tick`, including ticks of one vigy from several processes.
#include <doctest/doctest.h>

#include "tests/cli/store_e2e.h"

namespace vigy::testing {
namespace {

const std::set<std::string> kRunKeys{"id",         "vigy_id",  "vigy_name",   "revision", "tick",
                                     "started_at", "ended_at", "duration_ms", "result",   "actions",
                                     "log",        "events",   "metrics",     "trace"};

std::vector<int64_t> Ticks(const Sandbox& s, const std::string& vigy) {
  std::vector<int64_t> ticks;
  for (const auto& run : JsonOut(s.Run({"runs", vigy, "--json", "--limit", "1000"}))) {
    ticks.push_back(run["tick"]);
  }
  return ticks;
}

// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("tick prints the run and records it as the vigy's next tick") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult r = s.Run({"tick", "web"});
  CHECK(r.exit_code == 0);
  CHECK(r.err == "");
  CHECK(WithoutTimings(r.out) ==
        "result      ok\n"
        "duration    Nms\n"
        "actions     noop    (ok)\n"
        "log         info  run 1\n"
        "metrics     runs = 1\n");
  Must(s, {"tick", "web"});
  CHECK(Ticks(s, "web") == std::vector<int64_t>{2, 1});
  CHECK(JsonOut(s.Run({"kv", "web", "get", "runs"})) == 2);
}

TEST_CASE("tick --json of one vigy prints the run object") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult r = s.Run({"tick", "web", "--json"});
  CHECK(r.exit_code == 0);
  nlohmann::json j = JsonOut(r);
  CHECK(Keys(j) == kRunKeys);
  CHECK(j["vigy_name"] == "web");
  CHECK(j["vigy_id"] == core::VigyIdFromName("web"));
  CHECK(j["revision"] == core::Revision(kCounter));
  CHECK(j["tick"] == 1);
  CHECK(j["result"] == "ok");
  CHECK(j["metrics"] == nlohmann::json{{"runs", 1}});
  // What was printed is what was recorded.
  CHECK(JsonOut(s.Run({"runs", "--json"}))[0] == j);
}

TEST_CASE("a failed tick prints its error with the program line, records the run and exits 1") {
  Sandbox s;
  AddVigy(s, "bad", kFailing);
  BinaryResult r = s.Run({"tick", "bad"});
  CHECK(r.exit_code == 1);
  CHECK(WithoutTimings(r.out) ==
        "result      failed\n"
        "duration    Nms\n"
        "error       bad:2:1: 'car' of an empty list\n"
        "              (car (list))\n"
        "              ^\n");
  r = s.Run({"tick", "bad", "--json"});
  CHECK(r.exit_code == 1);
  nlohmann::json j = JsonOut(r);
  CHECK(Keys(j).count("error") == 1);
  CHECK(j["error"] == "2:1: 'car' of an empty list");
  CHECK(j["tick"] == 2);
  // A failed tick keeps none of the program's kv writes.
  CHECK(s.Run({"kv", "bad", "get", "a"}).exit_code == 1);
}

TEST_CASE("tick of several vigies prints an array of runs in the order ticked") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kFailing);
  BinaryResult r = s.Run({"tick", "b", "a", "--json"});
  CHECK(r.exit_code == 1);
  nlohmann::json j = JsonOut(r);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 2);
  CHECK(j[0]["vigy_name"] == "b");
  CHECK(j[0]["result"] == "failed");
  CHECK(j[1]["vigy_name"] == "a");
  CHECK(j[1]["result"] == "ok");

  r = s.Run({"tick", "a", "b"});
  CHECK(r.exit_code == 1);
  CHECK(r.out.starts_with("vigy        a\nresult      ok\n"));
  CHECK(r.out.find("\n\nvigy        b\nresult      failed\n") != std::string::npos);
}

TEST_CASE("tick --all ticks every enabled vigy by name and prints an array") {
  Sandbox s;
  AddVigy(s, "b", kCounter);
  AddVigy(s, "a", kCounter);
  AddVigy(s, "off", kCounter, {"--disabled"});
  BinaryResult r = s.Run({"tick", "--all", "--json"});
  CHECK(r.exit_code == 0);
  nlohmann::json j = JsonOut(r);
  REQUIRE(j.size() == 2);
  CHECK(j[0]["vigy_name"] == "a");
  CHECK(j[1]["vigy_name"] == "b");
  CHECK(Ticks(s, "off").empty());
  // Named, a disabled vigy is ticked.
  Must(s, {"tick", "off"});
  CHECK(Ticks(s, "off") == std::vector<int64_t>{1});
}

TEST_CASE("tick --all with no vigies does nothing and exits 0") {
  Sandbox s;
  BinaryResult r = s.Run({"tick", "--all"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "");
  CHECK(r.err == "");
  r = s.Run({"tick", "--all", "--json"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "[]\n");
}

TEST_CASE("tick --selector ticks the enabled vigies whose labels match") {
  Sandbox s;
  AddVigy(s, "web", kCounter, {"--label", "tier=front"});
  AddVigy(s, "db", kCounter, {"--label", "tier=back"});
  nlohmann::json j = JsonOut(s.Run({"tick", "--selector", "tier=front", "--json"}));
  REQUIRE(j.size() == 1);
  CHECK(j[0]["vigy_name"] == "web");
  CHECK(Ticks(s, "db").empty());
  CHECK(s.Run({"tick", "--selector", "tier=="}).exit_code == 2);
}

TEST_CASE("tick --dry-run evaluates and prints but records nothing") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  Must(s, {"tick", "web"});
  nlohmann::json before = JsonOut(s.Run({"show", "web", "--json"}));
  BinaryResult r = s.Run({"tick", "web", "--dry-run", "--json"});
  CHECK(r.exit_code == 0);
  nlohmann::json run = JsonOut(r);
  CHECK(run["tick"] == 2);
  CHECK(run["log"][0]["message"] == "run 2");
  nlohmann::json after = JsonOut(s.Run({"show", "web", "--json"}));
  CHECK(after["kv"] == before["kv"]);
  CHECK(after["runtime"] == before["runtime"]);
  CHECK(after["runs"] == before["runs"]);
  // The next real tick is still tick 2.
  CHECK(JsonOut(s.Run({"tick", "web", "--json"}))["tick"] == 2);
}

TEST_CASE("tick needs exactly one of VIGY, --all or --selector") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  for (std::vector<std::string> args : {std::vector<std::string>{"tick"},
                                        {"tick", "web", "--all"},
                                        {"tick", "--all", "--selector", "a=b"}}) {
    BinaryResult r = s.Run(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "vigy: name the vigies to tick, or give --all or --selector (one)\n");
  }
  CHECK(Ticks(s, "web").empty());
}

TEST_CASE("tick of an unknown vigy ticks nothing and exits 3") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult r = s.Run({"tick", "web", "ghost"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "");
  CHECK(r.err == "vigy: no such vigy 'ghost'\n");
  CHECK(Ticks(s, "web").empty());
}

TEST_CASE("ticks of one vigy started together by four processes are recorded as ticks 1 to 4") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  std::vector<BinaryResult> results = RunTogether(s, {"tick", "web", "--json"}, 4);
  std::set<int64_t> printed;
  for (const BinaryResult& r : results) {
    INFO(r.err);
    CHECK(r.exit_code == 0);
    nlohmann::json run = JsonOut(r);
    if (run.is_object()) printed.insert(run["tick"].get<int64_t>());
  }
  CHECK(printed == std::set<int64_t>{1, 2, 3, 4});
  CHECK(Ticks(s, "web") == std::vector<int64_t>{4, 3, 2, 1});
  // Each tick saw the kv the one before it committed.
  CHECK(JsonOut(s.Run({"kv", "web", "get", "runs"})) == 4);
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
