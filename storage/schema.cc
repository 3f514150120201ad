#include "storage/schema.h"

#include <fmt/format.h>

#include <cassert>
#include <string>
#include <vector>

namespace vigy::storage {

using core::Result;
using core::Status;

namespace {

// Migration N takes the schema from version N-1 to N. Append only: a
// released migration never changes, since stores in the field have run it.
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> migrations = {
      // 1: the initial schema.
      R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('change_stamp', 0);

CREATE TABLE vigies (
  id            TEXT PRIMARY KEY NOT NULL,
  name          TEXT NOT NULL UNIQUE,
  program       TEXT NOT NULL,
  revision      TEXT NOT NULL,
  schedule_kind TEXT NOT NULL CHECK (schedule_kind IN ('none', 'every', 'cron')),
  every_ms      INTEGER,
  cron          TEXT,
  jitter_ms     INTEGER NOT NULL DEFAULT 0,
  enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  labels        TEXT NOT NULL DEFAULT '{}',
  timeout_ms    INTEGER,
  max_steps     INTEGER,
  handler       TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE runtime (
  vigy_id              TEXT PRIMARY KEY NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  tick_count           INTEGER NOT NULL DEFAULT 0,
  last_tick_at         INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  backoff_until        INTEGER NOT NULL DEFAULT 0,
  next_due_at          INTEGER,
  last_result          TEXT,
  last_run_at          INTEGER,
  last_run_id          TEXT,
  lease_owner          TEXT,
  lease_until          INTEGER
) WITHOUT ROWID;

CREATE TABLE runs (
  id           TEXT PRIMARY KEY NOT NULL,
  vigy_id      TEXT NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  vigy_name    TEXT NOT NULL,
  revision     TEXT NOT NULL,
  tick         INTEGER NOT NULL,
  scheduled_at INTEGER,
  started_at   INTEGER NOT NULL,
  ended_at     INTEGER NOT NULL,
  duration_ms  INTEGER NOT NULL,
  result       TEXT NOT NULL CHECK (result IN ('ok', 'failed', 'skipped')),
  error        TEXT,
  log          TEXT NOT NULL DEFAULT '[]',
  events       TEXT NOT NULL DEFAULT '[]',
  metrics      TEXT NOT NULL DEFAULT '{}',
  trace        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX runs_by_vigy_tick ON runs (vigy_id, tick);

CREATE TABLE actions (
  run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  vigy_id TEXT NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  kind    TEXT NOT NULL,
  payload TEXT,
  result  TEXT,
  message TEXT,
  at      INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX actions_by_vigy_kind_at ON actions (vigy_id, kind, at);

CREATE TABLE state (
  vigy_id    TEXT PRIMARY KEY NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  desired    TEXT NOT NULL DEFAULT '{}',
  observed   TEXT NOT NULL DEFAULT '{}',
  conditions TEXT NOT NULL DEFAULT '[]',
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE kv (
  vigy_id TEXT NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (vigy_id, key)
) WITHOUT ROWID;
)sql",
      // 2: the serve row, and a commit sequence number on runs. Existing runs
      // are numbered in rowid (insertion) order; meta run_seq holds the last
      // number handed out, so numbers are never reused.
      R"sql(
CREATE TABLE serve (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  lease_prefix TEXT NOT NULL,
  selector     TEXT NOT NULL,
  version      TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  stopped_at   INTEGER
);

ALTER TABLE runs ADD COLUMN seq INTEGER;
UPDATE runs SET seq = rowid;
CREATE UNIQUE INDEX runs_by_seq ON runs (seq);
INSERT INTO meta (key, value) VALUES ('run_seq', (SELECT coalesce(max(seq), 0) FROM runs));
)sql",
      // 3: programs in a table of their own. Listings, selectors, health and
      // /metrics read every vigy row but never its source, which is most of
      // a row's bytes (about a kilobyte each for a typical program): without
      // it the vigies table is a tenth of the pages to read. The table is
      // rebuilt rather than altered (ALTER TABLE DROP COLUMN leaves every
      // page as sparse as it was), with foreign keys off (see Migrate).
      R"sql(
CREATE TABLE programs (
  vigy_id TEXT PRIMARY KEY NOT NULL REFERENCES vigies (id) ON DELETE CASCADE,
  program TEXT NOT NULL
);
INSERT INTO programs (vigy_id, program) SELECT id, program FROM vigies;

CREATE TABLE vigies_v3 (
  id            TEXT PRIMARY KEY NOT NULL,
  name          TEXT NOT NULL UNIQUE,
  revision      TEXT NOT NULL,
  schedule_kind TEXT NOT NULL CHECK (schedule_kind IN ('none', 'every', 'cron')),
  every_ms      INTEGER,
  cron          TEXT,
  jitter_ms     INTEGER NOT NULL DEFAULT 0,
  enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  labels        TEXT NOT NULL DEFAULT '{}',
  timeout_ms    INTEGER,
  max_steps     INTEGER,
  handler       TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
INSERT INTO vigies_v3 (id, name, revision, schedule_kind, every_ms, cron, jitter_ms, enabled,
                       labels, timeout_ms, max_steps, handler, created_at, updated_at)
  SELECT id, name, revision, schedule_kind, every_ms, cron, jitter_ms, enabled,
         labels, timeout_ms, max_steps, handler, created_at, updated_at
  FROM vigies ORDER BY name;
DROP TABLE vigies;
ALTER TABLE vigies_v3 RENAME TO vigies;
)sql",
  };
  return migrations;
}

// Migrate, inside one write transaction, with foreign keys already off.
Status MigrateWithoutForeignKeys(Db& db) {
  Result<Transaction> tx = Transaction::Begin(db, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  // Another process may have migrated while this one waited for the lock.
  if (Status s = CheckStoreIdentity(db); !s.ok()) return s;
  Result<int64_t> version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version == kSchemaVersion) return tx->Commit();
  const std::vector<std::string>& migrations = Migrations();
  assert(migrations.size() == static_cast<size_t>(kSchemaVersion));
  static_assert(kSchemaVersion >= 1);
  for (int64_t next = *version + 1; next <= kSchemaVersion; ++next) {
    if (Status s = db.Exec(migrations[static_cast<size_t>(next - 1)]); !s.ok()) {
      return Status::StoreUnusable(fmt::format("migrating store '{}' to schema {} failed: {}",
                                               db.path(), next, s.message()));
    }
  }
  Result<int64_t> dangling = db.QueryInt("SELECT count(*) FROM pragma_foreign_key_check");
  if (!dangling.ok()) return dangling.status();
  if (*dangling != 0) {
    return Status::StoreUnusable(
        fmt::format("migrating store '{}' to schema {} failed: {} rows reference missing rows",
                    db.path(), kSchemaVersion, *dangling));
  }
  std::string stamp = fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {};",
                                  kApplicationId, kSchemaVersion);
  if (Status s = db.Exec(stamp); !s.ok()) return s;
  return tx->Commit();
}

}  // namespace

Status CheckStoreIdentity(Db& db) {
  // One statement, so the three are read from one snapshot even while
  // another process is creating the store.
  Result<Statement> identity = db.Prepare(
      "SELECT (SELECT user_version FROM pragma_user_version), "
      "(SELECT application_id FROM pragma_application_id), "
      "(SELECT count(*) FROM sqlite_master)");
  if (!identity.ok()) return identity.status();
  Result<bool> row = identity->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::StoreUnusable(fmt::format("store '{}' has no header", db.path()));
  const int64_t version = identity->Int(0);
  const int64_t application = identity->Int(1);
  const int64_t objects = identity->Int(2);
  bool ours = application == kApplicationId;
  bool empty = version == 0 && application == 0 && objects == 0;
  if (!ours && !empty) {
    return Status::StoreUnusable(fmt::format(
        "'{}' is an SQLite database but not a vigy store; refusing to touch it", db.path()));
  }
  if (version > kSchemaVersion) {
    return Status::StoreUnusable(
        fmt::format("store '{}' was written by a newer vigy (schema {}, this vigy knows {}); "
                    "upgrade vigy to use it",
                    db.path(), version, kSchemaVersion));
  }
  return Status::Ok();
}

Status Migrate(Db& db) {
  // Cheap check first, outside any write lock: most opens have nothing to do.
  Result<int64_t> seen = db.QueryInt("PRAGMA user_version");
  if (!seen.ok()) return seen.status();
  if (*seen == kSchemaVersion) return Status::Ok();

  // Foreign keys are off while migrating, as SQLite's procedure for changing
  // a table's definition requires (dropping a rebuilt table must not cascade
  // to the rows that reference it); they are checked before committing and
  // turned back on however this ends. The pragma is a no-op inside a
  // transaction, so it is set before the transaction begins.
  if (Status s = db.Exec("PRAGMA foreign_keys = OFF"); !s.ok()) return s;
  Status migrated = MigrateWithoutForeignKeys(db);
  Status restored = db.Exec("PRAGMA foreign_keys = ON");
  return migrated.ok() ? restored : migrated;
}

}  // namespace vigy::storage
