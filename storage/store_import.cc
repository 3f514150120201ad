// SqliteStore: `vigy import`, everything of one vigy in one write
// transaction: its record and program, counters, state, kv, and its runs
// with their actions, numbered after every run committed so far.
#include <fmt/format.h>

#include "storage/sqlite_db.h"
#include "storage/sqlite_rows.h"
#include "storage/sqlite_store.h"

namespace vigy::storage {

using core::Result;
using core::Status;
using core::VigyImport;

namespace {

// kConflict when the run's id is taken by a run already in the store.
Status CheckRunIdFree(Db& db, const core::RunRecord& run) {
  Result<Statement> taken = db.Query("SELECT vigy_name FROM runs WHERE id = ?1", run.id);
  if (!taken.ok()) return taken.status();
  Result<bool> row = taken->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Ok();
  return Status::Conflict(
      fmt::format("run {} of vigy '{}' is already in the store (a run of "
                  "vigy '{}')",
                  run.id, run.vigy_name, taken->Text(0)));
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
  // The counters as exported, no lease held, and the latest of the runs
  // given as the vigy's latest run.
  const core::RunRecord* latest = record.latest_run();
  const core::VigyRuntime& rt = record.runtime;
  if (Status s = sqlite_rows::WriteRuntime(
          *db_, vigy.id, rt, rt.last_result,
          rt.last_run_at_ms >= 0 ? std::optional<int64_t>(rt.last_run_at_ms) : std::nullopt,
          latest ? std::optional<std::string>(latest->id) : std::nullopt);
      !s.ok())
    return s;
  if (record.state) {
    if (Status s = sqlite_rows::UpsertState(*db_, vigy.id, record.state->state,
                                            record.state->updated_at_ms);
        !s.ok())
      return s;
  }
  for (const auto& [key, value] : record.kv) {
    if (Status s = sqlite_rows::UpsertKv(*db_, vigy.id, key, value); !s.ok()) return s;
  }
  int64_t seq = *last_seq;
  for (const core::RunRecord& run : record.runs) {
    if (Status s = CheckRunIdFree(*db_, run); !s.ok()) return s;
    if (Status s = sqlite_rows::InsertRun(*db_, run, vigy.id, ++seq); !s.ok()) return s;
  }
  if (seq != *last_seq) {
    if (Status s = db_->Execute("UPDATE meta SET value = ?1 WHERE key = 'run_seq'", seq); !s.ok())
      return s;
  }
  return tx->Commit();
}

}  // namespace vigy::storage
