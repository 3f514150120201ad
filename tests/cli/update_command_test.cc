// End to end: `vigy update`.
#include <doctest/doctest.h>

#include "tests/cli/store_e2e.h"

namespace vigy::testing {
namespace {
// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("update changes only the settings given and keeps the kv and run history") {
  Sandbox s;
  AddVigy(s, "web", kCounter, {"--every", "5s", "--label", "app=web", "--timeout", "3s"});
  Must(s, {"tick", "web"});
  nlohmann::json before = JsonOut(s.Run({"show", "web", "--json"}));

  Must(s, {"update", "web", "--every", "1m", "--label", "tier=front"});
  nlohmann::json after = JsonOut(s.Run({"show", "web", "--json"}));
  CHECK(after["vigy"]["schedule"] ==
        nlohmann::json{{"kind", "every"}, {"every_ms", 60000}, {"jitter_ms", 0}});
  CHECK(after["vigy"]["labels"] == nlohmann::json{{"app", "web"}, {"tier", "front"}});
  CHECK(after["vigy"]["timeout_ms"] == 3000);
  CHECK(after["vigy"]["program"] == kCounter);
  CHECK(after["vigy"]["revision"] == before["vigy"]["revision"]);
  CHECK(after["vigy"]["created_at"] == before["vigy"]["created_at"]);
  CHECK(after["kv"] == before["kv"]);
  CHECK(after["runs"] == before["runs"]);
  CHECK(after["runtime"]["tick_count"] == 1);
}

TEST_CASE("update with a new program checks it and changes the revision") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  s.Write("next.vigy", kDeclaring);
  BinaryResult r = s.Run({"update", "web", "next.vigy", "--json"});
  CHECK(r.exit_code == 0);
  nlohmann::json j = JsonOut(r);
  CHECK(j["program"] == kDeclaring);
  CHECK(j["revision"] == core::Revision(kDeclaring));
  CHECK(JsonOut(s.Run({"show", "web", "--json"}))["vigy"] == j);

  CHECK(s.Run({"update", "web", "-"}, kCounter).exit_code == 0);
  CHECK(JsonOut(s.Run({"show", "web", "--json"}))["vigy"]["program"] == kCounter);
}

TEST_CASE("update refuses a program that does not compile and changes nothing") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  s.Write("bad.vigy", kNotCompiling);
  BinaryResult r = s.Run({"update", "web", "bad.vigy", "--every", "5s"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with("bad.vigy:2:19: unbound symbol 'undefined-fn'\n"));
  CHECK(r.err.ends_with("vigy: bad.vigy does not compile; nothing was changed\n"));
  nlohmann::json vigy = JsonOut(s.Run({"show", "web", "--json"}))["vigy"];
  CHECK(vigy["program"] == kCounter);
  CHECK(vigy["schedule"]["kind"] == "none");
}

TEST_CASE("update prints the vigy's record") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult r = s.Run({"update", "web", "--every", "5s", "--label", "app=web"});
  CHECK(r.exit_code == 0);
  CHECK(
      r.out.starts_with("name        web\n"
                        "id          " +
                        core::VigyIdFromName("web") +
                        "\n"
                        "revision    " +
                        core::Revision(kCounter) +
                        "\n"
                        "state       enabled\n"
                        "schedule    every 5s\n"
                        "labels      app=web\n"
                        "created     "));
}

TEST_CASE("update's --no options and --unlabel take settings away") {
  Sandbox s;
  AddVigy(s, "web", kCounter,
          {"--every", "5s", "--jitter", "1s", "--label", "app=web", "--label", "tier=front",
           "--timeout", "3s", "--max-steps", "100", "--handler", "cat"});
  Must(s, {"update", "web", "--no-schedule", "--unlabel", "app", "--no-timeout", "--no-max-steps",
           "--no-handler"});
  nlohmann::json vigy = JsonOut(s.Run({"show", "web", "--json"}))["vigy"];
  CHECK(vigy["schedule"] == nlohmann::json{{"kind", "none"}});
  CHECK(vigy["labels"] == nlohmann::json{{"tier", "front"}});
  CHECK(Keys(vigy) == std::set<std::string>{"id", "name", "program", "revision", "schedule",
                                            "enabled", "labels", "created_at", "updated_at"});
}

TEST_CASE("update refuses contradictory or bad settings with exit 2 and changes nothing") {
  Sandbox s;
  AddVigy(s, "web", kCounter, {"--every", "5s"});
  BinaryResult r = s.Run({"update", "web", "--timeout", "1s", "--no-timeout"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: --timeout and --no-timeout cannot be used together\n");
  r = s.Run({"update", "web", "--every", "10ms"});
  CHECK(r.exit_code == 2);
  r = s.Run({"update", "web", "--no-schedule", "--cron", "* * * * *"});
  CHECK(r.exit_code == 2);
  CHECK(JsonOut(s.Run({"show", "web", "--json"}))["vigy"]["schedule"]["every_ms"] == 5000);
}

TEST_CASE("update with nothing to change is a usage error") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult r = s.Run({"update", "web"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: nothing to update: give a FILE or a setting to change\n");
}

TEST_CASE("update of a vigy that does not exist exits 3") {
  Sandbox s;
  BinaryResult r = s.Run({"update", "ghost", "--every", "5s"});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "vigy: no such vigy 'ghost'\n");
  AddVigy(s, "web", kCounter);
  CHECK(s.Run({"update", "ghost", "--every", "5s"}).exit_code == 3);
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
