// End to end: `vigy list` (`ls`) and `vigy show`, and how a VIGY is named.
#include <doctest/doctest.h>

#include <filesystem>
#include <regex>

#include "tests/cli/store_e2e.h"

namespace vigy::testing {
namespace {

// `text` with the digits of relative ages ("13s ago") replaced by N, one
// for one, so the columns stay aligned as they were printed.
std::string WithoutAges(const std::string& text) {
  static const std::regex age(R"(\d+[smhd] ago)");
  std::string out = text;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), age); it != std::sregex_iterator();
       ++it) {
    const auto begin = static_cast<size_t>(it->position());
    for (size_t i = begin; i < begin + static_cast<size_t>(it->length()); ++i) {
      if (out[i] >= '0' && out[i] <= '9') out[i] = 'N';
    }
  }
  return out;
}

// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("list of a store that does not exist prints nothing, creates nothing and exits 0") {
  Sandbox s;
  BinaryResult r = s.Run({"list"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "");
  CHECK(r.err == "");
  r = s.Run({"list", "--json"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "[]\n");
  CHECK_FALSE(s.store_exists());
}

TEST_CASE("list prints an aligned table of state, name, id, schedule, last result and times") {
  Sandbox s;
  AddVigy(s, "web", kCounter, {"--every", "5s"});
  AddVigy(s, "backup", kFailing, {"--cron", "0 3 * * *"});
  AddVigy(s, "idle", kCounter, {"--disabled"});
  Must(s, {"tick", "web"});
  s.Run({"tick", "backup"});
  BinaryResult r = s.Run({"list"});
  CHECK(r.exit_code == 0);
  std::string backup = core::VigyIdFromName("backup");
  std::string idle = core::VigyIdFromName("idle");
  std::string web = core::VigyIdFromName("web");
  CHECK(WithoutAges(r.out) ==
        "STATE     NAME    ID                SCHEDULE          LAST    LAST RUN  NEXT\n"
        "failing   backup  " +
            backup +
            "  cron \"0 3 * * *\"  failed  Ns ago    -\n"
            "disabled  idle    " +
            idle +
            "  manual            -       -         -\n"
            "enabled   web     " +
            web + "  every 5s          ok      Ns ago    -\n");
}

TEST_CASE("ls is another name for list") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult list = s.Run({"list"});
  BinaryResult ls = s.Run({"ls"});
  CHECK(ls.exit_code == 0);
  CHECK(ls.out == list.out);
}

TEST_CASE("list --selector shows only the vigies whose labels match") {
  Sandbox s;
  AddVigy(s, "web", kCounter, {"--label", "app=web", "--label", "tier=front"});
  AddVigy(s, "api", kCounter, {"--label", "app=api", "--label", "tier=front"});
  AddVigy(s, "db", kCounter, {"--label", "app=db"});
  auto names = [&](const std::string& selector) {
    std::vector<std::string> found;
    for (const auto& v : JsonOut(s.Run({"list", "--json", "--selector", selector}))) {
      found.push_back(v["name"]);
    }
    return found;
  };
  CHECK(names("tier=front") == std::vector<std::string>{"api", "web"});
  CHECK(names("tier=front,app!=web") == std::vector<std::string>{"api"});
  CHECK(names("tier") == std::vector<std::string>{"api", "web"});
  CHECK(names("app!=web") == std::vector<std::string>{"api", "db"});
  CHECK(names("app=none") == std::vector<std::string>{});
  BinaryResult r = s.Run({"list", "--selector", "a==b"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: bad selector 'a==b': '==' is not an operator (use k=v, k!=v or k)\n");
}

TEST_CASE("list --json prints vigy objects without their program, with runtime and last run") {
  Sandbox s;
  AddVigy(s, "fresh", kCounter);
  AddVigy(s, "web", kFailing, {"--every", "5s", "--label", "app=web"});
  s.Run({"tick", "web"});
  nlohmann::json list = JsonOut(s.Run({"list", "--json"}));
  REQUIRE(list.is_array());
  REQUIRE(list.size() == 2);

  const nlohmann::json& fresh = list[0];
  CHECK(Keys(fresh) == std::set<std::string>{"id", "name", "revision", "schedule", "enabled",
                                             "labels", "created_at", "updated_at", "runtime"});
  CHECK(fresh["runtime"] == nlohmann::json{{"tick_count", 0}, {"consecutive_failures", 0}});

  const nlohmann::json& web = list[1];
  CHECK(Keys(web) == std::set<std::string>{"id", "name", "revision", "schedule", "enabled",
                                           "labels", "created_at", "updated_at", "runtime",
                                           "last_run"});
  CHECK(Keys(web["runtime"]) == std::set<std::string>{"tick_count", "consecutive_failures",
                                                      "last_tick", "last_result", "last_run_at",
                                                      "backoff_until"});
  CHECK(web["runtime"]["tick_count"] == 1);
  CHECK(web["runtime"]["consecutive_failures"] == 1);
  CHECK(web["runtime"]["last_result"] == "failed");
  CHECK(Keys(web["last_run"]) == std::set<std::string>{"id", "tick", "result", "error",
                                                       "started_at", "ended_at", "duration_ms"});
  CHECK(web["last_run"]["tick"] == 1);
  CHECK(web["last_run"]["result"] == "failed");
  CHECK(web["last_run"]["error"] == "2:1: 'car' of an empty list");
}

TEST_CASE("show prints the record, counters, state, kv and recent runs") {
  Sandbox s;
  AddVigy(s, "web", kDeclaring, {"--every", "5s", "--label", "app=web", "--handler", "true"});
  Must(s, {"kv", "web", "set", "seed", "\"x\""});
  Must(s, {"tick", "web"});
  BinaryResult r = s.Run({"show", "web"});
  CHECK(r.exit_code == 0);
  std::string text =
      std::regex_replace(WithoutAges(r.out), std::regex(R"(\d{4}-\d\d-\d\dT[\d:.]+Z)"), "TIME");
  text = std::regex_replace(text, std::regex(R"([0-9a-f]{20}  web   1     ok      TIME  \d+ms)"),
                            "RUN");
  CHECK(text ==
        "name        web\n"
        "id          " +
            core::VigyIdFromName("web") +
            "\n"
            "revision    " +
            core::Revision(kDeclaring) +
            "\n"
            "state       enabled\n"
            "schedule    every 5s\n"
            "labels      app=web\n"
            "handler     true\n"
            "created     TIME (Ns ago)\n"
            "updated     TIME (Ns ago)\n"
            "ticks       1 (last ok, Ns ago)\n"
            "desired     replicas = 3\n"
            "observed    replicas = 1\n"
            "conditions  Ready false (ScalingUp: 1 of 3) since Ns ago\n"
            "kv          seed = \"x\"\n"
            "\n"
            "ID                    VIGY  TICK  RESULT  STARTED                   DURATION  ERROR\n"
            "RUN\n");
}

TEST_CASE("show --json has the vigy, runtime, state, kv and the 5 most recent runs") {
  Sandbox s;
  AddVigy(s, "web", kDeclaring);
  nlohmann::json j = JsonOut(s.Run({"show", "web", "--json"}));
  CHECK(Keys(j) == std::set<std::string>{"vigy", "runtime", "state", "kv", "runs"});
  CHECK(j["vigy"]["name"] == "web");
  CHECK(j["vigy"]["program"] == kDeclaring);
  CHECK(j["state"] == nlohmann::json::parse(R"({"desired":{},"observed":{},"conditions":[]})"));
  CHECK(j["kv"] == nlohmann::json::object());
  CHECK(j["runs"] == nlohmann::json::array());

  for (int i = 0; i < 6; ++i) Must(s, {"tick", "web"});
  j = JsonOut(s.Run({"show", "web", "--json"}));
  CHECK(Keys(j["state"]) == std::set<std::string>{"desired", "observed", "conditions"});
  CHECK(j["state"]["desired"] == nlohmann::json{{"replicas", 3}});
  REQUIRE(j["state"]["conditions"].size() == 1);
  CHECK(Keys(j["state"]["conditions"][0]) ==
        std::set<std::string>{"name", "status", "reason", "message", "last_transition"});
  // The runtime's own keys are part of the kv here.
  CHECK(j["kv"]["__tick_count"] == 6);
  REQUIRE(j["runs"].size() == 5);
  CHECK(j["runs"][0]["tick"] == 6);
  CHECK(j["runs"][4]["tick"] == 2);
  CHECK(Keys(j["runs"][0]) == std::set<std::string>{"id", "vigy_id", "vigy_name", "revision",
                                                    "tick", "started_at", "ended_at", "duration_ms",
                                                    "result", "actions", "log", "events", "metrics",
                                                    "trace"});
}

TEST_CASE("a vigy can be named by its name, its id, or a unique id prefix of 4 or more") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  std::string id = core::VigyIdFromName("web");
  for (const std::string& ref : {std::string("web"), id, id.substr(0, 4), id.substr(0, 9)}) {
    CAPTURE(ref);
    BinaryResult r = s.Run({"show", ref, "--json"});
    CHECK(r.exit_code == 0);
    CHECK(JsonOut(r)["vigy"]["name"] == "web");
  }
  BinaryResult r = s.Run({"show", id.substr(0, 3)});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "vigy: no such vigy '" + id.substr(0, 3) +
                     "' (an id prefix needs at least 4 characters)\n");
}

TEST_CASE("an ambiguous id prefix is a usage error listing the candidates") {
  Sandbox s;
  auto [first, second] = NamesSharingIdPrefix();
  AddVigy(s, first, kCounter);
  AddVigy(s, second, kCounter);
  std::string prefix = core::VigyIdFromName(first).substr(0, 4);
  BinaryResult r = s.Run({"show", prefix});
  CHECK(r.exit_code == 2);
  CHECK(r.out == "");
  CHECK(r.err.starts_with("vigy: vigy id prefix '" + prefix + "' is ambiguous: it matches "));
  CHECK(r.err.find(core::VigyIdFromName(first) + " (" + first + ")") != std::string::npos);
  CHECK(r.err.find(core::VigyIdFromName(second) + " (" + second + ")") != std::string::npos);
}

TEST_CASE("show of a vigy that does not exist exits 3") {
  Sandbox s;
  BinaryResult r = s.Run({"show", "ghost"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "");
  CHECK(r.err == "vigy: no such vigy 'ghost'\n");
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
