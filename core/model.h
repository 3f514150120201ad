// The domain's plain data: what a tick records (a run and its actions, log,
// events) and what a vigy's latest state looks like. No behaviour, no lisp, no
// SQLite: storage and the command line both speak these types. Their JSON form
// (model_json.h) is a public interface.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigy::core {

// A key/value map as a vigy sees its kv. Ordered, so listings are stable.
using Kv = std::map<std::string, nlohmann::json, std::less<>>;

// Values of ActionRecord::result and RunRecord::result.
inline constexpr std::string_view kResultOk = "ok";
inline constexpr std::string_view kResultFailed = "failed";
inline constexpr std::string_view kResultSkipped = "skipped";

// Values of Condition::status.
inline constexpr std::string_view kConditionTrue = "true";
inline constexpr std::string_view kConditionFalse = "false";
inline constexpr std::string_view kConditionUnknown = "unknown";

// One reconcile action a program emitted, in emission order.
struct ActionRecord {
  std::string kind;  // noop defer pull push create update delete apply restart custom
  std::optional<nlohmann::json> payload;
  // "ok" | "failed" | "skipped"; unset until something (a handler) decides,
  // except noop (ok) and defer (skipped), which are decided when emitted.
  std::optional<std::string> result;
  std::optional<std::string> message;

  friend bool operator==(const ActionRecord&, const ActionRecord&) = default;
};

struct LogEntry {
  std::string level;  // trace debug info warn error
  std::string message;

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

struct EventRecord {
  std::string kind;
  std::string message;

  friend bool operator==(const EventRecord&, const EventRecord&) = default;
};

struct Condition {
  std::string name;
  std::string status;  // "true" | "false" | "unknown"
  std::optional<std::string> reason;
  std::optional<std::string> message;
  int64_t last_transition_ms = 0;  // epoch ms of the last status change

  friend bool operator==(const Condition&, const Condition&) = default;
};

// The latest declared state of a vigy.
struct VigyState {
  nlohmann::json desired = nlohmann::json::object();
  nlohmann::json observed = nlohmann::json::object();
  std::vector<Condition> conditions;  // in order of first declaration

  friend bool operator==(const VigyState&, const VigyState&) = default;
};

// One tick of one vigy.
struct RunRecord {
  std::string id;  // time-sortable, see NewRunId
  std::string vigy_id;
  std::string vigy_name;
  std::string revision;
  int64_t tick = 0;  // 1, 2, 3, ... per vigy, counting every attempted tick
  // When the scheduler meant the tick to start (serve's ticks); unset for
  // `vigy tick` and `vigy run`. started_at - scheduled_at is the lateness.
  std::optional<int64_t> scheduled_at_ms;
  int64_t started_at_ms = 0;
  int64_t ended_at_ms = 0;
  int64_t duration_ms = 0;
  std::string result = std::string(kResultOk);  // "ok" | "failed" | "skipped"
  std::optional<std::string> error;             // "line:col: message"; unset when ok
  std::vector<ActionRecord> actions;
  std::vector<LogEntry> log;
  std::vector<EventRecord> events;
  std::map<std::string, nlohmann::json> metrics;  // each value a JSON number
  std::map<std::string, nlohmann::json> trace;
  // The store's commit sequence number (storage assigns it when the run is
  // committed, in commit order; 0 before). Not part of the JSON form.
  int64_t seq = 0;

  bool ok() const { return result == kResultOk; }

  friend bool operator==(const RunRecord&, const RunRecord&) = default;
};

}  // namespace vigy::core
