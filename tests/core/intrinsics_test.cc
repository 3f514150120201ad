#include "core/intrinsics.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/tick_context.h"
#include "core/vigy_library.h"
#include "tests/lisp/eval_helpers.h"

namespace vigy::core {
namespace {

using nlohmann::json;

// One tick's context over a kv, evaluating snippets with the vigy library.
class Tick {
 public:
  explicit Tick(int64_t tick_ms = 1000, Kv kv = {}, std::vector<Condition> conditions = {})
      : kv_(std::move(kv)),
        context_(std::make_unique<TickContext>("demo", VigyIdFromName("demo"), tick_ms, kv_,
                                               std::move(conditions))) {}

  std::string Eval(std::string_view source) {
    return lisp::testing::EvalWith(VigyLibrary(), source, lisp::Limits{}, context_.get());
  }
  TickContext& context() { return *context_; }
  // The kv the next tick starts from, as if this one succeeded.
  Kv Next() const { return context_->KvAfter(true); }

 private:
  Kv kv_;
  std::unique_ptr<TickContext> context_;
};

TEST_CASE("every intrinsic of the language is in the table") {
  for (std::string_view name : {"vigy-noop",
                                "vigy-defer",
                                "vigy-pull",
                                "vigy-push",
                                "vigy-create",
                                "vigy-update",
                                "vigy-delete-action",
                                "vigy-apply",
                                "vigy-restart",
                                "vigy-emit",
                                "vigy-desired",
                                "vigy-observed",
                                "vigy-condition",
                                "vigy-get",
                                "vigy-set",
                                "vigy-incr",
                                "vigy-has?",
                                "vigy-del",
                                "vigy-once",
                                "vigy-mark-converged",
                                "vigy-converged?",
                                "vigy-tick",
                                "vigy-tick-count",
                                "vigy-since-last-tick",
                                "vigy-rate-limited?",
                                "vigy-backoff-ms",
                                "vigy-requeue-after",
                                "vigy-log",
                                "vigy-trace",
                                "vigy-metric",
                                "vigy-event",
                                "vigy-name",
                                "vigy-id"}) {
    CAPTURE(name);
    CHECK(VigyLibrary().Find(name) != nullptr);
  }
  CHECK(VigyIntrinsics().size() == 33);
}

TEST_CASE("actions are recorded in order with their payloads") {
  Tick t;
  CHECK(t.Eval(R"((vigy-noop)
                  (vigy-pull "repo")
                  (vigy-push (hash-map "n" 1))
                  (vigy-create '(1 2))
                  (vigy-update :k)
                  (vigy-delete-action 'thing)
                  (vigy-apply nil)
                  (vigy-restart 2.5))") == "nil");
  const auto& actions = t.context().actions();
  REQUIRE(actions.size() == 8);
  CHECK(actions[0] == ActionRecord{"noop", std::nullopt, "ok", std::nullopt});
  CHECK(actions[1] == ActionRecord{"pull", json("repo"), std::nullopt, std::nullopt});
  CHECK(actions[2].kind == "push");
  CHECK(actions[2].payload == json{{"n", 1}});
  CHECK(actions[3].payload == json::array({1, 2}));
  CHECK(actions[4].payload == json(":k"));
  CHECK(actions[5].kind == "delete");
  CHECK(actions[5].payload == json("thing"));
  CHECK(actions[6].payload == json(nullptr));
  CHECK(actions[7].kind == "restart");
  CHECK(actions[7].payload == json(2.5));
}

TEST_CASE("defer is recorded as skipped with its reason as the message") {
  Tick t;
  t.Eval(R"((vigy-defer "waiting for lock"))");
  REQUIRE(t.context().actions().size() == 1);
  CHECK(t.context().actions()[0] ==
        ActionRecord{"defer", std::nullopt, "skipped", "waiting for lock"});
}

TEST_CASE("vigy-emit records any of the ten kinds, with or without a payload") {
  Tick t;
  t.Eval(R"((vigy-emit "custom" (hash-map "a" 1))
            (vigy-emit :apply)
            (vigy-emit 'noop)
            (vigy-emit "defer" "later"))");
  const auto& actions = t.context().actions();
  REQUIRE(actions.size() == 4);
  CHECK(actions[0] == ActionRecord{"custom", json{{"a", 1}}, std::nullopt, std::nullopt});
  CHECK(actions[1] == ActionRecord{"apply", std::nullopt, std::nullopt, std::nullopt});
  CHECK(actions[2] == ActionRecord{"noop", std::nullopt, "ok", std::nullopt});
  CHECK(actions[3] == ActionRecord{"defer", std::nullopt, "skipped", "later"});
}

TEST_CASE("vigy-emit of an unknown kind names it and the allowed ones") {
  Tick t;
  CHECK(t.Eval(R"((vigy-emit "frobnicate" 1))") ==
        "error: <test>:1:1: unknown action kind 'frobnicate' in 'vigy-emit' (expected one of "
        "noop defer pull push create update delete apply restart custom)");
  CHECK(t.Eval(R"((try (vigy-emit "x") (catch (e) (error-tag e))))") == ":value");
  CHECK(t.context().actions().empty());
}

TEST_CASE("desired and observed state are set key by key") {
  Tick t;
  CHECK(t.Eval(R"((vigy-desired "replicas" 3))") == "3");
  t.Eval(
      R"((vigy-desired :image "app:2") (vigy-observed "replicas" 2) (vigy-desired "replicas" 4))");
  CHECK(t.context().state().desired == json{{"replicas", 4}, {"image", "app:2"}});
  CHECK(t.context().state().observed == json{{"replicas", 2}});
}

TEST_CASE("a condition is recorded with its status, reason and message") {
  Tick t(5000);
  t.Eval(R"((vigy-condition "Ready" "true")
            (vigy-condition "Synced" "false" "Behind" "3 commits behind")
            (vigy-condition "Healthy" "unknown" nil "no probe yet"))");
  const auto& conditions = t.context().state().conditions;
  REQUIRE(conditions.size() == 3);
  CHECK(conditions[0] == Condition{"Ready", "true", std::nullopt, std::nullopt, 5000});
  CHECK(conditions[1] == Condition{"Synced", "false", "Behind", "3 commits behind", 5000});
  CHECK(conditions[2] == Condition{"Healthy", "unknown", std::nullopt, "no probe yet", 5000});
}

TEST_CASE("a condition status other than true, false or unknown is an error") {
  Tick t;
  CHECK(t.Eval(R"((vigy-condition "Ready" "yes"))") ==
        "error: <test>:1:1: bad condition status \"yes\" in 'vigy-condition' (expected \"true\", "
        "\"false\" or \"unknown\")");
  CHECK(t.Eval(R"((vigy-condition "Ready" #t))") ==
        "error: <test>:1:1: bad condition status #t in 'vigy-condition' (expected \"true\", "
        "\"false\" or \"unknown\")");
  CHECK(t.context().state().conditions.empty());
}

TEST_CASE("a condition keeps its last transition while its status stays the same") {
  std::vector<Condition> previous = {Condition{"Ready", "true", "Up", "old", 100},
                                     Condition{"Synced", "true", std::nullopt, std::nullopt, 100}};
  Tick t(9000, {}, previous);
  t.Eval(R"((vigy-condition "Ready" "true" "Up" "new message")
            (vigy-condition "Synced" "false"))");
  const auto& conditions = t.context().state().conditions;
  REQUIRE(conditions.size() == 2);
  CHECK(conditions[0] == Condition{"Ready", "true", "Up", "new message", 100});
  CHECK(conditions[1] == Condition{"Synced", "false", std::nullopt, std::nullopt, 9000});
}

TEST_CASE("vigy-get returns the default, or nil, for an absent key") {
  Tick t;
  CHECK(t.Eval(R"((vigy-get "missing"))") == "nil");
  CHECK(t.Eval(R"((vigy-get "missing" 42))") == "42");
}

TEST_CASE("vigy-set stores a value that vigy-get gives back") {
  Tick t;
  CHECK(t.Eval(R"((vigy-set "m" (hash-map "a" (list 1 2.5 "x" #t nil))))") ==
        R"({"a" (1 2.5 "x" #t nil)})");
  CHECK(t.Eval(R"((vigy-get "m"))") == R"({"a" (1 2.5 "x" #t nil)})");
  CHECK(t.context().kv_writes().at("m") == json{{"a", json::array({1, 2.5, "x", true, nullptr})}});
}

TEST_CASE("symbols and keywords name the same kv key as the string") {
  Tick t;
  t.Eval(R"((vigy-set :count 3))");
  CHECK(t.Eval(R"((list (vigy-get "count") (vigy-get 'count) (vigy-has? :count)))") == "(3 3 #t)");
  CHECK(t.Eval(R"((vigy-set 12 1))") ==
        "error: <test>:1:1: type mismatch in 'vigy-set': expected string key, got integer");
}

TEST_CASE("vigy-incr starts from 0 and returns the new value") {
  Tick t;
  CHECK(t.Eval(R"((vigy-incr "n" 4))") == "4");
  CHECK(t.Eval(R"((vigy-incr "n"))") == "5");
  CHECK(t.Eval(R"((vigy-incr "n" -7))") == "-2");
  CHECK(t.Eval(R"((vigy-get "n"))") == "-2");
}

TEST_CASE("vigy-incr refuses a non-integer delta or stored value") {
  Tick t;
  CHECK(t.Eval(R"((vigy-incr "n" "1"))") ==
        "error: <test>:1:1: type mismatch in 'vigy-incr': expected integer delta, got string");
  CHECK(t.Eval(R"((vigy-incr "n" 1.5))") ==
        "error: <test>:1:1: type mismatch in 'vigy-incr': expected integer delta, got float");
  t.Eval(R"((vigy-set "s" "text"))");
  CHECK(t.Eval(R"((vigy-incr "s"))") ==
        "error: <test>:1:1: type mismatch in 'vigy-incr': expected integer stored under 's', got "
        "string");
}

TEST_CASE("vigy-incr past 64 bits is an overflow error") {
  Tick t({}, Kv{{"big", json(INT64_MAX)}});
  CHECK(t.Eval(R"((vigy-incr "big"))") == "error: <test>:1:1: integer overflow in 'vigy-incr'");
  CHECK(t.Eval(R"((try (vigy-incr "big") (catch (e) (error-tag e))))") == ":integer-overflow");
}

TEST_CASE("vigy-has? and vigy-del see the tick's own writes") {
  Tick t(1000, Kv{{"old", json(1)}});
  CHECK(t.Eval(R"((list (vigy-has? "old") (vigy-has? "new")))") == "(#t #f)");
  t.Eval(R"((vigy-set "new" 2))");
  CHECK(t.Eval(R"((list (vigy-del "old") (vigy-del "old") (vigy-del "new") (vigy-del "never")))") ==
        "(#t #f #t #f)");
  CHECK(t.Eval(R"((list (vigy-has? "old") (vigy-has? "new")))") == "(#f #f)");
  Kv after = t.Next();
  CHECK(after.count("old") == 0);
  CHECK(after.count("new") == 0);
}

TEST_CASE("programs may read but not write the runtime's reserved keys") {
  Tick t(1000, Kv{{"__tick_count", json(4)}});
  CHECK(t.Eval(R"((vigy-get "__tick_count"))") == "4");
  auto reserved = [](std::string name) {
    return "error: <test>:1:1: key '__tick_count' is reserved in '" + name +
           "': keys starting with '__' belong to the runtime";
  };
  CHECK(t.Eval(R"((vigy-set "__tick_count" 0))") == reserved("vigy-set"));
  CHECK(t.Eval(R"((vigy-incr "__tick_count"))") == reserved("vigy-incr"));
  CHECK(t.Eval(R"((vigy-del "__tick_count"))") == reserved("vigy-del"));
  CHECK(t.Eval(R"((try (vigy-set "__x" 1) (catch (e) (error-tag e))))") == ":value");
  CHECK(t.context().kv_writes().empty());
}

TEST_CASE("vigy-once is true exactly once across ticks") {
  Tick first(1000);
  CHECK(first.Eval(R"((list (vigy-once "init") (vigy-once "init") (vigy-once :other)))") ==
        "(#t #f #t)");
  Tick second(2000, first.Next());
  CHECK(second.Eval(R"((list (vigy-once "init") (vigy-once "other")))") == "(#f #f)");
  CHECK(first.Next().count("__once/init") == 1);
}

TEST_CASE("vigy-mark-converged is seen by vigy-converged? now and in later ticks") {
  Tick first(1000);
  CHECK(first.Eval(R"((list (vigy-converged? "db") (begin (vigy-mark-converged "db")
                                                           (vigy-converged? "db"))))") ==
        "(#f #t)");
  Tick second(2000, first.Next());
  CHECK(second.Eval(R"((list (vigy-converged? "db") (vigy-converged? "web")))") == "(#t #f)");
}

TEST_CASE("vigy-rate-limited? fires, holds back within the window, then fires again") {
  Tick at1000(1000);
  CHECK(at1000.Eval(R"((vigy-rate-limited? "mail" 500))") == "#f");
  Tick at1300(1300, at1000.Next());
  CHECK(at1300.Eval(R"((vigy-rate-limited? "mail" 500))") == "#t");
  Tick at1600(1600, at1300.Next());
  CHECK(at1600.Eval(R"((vigy-rate-limited? "mail" 500))") == "#f");
  Tick at1700(1700, at1600.Next());
  CHECK(at1700.Eval(R"((vigy-rate-limited? "mail" 500))") == "#t");
}

TEST_CASE("vigy-backoff-ms doubles from one second and stops at thirty") {
  Tick t;
  CHECK(t.Eval("(vigy-backoff-ms 0)") == "1000");
  CHECK(t.Eval("(vigy-backoff-ms 1)") == "2000");
  CHECK(t.Eval("(vigy-backoff-ms 3)") == "8000");
  CHECK(t.Eval("(vigy-backoff-ms 4)") == "16000");
  CHECK(t.Eval("(vigy-backoff-ms 5)") == "30000");
  CHECK(t.Eval("(vigy-backoff-ms 100)") == "30000");
  CHECK(t.Eval("(vigy-backoff-ms -1)") ==
        "error: <test>:1:1: 'vigy-backoff-ms' needs a non-negative attempt, got -1");
}

TEST_CASE("the tick's time, number and distance from the previous tick") {
  Tick first(1000);
  CHECK(first.Eval("(list (vigy-tick) (vigy-tick-count) (vigy-since-last-tick))") == "(1000 1 -1)");
  Tick second(1750, first.Next());
  CHECK(second.Eval("(list (vigy-tick) (vigy-tick-count) (vigy-since-last-tick))") ==
        "(1750 2 750)");
}

TEST_CASE("vigy-requeue-after asks for the next tick, the last request winning") {
  Tick t;
  CHECK_FALSE(t.context().requeue_after_ms().has_value());
  t.Eval("(vigy-requeue-after 5000) (vigy-requeue-after 250)");
  CHECK(t.context().requeue_after_ms() == 250);
  CHECK(t.Eval("(vigy-requeue-after -1)") ==
        "error: <test>:1:1: 'vigy-requeue-after' needs a non-negative number of milliseconds, got "
        "-1");
}

TEST_CASE("millisecond arguments share the one duration range, and say so when past it") {
  Tick t;
  CHECK(t.Eval("(vigy-requeue-after 31536000000)") == "nil");
  CHECK(t.context().requeue_after_ms() == 31'536'000'000);
  const std::string past = "needs at most 31536000000 milliseconds (365d), got 9223372036854775806";
  CHECK(t.Eval("(vigy-requeue-after 9223372036854775806)") ==
        "error: <test>:1:1: 'vigy-requeue-after' " + past);
  CHECK(t.Eval("(vigy-rate-limited? \"k\" 9223372036854775806)") ==
        "error: <test>:1:1: 'vigy-rate-limited?' " + past);
  CHECK(t.Eval("(vigy-requeue-after 1e300)")
            .starts_with("error: <test>:1:1: 'vigy-requeue-after' needs at most"));
}

TEST_CASE("kv keys with control characters are refused, the value is not stored") {
  Tick t;
  CHECK(t.Eval("(vigy-set \"a\\nb\" 1)") ==
        "error: <test>:1:1: bad key in 'vigy-set': kv key has byte 0x0a at byte 2 (control "
        "characters are not allowed in keys)");
  CHECK(t.context().kv_writes().empty());
}

TEST_CASE("vigy-log records each of the five levels in order") {
  Tick t;
  t.Eval(R"((vigy-log "trace" "t") (vigy-log "debug" "d") (vigy-log :info "i")
            (vigy-log "warn" 42) (vigy-log "error" "e"))");
  const auto& log = t.context().log();
  REQUIRE(log.size() == 5);
  CHECK(log[0] == LogEntry{"trace", "t"});
  CHECK(log[1] == LogEntry{"debug", "d"});
  CHECK(log[2] == LogEntry{"info", "i"});
  CHECK(log[3] == LogEntry{"warn", "42"});
  CHECK(log[4] == LogEntry{"error", "e"});
}

TEST_CASE("vigy-log of an unknown level is an error") {
  Tick t;
  CHECK(t.Eval(R"((vigy-log "loud" "x"))") ==
        "error: <test>:1:1: unknown log level 'loud' in 'vigy-log' (expected one of trace debug "
        "info warn error)");
  CHECK(t.context().log().empty());
}

TEST_CASE("trace, metrics and events are recorded") {
  Tick t;
  CHECK(t.Eval(R"((vigy-trace "plan" '(a b)))") == "(a b)");
  t.Eval(R"((vigy-metric "files" 12) (vigy-metric :ratio 0.25) (vigy-metric "files" 13)
            (vigy-event "Synced" "pulled 3 commits") (vigy-event :Failed 'oops))");
  CHECK(t.context().trace().at("plan") == json::array({"a", "b"}));
  CHECK(t.context().metrics().at("files") == json(13));
  CHECK(t.context().metrics().at("files").is_number_integer());
  CHECK(t.context().metrics().at("ratio") == json(0.25));
  REQUIRE(t.context().events().size() == 2);
  CHECK(t.context().events()[0] == EventRecord{"Synced", "pulled 3 commits"});
  CHECK(t.context().events()[1] == EventRecord{"Failed", "oops"});
  CHECK(t.Eval(R"((vigy-metric "x" "12"))") ==
        "error: <test>:1:1: type mismatch in 'vigy-metric': expected number, got string");
}

TEST_CASE("vigy-name and vigy-id name the vigy being ticked") {
  Tick t;
  CHECK(t.Eval("(list (vigy-name) (vigy-id))") == "(\"demo\" \"" + VigyIdFromName("demo") + "\")");
}

TEST_CASE("intrinsics outside a tick fail with a clear error") {
  CHECK(lisp::testing::EvalWith(VigyLibrary(), R"((vigy-get "k"))") ==
        "error: <test>:1:1: 'vigy-get' can only be used while a vigy ticks");
}

TEST_CASE("intrinsics check their arity like every builtin") {
  Tick t;
  CHECK(t.Eval(R"((vigy-set "k"))") ==
        "error: <test>:1:1: arity: 'vigy-set' takes 2 arguments, got 1");
}

TEST_CASE("a program that records without bound fails on the memory limit") {
  Kv kv;
  TickContext context("demo", "id", 1000, kv);
  context.set_record_cap(64 * 1024);
  std::string result = lisp::testing::EvalWith(
      VigyLibrary(), R"((try (while #t (vigy-log "info" "0123456789")) (catch (e) "caught")))",
      lisp::Limits{}, &context);
  CHECK(result.starts_with("limit: "));
  CHECK(result.find("memory limit exceeded") != std::string::npos);
}

TEST_CASE("a value nested too deeply for JSON is a catchable error in an intrinsic") {
  Tick tick;
  CHECK(tick.Eval("(define (nest n acc) (if (= n 0) acc (nest (- n 1) (list acc))))"
                  "(try (vigy-set \"k\" (nest 1500 '())) (catch (e) (error-tag e)))") == ":json");
}

}  // namespace
}  // namespace vigy::core
