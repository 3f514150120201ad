#include "http/rest_json.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string_view>

#include "core/model_json.h"
#include "core/ops_json.h"
#include "core/time_format.h"

namespace vigy::http {
namespace {

using core::Status;
using nlohmann::json;

Status Mistyped(std::string_view field, std::string_view want) {
  return Status::InvalidArgument(fmt::format("field '{}' must be {}", field, want));
}

Status CheckFields(const json& body, const std::set<std::string>& known) {
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (known.contains(key)) continue;
    std::string list;
    for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
    return Status::InvalidArgument(fmt::format("unknown field '{}'; the fields are {}", key, list));
  }
  return Status::Ok();
}

core::Result<int64_t> Integer(const json& value, std::string_view field) {
  if (!value.is_number_integer()) return Mistyped(field, "an integer");
  if (value.is_number_unsigned() &&
      value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Mistyped(field, "an integer that fits in 64 bits");
  }
  return value.get<int64_t>();
}

core::Result<std::string> String(const json& value, std::string_view field) {
  if (!value.is_string()) return Mistyped(field, "a string");
  return value.get<std::string>();
}

core::Result<core::Labels> LabelsOf(const json& value) {
  if (!value.is_object()) return Mistyped("labels", "an object of strings");
  core::Labels labels;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) return Mistyped(fmt::format("labels.{}", key), "a string");
    labels[key] = text.get<std::string>();
  }
  return labels;
}

core::GivenMs Millis(int64_t ms) { return core::GivenMs{ms, fmt::format("{}ms", ms)}; }

// A field that is an integer of milliseconds, or null (`on_null`, allowed
// only in an update) to take the setting away.
template <typename Set, typename Clear>
Status ReadMillis(const json& body, const char* field, bool update, Set set, Clear on_null) {
  if (!body.contains(field)) return Status::Ok();
  const json& value = body[field];
  if (value.is_null()) {
    if (!update) return Status::InvalidArgument(fmt::format("field '{}' must not be null", field));
    on_null();
    return Status::Ok();
  }
  core::Result<int64_t> ms = Integer(value, field);
  if (!ms.ok()) return ms.status();
  set(*ms);
  return Status::Ok();
}

// Our "schedule" object, as vigies are shown: {kind, every_ms?, cron?, jitter_ms?}.
Status ReadScheduleObject(const json& schedule, core::VigySettings& settings) {
  if (Status s = CheckFields(schedule, {"kind", "every_ms", "cron", "jitter_ms"}); !s.ok()) {
    return Status::InvalidArgument(fmt::format("field 'schedule': {}", s.message()));
  }
  if (!schedule.contains("kind"))
    return Status::InvalidArgument("field 'schedule.kind' is required");
  auto kind_name = String(schedule["kind"], "schedule.kind");
  if (!kind_name.ok()) return kind_name.status();
  std::optional<core::ScheduleKind> kind = core::ParseScheduleKind(*kind_name);
  if (!kind) return Mistyped("schedule.kind", "none, every or cron");
  if (*kind == core::ScheduleKind::kEvery) {
    if (!schedule.contains("every_ms")) {
      return Status::InvalidArgument("field 'schedule.every_ms' is required for kind every");
    }
    auto ms = Integer(schedule["every_ms"], "schedule.every_ms");
    if (!ms.ok()) return ms.status();
    settings.every = Millis(*ms);
  } else if (*kind == core::ScheduleKind::kCron) {
    if (!schedule.contains("cron")) {
      return Status::InvalidArgument("field 'schedule.cron' is required for kind cron");
    }
    auto cron = String(schedule["cron"], "schedule.cron");
    if (!cron.ok()) return cron.status();
    settings.cron = *cron;
  } else {
    settings.no_schedule = true;
  }
  if (schedule.contains("jitter_ms")) {
    auto ms = Integer(schedule["jitter_ms"], "schedule.jitter_ms");
    if (!ms.ok()) return ms.status();
    if (*ms != 0 || settings.every || settings.cron) settings.jitter = Millis(*ms);
  }
  return Status::Ok();
}

// The settings both bodies share; `update` allows null to take one away.
Status ReadSettings(const json& body, bool update, core::VigySettings& settings) {
  int schedules = 0;
  for (const char* field : {"tick_interval_ms", "every_ms", "cron", "schedule"}) {
    if (body.contains(field) && !body[field].is_null()) ++schedules;
  }
  if (schedules > 1) {
    return Status::InvalidArgument("give one of tick_interval_ms, every_ms, cron and schedule");
  }
  for (const char* field : {"tick_interval_ms", "every_ms"}) {
    Status s = ReadMillis(
        body, field, update, [&](int64_t ms) { settings.every = Millis(ms); },
        [&] { settings.no_schedule = true; });
    if (!s.ok()) return s;
  }
  if (body.contains("cron")) {
    if (body["cron"].is_null()) {
      if (!update) return Status::InvalidArgument("field 'cron' must not be null");
      settings.no_schedule = true;
    } else {
      auto cron = String(body["cron"], "cron");
      if (!cron.ok()) return cron.status();
      settings.cron = *cron;
    }
  }
  if (body.contains("schedule")) {
    if (body["schedule"].is_null()) {
      if (!update) return Status::InvalidArgument("field 'schedule' must not be null");
      settings.no_schedule = true;
    } else if (Status s = ReadScheduleObject(body["schedule"], settings); !s.ok()) {
      return s;
    }
  }
  Status s = ReadMillis(
      body, "jitter_ms", update, [&](int64_t ms) { settings.jitter = Millis(ms); },
      [&] { settings.jitter = Millis(0); });
  if (!s.ok()) return s;
  s = ReadMillis(
      body, "timeout_ms", update, [&](int64_t ms) { settings.timeout = Millis(ms); },
      [&] { settings.no_timeout = true; });
  if (!s.ok()) return s;
  s = ReadMillis(
      body, "max_steps", update, [&](int64_t steps) { settings.max_steps = steps; },
      [&] { settings.no_max_steps = true; });
  if (!s.ok()) return s;
  if (body.contains("handler")) {
    if (body["handler"].is_null()) {
      if (!update) return Status::InvalidArgument("field 'handler' must not be null");
      settings.no_handler = true;
    } else {
      auto handler = String(body["handler"], "handler");
      if (!handler.ok()) return handler.status();
      settings.handler = *handler;
    }
  }
  if (body.contains("enabled")) {
    if (!body["enabled"].is_boolean()) return Mistyped("enabled", "true or false");
    settings.enabled = body["enabled"].get<bool>();
  }
  return Status::Ok();
}

const std::set<std::string> kSettingFields = {
    "tick_interval_ms", "every_ms",  "cron",    "schedule", "jitter_ms",
    "timeout_ms",       "max_steps", "handler", "enabled",  "labels"};

}  // namespace

json RestVigyJson(const core::Vigy& vigy, const core::VigyRuntime& runtime,
                  const std::optional<core::RunSummary>& last_run) {
  json j = core::ToJson(vigy);
  if (vigy.program.empty()) j.erase("program");
  j["tick_interval_ms"] =
      vigy.schedule.kind == core::ScheduleKind::kEvery ? vigy.schedule.every_ms : 0;
  j["status"] = core::VigyStateName(vigy, runtime);
  j["runtime"] = core::ToJson(runtime);
  if (last_run) j["last_run"] = core::ToJson(*last_run);
  return j;
}

json RestVigyJson(const core::VigyDetail& detail) {
  std::optional<core::RunSummary> last;
  if (!detail.runs.empty()) {
    const core::RunRecord& run = detail.runs.front();
    last =
        core::RunSummary{run.id,          run.tick,       run.result, run.error, run.started_at_ms,
                         run.ended_at_ms, run.duration_ms};
  }
  json j = RestVigyJson(detail.vigy, detail.runtime, last);
  j["conditions"] = json::array();
  if (detail.state) {
    for (const core::Condition& c : detail.state->state.conditions) {
      j["conditions"].push_back(core::ToJson(c));
    }
  }
  return j;
}

json RestStateJson(const core::VigyDetail& detail, int64_t now_ms) {
  json j = core::ToJson(detail.state ? detail.state->state : core::VigyState{});
  j["vigy_id"] = detail.vigy.id;
  json pending = json::array();
  if (!detail.runs.empty()) {
    for (const core::ActionRecord& action : detail.runs.front().actions) {
      pending.push_back(core::ToJson(action));
    }
  }
  j["pending"] = std::move(pending);
  j["captured_at"] = core::FormatRfc3339Ms(detail.state ? detail.state->updated_at_ms : now_ms);
  return j;
}

core::Result<core::RegisterRequest> ReadRegisterBody(const json& body) {
  std::set<std::string> known = kSettingFields;
  known.insert({"name", "program", "replace"});
  if (Status s = CheckFields(body, known); !s.ok()) return s;
  core::RegisterRequest request;
  for (const char* field : {"name", "program"}) {
    if (!body.contains(field)) {
      return Status::InvalidArgument(fmt::format("field '{}' is required", field));
    }
    auto text = String(body[field], field);
    if (!text.ok()) return text.status();
    (std::string_view(field) == "name" ? request.name : request.program) = *text;
  }
  if (Status s = ReadSettings(body, false, request.settings); !s.ok()) return s;
  if (!request.settings.every && !request.settings.cron && !request.settings.no_schedule) {
    request.settings.every = Millis(kDefaultTickIntervalMs);
  }
  request.settings.no_schedule = false;  // a fresh record has none to take away
  if (body.contains("labels")) {
    auto labels = LabelsOf(body["labels"]);
    if (!labels.ok()) return labels.status();
    request.settings.labels = *labels;
  }
  if (body.contains("replace")) {
    if (!body["replace"].is_boolean()) return Mistyped("replace", "true or false");
    request.replace = body["replace"].get<bool>();
  }
  return request;
}

core::Result<core::UpdateRequest> ReadUpdateBody(const json& body, const core::Vigy& current) {
  std::set<std::string> known = kSettingFields;
  known.insert("program");
  if (Status s = CheckFields(body, known); !s.ok()) return s;
  core::UpdateRequest request;
  request.ref = current.id;
  request.file = current.name;
  if (body.contains("program")) {
    auto program = String(body["program"], "program");
    if (!program.ok()) return program.status();
    request.program = *program;
  }
  if (Status s = ReadSettings(body, true, request.settings); !s.ok()) return s;
  if (body.contains("labels")) {
    auto labels = LabelsOf(body["labels"]);
    if (!labels.ok()) return labels.status();
    for (const auto& [key, value] : current.labels) {
      if (!labels->contains(key)) request.settings.unlabels.push_back(key);
    }
    request.settings.labels = *labels;
  }
  return request;
}

json ProgramRefusalJson(const Status& status, const std::vector<lisp::Diagnostic>& diagnostics) {
  std::string message = status.message();
  json details = json::array();
  for (size_t i = 0; i < diagnostics.size(); ++i) {
    const lisp::Diagnostic& d = diagnostics[i];
    message += (i == 0 ? ": " : "; ") + d.Format();
    details.push_back({{"line", d.pos.line}, {"col", d.pos.col}, {"message", d.message}});
  }
  json body;
  body["error"]["code"] = "invalid_program";
  body["error"]["message"] = std::move(message);
  body["error"]["diagnostics"] = std::move(details);
  return body;
}

}  // namespace vigy::http
