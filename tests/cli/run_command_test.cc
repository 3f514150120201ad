// End to end: `vigy run FILE`.
#include <doctest/doctest.h>

#include <set>

#include "tests/cli/e2e_helpers.h"

namespace vigy::testing {
namespace {

constexpr const char* kReconciler = R"((vigy-set "result" (+ 1 2))
(vigy-log "info" "hello")
(vigy-metric "gap" 2)
(vigy-desired "replicas" 3)
(vigy-create (hash-map "replica" 1))
(vigy-defer "window")
(vigy-condition "Ready" "false" "ScalingUp" "0 of 3")
)";

constexpr const char* kFailing = "(vigy-set \"a\" 1)\n(car (list))\n";

TEST_CASE("run prints an ok run in readable sections and exits 0") {
  BinaryResult r = RunVigy({"run", "prog.vigy"}, "", {{"prog.vigy", kReconciler}});
  CHECK(r.exit_code == 0);
  CHECK(r.err == "");
  CHECK(WithoutTimings(r.out) ==
        "result      ok\n"
        "duration    Nms\n"
        "actions     create  {\"replica\":1}\n"
        "            defer   (skipped: window)\n"
        "desired     replicas = 3\n"
        "conditions  Ready false (ScalingUp: 0 of 3)\n"
        "log         info  hello\n"
        "metrics     gap = 2\n"
        "kv          result = 3\n");
}

TEST_CASE("run --json prints the run object with kv and state, by their public field names") {
  BinaryResult r = RunVigy({"run", "--json", "prog.vigy"}, "", {{"prog.vigy", kReconciler}});
  CHECK(r.exit_code == 0);
  nlohmann::json j = JsonOut(r);
  REQUIRE(j.is_object());
  std::set<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.insert(key);
  CHECK(keys == std::set<std::string>{"id", "vigy_id", "vigy_name", "revision", "tick",
                                      "started_at", "ended_at", "duration_ms", "result", "actions",
                                      "log", "events", "metrics", "trace", "kv", "state"});
  CHECK(j["result"] == "ok");
  CHECK(j["vigy_name"] == "prog");
  CHECK(j["vigy_id"].get<std::string>().size() == 16);
  CHECK(j["tick"] == 1);
  // The runtime's own keys are part of the kv after the tick.
  CHECK(j["kv"]["result"] == 3);
  CHECK(j["kv"]["__tick_count"] == 1);
  CHECK(j["kv"]["__failures"] == 0);
  CHECK(j["kv"]["__last_tick_ms"].is_number_integer());
  CHECK(j["kv"].size() == 4);
  CHECK(j["actions"] == nlohmann::json::parse(
                            R"([{"kind":"create","payload":{"replica":1}},
                                {"kind":"defer","result":"skipped","message":"window"}])"));
  CHECK(j["log"] == nlohmann::json::parse(R"([{"level":"info","message":"hello"}])"));
  CHECK(j["metrics"] == nlohmann::json{{"gap", 2}});
  CHECK(j["state"]["desired"] == nlohmann::json{{"replicas", 3}});
  REQUIRE(j["state"]["conditions"].size() == 1);
  CHECK(j["state"]["conditions"][0]["name"] == "Ready");
  CHECK(j["state"]["conditions"][0]["status"] == "false");
  CHECK(j["state"]["conditions"][0]["reason"] == "ScalingUp");
  CHECK(j["state"]["conditions"][0].contains("last_transition"));
}

TEST_CASE("json output may be asked for before the command too") {
  BinaryResult r = RunVigy({"--json", "run", "prog.vigy"}, "", {{"prog.vigy", kReconciler}});
  CHECK(r.exit_code == 0);
  CHECK(JsonOut(r)["result"] == "ok");
}

TEST_CASE("a failed run shows its error with line, column, source line and caret, and exits 1") {
  BinaryResult r = RunVigy({"run", "prog.vigy"}, "", {{"prog.vigy", kFailing}});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "");
  CHECK(WithoutTimings(r.out) ==
        "result      failed\n"
        "duration    Nms\n"
        "error       prog.vigy:2:1: 'car' of an empty list\n"
        "              (car (list))\n"
        "              ^\n");
}

TEST_CASE("a failed run in json has result failed and error line:col, and drops the kv writes") {
  BinaryResult r = RunVigy({"run", "prog.vigy", "--json"}, "", {{"prog.vigy", kFailing}});
  CHECK(r.exit_code == 1);
  nlohmann::json j = JsonOut(r);
  CHECK(j["result"] == "failed");
  CHECK(j["error"] == "2:1: 'car' of an empty list");
  // A failed tick keeps none of the program's writes, only the runtime counters.
  CHECK(j["kv"]["__tick_count"] == 1);
  CHECK(j["kv"]["__failures"] == 1);
  CHECK(j["kv"].size() == 3);
  CHECK(r.err == "vigy: prog.vigy:2:1: 'car' of an empty list\n");
}

TEST_CASE("kv seeded with --kv is what the program reads") {
  BinaryResult r =
      RunVigy({"run", "prog.vigy", "--json", "--kv", "n=41", "--kv", R"(name="web")"}, "",
              {{"prog.vigy",
                "(vigy-set \"result\" (+ (vigy-get \"n\") 1))\n"
                "(vigy-set \"greeting\" (str \"hi \" (vigy-get \"name\")))\n"}});
  CHECK(r.exit_code == 0);
  nlohmann::json j = JsonOut(r);
  nlohmann::json program_kv;
  for (auto& [k, v] : j["kv"].items()) {
    if (k.rfind("__", 0) != 0) program_kv[k] = v;
  }
  CHECK(program_kv ==
        nlohmann::json{{"n", 41}, {"name", "web"}, {"result", 42}, {"greeting", "hi web"}});
}

TEST_CASE("each --kv takes one value, so the file may come after them") {
  BinaryResult r =
      RunVigy({"run", "--kv", "a=1", "--kv", "b=2", "prog.vigy", "--json"}, "",
              {{"prog.vigy", "(vigy-set \"sum\" (+ (vigy-get \"a\") (vigy-get \"b\")))\n"}});
  CHECK(r.exit_code == 0);
  CHECK(JsonOut(r)["kv"]["sum"] == 3);
}

TEST_CASE("a --kv value that is not JSON is a usage error naming the key") {
  BinaryResult r =
      RunVigy({"run", "prog.vigy", "--kv", "name=web"}, "", {{"prog.vigy", "(vigy-noop)\n"}});
  CHECK(r.exit_code == 2);
  CHECK(r.out == "");
  CHECK(r.err ==
        "vigy: bad --kv value for key 'name': web is not JSON "
        "(a string needs quotes: '\"web\"')\n");
}

TEST_CASE("a program that does not compile prints every error and exits 1") {
  BinaryResult r =
      RunVigy({"run", "prog.vigy"}, "", {{"prog.vigy", "(vigy-pul 1)\n  (frobnicate 2)\n"}});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err ==
        "prog.vigy:1:2: unbound symbol 'vigy-pul' (did you mean 'vigy-pull'?)\n"
        "  (vigy-pul 1)\n"
        "   ^\n"
        "prog.vigy:2:4: unbound symbol 'frobnicate'\n"
        "    (frobnicate 2)\n"
        "     ^\n");
}

TEST_CASE("run reads the program from stdin when the file is a dash") {
  BinaryResult r = RunVigy({"run", "-", "--json"}, "(vigy-set \"result\" (vigy-name))\n");
  CHECK(r.exit_code == 0);
  nlohmann::json j = JsonOut(r);
  CHECK(j["vigy_name"] == "stdin");
  CHECK(j["kv"]["result"] == "stdin");
}

TEST_CASE("the vigy is named after the file's stem") {
  BinaryResult r = RunVigy({"run", "dir/web-check.vigy", "--json"}, "",
                           {{"dir/web-check.vigy", "(vigy-set \"me\" (vigy-name))\n"}});
  CHECK(r.exit_code == 0);
  CHECK(JsonOut(r)["kv"]["me"] == "web-check");
}

TEST_CASE("a missing program file is a bad input that exits 2") {
  BinaryResult r = RunVigy({"run", "missing.vigy"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: cannot read 'missing.vigy': No such file or directory\n");
}

TEST_CASE("a bad --timeout is a usage error that says what a duration looks like") {
  BinaryResult r =
      RunVigy({"run", "prog.vigy", "--timeout", "5x"}, "", {{"prog.vigy", "(vigy-noop)\n"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: --timeout: bad duration '5x': expected a number with ms, s, m, h or d\n");
}

TEST_CASE("a program over its step budget fails the run naming the limit") {
  BinaryResult r = RunVigy({"run", "prog.vigy", "--json", "--max-steps", "10000"}, "",
                           {{"prog.vigy", "(define (spin n) (spin (+ n 1)))\n(spin 0)\n"}});
  CHECK(r.exit_code == 1);
  nlohmann::json j = JsonOut(r);
  CHECK(j["result"] == "failed");
  CHECK(j["error"].get<std::string>().find("step limit exceeded") != std::string::npos);
}

TEST_CASE("a program over its wall-clock timeout fails the run instead of hanging") {
  BinaryResult r = RunVigy({"run", "prog.vigy", "--json", "--timeout", "200ms"}, "",
                           {{"prog.vigy", "(define (spin n) (spin (+ n 1)))\n(spin 0)\n"}});
  CHECK(r.exit_code == 1);
  CHECK(JsonOut(r)["result"] == "failed");
}

TEST_CASE("verbose run output also shows the run's identity") {
  BinaryResult r = RunVigy({"-v", "run", "prog.vigy"}, "", {{"prog.vigy", "(vigy-noop)\n"}});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("vigy        prog (") != std::string::npos);
  CHECK(r.out.find("started     ") != std::string::npos);
}

TEST_CASE("the example vigies run cleanly") {
  for (const char* example : {"hello.vigy", "disk-space.vigy"}) {
    CAPTURE(example);
    BinaryResult r = RunVigy({"run", std::string(VIGY_SOURCE_DIR) + "/examples/" + example});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
  }
}

}  // namespace
}  // namespace vigy::testing
