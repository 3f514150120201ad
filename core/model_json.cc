#include "core/model_json.h"

#include <fmt/format.h>

#include "core/json_fields.h"
#include "core/time_format.h"

namespace vigy::core {

using nlohmann::json;

json ToJson(const ActionRecord& action) {
  json j = json::object();
  j["kind"] = action.kind;
  if (action.payload) j["payload"] = *action.payload;
  if (action.result) j["result"] = *action.result;
  if (action.message) j["message"] = *action.message;
  return j;
}

json ToJson(const LogEntry& entry) {
  return json{{"level", entry.level}, {"message", entry.message}};
}

json ToJson(const EventRecord& event) {
  return json{{"kind", event.kind}, {"message", event.message}};
}

json ToJson(const Condition& condition) {
  json j = json::object();
  j["name"] = condition.name;
  j["status"] = condition.status;
  if (condition.reason) j["reason"] = *condition.reason;
  if (condition.message) j["message"] = *condition.message;
  j["last_transition"] = FormatRfc3339Ms(condition.last_transition_ms);
  return j;
}

json ToJson(const VigyState& state) {
  json conditions = json::array();
  for (const Condition& c : state.conditions) conditions.push_back(ToJson(c));
  json j = json::object();
  j["desired"] = state.desired.is_object() ? state.desired : json::object();
  j["observed"] = state.observed.is_object() ? state.observed : json::object();
  j["conditions"] = std::move(conditions);
  return j;
}

json ToJson(const RunRecord& run) {
  json j = json::object();
  j["id"] = run.id;
  j["vigy_id"] = run.vigy_id;
  j["vigy_name"] = run.vigy_name;
  j["revision"] = run.revision;
  j["tick"] = run.tick;
  if (run.scheduled_at_ms) j["scheduled_at"] = FormatRfc3339Ms(*run.scheduled_at_ms);
  j["started_at"] = FormatRfc3339Ms(run.started_at_ms);
  j["ended_at"] = FormatRfc3339Ms(run.ended_at_ms);
  j["duration_ms"] = run.duration_ms;
  j["result"] = run.result;
  if (run.error && run.result != kResultOk) j["error"] = *run.error;
  json actions = json::array();
  for (const ActionRecord& a : run.actions) actions.push_back(ToJson(a));
  j["actions"] = std::move(actions);
  json log = json::array();
  for (const LogEntry& e : run.log) log.push_back(ToJson(e));
  j["log"] = std::move(log);
  json events = json::array();
  for (const EventRecord& e : run.events) events.push_back(ToJson(e));
  j["events"] = std::move(events);
  json metrics = json::object();
  for (const auto& [name, value] : run.metrics) metrics[name] = value;
  j["metrics"] = std::move(metrics);
  json trace = json::object();
  for (const auto& [key, value] : run.trace) trace[key] = value;
  j["trace"] = std::move(trace);
  return j;
}

json KvToJson(const Kv& kv, bool include_reserved) {
  json j = json::object();
  for (const auto& [key, value] : kv) {
    if (!include_reserved && key.starts_with("__")) continue;
    j[key] = value;
  }
  return j;
}

namespace {

// Reads every element of `array` with `parse`, into `out`.
template <typename T, typename Parse>
void ReadList(JsonFields& reader, const json* array, Parse parse, std::vector<T>& out) {
  if (!array) return;
  for (const json& element : *array) {
    Result<T> item = parse(element);
    if (!item.ok()) return reader.Problem(item.status().message());
    out.push_back(std::move(item).value());
  }
}

bool IsRunResult(std::string_view r) {
  return r == kResultOk || r == kResultFailed || r == kResultSkipped;
}

}  // namespace

Result<ActionRecord> ActionRecordFromJson(const json& j) {
  ActionRecord action;
  JsonFields r(j, "action");
  r.String("kind", action.kind);
  if (const json* payload = r.Value("payload")) action.payload = *payload;
  r.OptString("result", action.result);
  r.OptString("message", action.message);
  if (r.status().ok() && action.result && !IsRunResult(*action.result)) {
    r.Problem(fmt::format("action: unknown result '{}'", *action.result));
  }
  if (!r.status().ok()) return r.status();
  return action;
}

Result<LogEntry> LogEntryFromJson(const json& j) {
  LogEntry entry;
  JsonFields r(j, "log entry");
  r.String("level", entry.level);
  r.String("message", entry.message);
  if (!r.status().ok()) return r.status();
  return entry;
}

Result<EventRecord> EventRecordFromJson(const json& j) {
  EventRecord event;
  JsonFields r(j, "event");
  r.String("kind", event.kind);
  r.String("message", event.message);
  if (!r.status().ok()) return r.status();
  return event;
}

Result<Condition> ConditionFromJson(const json& j) {
  Condition c;
  JsonFields r(j, "condition");
  r.String("name", c.name);
  r.String("status", c.status);
  r.OptString("reason", c.reason);
  r.OptString("message", c.message);
  r.Time("last_transition", c.last_transition_ms);
  if (r.status().ok() && c.status != kConditionTrue && c.status != kConditionFalse &&
      c.status != kConditionUnknown) {
    r.Problem(fmt::format("condition: unknown status '{}'", c.status));
  }
  if (!r.status().ok()) return r.status();
  return c;
}

Result<VigyState> VigyStateFromJson(const json& j) {
  VigyState state;
  JsonFields r(j, "state");
  if (const json* desired = r.Object("desired")) state.desired = *desired;
  if (const json* observed = r.Object("observed")) state.observed = *observed;
  ReadList(r, r.Array("conditions"), ConditionFromJson, state.conditions);
  if (!r.status().ok()) return r.status();
  return state;
}

Result<RunRecord> RunRecordFromJson(const json& j) {
  RunRecord run;
  JsonFields r(j, "run");
  r.String("id", run.id);
  r.String("vigy_id", run.vigy_id);
  r.String("vigy_name", run.vigy_name);
  r.String("revision", run.revision);
  r.Int("tick", run.tick);
  r.OptTime("scheduled_at", run.scheduled_at_ms);
  r.Time("started_at", run.started_at_ms);
  r.Time("ended_at", run.ended_at_ms);
  r.Int("duration_ms", run.duration_ms);
  r.String("result", run.result);
  r.OptString("error", run.error);
  ReadList(r, r.Array("actions"), ActionRecordFromJson, run.actions);
  ReadList(r, r.Array("log"), LogEntryFromJson, run.log);
  ReadList(r, r.Array("events"), EventRecordFromJson, run.events);
  if (const json* metrics = r.Object("metrics")) {
    for (const auto& [name, value] : metrics->items()) {
      if (!value.is_number()) {
        r.Problem(fmt::format("run: metric '{}' must be a number", name));
        break;
      }
      run.metrics[name] = value;
    }
  }
  if (const json* trace = r.Object("trace")) {
    for (const auto& [key, value] : trace->items()) run.trace[key] = value;
  }
  if (r.status().ok() && !IsRunResult(run.result)) {
    r.Problem(fmt::format("run: unknown result '{}'", run.result));
  }
  if (!r.status().ok()) return r.status();
  return run;
}

}  // namespace vigy::core
