#include "core/notifier.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

namespace vigy::core {
namespace {

using testing::ReadFile;
using testing::TempDir;
using Kind = SchedulerEvent::Kind;

RunRecord Run(const std::string& name, bool ok) {
  RunRecord run;
  run.id = "run-" + name;
  run.vigy_id = "id-" + name;
  run.vigy_name = name;
  run.tick = 7;
  run.started_at_ms = 1'700'000'000'000;
  run.ended_at_ms = 1'700'000'000'250;
  run.duration_ms = 250;
  run.result = ok ? "ok" : "failed";
  if (!ok) run.error = "3:5: (throw (error :disk \"full\"))";
  return run;
}

SchedulerEvent Event(Kind kind, const RunRecord& run) {
  SchedulerEvent event;
  event.kind = kind;
  event.at_ms = run.ended_at_ms;
  event.vigy_id = run.vigy_id;
  event.vigy_name = run.vigy_name;
  event.run = &run;
  return event;
}

// Collects what the notifier logs.
struct Log {
  std::mutex mutex;
  std::vector<std::string> lines;
  NotifierLog sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mutex);
      lines.push_back(line);
    };
  }
  std::string all() {
    std::lock_guard lock(mutex);
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    return text;
  }
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool AppearsWithin(const std::string& path, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!std::filesystem::exists(path)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST_CASE("only failures, recoveries, condition changes and falling behind are told") {
  const RunRecord ok = Run("web", true);
  const RunRecord failed = Run("web", false);
  CHECK(NotificationFor(Event(Kind::kTicked, ok)).is_null());
  CHECK(NotificationFor(Event(Kind::kScheduled, ok)).is_null());
  CHECK(NotificationFor(Event(Kind::kStoreError, ok)).is_null());

  nlohmann::json j = NotificationFor(Event(Kind::kFailed, failed));
  CHECK(j["kind"] == "failed");
  CHECK(j["vigy"] == nlohmann::json({{"id", "id-web"}, {"name", "web"}}));
  CHECK(j["run"]["id"] == "run-web");
  CHECK(j["run"]["tick"] == 7);
  CHECK(j["run"]["result"] == "failed");
  CHECK(j["run"]["error"] == "3:5: (throw (error :disk \"full\"))");
  CHECK(j["run"]["duration_ms"] == 250);
  CHECK(j["at"] == "2023-11-14T22:13:20.250Z");
  CHECK_FALSE(j.contains("condition"));

  CHECK(NotificationFor(Event(Kind::kRecovered, ok))["kind"] == "recovered");
  CHECK_FALSE(NotificationFor(Event(Kind::kRecovered, ok))["run"].contains("error"));

  SchedulerEvent changed = Event(Kind::kConditionChanged, ok);
  changed.condition = Condition{"Ready", "false", "DiskFull", "no space left", 0};
  changed.previous_status = "true";
  j = NotificationFor(changed);
  CHECK(j["kind"] == "condition");
  CHECK(j["condition"] == nlohmann::json({{"name", "Ready"},
                                          {"status", "false"},
                                          {"reason", "DiskFull"},
                                          {"message", "no space left"},
                                          {"previous_status", "true"}}));
  changed.previous_status.clear();  // declared for the first time
  CHECK(NotificationFor(changed)["condition"]["previous_status"].is_null());

  SchedulerEvent behind = Event(Kind::kSkippedSlots, ok);
  behind.count = 12;
  j = NotificationFor(behind);
  CHECK(j["kind"] == "behind");
  CHECK(j["missed_slots"] == 12);
  CHECK_FALSE(j.contains("run"));
}

TEST_CASE(
    "each event runs the command with the event on stdin and its kind and vigy in the environment, "
    "in order, and a vigy that keeps failing is told once") {
  TempDir dir;
  const std::string out = dir.File("told");
  Log log;
  {
    Notifier notifier({"{ printf '%s %s ' \"$VIGY_EVENT\" \"$VIGY_NAME\"; cat; } >> '" + out + "'",
                       std::chrono::seconds(10), 100},
                      log.sink());
    const RunRecord web_failed = Run("web", false);
    const RunRecord web_ok = Run("web", true);
    const RunRecord db_failed = Run("db", false);
    notifier.Observe(Event(Kind::kTicked, web_failed));
    notifier.Observe(Event(Kind::kFailed, web_failed));
    notifier.Observe(Event(Kind::kFailed, web_failed));  // still failing: not told again
    notifier.Observe(Event(Kind::kFailed, db_failed));   // another vigy: told
    notifier.Observe(Event(Kind::kFailed, web_failed));
    notifier.Observe(Event(Kind::kRecovered, web_ok));
    notifier.Observe(Event(Kind::kFailed, web_failed));  // failing again after recovering: told
  }                                                      // delivers what is queued
  const std::vector<std::string> told = Lines(ReadFile(out));
  REQUIRE(told.size() == 4);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"failed", "web"}, {"failed", "db"}, {"recovered", "web"}, {"failed", "web"}};
  for (size_t i = 0; i < told.size(); ++i) {
    CAPTURE(told[i]);
    const std::string prefix = expected[i].first + " " + expected[i].second + " ";
    REQUIRE(told[i].rfind(prefix, 0) == 0);
    nlohmann::json body = nlohmann::json::parse(told[i].substr(prefix.size()));
    CHECK(body["kind"] == expected[i].first);
    CHECK(body["vigy"]["name"] == expected[i].second);
  }
  CHECK(log.all().empty());
}

TEST_CASE("observing an event does not wait for the command") {
  TempDir dir;
  const std::string go = dir.File("go");
  const std::string out = dir.File("told");
  Log log;
  {
    Notifier notifier({"cat >/dev/null; while [ ! -e '" + go +
                           "' ]; do sleep 0.01; done; echo told >> '" + out + "'",
                       std::chrono::seconds(20), 100},
                      log.sink());
    const RunRecord failed = Run("web", false);
    notifier.Observe(Event(Kind::kFailed, failed));
    // Observe came back while the command still waits for `go`.
    CHECK_FALSE(std::filesystem::exists(out));
    testing::WriteFile(go, "");
  }
  CHECK(ReadFile(out) == "told\n");
}

TEST_CASE("a full queue drops new events, counts them and says so once, not per event") {
  TempDir dir;
  const std::string started = dir.File("started");
  const std::string go = dir.File("go");
  const std::string out = dir.File("told");
  Log log;
  int64_t dropped = 0;
  {
    Notifier notifier({"touch '" + started + "'; while [ ! -e '" + go +
                           "' ]; do sleep 0.01; done; echo \"$VIGY_NAME\" >> '" + out + "'",
                       std::chrono::seconds(20), 2},
                      log.sink());
    std::vector<RunRecord> runs;
    for (const char* name : {"a", "b", "c", "d", "e"}) runs.push_back(Run(name, false));
    notifier.Observe(Event(Kind::kFailed, runs[0]));
    REQUIRE(AppearsWithin(started, std::chrono::seconds(10)));  // a's command runs
    for (size_t i = 1; i < runs.size(); ++i) notifier.Observe(Event(Kind::kFailed, runs[i]));
    dropped = notifier.dropped();
    testing::WriteFile(go, "");
  }
  CHECK(dropped == 2);  // b and c queued; d and e dropped
  CHECK(ReadFile(out) == "a\nb\nc\n");
  const std::vector<std::string> logged = Lines(log.all());
  REQUIRE(logged.size() == 1);
  CHECK(logged[0] ==
        "notify: 2 events waiting, dropped the 'failed' event of d (1 dropped in all)");
}

TEST_CASE(
    "a command that fails or runs past its timeout is logged with what it said, and the next event "
    "is still told") {
  TempDir dir;
  const std::string out = dir.File("told");
  Log log;
  const auto started = std::chrono::steady_clock::now();
  {
    Notifier notifier({"case \"$VIGY_NAME\" in slow) sleep 30;; bad) echo 'no route to host' >&2; "
                       "exit 3;; *) echo \"$VIGY_NAME\" >> '" +
                           out + "';; esac",
                       std::chrono::milliseconds(300), 100},
                      log.sink());
    const RunRecord slow = Run("slow", false);
    const RunRecord bad = Run("bad", false);
    const RunRecord fine = Run("fine", false);
    notifier.Observe(Event(Kind::kFailed, slow));
    notifier.Observe(Event(Kind::kFailed, bad));
    notifier.Observe(Event(Kind::kFailed, fine));
    // Before stopping, which would cut the runs short.
    REQUIRE(AppearsWithin(out, std::chrono::seconds(15)));
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));  // not the sleep 30
  CHECK(ReadFile(out) == "fine\n");
  const std::vector<std::string> logged = Lines(log.all());
  REQUIRE(logged.size() == 2);
  CHECK(logged[0] == "notify: the command for the 'failed' event of slow was killed after 300 ms");
  CHECK(logged[1] ==
        "notify: the command for the 'failed' event of bad exited 3: no route to host");
}

TEST_CASE("events still queued one timeout after serve stops are dropped and counted") {
  TempDir dir;
  const std::string out = dir.File("told");
  Log log;
  {
    Notifier notifier(
        {"sleep 0.2; echo \"$VIGY_NAME\" >> '" + out + "'", std::chrono::milliseconds(300), 100},
        log.sink());
    std::vector<RunRecord> runs;
    for (int i = 0; i < 8; ++i) runs.push_back(Run("v" + std::to_string(i), false));
    for (const RunRecord& run : runs) notifier.Observe(Event(Kind::kFailed, run));
  }  // stops
  const std::string text = std::filesystem::exists(out) ? ReadFile(out) : "";
  const int told = static_cast<int>(Lines(text).size());
  // The command running at the stop may be cut short too (and logged).
  int64_t dropped = 0;
  int killed = 0;
  int stop_lines = 0;
  const std::string stopped = "notify: serve stopped with ";
  for (const std::string& line : Lines(log.all())) {
    CAPTURE(line);
    if (line.rfind(stopped, 0) == 0) {
      dropped = std::stoll(line.substr(stopped.size()));
      ++stop_lines;
    } else {
      CHECK(line.find("was killed after") != std::string::npos);
      ++killed;
    }
  }
  CHECK(stop_lines == 1);
  CHECK(dropped >= 1);  // eight commands of 0.2 s do not fit in 0.3 s
  CHECK(told + killed + dropped == 8);
}

}  // namespace
}  // namespace vigy::core
