// End to end: `vigy add`.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/vigy.h"
#include "tests/cli/store_e2e.h"
#include "tests/support/shell_quote.h"

namespace vigy::testing {
namespace {
// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("the commands write the store that VIGY_TEST_STORE names") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  Must(s, {"add", "web.vigy"});
  CheckStoreUnderTest(s, 1);
}

TEST_CASE("a program of exactly 1 MiB is stored whole, given back whole and ticks") {
  // Larger than a socket's buffers: the store's client sends it in parts.
  std::string program = "(vigy-incr \"n\")\n";
  const std::string line = "; " + std::string(997, 'x') + "\n";
  while (program.size() + line.size() <= core::kMaxProgramBytes) program += line;
  program += std::string(core::kMaxProgramBytes - program.size() - 1, ';') + "\n";
  REQUIRE(program.size() == core::kMaxProgramBytes);
  Sandbox s;
  s.Write("big.vigy", program);
  Must(s, {"add", "big.vigy"});
  CHECK(JsonOut(s.Run({"show", "big", "--json"}))["vigy"]["program"] == program);
  CHECK(JsonOut(s.Run({"tick", "big", "--json"}))["result"] == "ok");
  CHECK(s.Run({"kv", "big", "get", "n"}).out == "1\n");
}

TEST_CASE("add prints the new vigy's id, which is derived from its name") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  BinaryResult r = s.Run({"add", "web.vigy"});
  CHECK(r.exit_code == 0);
  CHECK(r.err == "");
  CHECK(r.out == core::VigyIdFromName("web") + "\n");
  nlohmann::json list = JsonOut(s.Run({"list", "--json"}));
  REQUIRE(list.size() == 1);
  CHECK(list[0]["name"] == "web");
  CHECK(list[0]["id"] == core::VigyIdFromName("web"));
}

TEST_CASE("add names the vigy after the file's stem unless --name is given") {
  Sandbox s;
  s.Write("dir/backup.job.vigy", kCounter);
  Must(s, {"add", "dir/backup.job.vigy"});
  Must(s, {"add", "dir/backup.job.vigy", "--name", "other"});
  nlohmann::json list = JsonOut(s.Run({"list", "--json"}));
  REQUIRE(list.size() == 2);
  CHECK(list[0]["name"] == "backup.job");
  CHECK(list[1]["name"] == "other");
}

TEST_CASE("add reads the program from stdin when given - and a name") {
  Sandbox s;
  CHECK(s.Run({"add", "-", "--name", "piped"}, kCounter).exit_code == 0);
  CHECK(JsonOut(s.Run({"show", "piped", "--json"}))["vigy"]["program"] == kCounter);
  BinaryResult r = s.Run({"add", "-"}, kCounter);
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: a program read from stdin needs --name\n");
}

TEST_CASE(
    "add refuses a program that does not compile with every file:line:col and writes "
    "nothing") {
  Sandbox s;
  s.Write("bad.vigy", kNotCompiling);
  BinaryResult r = s.Run({"add", "bad.vigy"});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err ==
        "bad.vigy:2:19: unbound symbol 'undefined-fn'\n"
        "  (vigy-log \"info\" (undefined-fn x))\n"
        "                    ^\n"
        "bad.vigy:3:1: arity: 'car' takes 1 argument, got 3\n"
        "  (car 1 2 3)\n"
        "  ^\n"
        "vigy: bad.vigy does not compile; nothing was added\n");
  // Not even the store file was created.
  CHECK_FALSE(s.store_exists());

  AddVigy(s, "good", kCounter);
  CHECK(s.Run({"add", "bad.vigy"}).exit_code == 1);
  CHECK(JsonOut(s.Run({"list", "--json"})).size() == 1);
}

TEST_CASE("add of a name that is taken is a conflict that exits 4") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  BinaryResult r = s.Run({"add", "web.vigy", "--every", "5s"});
  CHECK(r.exit_code == 4);
  CHECK(r.out == "");
  CHECK(r.err == "vigy: vigy 'web' already exists (use --replace to overwrite it)\n");
  CHECK(JsonOut(s.Run({"show", "web", "--json"}))["vigy"]["schedule"]["kind"] == "none");
}

TEST_CASE("add --replace overwrites the record and keeps the kv and the run history") {
  Sandbox s;
  AddVigy(s, "web", kCounter, {"--every", "5s", "--label", "app=web", "--timeout", "3s"});
  Must(s, {"tick", "web"});
  Must(s, {"kv", "web", "set", "seed", "7"});
  nlohmann::json before = JsonOut(s.Run({"show", "web", "--json"}));

  s.Write("web2.vigy", kDeclaring);
  BinaryResult r = s.Run({"add", "web2.vigy", "--name", "web", "--replace", "--cron", "0 * * * *",
                          "--label", "tier=front"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == core::VigyIdFromName("web") + "\n");

  nlohmann::json after = JsonOut(s.Run({"show", "web", "--json"}));
  CHECK(after["vigy"]["program"] == kDeclaring);
  CHECK(after["vigy"]["revision"] != before["vigy"]["revision"]);
  CHECK(after["vigy"]["schedule"] ==
        nlohmann::json{{"kind", "cron"}, {"cron", "0 * * * *"}, {"jitter_ms", 0}});
  // Every setting comes from this command line: the old label and timeout are gone.
  CHECK(after["vigy"]["labels"] == nlohmann::json{{"tier", "front"}});
  CHECK_FALSE(after["vigy"].contains("timeout_ms"));
  CHECK(after["vigy"]["created_at"] == before["vigy"]["created_at"]);
  // It is an update of the record: kv, counters and runs stay.
  CHECK(after["kv"]["seed"] == 7);
  CHECK(after["kv"]["runs"] == 1);
  CHECK(after["runtime"]["tick_count"] == 1);
  CHECK(after["runs"].size() == 1);
}

TEST_CASE("add --replace of a new name simply adds it") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  Must(s, {"add", "web.vigy", "--replace"});
  CHECK(JsonOut(s.Run({"list", "--json"})).size() == 1);
}

TEST_CASE("add --json prints the vigy object with its public field names") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  BinaryResult r = s.Run({"add", "web.vigy", "--json", "--every", "1m", "--jitter", "10s",
                          "--label", "app=web", "--label", "team/owner=ops", "--timeout", "30s",
                          "--max-steps", "5000", "--handler", "cat >/dev/null", "--disabled"});
  CHECK(r.exit_code == 0);
  nlohmann::json j = JsonOut(r);
  CHECK(Keys(j) == std::set<std::string>{"id", "name", "program", "revision", "schedule", "enabled",
                                         "labels", "timeout_ms", "max_steps", "handler",
                                         "created_at", "updated_at"});
  CHECK(j["id"] == core::VigyIdFromName("web"));
  CHECK(j["name"] == "web");
  CHECK(j["program"] == kCounter);
  CHECK(j["revision"] == core::Revision(kCounter));
  CHECK(j["schedule"] ==
        nlohmann::json{{"kind", "every"}, {"every_ms", 60000}, {"jitter_ms", 10000}});
  CHECK(j["enabled"] == false);
  CHECK(j["labels"] == nlohmann::json{{"app", "web"}, {"team/owner", "ops"}});
  CHECK(j["timeout_ms"] == 30000);
  CHECK(j["max_steps"] == 5000);
  CHECK(j["handler"] == "cat >/dev/null");
  CHECK(j["created_at"] == j["updated_at"]);
  // What was printed is what was stored.
  CHECK(JsonOut(s.Run({"show", "web", "--json"}))["vigy"] == j);
}

TEST_CASE("add --json of a vigy without settings leaves the optional fields out") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  nlohmann::json j = JsonOut(s.Run({"add", "web.vigy", "--json"}));
  CHECK(Keys(j) == std::set<std::string>{"id", "name", "program", "revision", "schedule", "enabled",
                                         "labels", "created_at", "updated_at"});
  CHECK(j["schedule"] == nlohmann::json{{"kind", "none"}});
  CHECK(j["enabled"] == true);
  CHECK(j["labels"] == nlohmann::json::object());
}

TEST_CASE("add refuses an interval under 100ms with exit 2 and accepts 100ms") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  BinaryResult r = s.Run({"add", "web.vigy", "--every", "99"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: bad --every '99': the shortest interval is 100ms\n");
  r = s.Run({"add", "web.vigy", "--every", "50ms"});
  CHECK(r.exit_code == 2);
  CHECK_FALSE(s.store_exists());
  Must(s, {"add", "web.vigy", "--every", "100ms"});
  CHECK(JsonOut(s.Run({"list", "--json"}))[0]["schedule"]["every_ms"] == 100);
}

TEST_CASE("add takes a cron expression of 5 or 6 fields or a macro and refuses a bad one") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  Must(s, {"add", "web.vigy", "--name", "five", "--cron", "*/5 * * * *"});
  Must(s, {"add", "web.vigy", "--name", "six", "--cron", "0 */5 * * * mon-fri"});
  Must(s, {"add", "web.vigy", "--name", "daily", "--cron", "@daily"});
  CHECK(JsonOut(s.Run({"show", "six", "--json"}))["vigy"]["schedule"] ==
        nlohmann::json{{"kind", "cron"}, {"cron", "0 */5 * * * mon-fri"}, {"jitter_ms", 0}});
  BinaryResult r = s.Run({"add", "web.vigy", "--name", "two", "--cron", "* *"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: bad cron '* *': expected 5 or 6 fields, got 2\n");
  r = s.Run({"add", "web.vigy", "--name", "late", "--cron", "61 * * * *"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: bad cron '61 * * * *': minute field '61': 61 is out of range 0-59\n");
  r = s.Run({"add", "web.vigy", "--name", "both", "--cron", "* * * * *", "--every", "1s"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: --every and --cron cannot be used together\n");
  CHECK(JsonOut(s.Run({"list", "--json"})).size() == 3);
}

TEST_CASE("add refuses a bad name, label, duration or jitter with exit 2 and writes nothing") {
  Sandbox s;
  s.Write("my prog.vigy", kCounter);
  s.Write("web.vigy", kCounter);
  BinaryResult r = s.Run({"add", "my prog.vigy"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.starts_with("vigy: "));
  CHECK(r.err.find("choose one with --name") != std::string::npos);

  CHECK(s.Run({"add", "web.vigy", "--name", "no/slash"}).exit_code == 2);
  r = s.Run({"add", "web.vigy", "--label", "app"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: bad label 'app': expected KEY=VALUE\n");
  r = s.Run({"add", "web.vigy", "--timeout", "soon"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: --timeout: bad duration 'soon': expected a number with ms, s, m, h or d\n");
  r = s.Run({"add", "web.vigy", "--jitter", "1s"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: --jitter needs a schedule (--every or --cron)\n");
  r = s.Run({"add", "web.vigy", "--max-steps", "0"});
  CHECK(r.exit_code == 2);
  r = s.Run({"add", "missing.vigy"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: cannot read 'missing.vigy': No such file or directory\n");
  CHECK_FALSE(s.store_exists());
}

TEST_CASE("a cron vigy added under a TZ the system does not know gets a warning") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  auto add = [&](const std::string& tz, const std::string& name) {
    return RunShellCommand("cd '" + s.dir().string() + "' && TZ=" + tz +
                           " VIGY_DB=" + ShellQuote(s.store_location()) + " '" + VIGY_BINARY +
                           "' add web.vigy --name " + name + " --cron '0 * * * *'");
  };
  CommandResult unknown = add("Nowhere/City", "a");
  CHECK(unknown.exit_code == 0);
  CHECK(unknown.output.find("vigy: warning: TZ 'Nowhere/City' is not a time zone this system "
                            "knows, so local time is UTC") != std::string::npos);
  int n = 0;
  for (const char* known : {"UTC", "Europe/Berlin", "EST5EDT", ":UTC"}) {
    CAPTURE(known);
    CommandResult r = add(known, "b" + std::to_string(n++));
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("warning") == std::string::npos);
  }
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
