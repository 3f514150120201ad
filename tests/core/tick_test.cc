#include "core/tick.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/model_json.h"
#include "core/vigy_library.h"

namespace vigy::core {
namespace {

using nlohmann::json;

TickInput Input(std::string_view source, int64_t tick_ms = 1000, Kv kv = {}) {
  lisp::CompileResult compiled = lisp::Compile(VigyLibrary(), source, "prog.vigy");
  REQUIRE_MESSAGE(compiled.ok(), compiled.errors.front().Format());
  TickInput input;
  input.program = compiled.program;
  input.file = "prog.vigy";
  input.vigy_name = "demo";
  input.vigy_id = VigyIdFromName("demo");
  input.revision = Revision(source);
  input.kv = std::move(kv);
  input.tick_ms = tick_ms;
  return input;
}

TEST_CASE("a successful tick records its run and keeps the program's kv writes") {
  TickOutcome out =
      RunTick(Input(R"((vigy-set "a" 1) (vigy-pull "x") (vigy-log "info" "hi"))", 1795674600123));
  const RunRecord& run = out.run;
  CHECK(run.result == "ok");
  CHECK_FALSE(run.error.has_value());
  CHECK(run.vigy_name == "demo");
  CHECK(run.vigy_id == VigyIdFromName("demo"));
  CHECK(run.revision.size() == 12);
  CHECK(run.tick == 1);
  CHECK(run.id.size() == 20);
  CHECK(run.started_at_ms == 1795674600123);
  CHECK(run.ended_at_ms == run.started_at_ms + run.duration_ms);
  CHECK(run.duration_ms >= 0);
  REQUIRE(run.actions.size() == 1);
  CHECK(run.actions[0].kind == "pull");
  REQUIRE(run.log.size() == 1);
  CHECK(run.log[0] == LogEntry{"info", "hi"});

  CHECK(out.kv.at("a") == json(1));
  CHECK(out.kv.at(std::string(kTickCountKey)) == json(1));
  CHECK(out.kv.at(std::string(kLastTickKey)) == json(1795674600123));
  CHECK(out.kv_writes.at("a") == json(1));
  CHECK(out.kv_writes.at(std::string(kTickCountKey)) == json(1));
  CHECK_FALSE(out.diagnostic.has_value());
}

TEST_CASE("a failed tick keeps none of the program's kv writes but advances the counters") {
  Kv before{{"a", json("old")}, {"keep", json(true)}};
  ApplyRuntimeCounters(before, RuntimeCounters{4, 500, 0});
  TickOutcome out = RunTick(Input(R"((vigy-set "a" "new")
(vigy-set "b" 2)
(vigy-del "keep")
(vigy-once "init")
(car '()))",
                                  1000, before));
  CHECK(out.run.result == "failed");
  CHECK(out.run.error == "5:1: 'car' of an empty list");
  CHECK(out.run.tick == 5);
  CHECK(out.kv.at("a") == json("old"));
  CHECK(out.kv.count("b") == 0);
  CHECK(out.kv.at("keep") == json(true));
  CHECK(out.kv.count("__once/init") == 0);
  CHECK(ReadRuntimeCounters(out.kv) == RuntimeCounters{5, 1000, 1});
  // Only the counters are written.
  CHECK(out.kv_writes.size() == 3);
  CHECK(out.kv_writes.count("a") == 0);
  REQUIRE(out.diagnostic.has_value());
  CHECK(out.diagnostic->Format() == "prog.vigy:5:1: 'car' of an empty list");
}

TEST_CASE("consecutive failures are counted and reset by a success") {
  TickOutcome first = RunTick(Input("(throw (error :boom \"no\"))", 1000));
  TickOutcome second = RunTick(Input("(throw (error :boom \"no\"))", 2000, first.kv));
  CHECK(ReadRuntimeCounters(second.kv) == RuntimeCounters{2, 2000, 2});
  TickOutcome third = RunTick(Input("(vigy-tick-count)", 3000, second.kv));
  CHECK(third.run.ok());
  CHECK(third.run.tick == 3);
  CHECK(ReadRuntimeCounters(third.kv) == RuntimeCounters{3, 3000, 0});
}

TEST_CASE("a thrown value fails the tick with an uncaught-throw message") {
  TickOutcome out = RunTick(Input("(throw 42)"));
  CHECK(out.run.result == "failed");
  CHECK(out.run.error == "1:1: uncaught throw: 42");
}

TEST_CASE("an exceeded limit fails the tick with a message naming it") {
  TickInput input = Input("(define (loop n) (loop (+ n 1)))\n(loop 0)");
  input.limits.max_steps = 10'000;
  TickOutcome out = RunTick(input);
  CHECK(out.run.result == "failed");
  REQUIRE(out.run.error.has_value());
  CHECK(out.run.error->find("step limit exceeded") != std::string::npos);
}

TEST_CASE("a program recording without bound fails the tick instead of the process") {
  TickInput input = Input(R"((while #t (vigy-event "e" "0123456789")))");
  input.limits.max_memory = 1 << 20;
  TickOutcome out = RunTick(input);
  CHECK(out.run.result == "failed");
  REQUIRE(out.run.error.has_value());
  CHECK(out.run.error->find("memory limit exceeded") != std::string::npos);
}

TEST_CASE("display output becomes log entries in order with vigy-log") {
  TickOutcome out = RunTick(Input(R"((display "one ") (display 2) (println "")
(vigy-log "warn" "careful")
(println "three")
(display "tail"))"));
  REQUIRE(out.run.ok());
  REQUIRE(out.run.log.size() == 4);
  CHECK(out.run.log[0] == LogEntry{"info", "one 2"});
  CHECK(out.run.log[1] == LogEntry{"warn", "careful"});
  CHECK(out.run.log[2] == LogEntry{"info", "three"});
  CHECK(out.run.log[3] == LogEntry{"info", "tail"});
}

TEST_CASE("kv round-trips every kind of value between ticks") {
  TickOutcome first = RunTick(Input(R"(
(vigy-set "nil" nil)
(vigy-set "bool" #f)
(vigy-set "int" -42)
(vigy-set "float" 2.5)
(vigy-set "string" "héllo\n")
(vigy-set "symbol" 'sym)
(vigy-set "keyword" :kw)
(vigy-set "list" (list 1 (list 2 3) "x"))
(vigy-set "empty" (list))
(vigy-set "map" (hash-map "a" (hash-map "b" (list 1 2))))
)"));
  REQUIRE(first.run.ok());
  CHECK(KvToJson(first.kv) == json::parse(R"({
    "nil": null, "bool": false, "int": -42, "float": 2.5, "string": "héllo\n",
    "symbol": "sym", "keyword": ":kw", "list": [1, [2, 3], "x"], "empty": [],
    "map": {"a": {"b": [1, 2]}}})"));

  TickOutcome check = RunTick(Input(R"((vigy-trace "got"
  (list (vigy-has? "nil") (vigy-get "nil" 0) (vigy-get "bool") (vigy-get "int") (vigy-get "float")
        (vigy-get "string") (vigy-get "symbol") (vigy-get "keyword") (vigy-get "list")
        (vigy-get "empty") (vigy-get "map") (equal? (vigy-get "map") (hash-map "a" (hash-map "b" (list 1 2)))))))",
                                    2000, first.kv));
  REQUIRE(check.run.ok());
  CHECK(check.run.trace.at("got") == json::parse(R"([true, null, false, -42, 2.5, "héllo\n",
      "sym", ":kw", [1, [2, 3], "x"], [], {"a": {"b": [1, 2]}}, true])"));
}

TEST_CASE("vigy-once is true on the first tick only when kv is carried forward") {
  const char* program = R"((vigy-trace "first" (vigy-once "setup")))";
  TickOutcome one = RunTick(Input(program, 1000));
  TickOutcome two = RunTick(Input(program, 2000, one.kv));
  TickOutcome three = RunTick(Input(program, 3000, two.kv));
  CHECK(one.run.trace.at("first") == json(true));
  CHECK(two.run.trace.at("first") == json(false));
  CHECK(three.run.trace.at("first") == json(false));
}

TEST_CASE("a failed tick's vigy-once fires again on the next tick") {
  const char* program =
      R"((vigy-trace "first" (vigy-once "setup")) (when (= (vigy-tick-count) 1) (throw (error :x "first tick fails"))))";
  TickOutcome one = RunTick(Input(program, 1000));
  CHECK(one.run.result == "failed");
  TickOutcome two = RunTick(Input(program, 2000, one.kv));
  CHECK(two.run.ok());
  CHECK(two.run.trace.at("first") == json(true));
}

TEST_CASE("conditions keep last_transition when only the message changes") {
  const char* program = R"((vigy-condition "Ready" "true" "Up" (str "tick " (vigy-tick-count))))";
  TickOutcome one = RunTick(Input(program, 1000));
  REQUIRE(one.state.conditions.size() == 1);
  CHECK(one.state.conditions[0].last_transition_ms == 1000);

  TickInput input = Input(program, 2000, one.kv);
  input.previous_conditions = one.state.conditions;
  TickOutcome two = RunTick(input);
  REQUIRE(two.state.conditions.size() == 1);
  CHECK(two.state.conditions[0].message == "tick 2");
  CHECK(two.state.conditions[0].last_transition_ms == 1000);

  input = Input(R"((vigy-condition "Ready" "false" "Down"))", 3000, two.kv);
  input.previous_conditions = two.state.conditions;
  TickOutcome three = RunTick(input);
  REQUIRE(three.state.conditions.size() == 1);
  CHECK(three.state.conditions[0].status == "false");
  CHECK(three.state.conditions[0].last_transition_ms == 3000);
  CHECK_FALSE(three.state.conditions[0].message.has_value());
}

TEST_CASE("conditions a tick does not declare are carried over unchanged") {
  TickInput input = Input(R"((vigy-condition "B" "true"))", 5000);
  input.previous_conditions = {Condition{"A", "false", "R", "M", 100}};
  TickOutcome out = RunTick(input);
  REQUIRE(out.state.conditions.size() == 2);
  CHECK(out.state.conditions[0] == Condition{"A", "false", "R", "M", 100});
  CHECK(out.state.conditions[1] == Condition{"B", "true", std::nullopt, std::nullopt, 5000});
}

TEST_CASE("the outcome carries state and requeue, and its JSON adds kv and state to the run") {
  TickOutcome out = RunTick(Input(R"((vigy-desired "n" 3) (vigy-observed "n" 2)
(vigy-set "k" "v") (vigy-requeue-after 1500))"));
  CHECK(out.requeue_after_ms == 1500);
  CHECK(out.state.desired == json{{"n", 3}});
  json j = ToJson(out);
  CHECK(j["result"] == "ok");
  CHECK(j["kv"] ==
        json{{"k", "v"}, {"__tick_count", 1}, {"__last_tick_ms", 1000}, {"__failures", 0}});
  CHECK(j["state"]["desired"] == json{{"n", 3}});
  CHECK(j["state"]["observed"] == json{{"n", 2}});
  CHECK(j["state"]["conditions"] == json::array());
  CHECK_FALSE(j.contains("error"));
}

TEST_CASE("a command outliving the evaluation's timeout fails the tick on that limit") {
  TickInput input = Input(R"((sh "sleep 5"))");
  input.limits.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  TickOutcome out = RunTick(input);
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(3));
  CHECK(out.run.result == "failed");
  REQUIRE(out.run.error.has_value());
  CHECK(out.run.error->find("timeout") != std::string::npos);
}

TEST_CASE("a tick without a program fails instead of crashing") {
  TickInput input;
  input.vigy_name = "demo";
  TickOutcome out = RunTick(input);
  CHECK(out.run.result == "failed");
  CHECK(out.run.error == "no compiled program");
  CHECK(ReadRuntimeCounters(out.kv).tick_count == 1);
}

}  // namespace
}  // namespace vigy::core
