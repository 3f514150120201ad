#include "storage/pg_rows.h"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "storage/pg_change_feed.h"
#include "storage/row_codec.h"

namespace vigy::storage::pg_rows {

using core::Status;

void RowBatch::InsertRun(const core::RunRecord& run, std::string_view vigy_id, int64_t seq) {
  auto& c = runs_;
  c[0].Add(run.id);
  c[1].Add(vigy_id);
  c[2].Add(run.vigy_name);
  c[3].Add(run.revision);
  c[4].Add(run.tick);
  c[5].Add(run.scheduled_at_ms);
  c[6].Add(run.started_at_ms);
  c[7].Add(run.ended_at_ms);
  c[8].Add(run.duration_ms);
  c[9].Add(run.result);
  c[10].Add(run.ok() ? std::nullopt : std::optional<std::string>(run.error));
  c[11].Add(EncodeLog(run.log));
  c[12].Add(EncodeEvents(run.events));
  c[13].Add(EncodeObject(run.metrics));
  c[14].Add(EncodeObject(run.trace));
  c[15].Add(seq);
  for (size_t index = 0; index < run.actions.size(); ++index) {
    const core::ActionRecord& action = run.actions[index];
    auto& a = actions_;
    a[0].Add(run.id);
    a[1].Add(static_cast<int64_t>(index));
    a[2].Add(vigy_id);
    a[3].Add(action.kind);
    a[4].Add(action.payload ? std::optional<std::string>(DumpJson(*action.payload)) : std::nullopt);
    a[5].Add(action.result);
    a[6].Add(action.message);
    a[7].Add(run.started_at_ms);
  }
}

void RowBatch::WriteKv(std::string_view vigy_id, std::string_view key,
                       const nlohmann::json* value) {
  if (value == nullptr) {
    kv_removed_[0].Add(vigy_id);
    kv_removed_[1].Add(key);
    return;
  }
  kv_set_[0].Add(vigy_id);
  kv_set_[1].Add(key);
  kv_set_[2].Add(DumpJson(*value));
}

void RowBatch::UpsertState(std::string_view vigy_id, const core::VigyState& state,
                           int64_t updated_at_ms) {
  states_[0].Add(vigy_id);
  states_[1].Add(DumpJson(state.desired));
  states_[2].Add(DumpJson(state.observed));
  states_[3].Add(EncodeConditions(state.conditions));
  states_[4].Add(updated_at_ms);
}

void RowBatch::WriteRuntime(std::string_view vigy_id, const core::VigyRuntime& rt,
                            const std::optional<std::string>& last_result,
                            std::optional<int64_t> last_run_at_ms,
                            const std::optional<std::string>& last_run_id) {
  auto& c = runtimes_;
  c[0].Add(vigy_id);
  c[1].Add(rt.tick_count);
  c[2].Add(rt.last_tick_ms >= 0 ? std::optional<int64_t>(rt.last_tick_ms) : std::nullopt);
  c[3].Add(rt.consecutive_failures);
  c[4].Add(rt.backoff_until_ms);
  c[5].Add(rt.next_due_ms);
  c[6].Add(last_result);
  c[7].Add(last_run_at_ms);
  c[8].Add(last_run_id);
}

void RowBatch::PruneRuns(std::string_view vigy_id, int64_t up_to_tick) {
  pruned_[0].Add(vigy_id);
  pruned_[1].Add(up_to_tick);
}

Status RowBatch::Write(PgConn& conn) const {
  // Each part reads its rows from arrays (zero rows from an empty one). The
  // parts cannot see each other's rows, and need not: they touch different
  // rows (the runs pruned are older than the runs inserted), and the
  // actions' references to their runs are checked when the statement ends.
  static const std::string kWrite = fmt::format(
      "WITH new_runs AS (INSERT INTO runs (id, vigy_id, vigy_name, revision, tick, scheduled_at, "
      "started_at, ended_at, duration_ms, result, error, log, events, metrics, trace, seq) "
      "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], "
      "$6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[], $11::text[], "
      "$12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[])), "
      "new_actions AS (INSERT INTO actions (run_id, seq, vigy_id, kind, payload, result, message, "
      "at) SELECT * FROM unnest($17::text[], $18::bigint[], $19::text[], $20::text[], "
      "$21::text[], $22::text[], $23::text[], $24::bigint[])), "
      "set_kv AS (INSERT INTO kv (vigy_id, key, value) "
      "SELECT * FROM unnest($25::text[], $26::text[], $27::text[]) "
      "ON CONFLICT (vigy_id, key) DO UPDATE SET value = excluded.value), "
      "removed_kv AS (DELETE FROM kv k USING unnest($28::text[], $29::text[]) AS d(vigy_id, key) "
      "WHERE k.vigy_id = d.vigy_id AND k.key = d.key), "
      "set_state AS (INSERT INTO state (vigy_id, desired, observed, conditions, updated_at) "
      "SELECT * FROM unnest($30::text[], $31::text[], $32::text[], $33::text[], $34::bigint[]) "
      "ON CONFLICT (vigy_id) DO UPDATE SET desired = excluded.desired, "
      "observed = excluded.observed, conditions = excluded.conditions, "
      "updated_at = excluded.updated_at), "
      "set_runtime AS (UPDATE runtime r SET tick_count = u.tick_count, "
      "last_tick_at = u.last_tick_at, consecutive_failures = u.consecutive_failures, "
      "backoff_until = u.backoff_until, next_due_at = u.next_due_at, "
      "last_result = u.last_result, last_run_at = u.last_run_at, last_run_id = u.last_run_id, "
      "lease_owner = NULL, lease_until = NULL "
      "FROM unnest($35::text[], $36::bigint[], $37::bigint[], $38::bigint[], $39::bigint[], "
      "$40::bigint[], $41::text[], $42::bigint[], $43::text[]) AS u(vigy_id, tick_count, "
      "last_tick_at, consecutive_failures, backoff_until, next_due_at, last_result, last_run_at, "
      "last_run_id) WHERE r.vigy_id = u.vigy_id), "
      "pruned AS (DELETE FROM runs r USING unnest($44::text[], $45::bigint[]) AS p(vigy_id, upto) "
      "WHERE r.vigy_id = p.vigy_id AND r.tick <= p.upto), "
      "moved_seq AS (UPDATE meta SET value = $46::bigint WHERE key = 'run_seq' "
      "AND $46::bigint IS NOT NULL RETURNING 1) "
      "SELECT pg_notify('{}', current_schema()) FROM moved_seq",
      kRunsChannel);
  std::vector<PgParam> params;
  params.reserve(46);
  auto add = [&params](const auto& columns) {
    for (const PgArray& column : columns) params.emplace_back(column.literal());
  };
  add(runs_);
  add(actions_);
  add(kv_set_);
  add(kv_removed_);
  add(states_);
  add(runtimes_);
  add(pruned_);
  params.emplace_back(run_seq_);
  return conn.Query(kWrite, params).status();
}

}  // namespace vigy::storage::pg_rows
