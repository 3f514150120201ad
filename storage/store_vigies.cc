// SqliteStore: the vigies table and the runtime counters kept beside it.
#include <fmt/format.h>

#include <algorithm>

#include "storage/row_codec.h"
#include "storage/row_readers.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"
#include "storage/vigy_lookup.h"

namespace vigy::storage {

using core::Result;
using core::Status;
using core::Vigy;
using core::VigyRuntime;

namespace {

// Binds the schedule as its four columns hold it (every_ms only for
// `every`, cron only for `cron`) to parameters first .. first + 3.
void BindSchedule(Statement& stmt, int first, const core::Schedule& schedule) {
  stmt.BindText(first, core::ScheduleKindName(schedule.kind))
      .BindOptInt(first + 1, schedule.kind == core::ScheduleKind::kEvery
                                 ? std::optional<int64_t>(schedule.every_ms)
                                 : std::nullopt)
      .BindOptText(first + 2, schedule.kind == core::ScheduleKind::kCron
                                  ? std::optional<std::string>(schedule.cron)
                                  : std::nullopt)
      .BindInt(first + 3, schedule.jitter_ms);
}

// Binds the record's fields (all but its program, which WriteProgram
// writes) in the order of the INSERT and UPDATE below: ?1 id, ?2 name,
// ?3 revision, ?4-?7 schedule, ?8 enabled ... ?14 updated_at.
void BindVigy(Statement& stmt, const Vigy& vigy) {
  stmt.BindText(1, vigy.id).BindText(2, vigy.name).BindText(3, vigy.revision);
  BindSchedule(stmt, 4, vigy.schedule);
  stmt.BindInt(8, vigy.enabled ? 1 : 0)
      .BindText(9, EncodeLabels(vigy.labels))
      .BindOptInt(10, vigy.timeout_ms)
      .BindOptInt(11, vigy.max_steps)
      .BindOptText(12, vigy.handler)
      .BindInt(13, vigy.created_at_ms)
      .BindInt(14, vigy.updated_at_ms);
}

}  // namespace

Status SqliteStore::InsertVigyRows(const Vigy& vigy) {
  if (missing_) {
    // Whatever went in would vanish with the in-memory stand-in.
    return Status::StoreUnusable(
        fmt::format("store '{}' does not exist and was opened without creating it", path_));
  }
  Result<Statement> taken =
      db_->Query("SELECT name FROM vigies WHERE name = ?1 OR id = ?2", vigy.name, vigy.id);
  if (!taken.ok()) return taken.status();
  Result<bool> row = taken->Step();
  if (!row.ok()) return row.status();
  if (*row) {
    std::string other = taken->Text(0);
    if (other == vigy.name) {
      return Status::Conflict(fmt::format("vigy '{}' already exists", vigy.name));
    }
    return Status::Conflict(fmt::format("vigy '{}' would have the same id ({}) as vigy '{}'",
                                        vigy.name, vigy.id, other));
  }

  Result<Statement> insert = db_->Prepare(
      "INSERT INTO vigies (id, name, revision, schedule_kind, every_ms, cron, "
      "jitter_ms, enabled, labels, timeout_ms, max_steps, handler, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  if (!insert.ok()) return insert.status();
  BindVigy(*insert, vigy);
  if (Status s = insert->Run(); !s.ok()) return s;
  if (Status s = WriteProgram(vigy); !s.ok()) return s;

  if (Status s = db_->Execute("INSERT INTO runtime (vigy_id) VALUES (?1)", vigy.id); !s.ok())
    return s;
  return BumpChangeStamp();
}

Status SqliteStore::WriteProgram(const Vigy& vigy) {
  return db_->Execute(
      "INSERT INTO programs (vigy_id, program) VALUES (?1, ?2) "
      "ON CONFLICT (vigy_id) DO UPDATE SET program = excluded.program "
      "WHERE program IS NOT excluded.program",
      vigy.id, vigy.program);
}

Status SqliteStore::InsertVigy(const Vigy& vigy) {
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  if (Status s = InsertVigyRows(vigy); !s.ok()) return s;
  return tx->Commit();
}

Status SqliteStore::ReplaceVigy(const Vigy& vigy) {
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  if (Status s = db_->Execute("DELETE FROM vigies WHERE name = ?1", vigy.name); !s.ok()) return s;
  if (Status s = InsertVigyRows(vigy); !s.ok()) return s;
  return tx->Commit();
}

Status SqliteStore::UpdateVigy(const Vigy& vigy) {
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  {
    // A new schedule drops the planned next tick, so serve plans it afresh.
    Result<Statement> replan = db_->Query(
        "UPDATE runtime SET next_due_at = NULL WHERE vigy_id = ?1 AND EXISTS (SELECT 1 FROM "
        "vigies WHERE id = ?1 AND (schedule_kind IS NOT ?2 OR every_ms IS NOT ?3 OR "
        "cron IS NOT ?4 OR jitter_ms IS NOT ?5))",
        vigy.id);
    if (!replan.ok()) return replan.status();
    BindSchedule(*replan, 2, vigy.schedule);
    if (Status s = replan->Run(); !s.ok()) return s;
  }
  Result<Statement> update = db_->Prepare(
      "UPDATE vigies SET revision = ?3, schedule_kind = ?4, every_ms = ?5, "
      "cron = ?6, jitter_ms = ?7, enabled = ?8, labels = ?9, timeout_ms = ?10, "
      "max_steps = ?11, handler = ?12, updated_at = ?14 WHERE id = ?1");
  if (!update.ok()) return update.status();
  BindVigy(*update, vigy);
  if (Status s = update->Run(); !s.ok()) return s;
  if (db_->Changes() == 0) return Status::NotFound(fmt::format("no such vigy '{}'", vigy.name));
  if (Status s = WriteProgram(vigy); !s.ok()) return s;
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  return tx->Commit();
}

Status SqliteStore::DeleteVigy(std::string_view id) {
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  if (Status s = db_->Execute("DELETE FROM vigies WHERE id = ?1", id); !s.ok()) return s;
  if (db_->Changes() == 0) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  return tx->Commit();
}

Status SqliteStore::SetEnabled(std::string_view id, bool enabled, int64_t now_ms) {
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  if (Status s = db_->Execute("UPDATE vigies SET enabled = ?2, updated_at = ?3 WHERE id = ?1", id,
                              enabled ? 1 : 0, now_ms);
      !s.ok())
    return s;
  if (db_->Changes() == 0) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  return tx->Commit();
}

Result<Vigy> SqliteStore::GetVigy(std::string_view id) {
  static const std::string sql = SelectVigyWhere("v.id = ?1");
  Result<Statement> stmt = db_->Query(sql, id);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  return ReadVigy(*stmt, path_);
}

Result<Vigy> SqliteStore::FindVigy(std::string_view ref) {
  {
    static const std::string sql = SelectVigyWhere("v.name = ?1");
    Result<Statement> by_name = db_->Query(sql, ref);
    if (!by_name.ok()) return by_name.status();
    Result<bool> row = by_name->Step();
    if (!row.ok()) return row.status();
    if (*row) return ReadVigy(*by_name, path_);
  }
  Result<std::string> prefix = IdPrefixOf(ref);
  if (!prefix.ok()) return prefix.status();
  static const std::string sql = SelectVigyWhere("v.id >= ?1 AND v.id < ?2 ORDER BY v.id LIMIT ?3");
  Result<Statement> by_id = db_->Query(sql, *prefix, IdPrefixEnd(*prefix), kIdPrefixQueryLimit);
  if (!by_id.ok()) return by_id.status();
  std::vector<Vigy> found;
  for (;;) {
    Result<bool> row = by_id->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Result<Vigy> vigy = ReadVigy(*by_id, path_);
    if (!vigy.ok()) return vigy.status();
    found.push_back(std::move(vigy).value());
  }
  return PickIdPrefixMatch(ref, std::move(found));
}

Result<VigyRuntime> SqliteStore::GetRuntime(std::string_view id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM runtime r WHERE r.vigy_id = ?1", kRuntimeColumns);
  Result<Statement> stmt = db_->Query(sql, id);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  return ReadRuntime(*stmt, 0);
}

Result<std::vector<VigyListing>> SqliteStore::ListVigies(bool with_programs) {
  static const std::string with = ListVigiesSql(true);
  static const std::string without = ListVigiesSql(false);
  Result<Statement> stmt = db_->Prepare(with_programs ? with : without);
  if (!stmt.ok()) return stmt.status();
  std::vector<VigyListing> listings;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Result<Vigy> vigy = ReadVigy(*stmt, path_);
    if (!vigy.ok()) return vigy.status();
    listings.push_back(VigyListing{std::move(vigy).value(), ReadRuntime(*stmt, kVigyColumnCount),
                                   ReadRunSummary(*stmt, kVigyColumnCount + kRuntimeColumnCount)});
  }
  return listings;
}

Status SqliteStore::SetNextDue(std::string_view id, std::optional<int64_t> next_due_ms) {
  if (Status s =
          db_->Execute("UPDATE runtime SET next_due_at = ?2 WHERE vigy_id = ?1", id, next_due_ms);
      !s.ok())
    return s;
  if (db_->Changes() == 0) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  return Status::Ok();
}

}  // namespace vigy::storage
