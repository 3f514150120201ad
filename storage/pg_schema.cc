#include "storage/pg_schema.h"

#include <fmt/format.h>

#include <cassert>
#include <string>
#include <vector>

namespace vigy::storage {

using core::Result;
using core::Status;

namespace {

// The key of the advisory lock that serializes migrations: "vigy" "migr".
constexpr int64_t kMigrationLock = 0x766967796d696772;

// Migration N takes the schema from version N-1 to N. Append only. Text that
// is compared or ordered is collated "C" (byte order), as in SQLite, so
// listings and id prefixes behave alike whatever the database's locale.
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> migrations = {
      // 1: the schema of the SQLite store's version 3.
      R"sql(
CREATE TABLE meta (
  key   TEXT COLLATE "C" PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('schema_version', 0), ('change_stamp', 0), ('run_seq', 0);

CREATE TABLE vigies (
  id            TEXT COLLATE "C" PRIMARY KEY,
  name          TEXT COLLATE "C" NOT NULL UNIQUE,
  revision      TEXT NOT NULL,
  schedule_kind TEXT NOT NULL CHECK (schedule_kind IN ('none', 'every', 'cron')),
  every_ms      BIGINT,
  cron          TEXT,
  jitter_ms     BIGINT NOT NULL DEFAULT 0,
  enabled       SMALLINT NOT NULL CHECK (enabled IN (0, 1)),
  labels        TEXT NOT NULL DEFAULT '{}',
  timeout_ms    BIGINT,
  max_steps     BIGINT,
  handler       TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);

CREATE TABLE programs (
  vigy_id TEXT COLLATE "C" PRIMARY KEY REFERENCES vigies (id) ON DELETE CASCADE,
  program TEXT NOT NULL
);

CREATE TABLE runtime (
  vigy_id              TEXT COLLATE "C" PRIMARY KEY REFERENCES vigies (id) ON DELETE CASCADE,
  tick_count           BIGINT NOT NULL DEFAULT 0,
  last_tick_at         BIGINT,
  consecutive_failures BIGINT NOT NULL DEFAULT 0,
  backoff_until        BIGINT NOT NULL DEFAULT 0,
  next_due_at          BIGINT,
  last_result          TEXT,
  last_run_at          BIGINT,
  last_run_id          TEXT COLLATE "C",
  lease_owner          TEXT COLLATE "C",
  lease_until          BIGINT
);

CREATE TABLE runs (
  id           TEXT COLLATE "C" PRIMARY KEY,
  vigy_id      TEXT COLLATE "C" NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  vigy_name    TEXT NOT NULL,
  revision     TEXT NOT NULL,
  tick         BIGINT NOT NULL,
  scheduled_at BIGINT,
  started_at   BIGINT NOT NULL,
  ended_at     BIGINT NOT NULL,
  duration_ms  BIGINT NOT NULL,
  result       TEXT NOT NULL CHECK (result IN ('ok', 'failed', 'skipped')),
  error        TEXT,
  log          TEXT NOT NULL DEFAULT '[]',
  events       TEXT NOT NULL DEFAULT '[]',
  metrics      TEXT NOT NULL DEFAULT '{}',
  trace        TEXT NOT NULL DEFAULT '{}',
  seq          BIGINT NOT NULL UNIQUE
);
CREATE INDEX runs_by_vigy_tick ON runs (vigy_id, tick);

CREATE TABLE actions (
  run_id  TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq     BIGINT NOT NULL,
  vigy_id TEXT COLLATE "C" NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  kind    TEXT NOT NULL,
  payload TEXT,
  result  TEXT,
  message TEXT,
  at      BIGINT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX actions_by_vigy_kind_at ON actions (vigy_id, kind, at);

CREATE TABLE state (
  vigy_id    TEXT COLLATE "C" PRIMARY KEY REFERENCES vigies (id) ON DELETE CASCADE,
  desired    TEXT NOT NULL DEFAULT '{}',
  observed   TEXT NOT NULL DEFAULT '{}',
  conditions TEXT NOT NULL DEFAULT '[]',
  updated_at BIGINT NOT NULL
);

CREATE TABLE kv (
  vigy_id TEXT COLLATE "C" NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  key     TEXT COLLATE "C" NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (vigy_id, key)
);

CREATE TABLE serve (
  host         TEXT NOT NULL,
  pid          BIGINT NOT NULL,
  lease_prefix TEXT NOT NULL,
  selector     TEXT NOT NULL,
  version      TEXT NOT NULL,
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  stopped_at   BIGINT,
  PRIMARY KEY (host, pid)
);
)sql",
  };
  return migrations;
}

// The version the store's meta row says, or 0 for an empty schema.
Result<int64_t> StoredVersion(PgConn& conn) {
  Result<PgStoreContent> content = CheckPgStoreIdentity(conn);
  if (!content.ok()) return content.status();
  if (*content == PgStoreContent::kEmpty) return int64_t{0};
  return conn.QueryInt("SELECT value FROM meta WHERE key = 'schema_version'");
}

}  // namespace

Result<PgStoreContent> CheckPgStoreIdentity(PgConn& conn) {
  // One statement: the schema, how many relations it holds, and whether
  // one of them is a meta table with a schema version.
  Result<PgRows> identity = conn.Query(
      "SELECT current_schema(), "
      "(SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
      "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
      "AND c.relkind IN ('r', 'p', 'v', 'm', 'f')), "
      "(SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND table_name = 'meta' AND column_name IN ('key', 'value'))");
  if (!identity.ok()) return identity.status();
  PgRow row = (*identity)[0];
  if (row.IsNull(0)) {
    return Status::StoreUnusable(fmt::format(
        "store '{}' has no schema to use: the search_path names none that exists", conn.where()));
  }
  const std::string schema = row.Text(0);
  if (row.Int(1) == 0) return PgStoreContent::kEmpty;
  std::optional<int64_t> version;
  if (row.Int(2) == 2) {
    Result<PgRows> stored = conn.Query("SELECT value FROM meta WHERE key = 'schema_version'");
    if (!stored.ok()) return stored.status();
    if (!stored->empty()) version = (*stored)[0].OptInt(0);
  }
  if (!version) {
    return Status::StoreUnusable(fmt::format(
        "store '{}': schema '{}' holds tables that are not a vigy store; refusing to touch it",
        conn.where(), schema));
  }
  if (*version > kPgSchemaVersion) {
    return Status::StoreUnusable(
        fmt::format("store '{}' was written by a newer vigy (schema {}, this vigy knows {}); "
                    "upgrade vigy to use it",
                    conn.where(), *version, kPgSchemaVersion));
  }
  return PgStoreContent::kVigyStore;
}

Status MigratePg(PgConn& conn) {
  // Cheap check first, outside any lock: most opens have nothing to do.
  Result<int64_t> seen = StoredVersion(conn);
  if (!seen.ok()) return seen.status();
  if (*seen == kPgSchemaVersion) return Status::Ok();

  Result<PgTransaction> tx = PgTransaction::Begin(conn);
  if (!tx.ok()) return tx.status();
  if (Status s = conn.Run("SELECT pg_advisory_xact_lock($1)", kMigrationLock).status(); !s.ok())
    return s;
  // Another process may have migrated while this one waited for the lock.
  Result<int64_t> version = StoredVersion(conn);
  if (!version.ok()) return version.status();
  if (*version == kPgSchemaVersion) return tx->Commit();
  const std::vector<std::string>& migrations = Migrations();
  assert(migrations.size() == static_cast<size_t>(kPgSchemaVersion));
  for (int64_t next = *version + 1; next <= kPgSchemaVersion; ++next) {
    if (Status s = conn.Exec(migrations[static_cast<size_t>(next - 1)]); !s.ok()) {
      return Status::StoreUnusable(fmt::format("migrating store '{}' to schema {} failed: {}",
                                               conn.where(), next, s.message()));
    }
  }
  if (Status s =
          conn.Run("UPDATE meta SET value = $1 WHERE key = 'schema_version'", kPgSchemaVersion)
              .status();
      !s.ok())
    return s;
  return tx->Commit();
}

}  // namespace vigy::storage
