// Several real `vigy serve` processes on one PostgreSQL store: they share
// the ticks (each due tick once, numbered without gaps, never overlapping),
// take over from a serve killed with -9 within seconds, and one serve rides
// out its database going away for a few seconds, or no longer answering.
// Checked in the runs table.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
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
using std::chrono::milliseconds;
using std::chrono::seconds;

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls `condition` every 20 ms until it holds (true) or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

void WaitServing(PgBackgroundVigy& serve) {
  const bool serving =
      WaitFor([&] { return serve.Err().find("info  serving ") != std::string::npos; }, seconds(30));
  INFO("serve's log: ", serve.Err());
  REQUIRE(serving);
}

// POSTs `body` (JSON) to `path` on 127.0.0.1:`port` with the bearer
// `token`, one connection per request; the response's status code, or 0
// when none came.
int HttpPost(int port, const std::string& path, const std::string& token, const std::string& body,
             std::string& response) {
  response.clear();
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  timeval patience{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return 0;
  }
  const std::string request =
      "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return 0;
    }
    sent += static_cast<size_t>(n);
  }
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
    response.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  static const std::regex status_line(R"(^HTTP/1\.[01] (\d{3}) )");
  std::smatch match;
  if (!std::regex_search(response, match, status_line)) return 0;
  return std::stoi(match[1].str());
}

// Registers vigies `names` (each running `program` every `every_ms`)
// through the HTTP API of a serve that ticks none of them (its selector
// matches no vigy), stopped once they are all in: one `vigy add` per vigy
// would take a process and a new database connection each, several seconds
// for a few hundred on a busy machine, where the API's pooled connections
// take about one. Requires every registration to succeed (201).
void RegisterAll(const Sandbox& sandbox, const std::string& location,
                 const std::vector<std::string>& names, const std::string& program,
                 int64_t every_ms) {
  const std::string token = "fleet-test-token-" + core::VigyIdFromName(location) +
                            core::VigyIdFromName(sandbox.dir().string());
  sandbox.Write("http-token", token + "\n");
  const std::string token_file = (sandbox.dir() / "http-token").string();
  REQUIRE(::chmod(token_file.c_str(), 0600) == 0);
  PgBackgroundVigy registrar(sandbox, location,
                             {"serve", "--http", "127.0.0.1:0", "--http-token-file", token_file,
                              "--selector", "fleet-test-registrar=only"},
                             "registrar");
  static const std::regex listening(R"(http: listening on http://127\.0\.0\.1:(\d+)/)");
  int port = 0;
  const bool listens = WaitFor(
      [&] {
        std::smatch match;
        const std::string log = registrar.Err();
        if (!std::regex_search(log, match, listening)) return false;
        port = std::stoi(match[1].str());
        return log.find("info  serving ") != std::string::npos;
      },
      seconds(30));
  INFO("registrar's log: ", registrar.Err());
  REQUIRE(listens);
  for (const std::string& name : names) {
    const json body = {{"name", name}, {"program", program}, {"every_ms", every_ms}};
    std::string response;
    const int status = HttpPost(port, "/v1/vigies", token, body.dump(), response);
    INFO("POST /v1/vigies ", body.dump(), ": ", response);
    REQUIRE(status == 201);
  }
  registrar.Signal(SIGINT);
  REQUIRE(registrar.WaitExit(seconds(30)) == 0);
  CHECK(StoppedAfterTicks(registrar.Err()) == 0);
}

// One run, as the runs table holds it.
struct RunRow {
  int64_t tick = 0;
  int64_t scheduled_at = 0;  // 0 when NULL
  int64_t started_at = 0;
  int64_t ended_at = 0;
  std::string log;
};

// Every run of every vigy, by vigy id, each vigy's in tick order.
std::map<std::string, std::vector<RunRow>> RunsByVigy(const std::string& location) {
  std::map<std::string, std::vector<RunRow>> runs;
  for (const PgTextRow& row :
       PgQueryRows(location,
                   "SELECT vigy_id, tick, coalesce(scheduled_at, 0), started_at, ended_at, log "
                   "FROM runs ORDER BY vigy_id, tick")) {
    RunRow run;
    run.tick = std::stoll(*row[1]);
    run.scheduled_at = std::stoll(*row[2]);
    run.started_at = std::stoll(*row[3]);
    run.ended_at = std::stoll(*row[4]);
    run.log = *row[5];
    runs[*row[0]].push_back(std::move(run));
  }
  return runs;
}

// What is wrong with one vigy's runs (in tick order) as the runs of a vigy
// ticked every `every_ms` by serves: ticks numbered 1..N without a gap or a
// repeat, no two runs overlapping in time ([started_at, ended_at] by tick
// order), and no due time ticked twice: each run due (scheduled_at) at
// least one interval after the one before. (Not necessarily a whole number
// of intervals: serves that start at different moments plan a vigy's first
// tick from their own start, and a slow machine shows it.) Empty when
// nothing is.
std::vector<std::string> RunProblems(const std::string& vigy, const std::vector<RunRow>& runs,
                                     int64_t every_ms) {
  std::vector<std::string> problems;
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRow& run = runs[i];
    const std::string where = vigy + " tick " + std::to_string(run.tick);
    if (run.tick != static_cast<int64_t>(i) + 1) {
      problems.push_back(where + ": expected tick " + std::to_string(i + 1));
    }
    if (run.ended_at < run.started_at) problems.push_back(where + ": ends before it starts");
    if (run.scheduled_at == 0) problems.push_back(where + ": no scheduled_at (not serve's)");
    if (i == 0) continue;
    const RunRow& before = runs[i - 1];
    if (run.started_at < before.ended_at) {
      problems.push_back(where + ": started at " + std::to_string(run.started_at) +
                         ", before tick " + std::to_string(before.tick) + " ended at " +
                         std::to_string(before.ended_at));
    }
    const int64_t step = run.scheduled_at - before.scheduled_at;
    if (step < every_ms) {
      problems.push_back(where + ": due " + std::to_string(step) + " ms after tick " +
                         std::to_string(before.tick) + " (every " + std::to_string(every_ms) +
                         " ms)");
    }
  }
  return problems;
}

void CheckNoProblems(const std::vector<std::string>& problems) {
  std::string shown;
  for (size_t i = 0; i < problems.size() && i < 20; ++i) shown += "\n  " + problems[i];
  INFO(problems.size(), " problems, the first ones:", shown);
  CHECK(problems.empty());
}

// The pid a run of kSlowProgram logged ("pid 1234"), or 0.
int64_t LoggedPid(const std::string& log_json) {
  json log = json::parse(log_json, nullptr, false);
  if (!log.is_array() || log.empty()) return 0;
  const std::string message = log[0].value("message", "");
  if (!message.starts_with("pid ")) return 0;
  return std::stoll(message.substr(4));
}

TEST_CASE(
    "pg fleet: three serves share 300 vigies every 200ms: each due tick runs once, "
    "numbered without gaps, never overlapping") {
  constexpr int kVigies = 300;
  constexpr int64_t kEveryMs = 200;
  constexpr int kServes = 3;
  PgTestDatabase db;
  Sandbox sandbox;
  std::vector<std::string> names;
  for (int i = 0; i < kVigies; ++i) names.push_back("v" + std::to_string(1000 + i));
  RegisterAll(sandbox, db.uri(), names, "(vigy-noop)", kEveryMs);
  REQUIRE(db.QueryInt("SELECT count(*) FROM vigies WHERE every_ms = 200 AND enabled = 1") ==
          kVigies);

  const int64_t started_ms = NowMs();
  std::vector<std::unique_ptr<PgBackgroundVigy>> serves;
  for (int i = 0; i < kServes; ++i) {
    serves.push_back(std::make_unique<PgBackgroundVigy>(
        sandbox, db.uri(), std::vector<std::string>{"serve"}, "serve-" + std::to_string(i)));
  }
  for (auto& serve : serves) WaitServing(*serve);
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(milliseconds(started_ms)) +
                                seconds(5));
  const int64_t stopped_ms = NowMs();
  for (auto& serve : serves) serve->Signal(SIGINT);
  int64_t committed = 0;
  int serves_that_committed = 0;
  for (auto& serve : serves) {
    std::optional<int> exit_code = serve->WaitExit(seconds(30));
    const std::string log = serve->Err();
    INFO("serve ", serve->pid(), "'s log: ", log);
    CHECK(exit_code == 0);
    std::optional<int64_t> ticks = StoppedAfterTicks(log);
    REQUIRE(ticks.has_value());
    committed += *ticks;
    if (*ticks > 0) ++serves_that_committed;
    // A store error would be logged as one; there must be none.
    CHECK(log.find(" error ") == std::string::npos);
  }
  // The ticks were shared: more than one serve committed runs, and together
  // exactly the runs the table holds.
  CHECK(serves_that_committed >= 2);
  const int64_t total = db.QueryInt("SELECT count(*) FROM runs");
  CHECK(committed == total);

  // Every vigy: runs numbered 1..N, none overlapping, no due time twice, and
  // at most one run per interval the serves ran (not three: no double ticks).
  const int64_t slots = (stopped_ms - started_ms) / kEveryMs;
  std::map<std::string, std::vector<RunRow>> runs = RunsByVigy(db.uri());
  CHECK(runs.size() == kVigies);
  std::vector<std::string> problems;
  int64_t fewest = INT64_MAX;
  int64_t most = 0;
  for (const auto& [vigy, vigy_runs] : runs) {
    std::vector<std::string> found = RunProblems(vigy, vigy_runs, kEveryMs);
    problems.insert(problems.end(), found.begin(), found.end());
    const int64_t n = static_cast<int64_t>(vigy_runs.size());
    fewest = std::min(fewest, n);
    most = std::max(most, n);
  }
  CheckNoProblems(problems);
  INFO("serves ran ", stopped_ms - started_ms, " ms (", slots, " intervals); runs per vigy ",
       fewest, "..", most, "; ", total, " runs in all");
  CHECK(most <= slots + 2);
  // Every vigy ticked more than once: the serves kept going (how fast is
  // for bench/run_fleet.py, not a test).
  CHECK(fewest >= 2);
  CHECK(total <= kVigies * (slots + 2));

  // The counters agree with the runs, and no lease was left behind.
  CHECK(db.QueryInt("SELECT count(*) FROM runtime r WHERE tick_count <> (SELECT count(*) FROM "
                    "runs WHERE vigy_id = r.vigy_id)") == 0);
  CHECK(db.QueryInt("SELECT count(*) FROM runtime WHERE lease_owner IS NOT NULL") == 0);
  // Every serve row says it stopped: the three, and the one that registered.
  CHECK(db.QueryInt("SELECT count(*) FROM serve") == kServes + 1);
  CHECK(db.QueryInt("SELECT count(*) FROM serve WHERE stopped_at IS NOT NULL") == kServes + 1);
}

// Counts its ticks in the kv, then takes 3 s in a shell that reports the
// pid of the process ticking it (the serve: `sh` is its child).
constexpr const char* kSlowProgram =
    "(define n (vigy-incr \"n\"))\n"
    "(define r (sh \"printf %s $PPID; sleep 3\"))\n"
    "(vigy-log \"info\" (str \"pid \" (get r \"out\")))\n"
    "(vigy-noop)\n";

TEST_CASE(
    "pg fleet: when the serve ticking a vigy is killed with -9, another serve ticks it "
    "within 10 s, numbered right after the last committed run") {
  constexpr int kServes = 3;
  PgTestDatabase db;
  Sandbox sandbox;
  sandbox.Write("slow.vigy", kSlowProgram);
  MustOnPg(sandbox, db.uri(), {"add", "slow.vigy", "--every", "500ms"});
  const std::string lease_sql = "SELECT coalesce(lease_owner, '') FROM runtime";

  std::vector<std::unique_ptr<PgBackgroundVigy>> serves;
  for (int i = 0; i < kServes; ++i) {
    serves.push_back(std::make_unique<PgBackgroundVigy>(
        sandbox, db.uri(), std::vector<std::string>{"serve"}, "serve-" + std::to_string(i)));
  }
  for (auto& serve : serves) WaitServing(*serve);

  // Once a tick has been committed, wait for the next lease to be taken, so
  // that the tick it starts has its 3 s ahead of it, and kill its serve.
  REQUIRE(WaitFor([&] { return db.QueryInt("SELECT count(*) FROM runs") >= 1; }, seconds(30)));
  const std::string old_lease = PgQueryText(db.uri(), lease_sql);
  std::string lease;
  REQUIRE(WaitFor(
      [&] {
        lease = PgQueryText(db.uri(), lease_sql);
        return !lease.empty() && lease != old_lease;
      },
      seconds(30)));
  const int64_t victim_pid = std::stoll(lease.substr(0, lease.find('-')));
  PgBackgroundVigy* victim = nullptr;
  for (auto& serve : serves) {
    if (serve->pid() == victim_pid) victim = serve.get();
  }
  INFO("lease ", lease);
  REQUIRE(victim != nullptr);
  // The victim is not reaped until the end: its pid stays taken (a zombie),
  // as a dead serve's on another host would look from here, so the others
  // must go by its heartbeat going stale.
  victim->Signal(SIGKILL);
  const int64_t killed_ms = NowMs();
  const int64_t last_committed = db.QueryInt("SELECT max(tick) FROM runs");
  // Its tick was in flight: the lease is still its own.
  CHECK(PgQueryText(db.uri(), lease_sql) == lease);

  // Another serve ticks the vigy again, numbered right after the last
  // committed run, within 10 s of the kill (its run then takes 3 s).
  const bool retaken = WaitFor(
      [&] {
        return db.QueryInt("SELECT count(*) FROM runs WHERE tick = " +
                           std::to_string(last_committed + 1)) == 1;
      },
      seconds(40));
  std::string logs;
  for (auto& serve : serves)
    logs += "\nserve " + std::to_string(serve->pid()) + ": " + serve->Err();
  INFO("logs:", logs);
  REQUIRE(retaken);
  std::vector<RunRow> runs = RunsByVigy(db.uri()).begin()->second;
  REQUIRE(runs.size() >= static_cast<size_t>(last_committed + 1));
  const RunRow& next = runs[last_committed];
  CHECK(next.tick == last_committed + 1);
  CHECK(next.started_at >= killed_ms);
  INFO("the next tick started ", next.started_at - killed_ms, " ms after the kill");
  CHECK(next.started_at - killed_ms <= 10000);
  const int64_t next_pid = LoggedPid(next.log);
  CHECK(next_pid != victim_pid);
  CHECK(std::any_of(serves.begin(), serves.end(),
                    [&](const auto& serve) { return serve->pid() == next_pid; }));

  // Stop the others (each lets its tick in flight finish and commit).
  for (auto& serve : serves) {
    if (serve.get() == victim) continue;
    serve->Signal(SIGINT);
  }
  for (auto& serve : serves) {
    if (serve.get() == victim) continue;
    INFO("serve ", serve->pid(), ": ", serve->Err());
    CHECK(serve->WaitExit(seconds(30)) == 0);
  }
  CHECK(victim->WaitExit(seconds(5)) == 128 + SIGKILL);

  // The killed serve's tick in flight was never recorded: every run it
  // logged is one committed before the kill, the runs are numbered without
  // a gap, and the kv counter the program increments agrees with them (the
  // lost tick's increment is not there either).
  runs = RunsByVigy(db.uri()).begin()->second;
  CheckNoProblems(RunProblems("slow", runs, 500));
  for (const RunRow& run : runs) {
    CAPTURE(run.tick);
    CHECK(LoggedPid(run.log) != 0);
    if (LoggedPid(run.log) == victim_pid) CHECK(run.tick <= last_committed);
  }
  const int64_t n = static_cast<int64_t>(runs.size());
  CHECK(db.QueryInt("SELECT tick_count FROM runtime") == n);
  CHECK(PgQueryText(db.uri(), "SELECT value FROM kv WHERE key = 'n'") == std::to_string(n));
  CHECK(db.QueryInt("SELECT count(*) FROM runtime WHERE lease_owner IS NOT NULL") == 0);
}

// One vigy, "pulse", every 200 ms, on a database of a cluster of the test's
// own (so that the test may stop it, or its processes, unseen by others),
// ticked by one serve that has committed 5 runs: for the tests of serve
// riding out a database that goes away.
class PulseServedAlone {
 public:
  PulseServedAlone() {
    PgQueryRows(cluster_.Admin(), "CREATE DATABASE vigy");
    uri_ = cluster_.Uri("vigy");
    sandbox_.Write("pulse.vigy", kCounter);
    MustOnPg(sandbox_, uri_, {"add", "pulse.vigy", "--every", "200ms"});
    serve_ = std::make_unique<PgBackgroundVigy>(sandbox_, uri_, std::vector<std::string>{"serve"},
                                                "serve");
    WaitServing(*serve_);
    REQUIRE(WaitFor([&] { return Runs() >= 5; }, seconds(30)));
  }

  PrivatePgCluster& cluster() { return cluster_; }
  const std::string& uri() const { return uri_; }
  PgBackgroundVigy& serve() { return *serve_; }
  int64_t Runs() const { return PgQueryInt64(uri_, "SELECT count(*) FROM runs"); }

  // Waits for 5 more runs, stops serve, and checks the runs: ticks 1..N,
  // consecutive and never overlapping; the program's counter and the tick
  // counter are N too (no tick lost after its kv was written, none recorded
  // twice); every tick serve says it committed is there. Returns the runs.
  std::vector<RunRow> CheckTicksOnToTheEnd() {
    const int64_t before = Runs();
    const bool ticked_on = WaitFor([&] { return Runs() >= before + 5; }, seconds(30));
    INFO("serve's log: ", serve_->Err());
    CHECK(ticked_on);
    serve_->Signal(SIGINT);
    CHECK(serve_->WaitExit(seconds(30)) == 0);
    std::vector<RunRow> runs = RunsByVigy(uri_).begin()->second;
    CheckNoProblems(RunProblems("pulse", runs, 200));
    const int64_t n = static_cast<int64_t>(runs.size());
    CHECK(n >= 10);
    CHECK(PgQueryText(uri_, "SELECT value FROM kv WHERE key = 'runs'") == std::to_string(n));
    CHECK(PgQueryInt64(uri_, "SELECT tick_count FROM runtime") == n);
    CHECK(StoppedAfterTicks(serve_->Err()) == n);
    CHECK(PgQueryInt64(uri_, "SELECT count(*) FROM runtime WHERE lease_owner IS NOT NULL") == 0);
    return runs;
  }

 private:
  PrivatePgCluster cluster_;
  std::string uri_;
  Sandbox sandbox_;
  std::unique_ptr<PgBackgroundVigy> serve_;
};

TEST_CASE(
    "pg fleet: serve rides out its database stopped for a few seconds, then ticks on "
    "with nothing lost or doubled") {
  PulseServedAlone pulse;
  pulse.cluster().Halt();
  const int64_t halted_ms = NowMs();
  std::this_thread::sleep_for(seconds(3));
  // serve is still running, and said what went wrong.
  CHECK_FALSE(pulse.serve().WaitExit(milliseconds(0)).has_value());
  const std::string down_log = pulse.serve().Err();
  INFO("serve's log: ", down_log);
  CHECK(down_log.find("error store error: ") != std::string::npos);
  pulse.cluster().Start();
  const int64_t restarted_ms = NowMs();

  std::vector<RunRow> runs = pulse.CheckTicksOnToTheEnd();
  CHECK(pulse.serve().Err().find("store works again") != std::string::npos);
  // No tick started while the database was down.
  for (const RunRow& run : runs) {
    CAPTURE(run.tick);
    CHECK_FALSE((run.started_at > halted_ms + 500 && run.started_at < restarted_ms - 500));
  }
}

TEST_CASE(
    "pg fleet: serve gives up on a database that stops answering within 30 s, reconnects, "
    "and ticks on with nothing lost or doubled") {
  // The server's processes serving serve are stopped (SIGSTOP), not gone:
  // their sockets stay open, so only a bound on the wait for an answer
  // frees serve.
  PulseServedAlone pulse;
  // Resumed however the test ends, so that the cluster can stop.
  struct Resume {
    std::vector<pid_t> pids;
    ~Resume() {
      for (pid_t pid : pids) ::kill(pid, SIGCONT);
    }
  } stopped;
  for (const PgTextRow& row : PgQueryRows(
           pulse.uri(), "SELECT pid FROM pg_stat_activity WHERE application_name = 'vigy'")) {
    stopped.pids.push_back(static_cast<pid_t>(std::stoll(row[0].value_or("0"))));
  }
  REQUIRE_FALSE(stopped.pids.empty());
  for (pid_t pid : stopped.pids) REQUIRE(::kill(pid, SIGSTOP) == 0);

  const bool gave_up = WaitFor(
      [&] {
        return pulse.serve().Err().find("no answer from the server for 30 s") != std::string::npos;
      },
      seconds(45));
  INFO("serve's log: ", pulse.serve().Err());
  CHECK(gave_up);
  CHECK_FALSE(pulse.serve().WaitExit(milliseconds(0)).has_value());
  // The stopped processes, resumed, find their connections closed and end,
  // giving up what they held.
  for (pid_t pid : stopped.pids) ::kill(pid, SIGCONT);
  stopped.pids.clear();

  pulse.CheckTicksOnToTheEnd();
}

}  // namespace
}  // namespace vigy::testing
