// SqliteStore: a vigy's kv and its latest state.
#include <fmt/format.h>

#include "storage/row_codec.h"
#include "storage/row_readers.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"

namespace vigy::storage {

using core::Result;
using core::Status;
using nlohmann::json;

Result<std::optional<json>> SqliteStore::KvGet(std::string_view id, std::string_view key) {
  Result<Statement> stmt =
      db_->Query("SELECT value FROM kv WHERE vigy_id = ?1 AND key = ?2", id, key);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<json>();
  Result<json> value = ParseJsonColumn(stmt->Text(0), KvWhat(path_, id, key));
  if (!value.ok()) return value.status();
  return std::optional<json>(std::move(value).value());
}

Status SqliteStore::KvSet(std::string_view id, std::string_view key, const json& value) {
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  if (Status s = RequireVigy(id); !s.ok()) return s;
  if (Status s = db_->Execute("INSERT INTO kv (vigy_id, key, value) VALUES (?1, ?2, ?3) "
                              "ON CONFLICT (vigy_id, key) DO UPDATE SET value = excluded.value",
                              id, key, DumpJson(value));
      !s.ok())
    return s;
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  return tx->Commit();
}

Result<bool> SqliteStore::KvDelete(std::string_view id, std::string_view key) {
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  if (Status s = RequireVigy(id); !s.ok()) return s;
  if (Status s = db_->Execute("DELETE FROM kv WHERE vigy_id = ?1 AND key = ?2", id, key); !s.ok())
    return s;
  bool existed = db_->Changes() > 0;
  if (!existed) return false;  // nothing changed: the transaction rolls back
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return true;
}

Result<core::Kv> SqliteStore::KvList(std::string_view id) {
  Result<Statement> stmt = db_->Query("SELECT key, value FROM kv WHERE vigy_id = ?1", id);
  if (!stmt.ok()) return stmt.status();
  core::Kv kv;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::string key = stmt->Text(0);
    Result<json> value = ParseJsonColumn(stmt->Text(1), KvWhat(path_, id, key));
    if (!value.ok()) return value.status();
    kv.emplace(std::move(key), std::move(value).value());
  }
  return kv;
}

Result<std::optional<StateSnapshot>> SqliteStore::GetState(std::string_view id) {
  Result<Statement> stmt = db_->Query(
      "SELECT desired, observed, conditions, updated_at FROM state WHERE vigy_id = ?1", id);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<StateSnapshot>();
  Result<StateSnapshot> snapshot = ReadState(*stmt, path_, id);
  if (!snapshot.ok()) return snapshot.status();
  return std::optional<StateSnapshot>(std::move(snapshot).value());
}

}  // namespace vigy::storage
