// The REST API's JSON shapes that are not the operations' own (ops_json.h,
// model_json.h): a vigy as the original API's clients read it, with our
// fields alongside, its state as the original's VigyState, and request
// bodies read into the operations' requests. Reading a body only maps
// fields to typed values; every rule about those values is the operation's.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/operations.h"
#include "lisp/source.h"

namespace vigy::http {

// The original API's interval when a new vigy is given no schedule.
inline constexpr int64_t kDefaultTickIntervalMs = 1000;

// core's vigy JSON (with "program" when the record holds it) plus the
// original's "tick_interval_ms" (the every interval; 0 for cron or none),
// "status" (enabled, disabled, failing), "runtime" and, once it has run,
// "last_run".
nlohmann::json RestVigyJson(const core::Vigy& vigy, const core::VigyRuntime& runtime,
                            const std::optional<core::RunSummary>& last_run);

// A vigy in full: RestVigyJson with the latest run, plus "conditions" as
// its latest successful tick declared them.
nlohmann::json RestVigyJson(const core::VigyDetail& detail);

// {vigy_id, desired, observed, conditions, pending, captured_at}: pending is
// the latest run's actions; captured_at when the tick that declared the
// state started, `now_ms` before any.
nlohmann::json RestStateJson(const core::VigyDetail& detail, int64_t now_ms);

// A POST /v1/vigies body as a register request. kInvalidArgument naming the
// field for an unknown or mistyped field. Without a schedule field
// (tick_interval_ms, every_ms, cron, schedule) the vigy ticks every
// kDefaultTickIntervalMs, as with the original API.
core::Result<core::RegisterRequest> ReadRegisterBody(const nlohmann::json& body);

// A PATCH /v1/vigies/{id} body as an update of `current`: only the fields
// given change; null takes a setting away; "labels" replaces every label.
core::Result<core::UpdateRequest> ReadUpdateBody(const nlohmann::json& body,
                                                 const core::Vigy& current);

// The body of a refused program: {"error": {"code": "invalid_program",
// "message", "diagnostics": [{line, col, message}]}}; the message is the
// operation's, then each error as "file:line:col: message", joined by "; ".
nlohmann::json ProgramRefusalJson(const core::Status& status,
                                  const std::vector<lisp::Diagnostic>& diagnostics);

}  // namespace vigy::http
