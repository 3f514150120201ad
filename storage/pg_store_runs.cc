// PgStore: run history and its actions, and the feed of runs in commit
// order that watch follows.
#include <fmt/format.h>

#include <unordered_map>

#include "storage/pg_conn.h"
#include "storage/pg_store.h"
#include "storage/row_codec.h"
#include "storage/row_readers.h"

namespace vigy::storage {

using core::Result;
using core::RunRecord;
using core::Status;

Result<std::vector<RunRecord>> PgStore::ReadRuns(const PgRows& rows) {
  std::vector<RunRecord> runs;
  runs.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    Result<RunRecord> run = ReadRun(rows[i], path());
    if (!run.ok()) return run.status();
    runs.push_back(std::move(run).value());
  }
  return runs;
}

Result<std::vector<RunRecord>> PgStore::QueryRunsWithActions(std::string_view sql,
                                                             const std::vector<PgParam>& params) {
  // One snapshot for the runs and their actions.
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  if (Status s = conn_->Exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"); !s.ok()) return s;
  Result<PgRows> rows = conn_->Query(sql, params);
  if (!rows.ok()) return rows.status();
  Result<std::vector<RunRecord>> runs = ReadRuns(*rows);
  if (!runs.ok()) return runs.status();
  if (Status s = AttachActions(*runs); !s.ok()) return s;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return runs;
}

Status PgStore::AttachActions(std::vector<RunRecord>& runs) {
  if (runs.empty()) return Status::Ok();
  std::unordered_map<std::string, RunRecord*> by_id;
  std::vector<std::string> ids;
  for (RunRecord& run : runs) {
    by_id[run.id] = &run;
    ids.push_back(run.id);
  }
  Result<PgRows> rows = conn_->Run(
      "SELECT run_id, kind, payload, result, message FROM actions "
      "WHERE run_id = ANY($1::text[]) ORDER BY run_id, seq",
      PgTextArray(ids));
  if (!rows.ok()) return rows.status();
  for (int i = 0; i < rows->size(); ++i) {
    PgRow row = (*rows)[i];
    auto it = by_id.find(row.Text(0));
    if (it == by_id.end()) continue;
    Result<core::ActionRecord> action = ReadAction(row, 1, path(), it->first);
    if (!action.ok()) return action.status();
    it->second->actions.push_back(std::move(action).value());
  }
  return Status::Ok();
}

namespace {

// A LIMIT parameter: NULL (no limit) for `limit` <= 0.
std::optional<int64_t> LimitParam(int64_t limit) {
  return limit > 0 ? std::optional<int64_t>(limit) : std::nullopt;
}

}  // namespace

Result<std::vector<RunRecord>> PgStore::ListRuns(const core::RunQuery& query) {
  static const std::string of_vigy = fmt::format(
      "SELECT {} FROM runs WHERE vigy_id = $1 AND ($2::int = 0 OR result = 'failed') "
      "AND ($3::bigint IS NULL OR started_at >= $3) ORDER BY tick DESC, id DESC LIMIT $4",
      kRunColumns);
  static const std::string of_all = fmt::format(
      "SELECT {} FROM runs WHERE ($1::text IS NULL OR vigy_id = $1) "
      "AND ($2::int = 0 OR result = 'failed') "
      "AND ($3::bigint IS NULL OR started_at >= $3) ORDER BY id DESC LIMIT $4",
      kRunColumns);
  return QueryRunsWithActions(
      query.vigy_id ? of_vigy : of_all,
      {query.vigy_id, query.failed_only ? 1 : 0, query.since_ms, LimitParam(query.limit)});
}

Result<RunRecord> PgStore::GetRun(std::string_view run_id) {
  static const std::string sql = fmt::format("SELECT {} FROM runs WHERE id = $1", kRunColumns);
  Result<std::vector<RunRecord>> runs = QueryRunsWithActions(sql, {run_id});
  if (!runs.ok()) return runs.status();
  if (runs->empty()) return Status::NotFound(fmt::format("no such run '{}'", run_id));
  return std::move(runs->front());
}

Result<int64_t> PgStore::PruneRuns(int64_t keep, const std::optional<std::string>& vigy_id) {
  if (keep < 0) {
    return Status::InvalidArgument(fmt::format("cannot keep {} runs (use 0 or more)", keep));
  }
  // Actions go with their runs (ON DELETE CASCADE).
  static const std::string of_vigy =
      "DELETE FROM runs WHERE vigy_id = $1 AND id IN (SELECT id FROM runs WHERE vigy_id = $1 "
      "ORDER BY tick DESC, id DESC OFFSET $2)";
  static const std::string of_all =
      "DELETE FROM runs WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER "
      "(PARTITION BY vigy_id ORDER BY tick DESC, id DESC) AS newer FROM runs) AS ranked "
      "WHERE newer > $1)";
  Result<PgRows> removed = vigy_id ? conn_->Run(of_vigy, *vigy_id, keep) : conn_->Run(of_all, keep);
  if (!removed.ok()) return removed.status();
  return removed->affected();
}

Result<int64_t> PgStore::LatestRunSeq() {
  // The last number handed out: runs committed later are numbered above it,
  // even if the run that had it is gone.
  return conn_->QueryInt("SELECT value FROM meta WHERE key = 'run_seq'");
}

Result<std::vector<RunRecord>> PgStore::ListRunsCommittedAfter(
    int64_t after_seq, const std::vector<std::string>& vigy_ids, bool failed_only, int64_t limit) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM runs WHERE seq > $1 "
      "AND ($2::text[] IS NULL OR vigy_id = ANY($2::text[])) "
      "AND ($3::int = 0 OR result = 'failed') ORDER BY seq LIMIT $4",
      kRunColumns);
  std::optional<std::string> ids;
  if (!vigy_ids.empty()) ids = PgTextArray(vigy_ids);
  return QueryRunsWithActions(sql, {after_seq, ids, failed_only ? 1 : 0, LimitParam(limit)});
}

}  // namespace vigy::storage
