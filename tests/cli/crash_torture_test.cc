// Crash torture (vigy(1), RELIABILITY): serve is killed with SIGKILL at random
// moments while a few dozen fast vigies tick and write kv, and restarted, over
// and over, with `vigy watch --json` following along the whole time. After
// every kill the store must be intact and consistent: no tick half-applied,
// no kv write of a failed tick, no committed run lost, ticks numbered without
// gaps, and a restarted serve ticking again. Run on an SQLite file and on a
// PostgreSQL database, with the same checks.
//
// VIGY_TORTURE_KILLS sets the number of kills (default 50; bench/crash_torture.sh
// runs many more), VIGY_TORTURE_SEED the random seed (default: a fresh one,
// printed).
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/background_vigy.h"
#include "tests/cli/store_e2e.h"
#include "tests/support/pg_server.h"
#include "tests/support/store_invariants.h"
#include "tests/support/store_sql.h"

namespace vigy::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kVigies = 30;

// Counts its successful ticks in "n" and remembers the last one in "last";
// every fifth tick writes "poison" and then fails, so none of that tick's
// writes may survive. Odd-numbered vigies also declare state and emit an
// action, so that their commits touch every table; every third one spends
// 50 ms in a command, so that kills often find ticks in flight.
std::string TortureProgram(int index) {
  std::string program = index % 3 == 2 ? "(sh \"sleep 0.05\")\n" : "";
  program +=
      "(define t (vigy-tick-count))\n"
      "(vigy-set \"last\" t)\n"
      "(when (= 0 (modulo t 5))\n"
      "  (vigy-set \"poison\" true)\n"
      "  (throw (error \"planned failure on tick \" t)))\n"
      "(define n (vigy-incr \"n\"))\n";
  if (index % 2 == 1) {
    program +=
        "(vigy-desired \"n\" n)\n"
        "(vigy-observed \"n\" n)\n"
        "(vigy-create (hash-map \"tick\" t))\n";
  }
  return program;
}

unsigned long EnvNumber(const char* name, unsigned long fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoul(value, nullptr, 10) : fallback;
}

// The ids of the runs `watch --json` printed, read as its output grows.
class WatchedRuns {
 public:
  // Takes in the complete lines printed since the last call.
  const std::set<std::string>& Update(const std::string& out) {
    for (size_t nl = out.find('\n', read_); nl != std::string::npos; nl = out.find('\n', read_)) {
      const std::string line = out.substr(read_, nl - read_);
      read_ = nl + 1;
      nlohmann::json run = nlohmann::json::parse(line, nullptr, false);
      INFO(line);
      REQUIRE_FALSE(run.is_discarded());
      ids_.insert(run["id"].get<std::string>());
      ++lines_;
    }
    return ids_;
  }
  size_t lines() const { return lines_; }

 private:
  size_t read_ = 0;
  size_t lines_ = 0;
  std::set<std::string> ids_;
};

// Runs recorded per vigy name.
std::map<std::string, int64_t> RunsByVigy(const StoreSql& sql) {
  std::map<std::string, int64_t> runs;
  for (const std::vector<std::string>& row : sql.Rows(
           "SELECT v.name, (SELECT count(*) FROM runs WHERE vigy_id = v.id) FROM vigies v", 2)) {
    runs[row[0]] = std::stoll(row[1]);
  }
  return runs;
}

struct Totals {
  int64_t runs = 0;
  int64_t failed = 0;
  std::map<std::string, int64_t> runs_by_vigy;
};

// Everything that must hold of the store whenever no serve is running.
Totals CheckStore(const StoreSql& sql, const std::set<std::string>& watched) {
  const std::map<std::string, TickNumbering> numbering = CheckStoreInvariants(sql.location());
  // A failed tick's kv writes never land.
  CHECK(sql.QueryInt("SELECT count(*) FROM kv WHERE key = 'poison'") == 0);

  Totals totals;
  const std::vector<std::vector<std::string>> rows = sql.Rows(
      "SELECT v.name, "
      "  (SELECT count(*) FROM runs WHERE vigy_id = v.id AND result = 'ok'), "
      "  (SELECT count(*) FROM runs WHERE vigy_id = v.id "
      "     AND (result = 'failed') != (tick % 5 = 0)), "
      "  coalesce((SELECT CAST(value AS INTEGER) FROM kv "
      "     WHERE vigy_id = v.id AND key = 'n'), 0), "
      "  coalesce((SELECT CAST(value AS INTEGER) FROM kv "
      "     WHERE vigy_id = v.id AND key = 'last'), 0), "
      "  (SELECT coalesce(max(tick), 0) FROM runs WHERE vigy_id = v.id AND result = 'ok'), "
      "  (SELECT count(*) FROM actions WHERE vigy_id = v.id), "
      "  CASE WHEN coalesce(r.last_run_id = (SELECT id FROM runs WHERE vigy_id = v.id "
      "     ORDER BY tick DESC LIMIT 1), r.tick_count = 0) THEN 1 ELSE 0 END "
      "FROM vigies v LEFT JOIN runtime r ON r.vigy_id = v.id ORDER BY v.name",
      8);
  for (const std::vector<std::string>& row : rows) {
    const std::string& name = row[0];
    const int64_t ok_runs = std::stoll(row[1]), misplaced = std::stoll(row[2]),
                  n = std::stoll(row[3]), last = std::stoll(row[4]), last_ok = std::stoll(row[5]),
                  actions = std::stoll(row[6]), last_run_matches = std::stoll(row[7]);
    CAPTURE(name);
    REQUIRE(numbering.contains(name));
    const int64_t runs = numbering.at(name).runs;
    CHECK(last_run_matches == 1);
    // Exactly the ticks divisible by 5 failed, and only ok ticks' writes count.
    CHECK(misplaced == 0);
    CHECK(n == ok_runs);
    CHECK(last == last_ok);
    // A run's actions were committed with it, and only with it.
    if (std::stoi(name.substr(1)) % 2 == 1) {
      CHECK(actions == ok_runs);
    } else {
      CHECK(actions == 0);
    }
    totals.runs += runs;
    totals.failed += runs - ok_runs;
    totals.runs_by_vigy[name] = runs;
  }

  // Leases left by killed serves are given back by the next one: the only
  // leases held are the latest serve's (a PostgreSQL store keeps a serve row
  // per serve process: the latest one started).
  CHECK(sql.QueryInt("SELECT count(*) FROM runtime, (SELECT lease_prefix FROM serve "
                     "ORDER BY started_at DESC LIMIT 1) AS latest WHERE lease_owner IS NOT NULL "
                     "AND substr(lease_owner, 1, length(latest.lease_prefix)) != "
                     "latest.lease_prefix") == 0);

  // Every run watch printed was committed, so it is still there.
  std::set<std::string> stored;
  for (const std::vector<std::string>& row : sql.Rows("SELECT id FROM runs", 1)) {
    stored.insert(row[0]);
  }
  int64_t lost = 0;
  for (const std::string& id : watched) lost += stored.contains(id) ? 0 : 1;
  CHECK(lost == 0);
  CHECK(sql.QueryInt("SELECT count(*) FROM runs") == totals.runs);
  return totals;
}

// The torture on the store at `location` (the sandbox's, or --db's).
void Torture(const Sandbox& sandbox, const std::string& location) {
  const int kills = static_cast<int>(EnvNumber("VIGY_TORTURE_KILLS", 50));
  const unsigned seed =
      static_cast<unsigned>(EnvNumber("VIGY_TORTURE_SEED", std::random_device{}()));
  INFO("VIGY_TORTURE_SEED=", seed);
  std::mt19937 random(seed);

  const StoreSql sql(location);
  for (int i = 0; i < kVigies; ++i) {
    AddVigy(sandbox, "t" + std::to_string(i), TortureProgram(i),
            {"--every", "100ms", "--db", location});
  }
  // watch prints what is committed after it starts: it must be watching
  // before the first serve commits anything.
  BackgroundVigy watch(sandbox, {"--db", location, "-v", "watch", "--json"}, "watch");
  REQUIRE(
      BackgroundVigy::WaitUntil([&] { return watch.Err().find("watching") != std::string::npos; }));

  WatchedRuns watched;
  Totals before;
  int survived = 0;
  int early = 0;
  int mid_tick = 0;  // kills that left ticks in flight (their leases held)
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < kills; ++round) {
    CAPTURE(round);
    BackgroundVigy serve(sandbox, {"--db", location, "serve"}, "serve");
    const auto serve_started = std::chrono::steady_clock::now();
    // Most kills land while ticks stream in; every fifth lands during start-up.
    const bool early_kill = round % 5 == 4;
    const int delay_ms = early_kill ? std::uniform_int_distribution<int>(0, 50)(random)
                                    : std::uniform_int_distribution<int>(50, 400)(random);
    std::this_thread::sleep_until(serve_started + milliseconds(delay_ms));
    if (!early_kill) {
      // A restarted serve ticks again: by now, or soon, it has committed runs
      // of its own (a lease its killed predecessor held does not stall it).
      bool progressed = BackgroundVigy::WaitUntil(
          [&] { return sql.QueryInt("SELECT count(*) FROM runs") > before.runs; }, seconds(20));
      INFO(serve.Err());
      REQUIRE(progressed);
    }
    serve.Signal(SIGKILL);
    const std::optional<int> killed = serve.WaitExit(seconds(30));
    INFO("serve exit ", killed.value_or(-1), ": ", serve.Err());
    REQUIRE(killed == 128 + SIGKILL);
    ++survived;
    early += early_kill ? 1 : 0;
    mid_tick +=
        sql.QueryInt("SELECT count(*) FROM runtime WHERE lease_owner IS NOT NULL") > 0 ? 1 : 0;

    REQUIRE(watch.WaitExit(milliseconds(0)) == std::nullopt);
    Totals after = CheckStore(sql, watched.Update(watch.Out()));
    CHECK(after.runs >= before.runs);
    before = after;
  }

  // A last serve, stopped cleanly, ticks every vigy again.
  {
    BackgroundVigy serve(sandbox, {"--db", location, "serve"}, "serve");
    bool all_ticked = BackgroundVigy::WaitUntil(
        [&] {
          std::map<std::string, int64_t> now = RunsByVigy(sql);
          for (const auto& [name, runs] : before.runs_by_vigy) {
            if (now[name] < runs + 2) return false;
          }
          return true;
        },
        seconds(60));
    INFO(serve.Err());
    CHECK(all_ticked);
    serve.Signal(SIGTERM);
    REQUIRE(serve.WaitExit(seconds(20)) == 0);
  }

  // watch saw every run, once: it printed exactly what the store holds.
  bool caught_up = BackgroundVigy::WaitUntil([&] {
    return static_cast<int64_t>(watched.Update(watch.Out()).size()) ==
           sql.QueryInt("SELECT count(*) FROM runs");
  });
  CHECK(caught_up);
  Totals final_totals = CheckStore(sql, watched.Update(watch.Out()));
  CHECK(static_cast<int64_t>(watched.lines()) == final_totals.runs);
  CHECK(final_totals.failed > 0);

  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE("crash torture on ", std::string(sql.postgresql() ? "PostgreSQL" : "SQLite"), ": ",
          survived, " kills survived (", early, " during start-up, ", mid_tick,
          " with ticks in flight), ", final_totals.runs, " runs committed (", final_totals.failed,
          " failed), ", kVigies, " vigies, ", secs, " s, seed ", seed);
  watch.Signal(SIGTERM);
  CHECK(watch.WaitExit(seconds(5)) == 130);  // interrupted
}

TEST_CASE("crash torture: serve killed -9 at random moments loses no committed run") {
  Sandbox sandbox;
  Torture(sandbox, (sandbox.dir() / "vigy.db").string());
}

TEST_CASE("crash torture on PostgreSQL: serve killed -9 at random moments loses no committed run") {
  Sandbox sandbox;
  PgTestDatabase db;
  Torture(sandbox, db.uri());
}

}  // namespace
}  // namespace vigy::testing
