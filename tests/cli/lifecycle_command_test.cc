// End to end: `vigy rm`, `vigy enable`, `vigy disable`.
#include <doctest/doctest.h>

#include "tests/cli/store_e2e.h"

namespace vigy::testing {
namespace {

std::vector<std::string> Names(const Sandbox& s) {
  std::vector<std::string> names;
  for (const auto& v : JsonOut(s.Run({"list", "--json"}))) names.push_back(v["name"]);
  return names;
}

// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("rm removes every vigy named, by name, id or prefix, one line each") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kCounter);
  AddVigy(s, "c", kCounter);
  BinaryResult r = s.Run({"rm", "a", core::VigyIdFromName("c").substr(0, 6)});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "removed a\nremoved c\n");
  CHECK(Names(s) == std::vector<std::string>{"b"});
}

TEST_CASE("rm takes the vigy's kv and runs with it, so a re-add starts afresh") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  Must(s, {"tick", "web"});
  Must(s, {"rm", "web"});
  AddVigy(s, "web", kCounter);
  nlohmann::json j = JsonOut(s.Run({"show", "web", "--json"}));
  CHECK(j["kv"] == nlohmann::json::object());
  CHECK(j["runs"] == nlohmann::json::array());
  CHECK(JsonOut(s.Run({"runs", "--json"})) == nlohmann::json::array());
}

TEST_CASE("rm with one unknown vigy removes none of them and exits 3") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kCounter);
  BinaryResult r = s.Run({"rm", "a", "ghost", "b"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "");
  CHECK(r.err == "vigy: no such vigy 'ghost'\n");
  CHECK(Names(s) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("rm of the same vigy named twice removes it once") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  BinaryResult r = s.Run({"rm", "a", core::VigyIdFromName("a")});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "removed a\n");
}

TEST_CASE("disable and enable switch vigies and print one line each, none with -q") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kCounter);
  BinaryResult r = s.Run({"disable", "a", "b"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "disabled a\ndisabled b\n");
  for (const auto& v : JsonOut(s.Run({"list", "--json"}))) CHECK(v["enabled"] == false);
  r = s.Run({"enable", "-q", "b"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "");
  nlohmann::json list = JsonOut(s.Run({"list", "--json"}));
  CHECK(list[0]["enabled"] == false);
  CHECK(list[1]["enabled"] == true);
}

TEST_CASE("disabling a disabled vigy says so and leaves its record untouched") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kCounter);
  REQUIRE(s.Run({"disable", "a"}).exit_code == 0);
  std::string updated = JsonOut(s.Run({"show", "a", "--json"}))["vigy"]["updated_at"];
  BinaryResult r = s.Run({"disable", "a", "b"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "a was already disabled\ndisabled b\n");
  CHECK(JsonOut(s.Run({"show", "a", "--json"}))["vigy"]["updated_at"] == updated);
  r = s.Run({"enable", "b", "-q"});
  r = s.Run({"enable", "b"});
  CHECK(r.out == "b was already enabled\n");
}

TEST_CASE("a vigy whose name starts with a dash is named after --") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  REQUIRE(s.Run({"add", "web.vigy", "--name=-dash"}).exit_code == 0);
  BinaryResult r = s.Run({"rm", "-dash"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("vigy rm -- -dash") != std::string::npos);
  r = s.Run({"rm", "--", "-dash"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "removed -dash\n");
}

TEST_CASE("enable or disable with an unknown vigy changes nothing and exits 3") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  BinaryResult r = s.Run({"disable", "a", "ghost"});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "vigy: no such vigy 'ghost'\n");
  CHECK(JsonOut(s.Run({"list", "--json"}))[0]["enabled"] == true);
  CHECK(s.Run({"enable", "ghost"}).exit_code == 3);
}

TEST_CASE("rm, enable and disable of a store that does not exist exit 3") {
  Sandbox s;
  for (const char* command : {"rm", "enable", "disable"}) {
    CAPTURE(command);
    BinaryResult r = s.Run({command, "web"});
    CHECK(r.exit_code == 3);
    CHECK(r.err == "vigy: no such vigy 'web'\n");
  }
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
