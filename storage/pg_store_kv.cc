// PgStore: a vigy's kv and its latest state.
#include <fmt/format.h>

#include "storage/pg_conn.h"
#include "storage/pg_store.h"
#include "storage/row_codec.h"
#include "storage/row_readers.h"

namespace vigy::storage {

using core::Result;
using core::Status;
using nlohmann::json;

Result<std::optional<json>> PgStore::KvGet(std::string_view id, std::string_view key) {
  Result<PgRows> rows = conn_->Run("SELECT value FROM kv WHERE vigy_id = $1 AND key = $2", id, key);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<json>();
  Result<json> value = ParseJsonColumn((*rows)[0].Text(0), KvWhat(path(), id, key));
  if (!value.ok()) return value.status();
  return std::optional<json>(std::move(value).value());
}

Status PgStore::KvSet(std::string_view id, std::string_view key, const json& value) {
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  if (Status s = RequireVigy(id); !s.ok()) return s;
  if (Status s = conn_
                     ->Run("INSERT INTO kv (vigy_id, key, value) VALUES ($1, $2, $3) "
                           "ON CONFLICT (vigy_id, key) DO UPDATE SET value = excluded.value",
                           id, key, DumpJson(value))
                     .status();
      !s.ok())
    return s;
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  return tx->Commit();
}

Result<bool> PgStore::KvDelete(std::string_view id, std::string_view key) {
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  if (Status s = RequireVigy(id); !s.ok()) return s;
  Result<PgRows> removed = conn_->Run("DELETE FROM kv WHERE vigy_id = $1 AND key = $2", id, key);
  if (!removed.ok()) return removed.status();
  if (removed->affected() == 0) return false;  // nothing changed: the transaction rolls back
  if (Status s = BumpChangeStamp(); !s.ok()) return s;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return true;
}

Result<core::Kv> PgStore::KvList(std::string_view id) {
  Result<PgRows> rows = conn_->Run("SELECT key, value FROM kv WHERE vigy_id = $1", id);
  if (!rows.ok()) return rows.status();
  core::Kv kv;
  for (int i = 0; i < rows->size(); ++i) {
    std::string key = (*rows)[i].Text(0);
    Result<json> value = ParseJsonColumn((*rows)[i].Text(1), KvWhat(path(), id, key));
    if (!value.ok()) return value.status();
    kv.emplace(std::move(key), std::move(value).value());
  }
  return kv;
}

Result<std::optional<core::StateSnapshot>> PgStore::GetState(std::string_view id) {
  Result<PgRows> rows = conn_->Run(
      "SELECT desired, observed, conditions, updated_at FROM state WHERE vigy_id = $1", id);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<core::StateSnapshot>();
  Result<core::StateSnapshot> snapshot = ReadState((*rows)[0], path(), id);
  if (!snapshot.ok()) return snapshot.status();
  return std::optional<core::StateSnapshot>(std::move(snapshot).value());
}

}  // namespace vigy::storage
