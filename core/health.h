// Whether serve keeps up: a serve is live on the store (its heartbeat is
// fresh) and no enabled, scheduled vigy it ticks has a failed latest run or
// a next tick overdue by more than `stale_after_ms`. On a store shared by
// serves, the vigies checked are those any live serve's selector picks. What `vigy health` and
// GET /v1/health report, in the same words.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/store.h"

namespace vigy::core {

struct HealthProblem {
  std::string vigy;  // empty for a problem with serve itself
  std::string kind;  // "serve", "failing", "overdue"
  std::string message;
};

struct HealthReport {
  // The serve heard from last (a live one when any is); unset when no serve
  // ever ran.
  std::optional<ServeRecord> serve;
  // Every serve a store shared by serves knows of (see
  // Store::SharedByServes), that one first; empty for other stores.
  std::vector<ServeRecord> serves;
  std::vector<HealthProblem> problems;
  int64_t checked_at_ms = 0;

  bool ok() const { return problems.empty(); }
};

// A serve whose heartbeat went stale is described as far as this host can
// tell: gone, stopped (SIGSTOP, a debugger), running but not responding, or
// on another host.
Result<HealthReport> CheckHealth(Store& store, int64_t stale_after_ms, int64_t now_ms);

// {"ok", "serve"?: {pid, host, started_at, heartbeat_at, stopped_at?,
// selector?, live}, "serves"?: [the same, for each serve of a shared store],
// "problems": [{"vigy"?, "kind", "message"}]}
nlohmann::json ToJson(const HealthReport& report);

}  // namespace vigy::core
