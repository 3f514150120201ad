// A registered vigy as plain data: its record (what `add` and `update` set)
// and its runtime counters (what ticks and the scheduler keep). Storage and
// the command line both speak these types; their JSON form is a public
// interface (vigy(1), JSON OUTPUT).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigy::core {

// The largest program a vigy may have: 1 MiB of source text. Every surface
// that takes a program refuses a larger one before doing any work with it.
inline constexpr size_t kMaxProgramBytes = size_t{1} << 20;

// A vigy's labels, key to value, ordered so listings are stable. Keys are
// checked by ValidateLabelKey, values by ValidateLabelValue (core/selector.h).
using Labels = std::map<std::string, std::string>;

enum class ScheduleKind { kNone, kEvery, kCron };

// "none", "every", "cron": the names used in JSON and in the store.
constexpr std::string_view ScheduleKindName(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::kEvery:
      return "every";
    case ScheduleKind::kCron:
      return "cron";
    case ScheduleKind::kNone:
      break;
  }
  return "none";
}

// The kind named `name`, or nullopt for any other text.
constexpr std::optional<ScheduleKind> ParseScheduleKind(std::string_view name) {
  if (name == "none") return ScheduleKind::kNone;
  if (name == "every") return ScheduleKind::kEvery;
  if (name == "cron") return ScheduleKind::kCron;
  return std::nullopt;
}

// When serve ticks a vigy. A vigy with kind none is ticked only on request
// (`vigy tick`). Only the fields of the chosen kind are meaningful; the others
// stay at their defaults.
struct Schedule {
  ScheduleKind kind = ScheduleKind::kNone;
  int64_t every_ms = 0;   // kEvery: the interval (the command line refuses < 100)
  std::string cron;       // kCron: the expression as the user wrote it
  int64_t jitter_ms = 0;  // a stable per-vigy offset inside this window; 0 for none

  friend bool operator==(const Schedule&, const Schedule&) = default;
};

// The record of one vigy.
struct Vigy {
  std::string id;        // 16 lowercase hex, VigyIdFromName(name)
  std::string name;      // unique; ValidateVigyName
  std::string program;   // the source text, verbatim
  std::string revision;  // Revision(program)
  Schedule schedule;
  bool enabled = true;
  Labels labels;
  std::optional<int64_t> timeout_ms;   // wall-clock limit per tick; unset: the default
  std::optional<int64_t> max_steps;    // step budget per tick; unset: the default
  std::optional<std::string> handler;  // shell command run once per action
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;

  friend bool operator==(const Vigy&, const Vigy&) = default;
};

// What the runtime keeps per vigy between ticks. Written together with each
// tick's run, so it always agrees with the run history.
struct VigyRuntime {
  int64_t tick_count = 0;                  // ticks attempted so far
  int64_t last_tick_ms = -1;               // start of the latest tick; -1: never ticked
  int64_t consecutive_failures = 0;        // failed ticks since the last success
  int64_t backoff_until_ms = 0;            // no scheduled tick before this; 0: no backoff
  std::optional<int64_t> next_due_ms;      // when the scheduler plans the next tick
  std::optional<std::string> last_result;  // "ok" | "failed" | "skipped"; unset: never
  int64_t last_run_at_ms = -1;             // when the latest run ended; -1: never

  friend bool operator==(const VigyRuntime&, const VigyRuntime&) = default;
};

// "enabled", "disabled", or "failing" for an enabled vigy whose latest run
// failed: the state listings, the status page and /metrics show.
std::string VigyStateName(const Vigy& vigy, const VigyRuntime& runtime);

// {kind: "none"} | {kind: "every", every_ms, jitter_ms} |
// {kind: "cron", cron, jitter_ms}
nlohmann::json ToJson(const Schedule& schedule);

// {id, name, program, revision, schedule, enabled, labels, timeout_ms?,
//  max_steps?, handler?, created_at, updated_at}; times are RFC 3339 UTC with
// milliseconds, optional fields are absent when unset.
nlohmann::json ToJson(const Vigy& vigy);

// {tick_count, consecutive_failures, last_tick?, last_result?, last_run_at?,
//  backoff_until?, next_due?}; times RFC 3339, absent when never/none.
nlohmann::json ToJson(const VigyRuntime& runtime);

// Read back what ToJson produces. A missing or mistyped field is
// kInvalidArgument naming it ("vigy: field 'enabled' must be a boolean").
// Only the shape is checked, not the name or label rules.
Result<Schedule> ScheduleFromJson(const nlohmann::json& j);
Result<Vigy> VigyFromJson(const nlohmann::json& j);

}  // namespace vigy::core
