// vigy health: a liveness probe. Exit 0 only when a serve is live on the
// store and every vigy it is responsible for is keeping up: the latest run
// did not fail and the next tick is not overdue by more than --stale-after.
#include <fmt/format.h>

#include <limits.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iterator>

#include "cli/commands.h"
#include "cli/duration.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "cli/vigy_printer.h"
#include "core/selector.h"
#include "core/time_format.h"
#include "core/store.h"

namespace vigy::cli {
namespace {

using core::Status;

struct Problem {
  std::string vigy;  // empty for a problem with serve itself
  std::string kind;  // "serve", "failing", "overdue"
  std::string message;
};

// What became of a serve whose heartbeat went stale, as far as this host
// can tell.
enum class ServeProcess {
  kGone,        // no such process (or another program now has its pid)
  kStopped,     // exists but stopped (SIGSTOP, a debugger)
  kRunning,     // exists and runs, yet does not keep its heartbeat
  kElsewhere,   // on another host: cannot be checked from here
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
ServeProcess FindServeProcess(const core::ServeRecord& serve) {
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
std::optional<Problem> ServeProblem(const std::optional<core::ServeRecord>& serve,
                                    const std::string& path, int64_t now) {
  if (!serve) return Problem{"", "serve", fmt::format("no serve has run on store '{}'", path)};
  if (serve->stopped_at_ms) {
    return Problem{"", "serve",
                   fmt::format("serve (pid {}) stopped {}", serve->pid,
                               FormatAgo(*serve->stopped_at_ms, now))};
  }
  if (!core::ServeIsLive(*serve, now)) {
    const std::string heartbeat = "last heartbeat " + FormatAgo(serve->heartbeat_at_ms, now);
    switch (FindServeProcess(*serve)) {
      case ServeProcess::kStopped:
        return Problem{"", "serve",
                       fmt::format("serve (pid {}) is running but not responding: the process "
                                   "is stopped (SIGSTOP or a debugger); {}",
                                   serve->pid, heartbeat)};
      case ServeProcess::kRunning:
        return Problem{"", "serve",
                       fmt::format("serve (pid {}) is running but not responding: {}",
                                   serve->pid, heartbeat)};
      case ServeProcess::kElsewhere:
        return Problem{"", "serve",
                       fmt::format("serve (pid {} on {}) is not responding: {}", serve->pid,
                                   serve->host, heartbeat)};
      case ServeProcess::kGone:
        break;
    }
    return Problem{"", "serve",
                   fmt::format("serve (pid {}) is not running: {}", serve->pid, heartbeat)};
  }
  return std::nullopt;
}

// What is wrong with one vigy the serve ticks, if anything.
std::optional<Problem> VigyProblem(const core::VigyListing& listing, int64_t stale_after_ms,
                                   int64_t now) {
  const core::VigyRuntime& runtime = listing.runtime;
  const std::string& name = listing.vigy.name;
  if (runtime.last_result == std::string(core::kResultFailed)) {
    std::string error = listing.last_run && listing.last_run->error ? *listing.last_run->error : "";
    return Problem{name, "failing",
                   fmt::format("{}: latest run failed ({} consecutive){}", name,
                               runtime.consecutive_failures, error.empty() ? "" : ": " + error)};
  }
  if (runtime.next_due_ms && now - *runtime.next_due_ms > stale_after_ms) {
    return Problem{name, "overdue",
                   fmt::format("{}: overdue by {} (due at {})", name,
                               FormatDelay(std::chrono::milliseconds(now - *runtime.next_due_ms)),
                               core::FormatRfc3339Ms(*runtime.next_due_ms))};
  }
  return std::nullopt;
}

nlohmann::json ServeJson(const core::ServeRecord& serve, int64_t now) {
  nlohmann::json j;
  j["pid"] = serve.pid;
  j["host"] = serve.host;
  j["started_at"] = core::FormatRfc3339Ms(serve.started_at_ms);
  j["heartbeat_at"] = core::FormatRfc3339Ms(serve.heartbeat_at_ms);
  if (serve.stopped_at_ms) j["stopped_at"] = core::FormatRfc3339Ms(*serve.stopped_at_ms);
  if (!serve.selector.empty()) j["selector"] = serve.selector;
  j["live"] = core::ServeIsLive(serve, now);
  return j;
}

}  // namespace

void SetupHealth(CLI::App& sub, HealthOptions& options) {
  sub.add_option("--stale-after", options.stale_after,
                 "how late a vigy's next tick may be before it counts as a problem (default 1m)")
      ->type_name("D");
  sub.footer(
      "Exits 0 when a serve is live on the store (its heartbeat is fresh) and no enabled\n"
      "vigy with a schedule that it ticks has a failed latest run or a tick overdue by more\n"
      "than --stale-after; otherwise prints one line per problem and exits 1. With --json:\n"
      "{\"ok\", \"serve\", \"problems\": [{\"vigy\"?, \"kind\", \"message\"}]}. Fit for a liveness\n"
      "probe or a monitoring check. A serve that stopped keeping its heartbeat is told\n"
      "apart: not running (its process is gone), or running but not responding (its\n"
      "process exists: stopped by SIGSTOP, or stuck).");
}

Status RunHealth(const Invocation& inv, const HealthOptions& options) {
  auto stale_after = ParseDurationOption("--stale-after", options.stale_after);
  if (!stale_after.ok()) return stale_after.status();
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  const int64_t now = core::SystemNowMs();
  auto serve = (*store)->ReadServe();
  if (!serve.ok()) return serve.status();

  std::vector<Problem> problems;
  if (std::optional<Problem> problem = ServeProblem(*serve, (*store)->path(), now)) {
    problems.push_back(*problem);
  } else {
    // The vigies this serve ticks: enabled, scheduled, and picked by its selector.
    core::Result<core::Selector> selector = core::Selector();
    if (!(*serve)->selector.empty()) selector = core::ParseSelector((*serve)->selector);
    if (!selector.ok()) return selector.status();
    auto listings = (*store)->ListVigies();
    if (!listings.ok()) return listings.status();
    for (const core::VigyListing& listing : *listings) {
      const core::Vigy& vigy = listing.vigy;
      if (!vigy.enabled || vigy.schedule.kind == core::ScheduleKind::kNone) continue;
      if (!selector->Matches(vigy.labels)) continue;
      if (auto problem = VigyProblem(listing, *stale_after, now)) problems.push_back(*problem);
    }
  }

  if (inv.global.json) {
    nlohmann::json j;
    j["ok"] = problems.empty();
    if (*serve) j["serve"] = ServeJson(**serve, now);
    j["problems"] = nlohmann::json::array();
    for (const Problem& problem : problems) {
      nlohmann::json p;
      if (!problem.vigy.empty()) p["vigy"] = problem.vigy;
      p["kind"] = problem.kind;
      p["message"] = problem.message;
      j["problems"].push_back(p);
    }
    inv.out.PrintJson(j);
  } else if (problems.empty()) {
    inv.out.Print(fmt::format("ok: serve pid {} is live\n", (*serve)->pid));
  } else {
    std::string text;
    for (const Problem& problem : problems) text += problem.message + "\n";
    inv.out.Print(text);
  }
  return problems.empty() ? Status::Ok() : Status::Failed("");
}

}  // namespace vigy::cli
