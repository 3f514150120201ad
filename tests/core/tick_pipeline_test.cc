// The persisted tick against a real store: one transaction per tick, failed
// ticks keep counters but not kv writes, handlers, dry runs, and concurrent
// ticks of one vigy. The cases that use a store are in the "store" suite, so
// ctest runs them on an SQLite file and again on PostgreSQL
// (tests/storage/store_helpers.h).
#include "core/tick_pipeline.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "tests/storage/store_helpers.h"

namespace vigy::core {
namespace {

using storage::testing::Add;
using storage::testing::SampleVigy;
using storage::testing::TestStore;

Vigy WithProgram(const std::string& name, const std::string& program) {
  Vigy vigy = SampleVigy(name);
  vigy.program = program;
  vigy.revision = Revision(program);
  return vigy;
}

struct Fixture {
  storage::testing::TempDir dir;  // files the programs' handlers write
  TestStore test_store;
  std::unique_ptr<Store> store = test_store.Open();
  ProgramCache cache;
  int64_t now = 1'000'000;
  TickPipeline pipeline{*store, cache, [this] { return now; }};

  Vigy Register(const std::string& name, const std::string& program) {
    Vigy vigy = WithProgram(name, program);
    Add(*store, vigy);
    return vigy;
  }
  RunRecord TickOk(const Vigy& vigy, TickOptions options = {}) {
    Result<RunRecord> run = pipeline.Tick(vigy.id, options);
    INFO(run.status().ToString());
    REQUIRE(run.ok());
    return *run;
  }
  Kv KvOf(const Vigy& vigy) { return *store->KvList(vigy.id); }
};

TEST_SUITE("store") {
  TEST_CASE("a tick commits its run, kv writes, state and counters") {
    Fixture f;
    Vigy v = f.Register("counter", "(vigy-incr \"n\") (vigy-desired \"x\" 1) (vigy-create 5)");
    RunRecord run = f.TickOk(v);
    CHECK(run.ok());
    CHECK(run.tick == 1);
    CHECK(f.KvOf(v).at("n") == 1);
    CHECK(f.KvOf(v).at("__tick_count") == 1);
    auto state = *f.store->GetState(v.id);
    REQUIRE(state.has_value());
    CHECK(state->state.desired == nlohmann::json{{"x", 1}});
    auto runs = *f.store->ListRuns({v.id});
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].actions.size() == 1);
    CHECK(runs[0].actions[0].kind == "create");
    CHECK(f.store->GetRuntime(v.id)->tick_count == 1);
  }

  TEST_CASE("a failed tick advances the counter but keeps none of the program's kv writes") {
    Fixture f;
    Vigy v = f.Register("atomic", "(vigy-set \"a\" 1)\n(car '())");
    RunRecord run = f.TickOk(v);
    CHECK(run.result == "failed");
    CHECK(run.error == "2:1: 'car' of an empty list");
    Kv kv = f.KvOf(v);
    CHECK(kv.count("a") == 0);
    CHECK(kv.at("__tick_count") == 1);
    CHECK(f.store->GetRuntime(v.id)->consecutive_failures == 1);
    CHECK(f.store->GetRuntime(v.id)->backoff_until_ms == f.now + 1000);
    CHECK(f.TickOk(v).tick == 2);
    CHECK(f.store->GetRuntime(v.id)->backoff_until_ms == f.now + 2000);
    CHECK(f.store->ListRuns({v.id})->size() == 2);
  }

  TEST_CASE("a failed tick keeps the previous state") {
    Fixture f;
    Vigy v = f.Register(
        "state", "(vigy-desired \"n\" (vigy-incr \"n\")) (when (> (vigy-get \"n\") 1) (car '()))");
    f.TickOk(v);
    f.TickOk(v);
    CHECK(f.store->GetState(v.id).value()->state.desired == nlohmann::json{{"n", 1}});
  }

  TEST_CASE("a condition keeps last_transition when only its message changes") {
    Fixture f;
    Vigy v = f.Register("cond",
                        "(vigy-condition \"Ready\" (if (< (vigy-tick-count) 3) \"false\" \"true\")"
                        " \"R\" (str \"tick \" (vigy-tick-count)))");
    f.TickOk(v);
    f.now += 1000;
    f.TickOk(v);
    auto conditions = f.store->GetState(v.id).value()->state.conditions;
    REQUIRE(conditions.size() == 1);
    CHECK(conditions[0].message == "tick 2");
    CHECK(conditions[0].last_transition_ms == 1'000'000);
    f.now += 1000;
    f.TickOk(v);
    conditions = f.store->GetState(v.id).value()->state.conditions;
    CHECK(conditions[0].status == "true");
    CHECK(conditions[0].last_transition_ms == 1'002'000);
  }

  TEST_CASE("once is true on the first tick only, across ticks from the store") {
    Fixture f;
    Vigy v = f.Register("once", "(when (vigy-once \"init\") (vigy-incr \"inits\"))");
    f.TickOk(v);
    f.TickOk(v);
    f.TickOk(v);
    CHECK(f.KvOf(v).at("inits") == 1);
  }

  TEST_CASE("a dry run commits nothing") {
    Fixture f;
    Vigy v = f.Register("dry", "(vigy-set \"a\" 1)");
    RunRecord run = f.TickOk(v, {.dry_run = true});
    CHECK(run.ok());
    CHECK(f.KvOf(v).empty());
    CHECK(f.store->ListRuns({v.id})->empty());
    CHECK(f.TickOk(v).tick == 1);  // and the lease was released
  }

  TEST_CASE("the handler runs once per action with the action on stdin, one JSON line") {
    Fixture f;
    std::string log = f.dir.File("handled");
    Vigy v = WithProgram("handled", "(vigy-noop) (vigy-create (hash-map \"r\" 1)) (vigy-push 2)");
    v.handler = "cat >> " + log;
    Add(*f.store, v);
    RunRecord run = f.TickOk(v);
    CHECK(run.ok());
    CHECK(run.actions[0].result == "ok");  // noop: recorded ok, not handled
    CHECK(run.actions[1].result == "ok");
    CHECK(run.actions[2].result == "ok");
    CHECK(storage::testing::ReadFile(log) ==
          "{\"kind\":\"create\",\"payload\":{\"r\":1}}\n{\"kind\":\"push\",\"payload\":2}\n");
  }

  TEST_CASE("a failing handler fails the run and drops the program's kv writes") {
    Fixture f;
    Vigy v = WithProgram("badhandler", "(vigy-set \"a\" 1) (vigy-apply 1)");
    v.handler = "echo nope >&2; exit 3";
    Add(*f.store, v);
    RunRecord run = f.TickOk(v);
    CHECK(run.result == "failed");
    CHECK(run.error == "action 1 (apply): handler exited 3: nope");
    CHECK(run.actions[0].result == "failed");
    CHECK(f.KvOf(v).count("a") == 0);
    CHECK(f.KvOf(v).at("__failures") == 1);
  }

  TEST_CASE(
      "the handlers share the tick's one timeout, and the actions after a failure are skipped") {
    Fixture f;
    Vigy v = WithProgram("slow", "(vigy-create 1) (vigy-create 2) (vigy-create 3)");
    v.handler = "sleep 30";
    v.timeout_ms = 300;
    Add(*f.store, v);
    const auto start = std::chrono::steady_clock::now();
    RunRecord run = f.TickOk(v);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
    CHECK(run.result == "failed");
    CHECK(run.error == "action 1 (create): handler timed out: the tick's timeout (300 ms) passed");
    CHECK(run.actions[0].result == "failed");
    CHECK(run.actions[1].result == "skipped");
    CHECK(run.actions[1].message == "not run: an earlier action failed");
    CHECK(run.actions[2].result == "skipped");
  }

  TEST_CASE("a handler gets only what is left of the tick's timeout after evaluation") {
    Fixture f;
    // Evaluation uses most of the timeout; the handler's 1 s sleep cannot fit.
    Vigy v = WithProgram("late", "(sh \"sleep 0.4\") (vigy-create 1)");
    v.handler = "sleep 1";
    v.timeout_ms = 600;
    Add(*f.store, v);
    RunRecord run = f.TickOk(v);
    CHECK(run.result == "failed");
    CHECK(run.actions[0].result == "failed");
    CHECK(run.duration_ms < 1000);
  }

  TEST_CASE("a tick that must wait for another's lease says who holds it, once") {
    Fixture f;
    Vigy v = f.Register("held", "(vigy-noop)");
    const std::string token = storage::NewLeaseToken();
    // Held for 300 ms more by this process.
    REQUIRE(f.store->TryAcquireTickLease(v.id, token, 300, storage::SystemNowMs())->acquired());
    TickPipeline pipeline(*f.store, f.cache);
    std::vector<std::string> told;
    TickOptions options;
    options.on_wait = [&](const std::string& message) { told.push_back(message); };
    Result<RunRecord> run = pipeline.Tick(v.id, options);
    REQUIRE(run.ok());
    REQUIRE(told.size() == 1);
    CHECK(told[0] == "waiting for vigy 'held': pid " + std::to_string(::getpid()) +
                         " is ticking it (its lease ends in 1 s at the latest)");
    told.clear();
    REQUIRE(pipeline.Tick(v.id, options).ok());
    CHECK(told.empty());  // free: nothing to say
  }

  TEST_CASE("a stored program that no longer compiles fails its tick with the error") {
    Fixture f;
    Vigy v = f.Register("broken", "(no-such-fn 1)");
    RunRecord run = f.TickOk(v);
    CHECK(run.result == "failed");
    CHECK(run.error ==
          "the stored program does not compile: broken.vigy:1:2: unbound symbol 'no-such-fn'");
  }

  TEST_CASE("per-vigy limits override the defaults") {
    Fixture f;
    Vigy v = WithProgram("spin", "(while #t 1)");
    v.max_steps = 1000;
    Add(*f.store, v);
    RunRecord run = f.TickOk(v);
    CHECK(run.error == "1:1: step limit exceeded (1000 steps)");
  }

  TEST_CASE("concurrent ticks of one vigy from several connections get consecutive numbers") {
    TestStore test_store;
    {
      auto store = test_store.Open();
      Add(*store, WithProgram("shared", "(vigy-incr \"n\")"));
    }
    std::string id = VigyIdFromName("shared");
    ProgramCache cache;
    std::vector<std::thread> threads;
    std::vector<std::string> failures(4);
    for (size_t t = 0; t < failures.size(); ++t) {
      threads.emplace_back([&, t] {
        auto store = test_store.TryOpen(storage::OpenMode::kExisting);
        if (!store.ok()) {
          failures[t] = store.status().ToString();
          return;
        }
        TickPipeline pipeline(**store, cache);
        for (int i = 0; i < 5; ++i) {
          Result<RunRecord> run = pipeline.Tick(id);
          if (!run.ok()) {
            failures[t] = run.status().ToString();
            return;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    for (const std::string& failure : failures) CHECK(failure == "");
    auto store = test_store.Open();
    auto runs = *store->ListRuns({id});
    REQUIRE(runs.size() == 20);
    std::vector<int64_t> ticks;
    for (const auto& r : runs) ticks.push_back(r.tick);
    std::sort(ticks.begin(), ticks.end());
    for (int i = 0; i < 20; ++i) CHECK(ticks[i] == i + 1);
    CHECK(store->KvList(id)->at("n") == 20);
  }

}  // TEST_SUITE("store")

TEST_CASE("the program cache compiles a revision once") {
  ProgramCache cache;
  auto a = cache.Get("r1", "(+ 1 2)", "a.vigy");
  auto b = cache.Get("r1", "(+ 1 2)", "a.vigy");
  CHECK(a.program != nullptr);
  CHECK(a.program == b.program);
  CHECK(cache.Get("r2", "(car)", "b.vigy").error ==
        "b.vigy:1:1: arity: 'car' takes 1 argument, got 0");
}

TEST_CASE("the failure backoff doubles from 1 s and caps at 30 s") {
  CHECK(FailureBackoffMs(0) == 0);
  CHECK(FailureBackoffMs(1) == 1000);
  CHECK(FailureBackoffMs(2) == 2000);
  CHECK(FailureBackoffMs(5) == 16000);
  CHECK(FailureBackoffMs(6) == 30000);
  CHECK(FailureBackoffMs(100) == 30000);
}

}  // namespace
}  // namespace vigy::core
