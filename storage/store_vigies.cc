// SqliteStore: the vigies table and the runtime counters kept beside it.
#include <fmt/format.h>

#include <algorithm>

#include "storage/row_codec.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"

namespace vigy::storage {

using core::Result;
using core::Status;
using core::Vigy;
using core::VigyRuntime;

namespace {

constexpr size_t kMinIdPrefix = 4;
constexpr size_t kIdLength = 16;
constexpr size_t kMaxCandidatesShown = 10;

// Columns 0-14 of a vigy row, then (in listings) 15-21 of its runtime and
// 22-28 of its latest run. The program (column 2) comes from `p`, the vigy's
// row in programs (see kVigiesWithPrograms), or is left empty.
std::string VigyColumns(bool with_program) {
  return fmt::format(
      "v.id, v.name, {}, v.revision, v.schedule_kind, v.every_ms, v.cron, v.jitter_ms, "
      "v.enabled, v.labels, v.timeout_ms, v.max_steps, v.handler, v.created_at, v.updated_at",
      with_program ? "p.program" : "''");
}
constexpr std::string_view kVigiesWithPrograms = "vigies v JOIN programs p ON p.vigy_id = v.id";
constexpr int kVigyColumnCount = 15;

constexpr std::string_view kRuntimeColumns =
    "r.tick_count, r.last_tick_at, r.consecutive_failures, r.backoff_until, r.next_due_at, "
    "r.last_result, r.last_run_at";
constexpr int kRuntimeColumnCount = 7;

constexpr std::string_view kRunSummaryColumns =
    "lr.id, lr.tick, lr.result, lr.error, lr.started_at, lr.ended_at, lr.duration_ms";

std::string SelectVigyWhere(std::string_view condition) {
  return fmt::format("SELECT {} FROM {} WHERE {}", VigyColumns(true), kVigiesWithPrograms,
                     condition);
}

Result<Vigy> ReadVigy(const Statement& row, const std::string& path) {
  Vigy vigy;
  vigy.id = row.Text(0);
  vigy.name = row.Text(1);
  vigy.program = row.Text(2);
  vigy.revision = row.Text(3);
  std::optional<core::ScheduleKind> kind = core::ParseScheduleKind(row.Text(4));
  if (!kind) {
    return Status::StoreUnusable(
        fmt::format("store '{}': vigy '{}' has an unknown schedule kind", path, vigy.name));
  }
  vigy.schedule.kind = *kind;
  vigy.schedule.every_ms = row.OptInt(5).value_or(0);
  vigy.schedule.cron = row.Text(6);
  vigy.schedule.jitter_ms = row.Int(7);
  vigy.enabled = row.Int(8) != 0;
  Result<core::Labels> labels =
      DecodeLabels(row.Text(9), fmt::format("store '{}': labels of vigy '{}'", path, vigy.name));
  if (!labels.ok()) return labels.status();
  vigy.labels = std::move(labels).value();
  vigy.timeout_ms = row.OptInt(10);
  vigy.max_steps = row.OptInt(11);
  vigy.handler = row.OptText(12);
  vigy.created_at_ms = row.Int(13);
  vigy.updated_at_ms = row.Int(14);
  return vigy;
}

VigyRuntime ReadRuntime(const Statement& row, int first) {
  VigyRuntime runtime;
  runtime.tick_count = row.OptInt(first).value_or(0);
  runtime.last_tick_ms = row.OptInt(first + 1).value_or(-1);
  runtime.consecutive_failures = row.OptInt(first + 2).value_or(0);
  runtime.backoff_until_ms = row.OptInt(first + 3).value_or(0);
  runtime.next_due_ms = row.OptInt(first + 4);
  runtime.last_result = row.OptText(first + 5);
  runtime.last_run_at_ms = row.OptInt(first + 6).value_or(-1);
  return runtime;
}

std::optional<RunSummary> ReadRunSummary(const Statement& row, int first) {
  if (row.IsNull(first)) return std::nullopt;
  RunSummary run;
  run.id = row.Text(first);
  run.tick = row.Int(first + 1);
  run.result = row.Text(first + 2);
  run.error = row.OptText(first + 3);
  run.started_at_ms = row.Int(first + 4);
  run.ended_at_ms = row.Int(first + 5);
  run.duration_ms = row.Int(first + 6);
  return run;
}

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

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
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
  std::string prefix = Lowercase(ref);
  if (prefix.empty() || prefix.size() > kIdLength || !IsLowerHex(prefix)) {
    return Status::NotFound(fmt::format("no such vigy '{}'", ref));
  }
  if (prefix.size() < kMinIdPrefix) {
    return Status::NotFound(fmt::format(
        "no such vigy '{}' (an id prefix needs at least {} characters)", ref, kMinIdPrefix));
  }
  // Every id starting with the prefix sorts between it and the prefix + 'g'.
  static const std::string sql = SelectVigyWhere("v.id >= ?1 AND v.id < ?2 ORDER BY v.id LIMIT ?3");
  Result<Statement> by_id = db_->Query(sql, prefix, prefix + "g", kMaxCandidatesShown + 1);
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
  if (found.empty()) return Status::NotFound(fmt::format("no such vigy '{}'", ref));
  if (found.size() == 1) return std::move(found.front());
  std::string candidates;
  for (size_t i = 0; i < found.size() && i < kMaxCandidatesShown; ++i) {
    if (i > 0) candidates += ", ";
    candidates += fmt::format("{} ({})", found[i].id, found[i].name);
  }
  if (found.size() > kMaxCandidatesShown) candidates += ", ...";
  return Status::InvalidArgument(
      fmt::format("vigy id prefix '{}' is ambiguous: it matches {}", ref, candidates));
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
  auto make_sql = [](bool program) {
    return fmt::format(
        "SELECT {}, {}, {} FROM {} LEFT JOIN runtime r ON r.vigy_id = v.id "
        "LEFT JOIN runs lr ON lr.id = r.last_run_id ORDER BY v.name",
        VigyColumns(program), kRuntimeColumns, kRunSummaryColumns,
        program ? kVigiesWithPrograms : "vigies v");
  };
  static const std::string with = make_sql(true);
  static const std::string without = make_sql(false);
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
