// The JSON form of the model types: the field names of vigy(1) (JSON OUTPUT),
// used by every `--json` output, `watch --json` line and the HTTP surface, so
// they are a public interface. Timestamps are RFC 3339 UTC with milliseconds;
// optional fields are absent when unset (never null); a run's `error` is absent
// when ok. The *FromJson functions read the same shapes back (for storage
// columns and tools); they accept exactly what ToJson produces and reject
// anything with a missing or mistyped required field with kInvalidArgument
// naming the field, by the rules of core/json_fields.h.
#pragma once

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "core/status.h"

namespace vigy::core {

// {kind, payload?, result?, message?}
nlohmann::json ToJson(const ActionRecord& action);
// {level, message}
nlohmann::json ToJson(const LogEntry& entry);
// {kind, message}
nlohmann::json ToJson(const EventRecord& event);
// {name, status, reason?, message?, last_transition}
nlohmann::json ToJson(const Condition& condition);
// {desired, observed, conditions}
nlohmann::json ToJson(const VigyState& state);
// {id, vigy_id, vigy_name, revision, tick, scheduled_at?, started_at, ended_at,
//  duration_ms, result, error?, actions, log, events, metrics, trace}
// scheduled_at is when serve meant the tick to start (absent for ticks run
// by hand). The store's commit sequence number (seq) is not included.
nlohmann::json ToJson(const RunRecord& run);
// The kv as one object. Keys starting with "__" (the runtime's) are left out
// unless include_reserved.
nlohmann::json KvToJson(const Kv& kv, bool include_reserved = false);

Result<ActionRecord> ActionRecordFromJson(const nlohmann::json& j);
Result<LogEntry> LogEntryFromJson(const nlohmann::json& j);
Result<EventRecord> EventRecordFromJson(const nlohmann::json& j);
Result<Condition> ConditionFromJson(const nlohmann::json& j);
Result<VigyState> VigyStateFromJson(const nlohmann::json& j);
Result<RunRecord> RunRecordFromJson(const nlohmann::json& j);

}  // namespace vigy::core
