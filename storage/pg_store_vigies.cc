// PgStore: the vigies table and the runtime counters kept beside it.
#include <fmt/format.h>

#include "storage/pg_conn.h"
#include "storage/pg_store.h"
#include "storage/row_codec.h"
#include "storage/row_readers.h"
#include "storage/vigy_lookup.h"

namespace vigy::storage {

using core::Result;
using core::Status;
using core::Vigy;
using core::VigyRuntime;

namespace {

// The schedule as its four columns hold it (every_ms only for `every`, cron
// only for `cron`).
std::vector<PgParam> ScheduleParams(const core::Schedule& schedule) {
  return {std::string(core::ScheduleKindName(schedule.kind)),
          schedule.kind == core::ScheduleKind::kEvery ? std::optional<int64_t>(schedule.every_ms)
                                                      : std::nullopt,
          schedule.kind == core::ScheduleKind::kCron ? std::optional<std::string>(schedule.cron)
                                                     : std::nullopt,
          schedule.jitter_ms};
}

// The record's fields (all but its program) in the order of the INSERT and
// UPDATE below: $1 id, $2 name, $3 revision, $4-$7 schedule, $8 enabled ...
// $14 updated_at.
std::vector<PgParam> VigyParams(const Vigy& vigy) {
  std::vector<PgParam> params = {vigy.id, vigy.name, vigy.revision};
  for (PgParam& param : ScheduleParams(vigy.schedule)) params.push_back(std::move(param));
  params.insert(params.end(),
                {vigy.enabled ? 1 : 0, EncodeLabels(vigy.labels), vigy.timeout_ms, vigy.max_steps,
                 vigy.handler, vigy.created_at_ms, vigy.updated_at_ms});
  return params;
}

}  // namespace

Status PgStore::InsertVigyRows(const Vigy& vigy) {
  Result<PgRows> taken =
      conn_->Run("SELECT name FROM vigies WHERE name = $1 OR id = $2", vigy.name, vigy.id);
  if (!taken.ok()) return taken.status();
  if (!taken->empty()) {
    std::string other = (*taken)[0].Text(0);
    if (other == vigy.name) {
      return Status::Conflict(fmt::format("vigy '{}' already exists", vigy.name));
    }
    return Status::Conflict(fmt::format("vigy '{}' would have the same id ({}) as vigy '{}'",
                                        vigy.name, vigy.id, other));
  }
  if (Status s =
          conn_
              ->Query("INSERT INTO vigies (id, name, revision, schedule_kind, every_ms, cron, "
                      "jitter_ms, enabled, labels, timeout_ms, max_steps, handler, created_at, "
                      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                      "$13, $14)",
                      VigyParams(vigy))
              .status();
      !s.ok())
    return s;
  if (Status s = conn_
                     ->Run("INSERT INTO programs (vigy_id, program) VALUES ($1, $2)", vigy.id,
                           vigy.program)
                     .status();
      !s.ok())
    return s;
  if (Status s = conn_->Run("INSERT INTO runtime (vigy_id) VALUES ($1)", vigy.id).status(); !s.ok())
    return s;
  return BumpChangeStamp();
}

Status PgStore::InsertVigy(const Vigy& vigy) {
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  if (Status s = InsertVigyRows(vigy); !s.ok()) return s;
  return tx->Commit();
}

Status PgStore::ReplaceVigy(const Vigy& vigy) {
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  if (Status s = conn_->Run("DELETE FROM vigies WHERE name = $1", vigy.name).status(); !s.ok())
    return s;
  if (Status s = InsertVigyRows(vigy); !s.ok()) return s;
  return tx->Commit();
}

Status PgStore::UpdateVigy(const Vigy& vigy) {
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  // The vigy row first (as a removal would take it), then its runtime row.
  std::vector<PgParam> schedule = ScheduleParams(vigy.schedule);
  schedule.insert(schedule.begin(), vigy.id);
  Result<PgRows> current = conn_->Query(
      "SELECT schedule_kind IS DISTINCT FROM $2 OR every_ms IS DISTINCT FROM $3::bigint OR "
      "cron IS DISTINCT FROM $4 OR jitter_ms IS DISTINCT FROM $5::bigint "
      "FROM vigies WHERE id = $1 FOR UPDATE",
      schedule);
  if (!current.ok()) return current.status();
  if (current->empty()) return Status::NotFound(fmt::format("no such vigy '{}'", vigy.name));
  const bool rescheduled = (*current)[0].Text(0) == "t";
  // The fields an update rewrites: VigyParams without name ($2) and
  // created_at ($13), so $1 id, $2 revision, $3-$6 schedule ... $12 updated_at.
  std::vector<PgParam> fields = VigyParams(vigy);
  fields.erase(fields.begin() + 12);
  fields.erase(fields.begin() + 1);
  if (Status s =
          conn_
              ->Query("UPDATE vigies SET revision = $2, schedule_kind = $3, every_ms = $4, "
                      "cron = $5, jitter_ms = $6, enabled = $7, labels = $8, timeout_ms = $9, "
                      "max_steps = $10, handler = $11, updated_at = $12 WHERE id = $1",
                      fields)
              .status();
      !s.ok())
    return s;
  // A new schedule drops the planned next tick, so serve plans it afresh.
  if (rescheduled) {
    if (Status s = conn_->Run("UPDATE runtime SET next_due_at = NULL WHERE vigy_id = $1", vigy.id)
                       .status();
        !s.ok())
      return s;
  }
  if (Status s = conn_
                     ->Run("UPDATE programs SET program = $2 WHERE vigy_id = $1 AND "
                           "program IS DISTINCT FROM $2",
                           vigy.id, vigy.program)
                     .status();
      !s.ok())
    return s;
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  return tx->Commit();
}

Status PgStore::DeleteVigy(std::string_view id) {
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  Result<PgRows> removed = conn_->Run("DELETE FROM vigies WHERE id = $1", id);
  if (!removed.ok()) return removed.status();
  if (removed->affected() == 0) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  return tx->Commit();
}

Status PgStore::SetEnabled(std::string_view id, bool enabled, int64_t now_ms) {
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  Result<PgRows> updated = conn_->Run(
      "UPDATE vigies SET enabled = $2, updated_at = $3 WHERE id = $1", id, enabled ? 1 : 0, now_ms);
  if (!updated.ok()) return updated.status();
  if (updated->affected() == 0) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  return tx->Commit();
}

Result<std::vector<Vigy>> PgStore::ReadVigies(const PgRows& rows) {
  std::vector<Vigy> vigies;
  vigies.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    Result<Vigy> vigy = ReadVigy(rows[i], path());
    if (!vigy.ok()) return vigy.status();
    vigies.push_back(std::move(vigy).value());
  }
  return vigies;
}

Result<Vigy> PgStore::GetVigy(std::string_view id) {
  static const std::string sql = SelectVigyWhere("v.id = $1");
  Result<PgRows> rows = conn_->Run(sql, id);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  return ReadVigy((*rows)[0], path());
}

Result<Vigy> PgStore::FindVigy(std::string_view ref) {
  static const std::string by_name_sql = SelectVigyWhere("v.name = $1");
  Result<PgRows> by_name = conn_->Run(by_name_sql, ref);
  if (!by_name.ok()) return by_name.status();
  if (!by_name->empty()) return ReadVigy((*by_name)[0], path());
  Result<std::string> prefix = IdPrefixOf(ref);
  if (!prefix.ok()) return prefix.status();
  static const std::string by_id_sql =
      SelectVigyWhere("v.id >= $1 AND v.id < $2 ORDER BY v.id LIMIT $3");
  Result<PgRows> by_id = conn_->Run(by_id_sql, *prefix, IdPrefixEnd(*prefix), kIdPrefixQueryLimit);
  if (!by_id.ok()) return by_id.status();
  Result<std::vector<Vigy>> found = ReadVigies(*by_id);
  if (!found.ok()) return found.status();
  return PickIdPrefixMatch(ref, std::move(found).value());
}

Result<VigyRuntime> PgStore::GetRuntime(std::string_view id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM runtime r WHERE r.vigy_id = $1", kRuntimeColumns);
  Result<PgRows> rows = conn_->Run(sql, id);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  return ReadRuntime((*rows)[0], 0);
}

Result<std::vector<core::VigyListing>> PgStore::ListVigies(bool with_programs) {
  static const std::string with = ListVigiesSql(true);
  static const std::string without = ListVigiesSql(false);
  Result<PgRows> rows = conn_->Run(with_programs ? with : without);
  if (!rows.ok()) return rows.status();
  std::vector<core::VigyListing> listings;
  listings.reserve(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    PgRow row = (*rows)[i];
    Result<Vigy> vigy = ReadVigy(row, path());
    if (!vigy.ok()) return vigy.status();
    listings.push_back(
        core::VigyListing{std::move(vigy).value(), ReadRuntime(row, kVigyColumnCount),
                          ReadRunSummary(row, kVigyColumnCount + kRuntimeColumnCount)});
  }
  return listings;
}

Status PgStore::SetNextDue(std::string_view id, std::optional<int64_t> next_due_ms) {
  Result<PgRows> updated =
      conn_->Run("UPDATE runtime SET next_due_at = $2 WHERE vigy_id = $1", id, next_due_ms);
  if (!updated.ok()) return updated.status();
  if (updated->affected() == 0) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  return Status::Ok();
}

}  // namespace vigy::storage
