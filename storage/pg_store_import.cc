// PgStore: `vigy import`, everything of one vigy in one transaction: its
// record and program, counters, state, kv, and its runs with their actions,
// numbered after every run committed so far.
//
// Like a commit of ticks, it takes the run sequence's meta row first and
// keeps it until it commits (so runs are numbered in commit order, as
// `vigy watch` needs), then the vigy's rows: the order every transaction
// locks rows in (pg_store_tick.cc).
#include <fmt/format.h>

#include "storage/pg_conn.h"
#include "storage/pg_store.h"
#include "storage/row_codec.h"

namespace vigy::storage {

using core::Result;
using core::Status;
using core::VigyImport;

namespace {

// The counters as exported, no lease held, and the latest of the runs given
// as the vigy's latest run.
Status WriteImportedRuntime(PgConn& conn, const VigyImport& record) {
  const core::VigyRuntime& rt = record.runtime;
  const core::RunRecord* latest = record.latest_run();
  return conn
      .Run(
          "UPDATE runtime SET tick_count = $2, last_tick_at = $3, consecutive_failures = $4, "
          "backoff_until = $5, next_due_at = $6, last_result = $7, last_run_at = $8, "
          "last_run_id = $9, lease_owner = NULL, lease_until = NULL WHERE vigy_id = $1",
          record.vigy.id, rt.tick_count,
          rt.last_tick_ms >= 0 ? std::optional<int64_t>(rt.last_tick_ms) : std::nullopt,
          rt.consecutive_failures, rt.backoff_until_ms, rt.next_due_ms, rt.last_result,
          rt.last_run_at_ms >= 0 ? std::optional<int64_t>(rt.last_run_at_ms) : std::nullopt,
          latest ? std::optional<std::string>(latest->id) : std::nullopt)
      .status();
}

Status WriteImportedState(PgConn& conn, const VigyImport& record) {
  if (!record.state) return Status::Ok();
  const core::StateSnapshot& snapshot = *record.state;
  return conn
      .Run(
          "INSERT INTO state (vigy_id, desired, observed, conditions, updated_at) "
          "VALUES ($1, $2, $3, $4, $5)",
          record.vigy.id, DumpJson(snapshot.state.desired), DumpJson(snapshot.state.observed),
          EncodeConditions(snapshot.state.conditions), snapshot.updated_at_ms)
      .status();
}

Status WriteImportedKv(PgConn& conn, const VigyImport& record) {
  for (const auto& [key, value] : record.kv) {
    if (Status s = conn.Run("INSERT INTO kv (vigy_id, key, value) VALUES ($1, $2, $3)",
                            record.vigy.id, key, DumpJson(value))
                       .status();
        !s.ok())
      return s;
  }
  return Status::Ok();
}

// kConflict when one of the runs' ids is taken by a run already in the store.
Status CheckRunIdsFree(PgConn& conn, const VigyImport& record) {
  if (record.runs.empty()) return Status::Ok();
  std::vector<std::string> ids;
  ids.reserve(record.runs.size());
  for (const core::RunRecord& run : record.runs) ids.push_back(run.id);
  Result<PgRows> taken =
      conn.Run("SELECT id, vigy_name FROM runs WHERE id = ANY($1::text[]) ORDER BY id LIMIT 1",
               PgTextArray(ids));
  if (!taken.ok()) return taken.status();
  if (taken->empty()) return Status::Ok();
  return Status::Conflict(
      fmt::format("run {} of vigy '{}' is already in the store (a run of vigy '{}')",
                  (*taken)[0].Text(0), record.vigy.name, (*taken)[0].Text(1)));
}

// The run numbered `seq`, and its actions in the order given.
Status WriteImportedRun(PgConn& conn, const core::RunRecord& run, const std::string& vigy_id,
                        int64_t seq) {
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

}  // namespace

Status PgStore::ImportVigy(const VigyImport& record, bool replace) {
  const core::Vigy& vigy = record.vigy;
  for (const core::RunRecord& run : record.runs) {
    if (run.vigy_id != vigy.id) {
      return Status::InvalidArgument(
          fmt::format("run {} belongs to vigy {}, not {}", run.id, run.vigy_id, vigy.id));
    }
  }
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  // The sequence's row stays locked until this commits, as in a commit of
  // ticks: the imported runs are numbered after every run committed before.
  Result<int64_t> last_seq =
      conn_->QueryInt("SELECT value FROM meta WHERE key = 'run_seq' FOR UPDATE");
  if (!last_seq.ok()) return last_seq.status();
  if (replace) {
    if (Status s = conn_->Run("DELETE FROM vigies WHERE name = $1", vigy.name).status(); !s.ok())
      return s;
  }
  // The record, its program and fresh counters; the change stamp moves.
  if (Status s = InsertVigyRows(vigy); !s.ok()) return s;
  if (Status s = WriteImportedRuntime(*conn_, record); !s.ok()) return s;
  if (Status s = WriteImportedState(*conn_, record); !s.ok()) return s;
  if (Status s = WriteImportedKv(*conn_, record); !s.ok()) return s;
  if (Status s = CheckRunIdsFree(*conn_, record); !s.ok()) return s;
  int64_t seq = *last_seq;
  for (const core::RunRecord& run : record.runs) {
    if (Status s = WriteImportedRun(*conn_, run, vigy.id, ++seq); !s.ok()) return s;
  }
  if (seq != *last_seq) {
    if (Status s = conn_->Run("UPDATE meta SET value = $1 WHERE key = 'run_seq'", seq).status();
        !s.ok())
      return s;
  }
  return tx->Commit();
}

}  // namespace vigy::storage
