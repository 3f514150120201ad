// The PostgreSQL store's schema and its migrations: the tables of SCHEMA.md,
// in the connection's current schema (the first of its search_path), with
// PostgreSQL's types. The version lives in the meta row 'schema_version'
// and only moves forward; migrations run on open, all pending ones in one
// transaction, serialized across processes by an advisory lock.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "storage/pg_conn.h"

namespace vigy::storage {

// The PostgreSQL schema version this binary writes and understands.
inline constexpr int64_t kPgSchemaVersion = 1;

// What the connection's current schema holds.
enum class PgStoreContent {
  kEmpty,      // no tables at all: a store nobody has created yet
  kVigyStore,  // a vigy store this binary can use
};

// Reads (never writes) the current schema's identity: kEmpty or kVigyStore;
// kStoreUnusable when it holds tables that are not a vigy store, when the
// store was written by a newer vigy, or when no schema is selected.
core::Result<PgStoreContent> CheckPgStoreIdentity(PgConn& conn);

// Creates the tables of an empty schema or applies the migrations an older
// store lacks, in one transaction; a no-op for an up-to-date store.
core::Status MigratePg(PgConn& conn);

}  // namespace vigy::storage
