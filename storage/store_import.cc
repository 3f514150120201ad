// SqliteStore: `vigy import`, everything of one vigy in one write
// transaction: its record and program, counters, state, kv, and its runs
// with their actions, numbered after every run committed so far.
#include <fmt/format.h>

#include "storage/row_codec.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"

namespace vigy::storage {

using core::Result;
using core::Status;
using core::VigyImport;

namespace {

// The counters as exported, no lease held, and the latest of the runs given
// as the vigy's latest run.
Status WriteImportedRuntime(Db& db, const VigyImport& record) {
  const core::VigyRuntime& rt = record.runtime;
  const core::RunRecord* latest = record.latest_run();
  return db.Execute(
      "UPDATE runtime SET tick_count = ?2, last_tick_at = ?3, consecutive_failures = ?4, "
      "backoff_until = ?5, next_due_at = ?6, last_result = ?7, last_run_at = ?8, "
      "last_run_id = ?9, lease_owner = NULL, lease_until = NULL WHERE vigy_id = ?1",
      record.vigy.id, rt.tick_count,
      rt.last_tick_ms >= 0 ? std::optional<int64_t>(rt.last_tick_ms) : std::nullopt,
      rt.consecutive_failures, rt.backoff_until_ms, rt.next_due_ms, rt.last_result,
      rt.last_run_at_ms >= 0 ? std::optional<int64_t>(rt.last_run_at_ms) : std::nullopt,
      latest ? std::optional<std::string>(latest->id) : std::nullopt);
}

Status WriteImportedState(Db& db, const VigyImport& record) {
  if (!record.state) return Status::Ok();
  const core::StateSnapshot& snapshot = *record.state;
  return db.Execute(
      "INSERT INTO state (vigy_id, desired, observed, conditions, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)",
      record.vigy.id, DumpJson(snapshot.state.desired), DumpJson(snapshot.state.observed),
      EncodeConditions(snapshot.state.conditions), snapshot.updated_at_ms);
}

Status WriteImportedKv(Db& db, const VigyImport& record) {
  for (const auto& [key, value] : record.kv) {
    if (Status s = db.Execute("INSERT INTO kv (vigy_id, key, value) VALUES (?1, ?2, ?3)",
                              record.vigy.id, key, DumpJson(value));
        !s.ok())
      return s;
  }
  return Status::Ok();
}

// The run numbered `seq`, and its actions in the order given; kConflict when
// its id is taken by a run already in the store.
Status WriteImportedRun(Db& db, const core::RunRecord& run, const std::string& vigy_id,
                        int64_t seq) {
  {
    Result<Statement> taken = db.Query("SELECT vigy_name FROM runs WHERE id = ?1", run.id);
    if (!taken.ok()) return taken.status();
    Result<bool> row = taken->Step();
    if (!row.ok()) return row.status();
    if (*row) {
      return Status::Conflict(
          fmt::format("run {} of vigy '{}' is already in the store (a run of "
                      "vigy '{}')",
                      run.id, run.vigy_name, taken->Text(0)));
    }
  }
  if (Status s = db.Execute(
          "INSERT INTO runs (id, vigy_id, vigy_name, revision, tick, scheduled_at, started_at, "
          "ended_at, duration_ms, result, error, log, events, metrics, trace, seq) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
          run.id, vigy_id, run.vigy_name, run.revision, run.tick, run.scheduled_at_ms,
          run.started_at_ms, run.ended_at_ms, run.duration_ms, run.result,
          run.ok() ? std::nullopt : run.error, EncodeLog(run.log), EncodeEvents(run.events),
          EncodeObject(run.metrics), EncodeObject(run.trace), seq);
      !s.ok())
    return s;
  for (size_t index = 0; index < run.actions.size(); ++index) {
    const core::ActionRecord& action = run.actions[index];
    if (Status s = db.Execute(
            "INSERT INTO actions (run_id, seq, vigy_id, kind, payload, result, message, at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            run.id, static_cast<int64_t>(index), vigy_id, action.kind,
            action.payload ? std::optional<std::string>(DumpJson(*action.payload)) : std::nullopt,
            action.result, action.message, run.started_at_ms);
        !s.ok())
      return s;
  }
  return Status::Ok();
}

}  // namespace

Status SqliteStore::ImportVigy(const VigyImport& record, bool replace) {
  const core::Vigy& vigy = record.vigy;
  for (const core::RunRecord& run : record.runs) {
    if (run.vigy_id != vigy.id) {
      return Status::InvalidArgument(
          fmt::format("run {} belongs to vigy {}, not {}", run.id, run.vigy_id, vigy.id));
    }
  }
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  Result<int64_t> last_seq = db_->QueryInt("SELECT value FROM meta WHERE key = 'run_seq'");
  if (!last_seq.ok()) return last_seq.status();
  if (replace) {
    if (Status s = db_->Execute("DELETE FROM vigies WHERE name = ?1", vigy.name); !s.ok()) return s;
  }
  // The record, its program and fresh counters; the change stamp moves.
  if (Status s = InsertVigyRows(vigy); !s.ok()) return s;
  if (Status s = WriteImportedRuntime(*db_, record); !s.ok()) return s;
  if (Status s = WriteImportedState(*db_, record); !s.ok()) return s;
  if (Status s = WriteImportedKv(*db_, record); !s.ok()) return s;
  int64_t seq = *last_seq;
  for (const core::RunRecord& run : record.runs) {
    if (Status s = WriteImportedRun(*db_, run, vigy.id, ++seq); !s.ok()) return s;
  }
  if (seq != *last_seq) {
    if (Status s = db_->Execute("UPDATE meta SET value = ?1 WHERE key = 'run_seq'", seq); !s.ok())
      return s;
  }
  return tx->Commit();
}

}  // namespace vigy::storage
