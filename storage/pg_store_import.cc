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
#include "storage/pg_rows.h"
#include "storage/pg_store.h"

namespace vigy::storage {

using core::Result;
using core::Status;
using core::VigyImport;

namespace {

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
  if (Status s = CheckRunIdsFree(*conn_, record); !s.ok()) return s;
  // The rest in one write: the counters as exported, no lease held, and the
  // latest of the runs given as the vigy's latest run; state; kv; the runs.
  pg_rows::RowBatch batch;
  const core::RunRecord* latest = record.latest_run();
  const core::VigyRuntime& rt = record.runtime;
  batch.WriteRuntime(
      vigy.id, rt, rt.last_result,
      rt.last_run_at_ms >= 0 ? std::optional<int64_t>(rt.last_run_at_ms) : std::nullopt,
      latest ? std::optional<std::string>(latest->id) : std::nullopt);
  if (record.state) batch.UpsertState(vigy.id, record.state->state, record.state->updated_at_ms);
  for (const auto& [key, value] : record.kv) batch.WriteKv(vigy.id, key, &value);
  int64_t seq = *last_seq;
  for (const core::RunRecord& run : record.runs) batch.InsertRun(run, vigy.id, ++seq);
  if (seq != *last_seq) batch.AdvanceRunSeq(seq);
  if (Status s = batch.Write(*conn_); !s.ok()) return s;
  return tx->Commit();
}

}  // namespace vigy::storage
