// End to end: `vigy kv`.
#include <doctest/doctest.h>

#include "tests/cli/store_e2e.h"

namespace vigy::testing {
namespace {
// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("kv set then get round-trips every JSON type") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  const std::vector<std::string> values{"null",  "true",
                                        "false", "0",
                                        "-5",    "42",
                                        "3.25",  "1e+100",
                                        "\"\"",  "\"h\\u00e9llo \\\"x\\\"\"",
                                        "[]",    "[1,\"two\",[3],{\"four\":4}]",
                                        "{}",    "{\"a\":{\"b\":[null,true]}}"};
  for (const std::string& text : values) {
    CAPTURE(text);
    BinaryResult set = s.Run({"kv", "web", "set", "k", text});
    CHECK(set.exit_code == 0);
    CHECK(set.out == "");
    BinaryResult get = s.Run({"kv", "web", "get", "k"});
    CHECK(get.exit_code == 0);
    CHECK(JsonOut(get) == nlohmann::json::parse(text));
    CHECK(get.out == nlohmann::json::parse(text).dump() + "\n");
  }
}

TEST_CASE("a value set with kv is what the program reads on its next tick") {
  Sandbox s;
  AddVigy(s, "web", "(vigy-set \"out\" (+ (vigy-get \"in\") 1))\n");
  Must(s, {"kv", "web", "set", "in", "41"});
  Must(s, {"tick", "web"});
  CHECK(s.Run({"kv", "web", "get", "out"}).out == "42\n");
}

TEST_CASE("kv list prints key = json lines, the runtime's keys only with -v") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  Must(s, {"kv", "web", "set", "name", "\"web\""});
  Must(s, {"kv", "web", "set", "cfg", "{\"a\": [1, 2]}"});
  BinaryResult r = s.Run({"kv", "web"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "cfg = {\"a\":[1,2]}\nname = \"web\"\n");
  CHECK(s.Run({"kv", "web", "list"}).out == r.out);

  Must(s, {"tick", "web"});
  r = s.Run({"kv", "web", "list", "-v"});
  CHECK(r.out.find("__tick_count = 1\n") != std::string::npos);
  CHECK(r.out.find("runs = 1\n") != std::string::npos);
}

TEST_CASE("kv list --json prints one object with every key") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  CHECK(s.Run({"kv", "web", "--json"}).out == "{}\n");
  Must(s, {"kv", "web", "set", "name", "\"web\""});
  Must(s, {"tick", "web"});
  nlohmann::json j = JsonOut(s.Run({"kv", "web", "list", "--json"}));
  CHECK(j["name"] == "web");
  CHECK(j["runs"] == 1);
  CHECK(j["__tick_count"] == 1);
}

TEST_CASE("kv get of a key that is not there exits 1") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult r = s.Run({"kv", "web", "get", "nope"});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err == "vigy: no key 'nope' in vigy 'web'\n");
}

TEST_CASE("kv rm removes a key, and of a key that is not there exits 1") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  Must(s, {"kv", "web", "set", "k", "1"});
  Must(s, {"kv", "web", "rm", "k"});
  CHECK(s.Run({"kv", "web", "get", "k"}).exit_code == 1);
  BinaryResult r = s.Run({"kv", "web", "rm", "k"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vigy: no key 'k' in vigy 'web'\n");
}

TEST_CASE("kv set of a value that is not JSON is exit 2 and stores nothing") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult r = s.Run({"kv", "web", "set", "name", "web"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "vigy: bad value for kv key 'name': web is not JSON (a string needs quotes: "
        "'\"web\"')\n");
  CHECK(s.Run({"kv", "web", "get", "name"}).exit_code == 1);
}

TEST_CASE("kv keys starting with __ may be read but not set or removed") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  Must(s, {"tick", "web"});
  CHECK(s.Run({"kv", "web", "get", "__tick_count"}).out == "1\n");
  for (std::vector<std::string> args :
       {std::vector<std::string>{"kv", "web", "set", "__tick_count", "9"},
        {"kv", "web", "rm", "__tick_count"}}) {
    BinaryResult r = s.Run(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "vigy: kv key '__tick_count' belongs to the runtime: keys starting with \"__\" may be "
          "read but not changed\n");
  }
  CHECK(s.Run({"kv", "web", "get", "__tick_count"}).out == "1\n");
}

TEST_CASE("kv with an unknown action or the wrong arguments is a usage error") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult r = s.Run({"kv", "web", "put", "k", "1"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "vigy: unknown kv action 'put' (usage: vigy kv VIGY [get KEY | set KEY JSON | rm KEY | "
        "list])\n");
  r = s.Run({"kv", "web", "set", "k"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "vigy: 'set' takes 2 arguments, got 1 (usage: vigy kv VIGY [get KEY | set KEY JSON | "
        "rm KEY | list])\n");
  CHECK(s.Run({"kv", "web", "get"}).exit_code == 2);
}

TEST_CASE("kv of a vigy that does not exist exits 3") {
  Sandbox s;
  BinaryResult r = s.Run({"kv", "ghost", "set", "k", "1"});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "vigy: no such vigy 'ghost'\n");
  AddVigy(s, "web", kCounter);
  CHECK(s.Run({"kv", "ghost"}).exit_code == 3);
  CHECK(s.Run({"kv", "ghost", "get", "k"}).exit_code == 3);
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
