// End to end: `vigy watch` in the background while other processes tick.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <set>

#include "tests/cli/background_vigy.h"
#include "tests/cli/store_e2e.h"

namespace vigy::testing {
namespace {

using nlohmann::json;

constexpr std::chrono::seconds kDeadline{10};

// `vigy -v watch args...` running in the background in the sandbox, its
// stdout and stderr going to files the test reads as they grow.
class Watch {
 public:
  Watch(const Sandbox& sandbox, const std::vector<std::string>& args, std::string name = "watch")
      : process_(sandbox, WatchArgs(args), name) {
    // It says what it watches (-v) once it has found where to start.
    REQUIRE(BackgroundVigy::WaitUntil(
        [this] { return process_.Err().find("vigy: watching ") != std::string::npos; }, kDeadline));
  }

  // The complete lines printed so far, once there are at least `count` (or
  // at the deadline, however many there are).
  std::vector<std::string> Lines(size_t count) {
    std::vector<std::string> lines;
    BackgroundVigy::WaitUntil(
        [&] {
          lines = Split(process_.Out());
          return lines.size() >= count;
        },
        kDeadline);
    return lines;
  }

  std::vector<json> JsonLines(size_t count) {
    std::vector<json> runs;
    for (const std::string& line : Lines(count)) {
      runs.push_back(json::parse(line, nullptr, false));
      INFO(line);
      CHECK_FALSE(runs.back().is_discarded());
    }
    return runs;
  }

  // Sends SIGINT and returns the exit code (-1 if it did not exit in time).
  int Interrupt() {
    process_.Signal(SIGINT);
    return process_.WaitExit(kDeadline).value_or(-1);
  }

  std::string err() const { return process_.Err(); }

 private:
  static std::vector<std::string> WatchArgs(const std::vector<std::string>& args) {
    std::vector<std::string> all{"-v", "watch"};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }

  static std::vector<std::string> Split(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      lines.push_back(text.substr(start, end - start));
    }
    return lines;  // a partly written last line is left for later
  }

  BackgroundVigy process_;
};

std::vector<std::string> Names(const std::vector<json>& runs) {
  std::vector<std::string> names;
  for (const json& run : runs) names.push_back(run.value("vigy_name", "?"));
  return names;
}

std::vector<int64_t> Ticks(const std::vector<json>& runs) {
  std::vector<int64_t> ticks;
  for (const json& run : runs) ticks.push_back(run.value("tick", int64_t{-1}));
  return ticks;
}

// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("watch --json prints each run committed by other processes once, in commit order") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  AddVigy(s, "b", kCounter);
  Must(s, {"tick", "a"});  // before the watch: not printed

  Watch watch(s, {"--json"});
  Must(s, {"tick", "a"});
  Must(s, {"tick", "b"});
  Must(s, {"tick", "a"});
  Must(s, {"tick", "b", "a"});
  std::vector<json> runs = watch.JsonLines(5);
  CHECK(Names(runs) == std::vector<std::string>{"a", "b", "a", "b", "a"});
  CHECK(Ticks(runs) == std::vector<int64_t>{2, 1, 3, 2, 4});
  std::set<std::string> ids;
  for (const json& run : runs) ids.insert(run.value("id", ""));
  CHECK(ids.size() == 5);
  REQUIRE(!runs.empty());
  // The same object `runs --json` shows.
  json listed = JsonOut(s.Run({"runs", "a", "--json", "--limit", "1"}));
  REQUIRE(listed.is_array());
  REQUIRE(listed.size() == 1);
  CHECK(runs.back() == listed[0]);

  CHECK(watch.Interrupt() == 130);
  CHECK(watch.Lines(0).size() == 5);
}

TEST_CASE("watch VIGY prints only that vigy's runs") {
  Sandbox s;
  AddVigy(s, "ok", kCounter);
  AddVigy(s, "other", kCounter);
  Watch watch(s, {"ok", "--json"});
  for (const char* name : {"ok", "other", "ok", "other", "ok"}) Must(s, {"tick", name});
  // Anything of `other` would come before the last run of `ok`.
  std::vector<json> runs = watch.JsonLines(3);
  CHECK(Names(runs) == std::vector<std::string>{"ok", "ok", "ok"});
  CHECK(Ticks(runs) == std::vector<int64_t>{1, 2, 3});
  CHECK(watch.Interrupt() == 130);
}

TEST_CASE("watch --failed prints only failed runs, one line each for people") {
  Sandbox s;
  AddVigy(s, "ok", kCounter);
  AddVigy(s, "bad", kFailing);
  Watch watch(s, {"--failed"});
  for (const char* name : {"bad", "ok", "bad", "ok", "bad"}) s.Run({"tick", name});
  std::vector<std::string> lines = watch.Lines(3);
  REQUIRE(lines.size() == 3);
  for (size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(lines[i]);
    CHECK(lines[i].find("  bad ") != std::string::npos);
    CHECK(lines[i].find(fmt::format("  #{} ", i + 1)) != std::string::npos);
    CHECK(lines[i].find("  failed ") != std::string::npos);
    CHECK(lines[i].find("2:") != std::string::npos);  // the error, with its line
    CHECK(lines[i].find("\x1b[") == std::string::npos);
  }
  CHECK(watch.Interrupt() == 130);
}

TEST_CASE("watch waits for a store that does not exist yet") {
  Sandbox s;
  Watch watch(s, {"--json"});
  CHECK(watch.err().find("no store there yet") != std::string::npos);
  AddVigy(s, "a", kCounter);
  Must(s, {"tick", "a"});
  std::vector<json> runs = watch.JsonLines(1);
  CHECK(Names(runs) == std::vector<std::string>{"a"});
  CHECK(watch.Interrupt() == 130);
}

TEST_CASE("watch of a vigy that does not exist exits 3 at once") {
  Sandbox s;
  AddVigy(s, "a", kCounter);
  BinaryResult r = s.Run({"watch", "a", "nope"}, "", std::chrono::seconds(10));
  CHECK(r.exit_code == 3);
  CHECK(r.out == "");
  CHECK(r.err == "vigy: no such vigy 'nope'\n");
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
