#include "storage/pg_rows.h"

#include "storage/row_codec.h"

namespace vigy::storage::pg_rows {

using core::Status;

Status InsertRun(PgConn& conn, const core::RunRecord& run, std::string_view vigy_id, int64_t seq) {
  if (Status s =
          conn.Run("INSERT INTO runs (id, vigy_id, vigy_name, revision, tick, scheduled_at, "
                   "started_at, ended_at, duration_ms, result, error, log, events, metrics, trace, "
                   "seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                   "$15, $16)",
                   run.id, vigy_id, run.vigy_name, run.revision, run.tick, run.scheduled_at_ms,
                   run.started_at_ms, run.ended_at_ms, run.duration_ms, run.result,
                   run.ok() ? std::nullopt : run.error, EncodeLog(run.log),
                   EncodeEvents(run.events), EncodeObject(run.metrics), EncodeObject(run.trace),
                   seq)
              .status();
      !s.ok())
    return s;
  for (size_t index = 0; index < run.actions.size(); ++index) {
    const core::ActionRecord& action = run.actions[index];
    if (Status s =
            conn.Run("INSERT INTO actions (run_id, seq, vigy_id, kind, payload, result, message, "
                     "at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                     run.id, static_cast<int64_t>(index), vigy_id, action.kind,
                     action.payload ? std::optional<std::string>(DumpJson(*action.payload))
                                    : std::nullopt,
                     action.result, action.message, run.started_at_ms)
                .status();
        !s.ok())
      return s;
  }
  return Status::Ok();
}

Status UpsertState(PgConn& conn, std::string_view vigy_id, const core::VigyState& state,
                   int64_t updated_at_ms) {
  return conn
      .Run(
          "INSERT INTO state (vigy_id, desired, observed, conditions, updated_at) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (vigy_id) DO UPDATE SET "
          "desired = excluded.desired, observed = excluded.observed, "
          "conditions = excluded.conditions, updated_at = excluded.updated_at",
          vigy_id, DumpJson(state.desired), DumpJson(state.observed),
          EncodeConditions(state.conditions), updated_at_ms)
      .status();
}

Status UpsertKv(PgConn& conn, std::string_view vigy_id, std::string_view key,
                const nlohmann::json& value) {
  return conn
      .Run(
          "INSERT INTO kv (vigy_id, key, value) VALUES ($1, $2, $3) "
          "ON CONFLICT (vigy_id, key) DO UPDATE SET value = excluded.value",
          vigy_id, key, DumpJson(value))
      .status();
}

Status WriteRuntime(PgConn& conn, std::string_view vigy_id, const core::VigyRuntime& rt,
                    const std::optional<std::string>& last_result,
                    std::optional<int64_t> last_run_at_ms,
                    const std::optional<std::string>& last_run_id) {
  return conn
      .Run(
          "UPDATE runtime SET tick_count = $2, last_tick_at = $3, consecutive_failures = $4, "
          "backoff_until = $5, next_due_at = $6, last_result = $7, last_run_at = $8, "
          "last_run_id = $9, lease_owner = NULL, lease_until = NULL WHERE vigy_id = $1",
          vigy_id, rt.tick_count,
          rt.last_tick_ms >= 0 ? std::optional<int64_t>(rt.last_tick_ms) : std::nullopt,
          rt.consecutive_failures, rt.backoff_until_ms, rt.next_due_ms, last_result, last_run_at_ms,
          last_run_id)
      .status();
}

}  // namespace vigy::storage::pg_rows
