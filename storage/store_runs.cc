// SqliteStore: run history and its actions, and the feed of runs in commit
// order that watch follows.
#include <fmt/format.h>

#include <unordered_map>

#include "storage/row_codec.h"
#include "storage/row_readers.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"

namespace vigy::storage {

using core::Result;
using core::RunRecord;
using core::Status;
using nlohmann::json;

Result<std::vector<RunRecord>> SqliteStore::ReadRuns(std::string_view sql,
                                                     const std::function<void(Statement&)>& bind) {
  Result<Statement> stmt = db_->Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  bind(*stmt);
  std::vector<RunRecord> runs;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Result<RunRecord> run = ReadRun(*stmt, path_);
    if (!run.ok()) return run.status();
    runs.push_back(std::move(run).value());
  }
  return runs;
}

Status SqliteStore::AttachActions(std::vector<RunRecord>& runs) {
  if (runs.empty()) return Status::Ok();
  std::unordered_map<std::string, RunRecord*> by_id;
  json ids = json::array();
  for (RunRecord& run : runs) {
    by_id[run.id] = &run;
    ids.push_back(run.id);
  }
  // One statement for any number of runs: the ids go in as one JSON array.
  Result<Statement> stmt = db_->Query(
      "SELECT run_id, kind, payload, result, message FROM actions "
      "WHERE run_id IN (SELECT value FROM json_each(?1)) ORDER BY run_id, seq",
      DumpJson(ids));
  if (!stmt.ok()) return stmt.status();
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto it = by_id.find(stmt->Text(0));
    if (it == by_id.end()) continue;
    Result<core::ActionRecord> action = ReadAction(*stmt, 1, path_, it->first);
    if (!action.ok()) return action.status();
    it->second->actions.push_back(std::move(action).value());
  }
  return Status::Ok();
}

Result<std::vector<RunRecord>> SqliteStore::ListRuns(const RunQuery& query) {
  static const std::string of_vigy = fmt::format(
      "SELECT {} FROM runs WHERE vigy_id = ?1 AND (?2 = 0 OR result = 'failed') "
      "AND (?3 IS NULL OR started_at >= ?3) ORDER BY tick DESC, id DESC LIMIT ?4",
      kRunColumns);
  static const std::string of_all = fmt::format(
      "SELECT {} FROM runs WHERE (?2 = 0 OR result = 'failed') "
      "AND (?3 IS NULL OR started_at >= ?3) ORDER BY id DESC LIMIT ?4",
      kRunColumns);
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  Result<std::vector<RunRecord>> runs =
      ReadRuns(query.vigy_id ? of_vigy : of_all, [&query](Statement& stmt) {
        if (query.vigy_id) stmt.BindText(1, *query.vigy_id);
        stmt.BindInt(2, query.failed_only ? 1 : 0)
            .BindOptInt(3, query.since_ms)
            .BindInt(4, query.limit > 0 ? query.limit : -1);
      });
  if (!runs.ok()) return runs.status();
  if (Status s = AttachActions(*runs); !s.ok()) return s;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return runs;
}

Result<RunRecord> SqliteStore::GetRun(std::string_view run_id) {
  static const std::string sql = fmt::format("SELECT {} FROM runs WHERE id = ?1", kRunColumns);
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  Result<std::vector<RunRecord>> runs =
      ReadRuns(sql, [run_id](Statement& stmt) { stmt.BindText(1, run_id); });
  if (!runs.ok()) return runs.status();
  if (runs->empty()) return Status::NotFound(fmt::format("no such run '{}'", run_id));
  if (Status s = AttachActions(*runs); !s.ok()) return s;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return std::move(runs->front());
}

Result<int64_t> SqliteStore::PruneRuns(int64_t keep, const std::optional<std::string>& vigy_id) {
  if (keep < 0) {
    return Status::InvalidArgument(fmt::format("cannot keep {} runs (use 0 or more)", keep));
  }
  // Actions go with their runs (ON DELETE CASCADE).
  static const std::string of_vigy =
      "DELETE FROM runs WHERE vigy_id = ?1 AND id IN (SELECT id FROM runs WHERE vigy_id = ?1 "
      "ORDER BY tick DESC, id DESC LIMIT -1 OFFSET ?2)";
  static const std::string of_all =
      "DELETE FROM runs WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER "
      "(PARTITION BY vigy_id ORDER BY tick DESC, id DESC) AS newer FROM runs) WHERE newer > ?2)";
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  Result<Statement> remove = db_->Prepare(vigy_id ? of_vigy : of_all);
  if (!remove.ok()) return remove.status();
  if (vigy_id) remove->BindText(1, *vigy_id);
  remove->BindInt(2, keep);
  if (Status s = remove->Run(); !s.ok()) return s;
  int64_t removed = db_->Changes();
  if (Status s = tx->Commit(); !s.ok()) return s;
  return removed;
}

Result<int64_t> SqliteStore::LatestRunSeq() {
  // The last number handed out: runs committed later are numbered above it,
  // even if the run that had it is gone.
  return db_->QueryInt("SELECT value FROM meta WHERE key = 'run_seq'");
}

Result<std::vector<RunRecord>> SqliteStore::ListRunsCommittedAfter(
    int64_t after_seq, const std::vector<std::string>& vigy_ids, bool failed_only, int64_t limit) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM runs WHERE seq > ?1 "
      "AND (?2 IS NULL OR vigy_id IN (SELECT value FROM json_each(?2))) "
      "AND (?3 = 0 OR result = 'failed') ORDER BY seq LIMIT ?4",
      kRunColumns);
  std::optional<std::string> ids;
  if (!vigy_ids.empty()) ids = DumpJson(json(vigy_ids));
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  Result<std::vector<RunRecord>> runs = ReadRuns(sql, [&](Statement& stmt) {
    stmt.BindInt(1, after_seq)
        .BindOptText(2, ids)
        .BindInt(3, failed_only ? 1 : 0)
        .BindInt(4, limit > 0 ? limit : -1);
  });
  if (!runs.ok()) return runs.status();
  if (Status s = AttachActions(*runs); !s.ok()) return s;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return runs;
}

Result<int64_t> SqliteStore::DataVersion() { return db_->QueryInt("PRAGMA data_version"); }

}  // namespace vigy::storage
