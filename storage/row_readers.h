// Reading the store's rows into the model, shared by both stores: the
// SQLite and PostgreSQL tables have the same columns (SCHEMA.md), and both
// stores' rows (storage::Statement, storage::PgRow) offer the same column
// accessors: IsNull, Int, Text, OptInt and OptText, by column from 0. Each
// reader names the store `where` in its errors.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"
#include "core/status.h"
#include "core/store_records.h"
#include "core/vigy.h"
#include "storage/row_codec.h"

namespace vigy::storage {

// Columns 0-14 of a vigy row, in this order (the program from programs, or
// '' when not read), then in listings kRuntimeColumns and kRunSummaryColumns.
inline constexpr std::string_view kVigyColumnsFormat =
    "v.id, v.name, {}, v.revision, v.schedule_kind, v.every_ms, v.cron, v.jitter_ms, "
    "v.enabled, v.labels, v.timeout_ms, v.max_steps, v.handler, v.created_at, v.updated_at";
inline constexpr int kVigyColumnCount = 15;
inline constexpr std::string_view kRuntimeColumns =
    "r.tick_count, r.last_tick_at, r.consecutive_failures, r.backoff_until, r.next_due_at, "
    "r.last_result, r.last_run_at";
inline constexpr int kRuntimeColumnCount = 7;
inline constexpr std::string_view kRunSummaryColumns =
    "lr.id, lr.tick, lr.result, lr.error, lr.started_at, lr.ended_at, lr.duration_ms";
// The columns of a run, as ReadRun reads them.
inline constexpr std::string_view kRunColumns =
    "id, vigy_id, vigy_name, revision, tick, started_at, ended_at, duration_ms, result, error, "
    "log, events, metrics, trace, scheduled_at, seq";

// The vigy columns with the program read from `p.program`, or left empty.
inline std::string VigyColumns(bool with_program) {
  return fmt::format(fmt::runtime(kVigyColumnsFormat), with_program ? "p.program" : "''");
}

// The vigies (as `v`) joined with their programs (as `p`).
inline constexpr std::string_view kVigiesWithPrograms =
    "vigies v JOIN programs p ON p.vigy_id = v.id";

// Every vigy by name with its runtime and latest run (kVigyColumns,
// kRuntimeColumns, kRunSummaryColumns), with programs or without: the
// listing both stores answer ListVigies with.
inline std::string ListVigiesSql(bool with_programs) {
  return fmt::format(
      "SELECT {}, {}, {} FROM {} LEFT JOIN runtime r ON r.vigy_id = v.id "
      "LEFT JOIN runs lr ON lr.id = r.last_run_id ORDER BY v.name",
      VigyColumns(with_programs), kRuntimeColumns, kRunSummaryColumns,
      with_programs ? kVigiesWithPrograms : "vigies v");
}

// A query of every vigy column, program included, of the vigies meeting
// `condition`.
inline std::string SelectVigyWhere(std::string_view condition) {
  return fmt::format("SELECT {} FROM {} WHERE {}", VigyColumns(true), kVigiesWithPrograms,
                     condition);
}

template <typename Row>
core::Result<core::Vigy> ReadVigy(const Row& row, std::string_view where) {
  core::Vigy vigy;
  vigy.id = row.Text(0);
  vigy.name = row.Text(1);
  vigy.program = row.Text(2);
  vigy.revision = row.Text(3);
  std::optional<core::ScheduleKind> kind = core::ParseScheduleKind(row.Text(4));
  if (!kind) {
    return core::Status::StoreUnusable(
        fmt::format("store '{}': vigy '{}' has an unknown schedule kind", where, vigy.name));
  }
  vigy.schedule.kind = *kind;
  vigy.schedule.every_ms = row.OptInt(5).value_or(0);
  vigy.schedule.cron = row.Text(6);
  vigy.schedule.jitter_ms = row.Int(7);
  vigy.enabled = row.Int(8) != 0;
  core::Result<core::Labels> labels =
      DecodeLabels(row.Text(9), fmt::format("store '{}': labels of vigy '{}'", where, vigy.name));
  if (!labels.ok()) return labels.status();
  vigy.labels = std::move(labels).value();
  vigy.timeout_ms = row.OptInt(10);
  vigy.max_steps = row.OptInt(11);
  vigy.handler = row.OptText(12);
  vigy.created_at_ms = row.Int(13);
  vigy.updated_at_ms = row.Int(14);
  return vigy;
}

template <typename Row>
core::VigyRuntime ReadRuntime(const Row& row, int first) {
  core::VigyRuntime runtime;
  runtime.tick_count = row.OptInt(first).value_or(0);
  runtime.last_tick_ms = row.OptInt(first + 1).value_or(-1);
  runtime.consecutive_failures = row.OptInt(first + 2).value_or(0);
  runtime.backoff_until_ms = row.OptInt(first + 3).value_or(0);
  runtime.next_due_ms = row.OptInt(first + 4);
  runtime.last_result = row.OptText(first + 5);
  runtime.last_run_at_ms = row.OptInt(first + 6).value_or(-1);
  return runtime;
}

template <typename Row>
std::optional<core::RunSummary> ReadRunSummary(const Row& row, int first) {
  if (row.IsNull(first)) return std::nullopt;
  core::RunSummary run;
  run.id = row.Text(first);
  run.tick = row.Int(first + 1);
  run.result = row.Text(first + 2);
  run.error = row.OptText(first + 3);
  run.started_at_ms = row.Int(first + 4);
  run.ended_at_ms = row.Int(first + 5);
  run.duration_ms = row.Int(first + 6);
  return run;
}

// A row of kRunColumns, without its actions.
template <typename Row>
core::Result<core::RunRecord> ReadRun(const Row& row, std::string_view where) {
  core::RunRecord run;
  run.id = row.Text(0);
  run.vigy_id = row.Text(1);
  run.vigy_name = row.Text(2);
  run.revision = row.Text(3);
  run.tick = row.Int(4);
  run.started_at_ms = row.Int(5);
  run.ended_at_ms = row.Int(6);
  run.duration_ms = row.Int(7);
  run.result = row.Text(8);
  run.error = row.OptText(9);
  run.scheduled_at_ms = row.OptInt(14);
  run.seq = row.OptInt(15).value_or(0);
  std::string what = fmt::format("store '{}': run {}", where, run.id);
  auto log = DecodeLog(row.Text(10), what);
  if (!log.ok()) return log.status();
  auto events = DecodeEvents(row.Text(11), what);
  if (!events.ok()) return events.status();
  auto metrics = DecodeObject(row.Text(12), what);
  if (!metrics.ok()) return metrics.status();
  auto trace = DecodeObject(row.Text(13), what);
  if (!trace.ok()) return trace.status();
  run.log = std::move(log).value();
  run.events = std::move(events).value();
  run.metrics = std::move(metrics).value();
  run.trace = std::move(trace).value();
  return run;
}

// A serve row: pid, host, lease_prefix, selector, version, started_at,
// heartbeat_at, stopped_at, from column 0.
template <typename Row>
core::ServeRecord ReadServeRow(const Row& row) {
  core::ServeRecord serve;
  serve.pid = row.Int(0);
  serve.host = row.Text(1);
  serve.lease_prefix = row.Text(2);
  serve.selector = row.Text(3);
  serve.version = row.Text(4);
  serve.started_at_ms = row.Int(5);
  serve.heartbeat_at_ms = row.Int(6);
  serve.stopped_at_ms = row.OptInt(7);
  return serve;
}

// An action from the columns kind, payload, result, message starting at
// `first`, of run `run_id`.
template <typename Row>
core::Result<core::ActionRecord> ReadAction(const Row& row, int first, std::string_view where,
                                            std::string_view run_id) {
  core::ActionRecord action;
  action.kind = row.Text(first);
  if (std::optional<std::string> payload = row.OptText(first + 1)) {
    core::Result<nlohmann::json> parsed = ParseJsonColumn(
        *payload, fmt::format("store '{}': an action payload of run {}", where, run_id));
    if (!parsed.ok()) return parsed.status();
    action.payload = std::move(parsed).value();
  }
  action.result = row.OptText(first + 2);
  action.message = row.OptText(first + 3);
  return action;
}

// The state from the columns desired, observed, conditions, updated_at
// starting at column 0, of vigy `id`.
template <typename Row>
core::Result<core::StateSnapshot> ReadState(const Row& row, std::string_view where,
                                            std::string_view id) {
  std::string what = fmt::format("store '{}': state of vigy {}", where, id);
  core::Result<nlohmann::json> desired = ParseJsonColumn(row.Text(0), what);
  if (!desired.ok()) return desired.status();
  core::Result<nlohmann::json> observed = ParseJsonColumn(row.Text(1), what);
  if (!observed.ok()) return observed.status();
  core::Result<std::vector<core::Condition>> conditions = DecodeConditions(row.Text(2), what);
  if (!conditions.ok()) return conditions.status();
  core::StateSnapshot snapshot;
  snapshot.state.desired = std::move(desired).value();
  snapshot.state.observed = std::move(observed).value();
  snapshot.state.conditions = std::move(conditions).value();
  snapshot.updated_at_ms = row.Int(3);
  return snapshot;
}

// The message of a kv value that is not JSON.
inline std::string KvWhat(std::string_view where, std::string_view id, std::string_view key) {
  return fmt::format("store '{}': kv value '{}' of vigy {}", where, key, id);
}

}  // namespace vigy::storage
