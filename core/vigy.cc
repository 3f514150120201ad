#include "core/vigy.h"

#include <fmt/format.h>

#include "core/json_fields.h"
#include "core/model.h"
#include "core/time_format.h"

namespace vigy::core {

std::string VigyStateName(const Vigy& vigy, const VigyRuntime& runtime) {
  if (!vigy.enabled) return "disabled";
  if (runtime.last_result == kResultFailed) return "failing";
  return "enabled";
}

using nlohmann::json;

json ToJson(const Schedule& schedule) {
  json j = json::object();
  j["kind"] = std::string(ScheduleKindName(schedule.kind));
  switch (schedule.kind) {
    case ScheduleKind::kNone:
      return j;
    case ScheduleKind::kEvery:
      j["every_ms"] = schedule.every_ms;
      break;
    case ScheduleKind::kCron:
      j["cron"] = schedule.cron;
      break;
  }
  j["jitter_ms"] = schedule.jitter_ms;
  return j;
}

json ToJson(const Vigy& vigy) {
  json j = json::object();
  j["id"] = vigy.id;
  j["name"] = vigy.name;
  j["program"] = vigy.program;
  j["revision"] = vigy.revision;
  j["schedule"] = ToJson(vigy.schedule);
  j["enabled"] = vigy.enabled;
  j["labels"] = json(vigy.labels);
  if (vigy.timeout_ms) j["timeout_ms"] = *vigy.timeout_ms;
  if (vigy.max_steps) j["max_steps"] = *vigy.max_steps;
  if (vigy.handler) j["handler"] = *vigy.handler;
  j["created_at"] = FormatRfc3339Ms(vigy.created_at_ms);
  j["updated_at"] = FormatRfc3339Ms(vigy.updated_at_ms);
  return j;
}

json ToJson(const VigyRuntime& runtime) {
  json j = json::object();
  j["tick_count"] = runtime.tick_count;
  j["consecutive_failures"] = runtime.consecutive_failures;
  if (runtime.last_tick_ms >= 0) j["last_tick"] = FormatRfc3339Ms(runtime.last_tick_ms);
  if (runtime.last_result) j["last_result"] = *runtime.last_result;
  if (runtime.last_run_at_ms >= 0) j["last_run_at"] = FormatRfc3339Ms(runtime.last_run_at_ms);
  if (runtime.backoff_until_ms > 0) {
    j["backoff_until"] = FormatRfc3339Ms(runtime.backoff_until_ms);
  }
  if (runtime.next_due_ms) j["next_due"] = FormatRfc3339Ms(*runtime.next_due_ms);
  return j;
}

Result<Schedule> ScheduleFromJson(const json& j) {
  Schedule schedule;
  JsonFields f(j, "schedule");
  std::string kind;
  f.String("kind", kind);
  if (!f.status().ok()) return f.status();
  std::optional<ScheduleKind> parsed = ParseScheduleKind(kind);
  if (!parsed) {
    return Status::InvalidArgument(
        fmt::format("schedule: unknown kind '{}' (expected none, every or cron)", kind));
  }
  schedule.kind = *parsed;
  if (schedule.kind == ScheduleKind::kEvery) f.Int("every_ms", schedule.every_ms);
  if (schedule.kind == ScheduleKind::kCron) f.String("cron", schedule.cron);
  if (schedule.kind != ScheduleKind::kNone) f.IntOr("jitter_ms", schedule.jitter_ms);
  if (!f.status().ok()) return f.status();
  return schedule;
}

Result<Vigy> VigyFromJson(const json& j) {
  Vigy vigy;
  JsonFields f(j, "vigy");
  f.String("id", vigy.id);
  f.String("name", vigy.name);
  f.String("program", vigy.program);
  f.String("revision", vigy.revision);
  if (const json* schedule = f.Required("schedule")) {
    Result<Schedule> parsed = ScheduleFromJson(*schedule);
    if (!parsed.ok()) return parsed.status();
    vigy.schedule = *parsed;
  }
  f.Bool("enabled", vigy.enabled);
  if (const json* labels = f.Object("labels")) {
    for (const auto& [key, value] : labels->items()) {
      if (!value.is_string()) {
        f.Problem(fmt::format("vigy: label '{}' must be a string", key));
        break;
      }
      vigy.labels[key] = value.get<std::string>();
    }
  }
  f.OptInt("timeout_ms", vigy.timeout_ms);
  f.OptInt("max_steps", vigy.max_steps);
  f.OptString("handler", vigy.handler);
  f.Time("created_at", vigy.created_at_ms);
  f.Time("updated_at", vigy.updated_at_ms);
  if (!f.status().ok()) return f.status();
  return vigy;
}

}  // namespace vigy::core
