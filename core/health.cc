#include "core/health.h"

#include <fmt/format.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/duration.h"
#include "core/selector.h"
#include "core/time_format.h"

namespace vigy::core {
namespace {

// What became of a serve whose heartbeat went stale, as far as this host
// can tell.
enum class ServeProcess {
  kGone,       // no such process (or another program now has its pid)
  kStopped,    // exists but stopped (SIGSTOP, a debugger)
  kRunning,    // exists and runs, yet does not keep its heartbeat
  kElsewhere,  // on another host: cannot be checked from here
};

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string ThisHost() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return std::string();
  return std::string(name);
}

// Reads /proc/PID/stat: the process is the serve if its command name is this
// binary's; its state letter says whether it is stopped.
ServeProcess FindServeProcess(const ServeRecord& serve) {
  if (serve.host != ThisHost()) return ServeProcess::kElsewhere;
  if (serve.pid <= 0) return ServeProcess::kGone;
  const std::string stat = ReadSmallFile(fmt::format("/proc/{}/stat", serve.pid));
  const std::string self = ReadSmallFile("/proc/self/stat");
  // "pid (comm) S ...": comm may hold spaces and parentheses; it ends at the last ')'.
  auto name_and_state = [](const std::string& text) -> std::pair<std::string, char> {
    size_t open = text.find('(');
    size_t close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open ||
        close + 2 >= text.size()) {
      return {"", '?'};
    }
    return {text.substr(open + 1, close - open - 1), text[close + 2]};
  };
  auto [name, state] = name_and_state(stat);
  if (name.empty() || name != name_and_state(self).first) return ServeProcess::kGone;
  if (state == 'T' || state == 't') return ServeProcess::kStopped;
  if (state == 'Z' || state == 'X') return ServeProcess::kGone;
  return ServeProcess::kRunning;
}

// What is wrong with the serve row, if anything.
std::optional<HealthProblem> ServeProblem(const std::optional<ServeRecord>& serve,
                                          const std::string& path, int64_t now) {
  if (!serve) {
    return HealthProblem{"", "serve", fmt::format("no serve has run on store '{}'", path)};
  }
  if (serve->stopped_at_ms) {
    return HealthProblem{"", "serve",
                         fmt::format("serve (pid {}) stopped {}", serve->pid,
                                     FormatAgo(*serve->stopped_at_ms, now))};
  }
  if (ServeIsLive(*serve, now)) return std::nullopt;
  const std::string heartbeat = "last heartbeat " + FormatAgo(serve->heartbeat_at_ms, now);
  switch (FindServeProcess(*serve)) {
    case ServeProcess::kStopped:
      return HealthProblem{"", "serve",
                           fmt::format("serve (pid {}) is running but not responding: the "
                                       "process is stopped (SIGSTOP or a debugger); {}",
                                       serve->pid, heartbeat)};
    case ServeProcess::kRunning:
      return HealthProblem{
          "", "serve",
          fmt::format("serve (pid {}) is running but not responding: {}", serve->pid, heartbeat)};
    case ServeProcess::kElsewhere:
      return HealthProblem{"", "serve",
                           fmt::format("serve (pid {} on {}) is not responding: {}", serve->pid,
                                       serve->host, heartbeat)};
    case ServeProcess::kGone:
      break;
  }
  return HealthProblem{"", "serve",
                       fmt::format("serve (pid {}) is not running: {}", serve->pid, heartbeat)};
}

// What is wrong with one vigy the serve ticks, if anything.
std::optional<HealthProblem> VigyProblem(const VigyListing& listing, int64_t stale_after_ms,
                                         int64_t now) {
  const VigyRuntime& runtime = listing.runtime;
  const std::string& name = listing.vigy.name;
  if (runtime.last_result == std::string(kResultFailed)) {
    std::string error = listing.last_run && listing.last_run->error ? *listing.last_run->error : "";
    return HealthProblem{
        name, "failing",
        fmt::format("{}: latest run failed ({} consecutive){}", name, runtime.consecutive_failures,
                    error.empty() ? "" : ": " + error)};
  }
  if (runtime.next_due_ms && now - *runtime.next_due_ms > stale_after_ms) {
    return HealthProblem{
        name, "overdue",
        fmt::format("{}: overdue by {} (due at {})", name,
                    FormatDelay(std::chrono::milliseconds(now - *runtime.next_due_ms)),
                    FormatRfc3339Ms(*runtime.next_due_ms))};
  }
  return std::nullopt;
}

}  // namespace

Result<HealthReport> CheckHealth(Store& store, int64_t stale_after_ms, int64_t now_ms) {
  HealthReport report;
  report.checked_at_ms = now_ms;
  auto serve = store.ReadServe();
  if (!serve.ok()) return serve.status();
  report.serve = *serve;
  if (store.SharedByServes()) {
    auto serves = store.ListServes();
    if (!serves.ok()) return serves.status();
    report.serves = std::move(serves).value();
  }
  if (auto problem = ServeProblem(report.serve, store.path(), now_ms)) {
    report.problems.push_back(*problem);
    return report;
  }
  // The vigies the live serves tick: enabled, scheduled, and picked by the
  // selector of one of them.
  std::vector<Selector> selectors;
  for (const ServeRecord& serve :
       report.serves.empty() ? std::vector<ServeRecord>{*report.serve} : report.serves) {
    if (!ServeIsLive(serve, now_ms)) continue;
    Result<Selector> selector = Selector();
    if (!serve.selector.empty()) selector = ParseSelector(serve.selector);
    if (!selector.ok()) return selector.status();
    selectors.push_back(std::move(selector).value());
  }
  auto listings = store.ListVigies();
  if (!listings.ok()) return listings.status();
  for (const VigyListing& listing : *listings) {
    const Vigy& vigy = listing.vigy;
    if (!vigy.enabled || vigy.schedule.kind == ScheduleKind::kNone) continue;
    if (std::none_of(selectors.begin(), selectors.end(),
                     [&vigy](const Selector& s) { return s.Matches(vigy.labels); })) {
      continue;
    }
    if (auto problem = VigyProblem(listing, stale_after_ms, now_ms)) {
      report.problems.push_back(*problem);
    }
  }
  return report;
}

namespace {

nlohmann::json ServeJson(const ServeRecord& serve, int64_t now_ms) {
  nlohmann::json s;
  s["pid"] = serve.pid;
  s["host"] = serve.host;
  s["started_at"] = FormatRfc3339Ms(serve.started_at_ms);
  s["heartbeat_at"] = FormatRfc3339Ms(serve.heartbeat_at_ms);
  if (serve.stopped_at_ms) s["stopped_at"] = FormatRfc3339Ms(*serve.stopped_at_ms);
  if (!serve.selector.empty()) s["selector"] = serve.selector;
  s["live"] = ServeIsLive(serve, now_ms);
  return s;
}

}  // namespace

nlohmann::json ToJson(const HealthReport& report) {
  nlohmann::json j;
  j["ok"] = report.ok();
  if (report.serve) j["serve"] = ServeJson(*report.serve, report.checked_at_ms);
  if (!report.serves.empty()) {
    j["serves"] = nlohmann::json::array();
    for (const ServeRecord& serve : report.serves) {
      j["serves"].push_back(ServeJson(serve, report.checked_at_ms));
    }
  }
  j["problems"] = nlohmann::json::array();
  for (const HealthProblem& problem : report.problems) {
    nlohmann::json p;
    if (!problem.vigy.empty()) p["vigy"] = problem.vigy;
    p["kind"] = problem.kind;
    p["message"] = problem.message;
    j["problems"].push_back(std::move(p));
  }
  return j;
}

}  // namespace vigy::core
