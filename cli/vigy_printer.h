// Vigies and their runs as the store commands print them: schedules, ages
// ("3s ago"), the record as aligned "label  value" lines, the run history as a
// table.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/output.h"
#include "core/model.h"
#include "core/store.h"
#include "core/time_format.h"
#include "core/vigy.h"

namespace vigy::cli {

// The width of the label column of "label  value" lines.
inline constexpr size_t kFieldWidth = 12;

// `value` as one line of JSON; invalid UTF-8 in strings is replaced rather
// than failing.
std::string CompactJson(const nlohmann::json& value);

// "every 5s", "cron \"*/5 * * * *\"" or "manual"; with `with_jitter`, a
// jitter window is added: "every 1m (jitter 10s)".
std::string FormatSchedule(const core::Schedule& schedule, bool with_jitter = false);

using core::FormatAgo;
using core::FormatUntil;

// When serve will next tick the vigy, as list and show print it: "in 4s" or
// "due", or "-" when it is disabled, has no plan, or no serve is live (a plan
// left by a serve that has stopped tells nothing about the next tick).
std::string FormatNextTick(const core::Vigy& vigy, const core::VigyRuntime& runtime, int64_t now_ms,
                           bool serve_live);

using core::VigyStateName;
Style VigyStateStyle(const std::string& state);
Style ResultStyle(std::string_view result);

// "label" padded to kFieldWidth (bold through `out`), then `value`; later
// lines of a multi-line value are indented to match.
std::string Field(const Output& out, std::string_view label, std::string_view value);
std::string Field(const Output& out, std::string_view label, const std::vector<std::string>& lines);

// The record's settings as Field lines: name, id, revision, state, schedule,
// labels, limits, handler, created and updated.
std::string FormatVigyRecord(const Output& out, const core::Vigy& vigy,
                             const core::VigyRuntime* runtime, int64_t now_ms);

// Runs as a table: ID, VIGY, TICK, RESULT, STARTED, DURATION, ERROR (the
// first line of the error, shortened).
std::string FormatRunTable(const Output& out, const std::vector<core::RunRecord>& runs);

}  // namespace vigy::cli
