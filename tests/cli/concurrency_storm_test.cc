// Concurrency storm (vigy(1), RELIABILITY): while serve ticks, several
// processes at once loop on add, update, tick, kv set, disable, enable and
// rm against the same store. No command may fail because the store was
// locked or busy, serve must never tick a vigy twice (tick numbers per vigy
// are consecutive and unique), and the final state must be what the last
// command of each kind said.
//
// VIGY_STORM_SECONDS sets how long the storm blows (default 20; a full
// minute is run by bench/storm.sh).
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite_db.h"
#include "tests/cli/background_vigy.h"
#include "tests/cli/store_e2e.h"
#include "tests/storage/store_helpers.h"
#include "tests/support/store_invariants.h"

namespace vigy::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kSteady = 4;  // never removed; ticked, updated and kv set by others
constexpr int kFlip = 2;    // enabled and disabled over and over
constexpr int kChurn = 3;   // added, updated and removed over and over

std::string Steady(int i) { return "steady" + std::to_string(i); }
std::string Flip(int i) { return "flip" + std::to_string(i); }
std::string Churn(int i) { return "churn" + std::to_string(i); }

// A counter whose source varies with `variant`, so that updates change it.
std::string CounterProgram(int variant) {
  return "(define n (vigy-incr \"n\"))\n(vigy-log \"info\" (str \"variant " +
         std::to_string(variant) + " run \" n))\n";
}

unsigned long EnvNumber(const char* name, unsigned long fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoul(value, nullptr, 10) : fallback;
}

// One command a worker ran and how it ended.
struct Op {
  std::string worker;
  std::vector<std::string> args;
  int exit_code = -1;
  std::string err;
  // Exit 3 (no such vigy) is legitimate: the vigy is one that a concurrent
  // rm may just have removed.
  bool may_be_gone = false;
};

std::string Describe(const Op& op) {
  std::string text = op.worker + ":";
  for (const std::string& arg : op.args) text += " " + arg;
  return text + " -> " + std::to_string(op.exit_code) + " " + op.err;
}

// A worker: runs vigy commands one after another, each in its own process,
// and keeps what happened.
class Worker {
 public:
  Worker(const Sandbox& sandbox, std::string name, unsigned seed)
      : sandbox_(sandbox), name_(std::move(name)), random_(seed) {}

  Op& Run(std::vector<std::string> args, bool may_be_gone = false) {
    Op op;
    op.worker = name_;
    op.args = args;
    op.may_be_gone = may_be_gone;
    {
      BackgroundVigy process(sandbox_, args, "storm-" + name_);
      std::optional<int> code = process.WaitExit(seconds(60));
      op.exit_code = code.value_or(-1);
      op.err = process.Err();
    }
    ops_.push_back(std::move(op));
    return ops_.back();
  }

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }
  void Write(const std::string& file, const std::string& text) const { sandbox_.Write(file, text); }
  const std::vector<Op>& ops() const { return ops_; }
  const std::string& name() const { return name_; }

 private:
  const Sandbox& sandbox_;
  std::string name_;
  std::mt19937 random_;
  std::vector<Op> ops_;
};

// What the last command of each kind said, for the final checks.
struct Expected {
  std::map<std::string, int64_t> steady_every_ms;           // last `update --every`
  std::map<std::string, int> steady_variant;                // last `update FILE`
  std::map<std::string, int64_t> kv_y;                      // last `kv set NAME y`
  int64_t kv_x = -1;                                        // last `kv set steady0 x`
  std::map<std::string, bool> flip_enabled;                 // last enable/disable
  std::map<std::string, std::optional<int>> churn_variant;  // unset: last was rm
  std::set<std::string> added;                              // kept vigies the adder added
};

struct VigyRow {
  bool enabled = false;
  int64_t every_ms = 0;
  std::string program;
};

std::map<std::string, VigyRow> ReadVigies(const std::string& path) {
  std::unique_ptr<storage::Db> db = storage::testing::OpenRaw(path);
  auto stmt = db->Prepare(
      "SELECT v.name, v.enabled, coalesce(v.every_ms, 0), coalesce(p.program, '') "
      "FROM vigies v LEFT JOIN programs p ON p.vigy_id = v.id");
  REQUIRE(stmt.ok());
  std::map<std::string, VigyRow> rows;
  for (;;) {
    auto row = stmt->Step();
    REQUIRE(row.ok());
    if (!*row) break;
    VigyRow& v = rows[stmt->Text(0)];
    v.enabled = stmt->Int(1) != 0;
    v.every_ms = stmt->Int(2);
    v.program = stmt->Text(3);
  }
  return rows;
}

// What `watch --json` printed: the runs, the latest tick of each vigy, and
// every run whose tick is not the one after its vigy's previous run (or 1,
// for a churning vigy added anew after its removal).
struct WatchedTicks {
  int64_t runs = 0;
  std::map<std::string, int64_t> last_tick;
  std::vector<std::string> out_of_order;
};

WatchedTicks ParseWatch(const std::string& out) {
  WatchedTicks seen;
  size_t start = 0;
  for (size_t nl = out.find('\n'); nl != std::string::npos; nl = out.find('\n', start)) {
    nlohmann::json run = nlohmann::json::parse(out.substr(start, nl - start));
    start = nl + 1;
    ++seen.runs;
    const std::string name = run["vigy_name"].get<std::string>();
    const int64_t tick = run["tick"].get<int64_t>();
    int64_t& previous = seen.last_tick[name];
    const bool restarted = name.starts_with("churn") && tick == 1;
    if (tick != previous + 1 && !restarted) {
      seen.out_of_order.push_back(name + " tick " + std::to_string(tick) + " after " +
                                  std::to_string(previous));
    }
    previous = tick;
  }
  return seen;
}

TEST_CASE("concurrency storm: CLI writers alongside serve never hit a locked store") {
  const int storm_seconds = static_cast<int>(EnvNumber("VIGY_STORM_SECONDS", 20));
  const unsigned seed = static_cast<unsigned>(EnvNumber("VIGY_STORM_SEED", std::random_device{}()));
  INFO("VIGY_STORM_SEED=", seed);

  Sandbox sandbox;
  const std::string path = (sandbox.dir() / "vigy.db").string();
  for (int i = 0; i < kSteady; ++i) {
    AddVigy(sandbox, Steady(i), CounterProgram(0), {"--every", "100ms"});
  }
  for (int i = 0; i < kFlip; ++i) {
    AddVigy(sandbox, Flip(i), CounterProgram(0), {"--every", "100ms"});
  }

  // watch prints what is committed after it starts: it must be watching
  // before the first serve commits anything.
  BackgroundVigy watch(sandbox, {"-v", "watch", "--json"}, "watch");
  REQUIRE(
      BackgroundVigy::WaitUntil([&] { return watch.Err().find("watching") != std::string::npos; }));
  BackgroundVigy serve(sandbox, {"serve", "--keep-runs", "1000000000"}, "serve");
  REQUIRE(
      BackgroundVigy::WaitUntil([&] { return serve.Err().find("serving") != std::string::npos; }));

  Expected expected;
  for (int i = 0; i < kSteady; ++i) {
    expected.steady_every_ms[Steady(i)] = 100;
    expected.steady_variant[Steady(i)] = 0;
  }
  for (int i = 0; i < kFlip; ++i) expected.flip_enabled[Flip(i)] = true;
  for (int i = 0; i < kChurn; ++i) expected.churn_variant[Churn(i)] = std::nullopt;

  const auto deadline = std::chrono::steady_clock::now() + seconds(storm_seconds);
  auto storming = [&] { return std::chrono::steady_clock::now() < deadline; };
  std::vector<std::unique_ptr<Worker>> workers;
  auto worker = [&](const std::string& name) -> Worker& {
    workers.push_back(std::make_unique<Worker>(sandbox, name, seed + workers.size()));
    return *workers.back();
  };

  // Each worker owns what it decides (so the last command of each kind on a
  // vigy is known), and touches what others own where that is legitimate.
  std::vector<std::function<void()>> loops;
  // Ticks steady vigies (serve ticks them too) and churning ones.
  for (int t = 0; t < 2; ++t) {
    Worker& w = worker("ticker" + std::to_string(t));
    loops.push_back([&w, &storming] {
      while (storming()) {
        if (w.Pick(3) == 0) {
          w.Run({"tick", Churn(w.Pick(kChurn))}, /*may_be_gone=*/true);
        } else {
          w.Run({"tick", Steady(w.Pick(kSteady))});
        }
      }
    });
  }
  // kv set: an increasing x on steady0, y on each steady vigy, and keys on
  // churning vigies.
  {
    Worker& w = worker("kv");
    loops.push_back([&w, &storming, &expected] {
      for (int64_t i = 1; storming(); ++i) {
        switch (w.Pick(3)) {
          case 0:
            if (w.Run({"kv", Steady(0), "set", "x", std::to_string(i)}).exit_code == 0) {
              expected.kv_x = i;
            }
            break;
          case 1: {
            const std::string name = Steady(w.Pick(kSteady));
            if (w.Run({"kv", name, "set", "y", std::to_string(i)}).exit_code == 0) {
              expected.kv_y[name] = i;
            }
            break;
          }
          default:
            w.Run({"kv", Churn(w.Pick(kChurn)), "set", "z", std::to_string(i)}, true);
        }
      }
    });
  }
  // Updates steady vigies: their schedule or their program.
  {
    Worker& w = worker("updater");
    loops.push_back([&w, &storming, &expected] {
      for (int i = 1; storming(); ++i) {
        const std::string name = Steady(w.Pick(kSteady));
        if (w.Pick(2) == 0) {
          const int64_t every = w.Pick(2) == 0 ? 100 : 150;
          if (w.Run({"update", name, "--every", std::to_string(every) + "ms"}).exit_code == 0) {
            expected.steady_every_ms[name] = every;
          }
        } else {
          const std::string file = "updater-" + std::to_string(i) + ".vigy";
          w.Write(file, CounterProgram(i));
          if (w.Run({"update", name, file}).exit_code == 0) expected.steady_variant[name] = i;
        }
      }
    });
  }
  // Disables and enables the flip vigies.
  {
    Worker& w = worker("flipper");
    loops.push_back([&w, &storming, &expected] {
      while (storming()) {
        const std::string name = Flip(w.Pick(kFlip));
        const bool enable = w.Pick(2) == 0;
        if (w.Run({enable ? "enable" : "disable", name}).exit_code == 0) {
          expected.flip_enabled[name] = enable;
        }
      }
    });
  }
  // Adds, updates, disables, enables and removes the churning vigies, and
  // adds vigies that stay.
  {
    Worker& w = worker("churner");
    loops.push_back([&w, &storming, &expected] {
      for (int i = 1; storming(); ++i) {
        const std::string name = Churn(w.Pick(kChurn));
        std::optional<int>& variant = expected.churn_variant[name];
        const int choice = w.Pick(8);
        if (!variant) {
          const std::string file = "churner-" + std::to_string(i) + ".vigy";
          w.Write(file, CounterProgram(i));
          if (w.Run({"add", file, "--name", name, "--every", "100ms"}).exit_code == 0) {
            variant = i;
          }
        } else if (choice < 2) {
          if (w.Run({"rm", name}).exit_code == 0) variant.reset();
        } else if (choice < 4) {
          const std::string file = "churner-" + std::to_string(i) + ".vigy";
          w.Write(file, CounterProgram(i));
          if (w.Run({"update", name, file}).exit_code == 0) variant = i;
        } else if (choice < 6) {
          w.Run({w.Pick(2) == 0 ? "disable" : "enable", name});
        } else if (choice == 6) {
          const std::string kept = "kept" + std::to_string(i);
          w.Write(kept + ".vigy", CounterProgram(i));
          if (w.Run({"add", kept + ".vigy", "--every", "1h"}).exit_code == 0) {
            expected.added.insert(kept);
          }
        } else {
          w.Run({"tick", name});
        }
      }
    });
  }

  std::vector<std::thread> threads;
  for (auto& loop : loops) threads.emplace_back(loop);
  for (std::thread& thread : threads) thread.join();

  // Let serve pick up the last changes and tick once more, then stop it.
  std::this_thread::sleep_for(milliseconds(1500));
  CHECK(serve.WaitExit(milliseconds(0)) == std::nullopt);
  serve.Signal(SIGTERM);
  REQUIRE(serve.WaitExit(seconds(30)) == 0);

  // No command failed, except with "no such vigy" where a concurrent rm
  // makes that legitimate.
  int64_t operations = 0;
  int64_t gone = 0;
  std::map<std::string, int64_t> by_command;
  for (const auto& w : workers) {
    for (const Op& op : w->ops()) {
      ++operations;
      ++by_command[op.args[0]];
      INFO(Describe(op));
      if (op.may_be_gone && op.exit_code == 3) {
        // Removed before the command found it, or while it was ticking.
        ++gone;
        CHECK((op.err.find("no such vigy") != std::string::npos ||
               op.err.find("was removed while it was ticking") != std::string::npos));
        continue;
      }
      if (op.may_be_gone && op.args[0] == "tick" && op.exit_code == 4 &&
          op.err.find("no longer holds its lease") != std::string::npos) {
        // Removed and added again while it was ticking: the new vigy's
        // runtime has no lease, so the old tick's run is refused.
        ++gone;
        continue;
      }
      CHECK(op.exit_code == 0);
    }
  }

  // The final state is what the last command of each kind said.
  std::map<std::string, VigyRow> vigies = ReadVigies(path);
  for (const auto& [name, every] : expected.steady_every_ms) {
    const std::string& vigy_name = name;  // a lambda inside CAPTURE cannot name a binding
    CAPTURE(vigy_name);
    REQUIRE(vigies.contains(name));
    CHECK(vigies[name].every_ms == every);
    CHECK(vigies[name].program == CounterProgram(expected.steady_variant[name]));
    CHECK(vigies[name].enabled);
  }
  for (const auto& [name, enabled] : expected.flip_enabled) {
    const std::string& vigy_name = name;
    CAPTURE(vigy_name);
    REQUIRE(vigies.contains(name));
    CHECK(vigies[name].enabled == enabled);
  }
  for (const auto& [name, variant] : expected.churn_variant) {
    const std::string& vigy_name = name;
    CAPTURE(vigy_name);
    CHECK(vigies.contains(name) == variant.has_value());
    if (variant && vigies.contains(name)) CHECK(vigies[name].program == CounterProgram(*variant));
  }
  for (const std::string& name : expected.added) CHECK(vigies.contains(name));
  if (expected.kv_x >= 0) {
    BinaryResult x = Must(sandbox, {"kv", Steady(0), "get", "x"});
    CHECK(x.out == std::to_string(expected.kv_x) + "\n");
  }
  for (const auto& [name, value] : expected.kv_y) {
    BinaryResult y = Must(sandbox, {"kv", name, "get", "y"});
    CHECK(y.out == std::to_string(value) + "\n");
  }

  // Never a double tick: every vigy's runs are ticks 1..n, once each, and
  // its counter agrees; the counter in its kv too (each ok tick adds one).
  const std::map<std::string, TickNumbering> ticks = CheckStoreInvariants(path);
  CHECK(ticks.size() == vigies.size());
  int64_t runs = 0;
  for (const auto& [name, v] : ticks) {
    const std::string& vigy_name = name;
    CAPTURE(vigy_name);
    runs += v.runs;
    if (name.starts_with("steady")) {
      CHECK(v.runs > 0);
      BinaryResult n = Must(sandbox, {"kv", name, "get", "n"});
      CHECK(n.out == std::to_string(v.runs) + "\n");
    }
  }

  // The runs in commit order, as watch printed them: per vigy each tick is
  // the one after its previous, or 1 again for a churning vigy added anew.
  WatchedTicks seen;
  REQUIRE(BackgroundVigy::WaitUntil([&] {
    seen = ParseWatch(watch.Out());
    for (const auto& [name, v] : ticks) {
      if (v.max_tick > 0 && seen.last_tick[name] != v.max_tick) return false;
    }
    return true;
  }));
  watch.Signal(SIGTERM);
  CHECK(watch.WaitExit(seconds(5)) == 130);  // interrupted
  seen = ParseWatch(watch.Out());
  for (const std::string& problem : seen.out_of_order) {
    INFO(problem);
    CHECK(false);
  }
  CHECK(seen.out_of_order.empty());
  CHECK(seen.runs >= runs);
  const int64_t watched = seen.runs;

  MESSAGE("concurrency storm: ", operations, " operations in ", storm_seconds, " s by ",
          workers.size(), " processes at a time alongside serve (", by_command["tick"], " tick, ",
          by_command["kv"], " kv set, ", by_command["update"], " update, ", by_command["add"],
          " add, ", by_command["rm"], " rm, ", by_command["enable"] + by_command["disable"],
          " enable/disable; ", gone, " found their vigy just removed); ", watched,
          " runs committed, seed ", seed);
}

}  // namespace
}  // namespace vigy::testing
