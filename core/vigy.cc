#include "core/vigy.h"

#include <fmt/format.h>

#include "core/time_format.h"

namespace vigy::core {

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

namespace {

// Reads the fields of one JSON object, keeping the first problem found.
class Fields {
 public:
  Fields(const json& j, std::string_view what) : j_(j), what_(what) {
    if (!j.is_object()) Fail(fmt::format("{} must be a JSON object", what_));
  }

  // The field, or nullptr when absent (a problem too if `required`) or when
  // an earlier problem was found.
  const json* Get(const char* key, bool required) {
    if (!status_.ok()) return nullptr;
    auto it = j_.find(key);
    if (it != j_.end() && !it->is_null()) return &*it;
    if (required) Fail(fmt::format("{}: missing field '{}'", what_, key));
    return nullptr;
  }

  void String(const char* key, std::string& out) {
    if (const json* v = Get(key, true)) {
      if (!v->is_string()) return Mistyped(key, "a string");
      out = v->get<std::string>();
    }
  }

  void OptString(const char* key, std::optional<std::string>& out) {
    if (const json* v = Get(key, false)) {
      if (!v->is_string()) return Mistyped(key, "a string");
      out = v->get<std::string>();
    }
  }

  void Int(const char* key, int64_t& out, bool required = true) {
    if (const json* v = Get(key, required)) {
      if (!IsInt64(*v)) return Mistyped(key, "an integer");
      out = v->get<int64_t>();
    }
  }

  void OptInt(const char* key, std::optional<int64_t>& out) {
    int64_t value = 0;
    if (Get(key, false) == nullptr) return;
    Int(key, value);
    if (status_.ok()) out = value;
  }

  void Bool(const char* key, bool& out) {
    if (const json* v = Get(key, true)) {
      if (!v->is_boolean()) return Mistyped(key, "a boolean");
      out = v->get<bool>();
    }
  }

  void Time(const char* key, int64_t& out) {
    if (const json* v = Get(key, true)) {
      std::optional<int64_t> ms;
      if (v->is_string()) ms = ParseRfc3339Ms(v->get<std::string>());
      if (!ms) return Mistyped(key, "an RFC 3339 timestamp");
      out = *ms;
    }
  }

  void Fail(std::string message) {
    if (status_.ok()) status_ = Status::InvalidArgument(std::move(message));
  }
  void Mistyped(const char* key, const char* expected) {
    Fail(fmt::format("{}: field '{}' must be {}", what_, key, expected));
  }
  const Status& status() const { return status_; }

 private:
  static bool IsInt64(const json& v) {
    if (!v.is_number_integer()) return false;
    return !v.is_number_unsigned() || v.get<uint64_t>() <= uint64_t{INT64_MAX};
  }

  const json& j_;
  std::string_view what_;
  Status status_;
};

}  // namespace

Result<Schedule> ScheduleFromJson(const json& j) {
  Schedule schedule;
  Fields f(j, "schedule");
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
  if (schedule.kind != ScheduleKind::kNone) f.Int("jitter_ms", schedule.jitter_ms, false);
  if (!f.status().ok()) return f.status();
  return schedule;
}

Result<Vigy> VigyFromJson(const json& j) {
  Vigy vigy;
  Fields f(j, "vigy");
  f.String("id", vigy.id);
  f.String("name", vigy.name);
  f.String("program", vigy.program);
  f.String("revision", vigy.revision);
  if (const json* schedule = f.Get("schedule", true)) {
    Result<Schedule> parsed = ScheduleFromJson(*schedule);
    if (!parsed.ok()) return parsed.status();
    vigy.schedule = *parsed;
  }
  f.Bool("enabled", vigy.enabled);
  if (const json* labels = f.Get("labels", true)) {
    if (!labels->is_object()) {
      f.Mistyped("labels", "an object");
    } else {
      for (const auto& [key, value] : labels->items()) {
        if (!value.is_string()) {
          f.Fail(fmt::format("vigy: label '{}' must be a string", key));
          break;
        }
        vigy.labels[key] = value.get<std::string>();
      }
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
