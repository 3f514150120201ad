// The store's schema and its migrations. The version lives in PRAGMA
// user_version and only moves forward: each migration takes the schema from
// version N-1 to N, applied on open, all pending ones in one transaction.
// SCHEMA.md beside this file documents the result for operators.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "storage/sqlite_db.h"

namespace vigy::storage {

// The schema version this binary writes and understands.
inline constexpr int64_t kSchemaVersion = 3;

// PRAGMA application_id of every vigy store: the bytes "vigy".
inline constexpr int64_t kApplicationId = 0x76696779;

// Reads (never writes) the file's identity: ok for a vigy store of version
// <= kSchemaVersion or an empty database; kStoreUnusable for a store written
// by a newer vigy, or an SQLite database that belongs to something else.
core::Status CheckStoreIdentity(Db& db);

// Applies every migration the file lacks, in one write transaction, and sets
// user_version and application_id. A no-op for an up-to-date store.
core::Status Migrate(Db& db);

}  // namespace vigy::storage
