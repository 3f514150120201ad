// The real binary on a PostgreSQL store: the everyday commands with their
// results read back from the database, bad locations and foreign or newer
// databases refused with one line and exit 5 (no password shown, nothing
// written), and VIGY_DB naming the store as --db does.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/ids.h"
#include "tests/cli/pg_e2e.h"
#include "tests/cli/store_e2e.h"
#include "tests/support/pg_server.h"

namespace vigy::testing {
namespace {

using nlohmann::json;

// What vigy leaves in its sandbox when it uses a file store there: with a
// PostgreSQL location, none of it may appear.
bool SandboxHoldsAFileStore(const Sandbox& sandbox) {
  for (const char* name : {"vigy.db", "vigy.db-wal", "vigy.db-shm", "vigy.db.http-token"}) {
    if (std::filesystem::exists(sandbox.dir() / name)) return true;
  }
  return false;
}

// Every row of every vigy table, as one text (to compare a store before and
// after something that must not change it).
std::string StoreSnapshot(const std::string& conninfo) {
  return PgQueryText(conninfo,
                     "SELECT concat_ws(E'\\n', "
                     "(SELECT string_agg(t::text, ';' ORDER BY t::text) FROM meta t), "
                     "(SELECT string_agg(t::text, ';' ORDER BY t::text) FROM vigies t), "
                     "(SELECT string_agg(t::text, ';' ORDER BY t::text) FROM programs t), "
                     "(SELECT string_agg(t::text, ';' ORDER BY t::text) FROM runtime t), "
                     "(SELECT string_agg(t::text, ';' ORDER BY t::text) FROM runs t), "
                     "(SELECT string_agg(t::text, ';' ORDER BY t::text) FROM actions t), "
                     "(SELECT string_agg(t::text, ';' ORDER BY t::text) FROM state t), "
                     "(SELECT string_agg(t::text, ';' ORDER BY t::text) FROM kv t), "
                     "(SELECT string_agg(t::text, ';' ORDER BY t::text) FROM serve t), "
                     "(SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
                     "WHERE schemaname = current_schema()))");
}

// The commands tried against a store that must be refused: those that read
// and those that write or create, serve (once and lasting) among them.
std::vector<std::vector<std::string>> CommandsToRefuse() {
  return {{"list"},
          {"list", "--json"},
          {"add", "probe.vigy", "--every", "1s"},
          {"show", "web"},
          {"tick", "web"},
          {"runs"},
          {"kv", "web", "set", "k", "1"},
          {"update", "web", "--every", "2s"},
          {"disable", "web"},
          {"rm", "web"},
          {"health"},
          {"serve", "--once"},
          {"serve"}};
}

// Runs each of CommandsToRefuse on `location` (or, when `env` is given,
// with that environment and no --db) and checks that each exits 5 with
// exactly one line on stderr, holding `why`, nothing on stdout, none of
// `secrets` anywhere, and no store file made in the sandbox instead.
void CheckEveryCommandRefused(const Sandbox& sandbox, const std::string& location,
                              const std::string& why, const std::vector<std::string>& secrets,
                              const std::vector<std::string>& env = {}) {
  sandbox.Write("probe.vigy", "(vigy-noop)\n");
  for (const std::vector<std::string>& args : CommandsToRefuse()) {
    std::string shown;
    for (const std::string& arg : args) shown += " " + arg;
    CAPTURE(shown);
    BinaryResult r;
    if (env.empty()) {
      r = RunOnPg(sandbox, location, args, std::chrono::seconds(30));
    } else {
      r = RunVigyEnv(sandbox, args, env, std::chrono::seconds(30));
    }
    INFO("stdout: ", r.out);
    INFO("stderr: ", r.err);
    CHECK(r.exit_code == 5);
    CHECK(r.out.empty());
    CHECK(IsOneLine(r.err));
    CHECK(r.err.starts_with("vigy: "));
    CHECK(r.err.find(why) != std::string::npos);
    for (const std::string& secret : secrets) {
      CAPTURE(secret);
      CHECK(r.out.find(secret) == std::string::npos);
      CHECK(r.err.find(secret) == std::string::npos);
    }
  }
  CHECK_FALSE(SandboxHoldsAFileStore(sandbox));
}

int64_t CountOf(const PgTestDatabase& db, const std::string& sql) { return db.QueryInt(sql); }

TEST_CASE(
    "pg e2e: add, list, show, tick, runs, kv, update, disable, enable, rm and serve --once "
    "work on a PostgreSQL store") {
  PgTestDatabase db;
  Sandbox sandbox;
  const std::string uri = db.uri();
  // The two other spellings of a location reach the same database.
  const std::string keywords = "postgresql:" + db.keyword_conninfo();
  const std::string short_scheme = "postgres://" + uri.substr(std::string("postgresql://").size());
  const std::string web_id = core::VigyIdFromName("web");
  const std::string of_web = " WHERE vigy_id = '" + web_id + "'";

  // add, from a file: prints the id, and the vigy is in the tables.
  sandbox.Write("web.vigy", kCounter);
  BinaryResult added =
      MustOnPg(sandbox, uri, {"add", "web.vigy", "--every", "1h", "--label", "team=a"});
  CHECK(added.out == web_id + "\n");
  CHECK(added.err.empty());
  sandbox.Write("manual.vigy", "(vigy-noop)\n");
  MustOnPg(sandbox, uri, {"add", "manual.vigy"});  // no schedule: only `vigy tick` ticks it
  CHECK(CountOf(db, "SELECT count(*) FROM vigies") == 2);
  CHECK(CountOf(db, "SELECT count(*) FROM vigies WHERE id = '" + web_id +
                        "' AND name = 'web' AND schedule_kind = 'every' AND every_ms = 3600000") ==
        1);
  CHECK(PgQueryText(uri, "SELECT program FROM programs" + of_web) == kCounter);

  // list --json: both vigies by name, without their programs.
  json list = JsonOut(MustOnPg(sandbox, short_scheme, {"list", "--json"}));
  REQUIRE(list.is_array());
  REQUIRE(list.size() == 2);
  CHECK(list[0]["name"] == "manual");
  CHECK(list[0]["schedule"]["kind"] == "none");
  const json& web = list[1];
  CHECK(web["name"] == "web");
  CHECK(web["id"] == web_id);
  CHECK(web["enabled"] == true);
  CHECK(web["schedule"] == json{{"kind", "every"}, {"every_ms", 3600000}, {"jitter_ms", 0}});
  CHECK(web["labels"] == json{{"team", "a"}});
  CHECK(web["runtime"]["tick_count"] == 0);
  CHECK(web["runtime"]["consecutive_failures"] == 0);
  CHECK_FALSE(web.contains("program"));
  CHECK_FALSE(web.contains("last_run"));
  const json first_revision = web["revision"];

  // show --json, through the keyword form.
  json shown = JsonOut(MustOnPg(sandbox, keywords, {"show", "web", "--json"}));
  CHECK(Keys(shown) == std::set<std::string>{"kv", "runs", "runtime", "state", "vigy"});
  CHECK(shown["vigy"]["name"] == "web");
  CHECK(shown["vigy"]["program"] == kCounter);
  CHECK(shown["runtime"]["tick_count"] == 0);
  CHECK(shown["state"] == json{{"desired", json::object()},
                               {"observed", json::object()},
                               {"conditions", json::array()}});
  CHECK(shown["kv"] == json::object());
  CHECK(shown["runs"] == json::array());

  // tick, twice: runs 1 and 2, recorded in the runs table and counted.
  json run1 = JsonOut(MustOnPg(sandbox, uri, {"tick", "web", "--json"}));
  CHECK(run1["result"] == "ok");
  CHECK(run1["tick"] == 1);
  CHECK(run1["vigy_name"] == "web");
  CHECK(run1["vigy_id"] == web_id);
  CHECK(run1["log"] == json::array({{{"level", "info"}, {"message", "run 1"}}}));
  CHECK_FALSE(run1.contains("scheduled_at"));  // not a serve's tick
  json run2 = JsonOut(MustOnPg(sandbox, uri, {"tick", "web", "--json"}));
  CHECK(run2["tick"] == 2);
  CHECK(run2["log"][0]["message"] == "run 2");
  CHECK(CountOf(db, "SELECT count(*) FROM runs" + of_web) == 2);
  CHECK(CountOf(db, "SELECT count(*) FROM runs" + of_web +
                        " AND tick = 2 AND result = 'ok' AND id = '" +
                        run2["id"].get<std::string>() + "'") == 1);
  CHECK(CountOf(db, "SELECT tick_count FROM runtime" + of_web) == 2);

  // runs --json: newest first, the runs tick printed.
  json runs = JsonOut(MustOnPg(sandbox, uri, {"runs", "web", "--json"}));
  REQUIRE(runs.is_array());
  REQUIRE(runs.size() == 2);
  CHECK(runs[0]["id"] == run2["id"]);
  CHECK(runs[0]["tick"] == 2);
  CHECK(runs[1]["id"] == run1["id"]);
  CHECK(runs[1]["tick"] == 1);
  CHECK(runs[1]["started_at"] == run1["started_at"]);

  // kv set, get, rm.
  BinaryResult set = MustOnPg(sandbox, uri, {"kv", "web", "set", "cfg", R"({"replicas":[1,2]})"});
  CHECK(set.out.empty());
  CHECK(PgQueryText(uri, "SELECT value FROM kv" + of_web + " AND key = 'cfg'") ==
        R"({"replicas":[1,2]})");
  CHECK(JsonOut(MustOnPg(sandbox, keywords, {"kv", "web", "get", "cfg"})) ==
        json{{"replicas", {1, 2}}});
  CHECK(JsonOut(MustOnPg(sandbox, uri, {"kv", "web", "get", "runs"})) == 2);  // the program's
  MustOnPg(sandbox, uri, {"kv", "web", "rm", "cfg"});
  CHECK(CountOf(db, "SELECT count(*) FROM kv" + of_web + " AND key = 'cfg'") == 0);
  BinaryResult gone = RunOnPg(sandbox, uri, {"kv", "web", "get", "cfg"});
  CHECK(gone.exit_code == 1);
  CHECK(gone.err == "vigy: no key 'cfg' in vigy 'web'\n");
  json kv = JsonOut(MustOnPg(sandbox, uri, {"kv", "web", "--json"}));
  CHECK(kv["runs"] == 2);
  CHECK_FALSE(kv.contains("cfg"));

  // update: a new program and settings; kv and runs kept.
  const std::string second =
      "(define n (vigy-incr \"runs\"))\n(vigy-log \"info\" (str \"v2 run \" n))\n(vigy-noop)\n";
  sandbox.Write("web2.vigy", second);
  json updated = JsonOut(
      MustOnPg(sandbox, uri,
               {"update", "web", "web2.vigy", "--every", "30m", "--label", "team=b", "--json"}));
  CHECK(updated["name"] == "web");
  CHECK(updated["program"] == second);
  CHECK(updated["revision"] != first_revision);
  CHECK(updated["schedule"] == json{{"kind", "every"}, {"every_ms", 1800000}, {"jitter_ms", 0}});
  CHECK(updated["labels"] == json{{"team", "b"}});
  CHECK(CountOf(db, "SELECT every_ms FROM vigies WHERE id = '" + web_id + "'") == 1800000);
  CHECK(PgQueryText(uri, "SELECT program FROM programs" + of_web) == second);
  CHECK(CountOf(db, "SELECT count(*) FROM runs" + of_web) == 2);
  json run3 = JsonOut(MustOnPg(sandbox, uri, {"tick", "web", "--json"}));
  CHECK(run3["tick"] == 3);
  CHECK(run3["log"][0]["message"] == "v2 run 3");
  CHECK(run3["revision"] == updated["revision"]);

  // disable and enable, and serve --once ticking what is due: an every-vigy
  // never ticked is due at once; a disabled one, one without a schedule and
  // one ticked a moment ago (web, every 30m) are not ticked.
  sandbox.Write("pulse.vigy", kCounter);
  MustOnPg(sandbox, uri, {"add", "pulse.vigy", "--every", "1h"});
  const std::string of_pulse = " WHERE vigy_id = '" + core::VigyIdFromName("pulse") + "'";
  CHECK(MustOnPg(sandbox, uri, {"disable", "pulse"}).out == "disabled pulse\n");
  CHECK(MustOnPg(sandbox, uri, {"disable", "pulse"}).out == "pulse was already disabled\n");
  CHECK(CountOf(db, "SELECT enabled FROM vigies WHERE name = 'pulse'") == 0);
  json listed = JsonOut(MustOnPg(sandbox, uri, {"list", "--json"}));
  REQUIRE(listed.size() == 3);
  CHECK(listed[1]["name"] == "pulse");
  CHECK(listed[1]["enabled"] == false);
  BinaryResult idle = MustOnPg(sandbox, uri, {"serve", "--once"});
  CHECK(StoppedAfterTicks(idle.err) == 0);
  CHECK(CountOf(db, "SELECT count(*) FROM runs") == 3);

  CHECK(MustOnPg(sandbox, uri, {"enable", "pulse"}).out == "enabled pulse\n");
  CHECK(CountOf(db, "SELECT enabled FROM vigies WHERE name = 'pulse'") == 1);
  BinaryResult once = MustOnPg(sandbox, uri, {"serve", "--once"});
  INFO(once.err);
  CHECK(StoppedAfterTicks(once.err) == 1);
  CHECK(CountOf(db, "SELECT count(*) FROM runs" + of_pulse +
                        " AND tick = 1 AND result = 'ok' AND scheduled_at IS NOT NULL") == 1);
  CHECK(CountOf(db, "SELECT count(*) FROM runs") == 4);
  CHECK(CountOf(db, "SELECT count(*) FROM runs WHERE vigy_name = 'manual'") == 0);
  json pulse_runs = JsonOut(MustOnPg(sandbox, uri, {"runs", "pulse", "--json"}));
  REQUIRE(pulse_runs.size() == 1);
  CHECK(pulse_runs[0].contains("scheduled_at"));
  CHECK(pulse_runs[0]["log"][0]["message"] == "run 1");
  // Nothing is due any more.
  BinaryResult again = MustOnPg(sandbox, uri, {"serve", "--once"});
  CHECK(StoppedAfterTicks(again.err) == 0);
  CHECK(CountOf(db, "SELECT count(*) FROM runs") == 4);

  // rm: the vigy and everything of it go; the others stay.
  CHECK(MustOnPg(sandbox, uri, {"rm", "web"}).out == "removed web\n");
  BinaryResult missing = RunOnPg(sandbox, uri, {"show", "web"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err == "vigy: no such vigy 'web'\n");
  for (const char* table : {"programs", "runtime", "runs", "kv", "state", "actions"}) {
    CAPTURE(table);
    CHECK(CountOf(db, std::string("SELECT count(*) FROM ") + table + of_web) == 0);
  }
  CHECK(CountOf(db, "SELECT count(*) FROM vigies") == 2);
  CHECK(CountOf(db, "SELECT count(*) FROM runs" + of_pulse) == 1);

  CHECK_FALSE(SandboxHoldsAFileStore(sandbox));
}

TEST_CASE("pg e2e: watch waits for a PostgreSQL store that has no tables yet") {
  PgTestDatabase db;
  Sandbox sandbox;
  PgBackgroundVigy watch(sandbox, db.uri(), {"--json", "watch"}, "watch");
  // Still waiting, and nothing created by watch.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(db.QueryInt("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0);
  sandbox.Write("late.vigy", kCounter);
  MustOnPg(sandbox, db.uri(), {"add", "late.vigy"});
  MustOnPg(sandbox, db.uri(), {"tick", "late"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (watch.Out().find("\"late\"") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(watch.Err());
  CHECK(watch.Out().find("\"vigy_name\":\"late\"") != std::string::npos);
  watch.Signal(SIGINT);
  CHECK(watch.WaitExit(std::chrono::seconds(10)) == 130);
}

TEST_CASE("pg e2e: watch prints each run as its commit is announced, in commit order, once") {
  PgTestDatabase db;
  Sandbox sandbox;
  sandbox.Write("a.vigy", kCounter);
  sandbox.Write("b.vigy", kCounter);
  MustOnPg(sandbox, db.uri(), {"add", "a.vigy"});
  MustOnPg(sandbox, db.uri(), {"add", "b.vigy"});
  PgBackgroundVigy watch(sandbox, db.uri(), {"--json", "-v", "watch"}, "watch");
  const auto started_by = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (watch.Err().find("watching") == std::string::npos &&
         std::chrono::steady_clock::now() < started_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(watch.Err().find("watching") != std::string::npos);

  // Each run is printed long before watch's backstop poll (every 5 s) could
  // have found it: by the announcement of its commit.
  std::vector<std::string> expected;
  for (int i = 0; i < 6; ++i) {
    const std::string name = i % 2 == 0 ? "a" : "b";
    MustOnPg(sandbox, db.uri(), {"tick", name});
    expected.push_back(name + "#" + std::to_string(i / 2 + 1));
    const auto ticked = std::chrono::steady_clock::now();
    size_t lines = 0;
    while (std::chrono::steady_clock::now() < ticked + std::chrono::seconds(10)) {
      const std::string out = watch.Out();
      lines = static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
      if (lines >= expected.size()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const auto waited = std::chrono::steady_clock::now() - ticked;
    CAPTURE(i);
    REQUIRE(lines == expected.size());
    CHECK(waited < std::chrono::milliseconds(2500));
  }
  std::vector<std::string> printed;
  std::istringstream out(watch.Out());
  for (std::string line; std::getline(out, line);) {
    json run = json::parse(line);
    printed.push_back(run["vigy_name"].get<std::string>() + "#" +
                      std::to_string(run["tick"].get<int64_t>()));
  }
  CHECK(printed == expected);
  watch.Signal(SIGINT);
  CHECK(watch.WaitExit(std::chrono::seconds(10)) == 130);
}

TEST_CASE("pg e2e: an unreachable PostgreSQL server is exit 5 with one line, and no password") {
  Sandbox sandbox;
  CheckEveryCommandRefused(
      sandbox, "postgresql://u:secret@127.0.0.1:1/db",
      "cannot connect to store 'postgresql://u:****@127.0.0.1:1/db': connection to server at "
      "\"127.0.0.1\", port 1 failed",
      {"secret"});
}

TEST_CASE(
    "pg e2e: a wrong password is refused by the server: exit 5, one line, no password, "
    "nothing written") {
  // The shared test cluster trusts every local connection, so it would take
  // any password. A cluster of this test's own asks this role for its
  // password (scram-sha-256); every other role is still trusted.
  PrivatePgCluster cluster;
  PgQueryRows(cluster.Admin(), "CREATE ROLE vigy_pw_role LOGIN PASSWORD 'Right-Pw-4711'");
  PgQueryRows(cluster.Admin(), "CREATE DATABASE pwdb OWNER vigy_pw_role");
  const std::string hba = ReadFile(cluster.HbaPath());
  {
    std::ofstream out(cluster.HbaPath(), std::ios::trunc);
    out << "local all vigy_pw_role scram-sha-256\n" << hba;
    REQUIRE(out.good());
  }
  REQUIRE(PgQueryText(cluster.Admin(), "SELECT pg_reload_conf()") == "t");

  const std::string host = PgPercentEncode(cluster.dir());
  const std::string public_tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
  Sandbox sandbox;
  const std::vector<std::string> wrong_locations = {
      "postgresql://vigy_pw_role:Wrong-Pw-0815@/pwdb?host=" + host,
      "postgresql:///pwdb?host=" + host + "&user=vigy_pw_role&password=Wrong-Pw-0815",
      "postgresql:host=" + cluster.dir() + " dbname=pwdb user=vigy_pw_role password=Wrong-Pw-0815",
      "postgresql:host=" + cluster.dir() +
          " dbname=pwdb user=vigy_pw_role password='Wrong-Pw-0815'",
  };
  for (const std::string& location : wrong_locations) {
    CAPTURE(location);
    CheckEveryCommandRefused(sandbox, location, "password authentication failed",
                             {"Wrong-Pw-0815", "Right-Pw-4711"});
  }
  CHECK(PgQueryInt64(cluster.Admin("pwdb"), public_tables) == 0);
  // Nor is a login without a password let in.
  BinaryResult none =
      RunOnPg(sandbox, "postgresql:///pwdb?host=" + host + "&user=vigy_pw_role", {"list"});
  CHECK(none.exit_code == 5);
  CHECK(none.err.find("no password supplied") != std::string::npos);
  CHECK(PgQueryInt64(cluster.Admin("pwdb"), public_tables) == 0);

  // The right password works (so the refusals above were the password's),
  // and is not shown either: not by the commands, nor in serve's log.
  const std::string right_keywords =
      "postgresql:host=" + cluster.dir() + " dbname=pwdb user=vigy_pw_role password=Right-Pw-4711";
  const std::string right_uri = "postgresql://vigy_pw_role:Right-Pw-4711@/pwdb?host=" + host;
  sandbox.Write("web.vigy", kCounter);
  for (const std::string& right : {right_keywords, right_uri}) {
    CAPTURE(right);
    CHECK(JsonOut(MustOnPg(sandbox, right, {"list", "--json"})).is_array());
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"add", "web.vigy", "--every", "1h", "--replace"},
                                               {"serve", "--once"},
                                               {"show", "web", "--json"},
                                               {"tick", "web", "--json"},
                                               {"health", "--json"}}) {
      CAPTURE(args[0]);
      BinaryResult r = RunOnPg(sandbox, right, args);
      INFO("stdout: ", r.out);
      INFO("stderr: ", r.err);
      // health: 1 says no serve is running now, which is so.
      CHECK((r.exit_code == 0 || (args[0] == "health" && r.exit_code == 1)));
      CHECK(r.out.find("Right-Pw-4711") == std::string::npos);
      CHECK(r.err.find("Right-Pw-4711") == std::string::npos);
    }
  }
  BinaryResult once = MustOnPg(sandbox, right_keywords, {"serve", "--once"});
  CHECK(once.err.find("serving postgresql:host=" + cluster.dir() +
                      " dbname=pwdb user=vigy_pw_role password=**** (") != std::string::npos);
  CHECK(PgQueryInt64(cluster.Admin("pwdb"), "SELECT count(*) FROM runs") >= 2);
}

TEST_CASE("pg e2e: a database holding other tables is refused untouched: exit 5, one line") {
  PgTestDatabase db;
  db.Exec(
      "CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL);"
      "INSERT INTO accounts VALUES (1, 'ann'), (2, 'bob')");
  Sandbox sandbox;
  for (const std::string& location : {db.uri(), "postgresql:" + db.keyword_conninfo()}) {
    CAPTURE(location);
    CheckEveryCommandRefused(sandbox, location,
                             "schema 'public' holds tables that are not a vigy store; refusing to "
                             "touch it",
                             {});
  }
  CHECK(PgQueryText(db.uri(),
                    "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE "
                    "schemaname NOT IN ('pg_catalog', 'information_schema')") == "accounts");
  CHECK(PgQueryText(db.uri(),
                    "SELECT string_agg(id || '=' || owner, ',' ORDER BY id) FROM "
                    "accounts") == "1=ann,2=bob");
  CHECK(db.QueryInt("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace WHERE n.nspname = 'public'") ==
        2);  // the table and its primary key's index, nothing else
}

TEST_CASE("pg e2e: a store written by a newer vigy (schema 99) is refused and left unchanged") {
  PgTestDatabase db;
  Sandbox sandbox;
  sandbox.Write("web.vigy", kCounter);
  MustOnPg(sandbox, db.uri(), {"add", "web.vigy", "--every", "1s"});
  MustOnPg(sandbox, db.uri(), {"tick", "web"});
  MustOnPg(sandbox, db.uri(), {"kv", "web", "set", "k", "1"});
  db.Exec("UPDATE meta SET value = 99 WHERE key = 'schema_version'");
  const std::string before = StoreSnapshot(db.uri());

  CheckEveryCommandRefused(sandbox, db.uri(),
                           "was written by a newer vigy (schema 99, this vigy knows", {});
  CHECK(StoreSnapshot(db.uri()) == before);
  CHECK(db.QueryInt("SELECT value FROM meta WHERE key = 'schema_version'") == 99);
}

TEST_CASE("pg e2e: a password in a location libpq cannot parse, or parses oddly, is never shown") {
  // libpq's own message may quote what it could not parse, or a piece of
  // the location it took for something else; no piece of the password may
  // appear in it, nor in the location shown beside it.
  Sandbox sandbox;
  struct Case {
    std::string location;
    std::vector<std::string> secrets;  // the password, and the pieces of it
  };
  const std::vector<Case> cases = {
      // A raw '%' in a password (50%off): not percent-encoding.
      {"postgresql://u:Fifty50%off-Pw@127.0.0.1:1/db", {"Fifty50%off-Pw", "off-Pw"}},
      // A typo in an IPv6 host, after the password.
      {"postgresql://u:Secret-Pw-1@[::1/db", {"Secret-Pw-1"}},
      // A keyword string whose quoted password is not closed.
      {"postgresql:host=127.0.0.1 port=1 user=u password='Secret Pw 2", {"Secret Pw 2"}},
      // A '/' or an '@' in a password, not percent-encoded.
      {"postgresql://u:Alpha7/Bravo8@127.0.0.1:1/db", {"Alpha7", "Bravo8"}},
      {"postgresql://u:Charlie9@Delta0@127.0.0.1:1/db", {"Charlie9", "Delta0"}},
      // The password parameter with its name percent-encoded, which libpq
      // decodes.
      {"postgresql://u@127.0.0.1:1/db?pass%77ord=Secret-Pw-3", {"Secret-Pw-3"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.location);
    BinaryResult r = RunOnPg(sandbox, c.location, {"list"});
    INFO("stderr: ", r.err);
    CHECK(r.exit_code == 5);
    CHECK(IsOneLine(r.err));
    CHECK(r.out.empty());
    for (const std::string& secret : c.secrets) {
      CAPTURE(secret);
      CHECK(r.err.find(secret) == std::string::npos);
    }
  }
}

TEST_CASE("pg e2e: VIGY_DB=postgresql://... names the store as --db does") {
  PgTestDatabase db;
  Sandbox sandbox;
  const std::vector<std::string> base = PgTestEnvironment(sandbox);
  const std::vector<std::string> env = WithVigyDb(base, db.uri());
  auto must = [&](const std::vector<std::string>& args,
                  const std::vector<std::string>& with) -> BinaryResult {
    BinaryResult r = RunVigyEnv(sandbox, args, with);
    INFO("vigy ", args[0], ": ", r.err);
    CHECK(r.exit_code == 0);
    return r;
  };

  sandbox.Write("web.vigy", kCounter);
  CHECK(must({"add", "web.vigy", "--every", "1h"}, env).out == core::VigyIdFromName("web") + "\n");
  CHECK(db.QueryInt("SELECT count(*) FROM vigies WHERE name = 'web'") == 1);
  json list = JsonOut(must({"list", "--json"}, env));
  REQUIRE(list.size() == 1);
  CHECK(list[0]["name"] == "web");
  json run = JsonOut(must({"tick", "web", "--json"}, env));
  CHECK(run["tick"] == 1);
  CHECK(db.QueryInt("SELECT count(*) FROM runs WHERE vigy_name = 'web' AND tick = 1") == 1);
  BinaryResult once = must({"serve", "--once"}, env);
  CHECK(once.err.find("serving " + db.uri()) != std::string::npos);
  must({"kv", "web", "set", "k", "\"v\""}, env);
  CHECK(PgQueryText(db.uri(), "SELECT value FROM kv WHERE key = 'k'") == "\"v\"");
  CHECK_FALSE(SandboxHoldsAFileStore(sandbox));

  // --db wins over VIGY_DB, either way round.
  const std::string unreachable = "postgresql://u:secret@127.0.0.1:1/db";
  json through_db =
      JsonOut(must({"--db", db.uri(), "list", "--json"}, WithVigyDb(base, unreachable)));
  CHECK(through_db.size() == 1);
  BinaryResult refused = RunVigyEnv(sandbox, {"--db", unreachable, "list"}, env);
  CHECK(refused.exit_code == 5);

  // A bad VIGY_DB is refused as a bad --db is: one line, exit 5, no password.
  CheckEveryCommandRefused(sandbox, "",
                           "cannot connect to store 'postgresql://u:****@127.0.0.1:1/db'",
                           {"secret"}, WithVigyDb(base, unreachable));
  CHECK(db.QueryInt("SELECT count(*) FROM vigies") == 1);
  CHECK(db.QueryInt("SELECT count(*) FROM runs") == 1);
}

}  // namespace
}  // namespace vigy::testing
