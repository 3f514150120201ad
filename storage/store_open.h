// Which store a location names, and opening it: the one place that knows
// every store implementation.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"
#include "core/store.h"

namespace vigy::storage {

// Opens the store at `location`: the PostgreSQL store for a PostgreSQL
// location (IsPostgresLocation in pg_conn.h), else the SQLite file at that
// path. See SqliteStore::Open and PgStore::Open.
core::Result<std::unique_ptr<core::Store>> OpenStore(const std::string& location,
                                                     core::OpenMode mode);

// The lock a serve holds on the store at `location` while it runs, trying
// again for up to `patience` while another serve holds it; kConflict when
// one still does. For an SQLite file, ServeLock. A PostgreSQL store is
// shared by serves (Store::SharedByServes): no lock, and no guard (null).
core::Result<std::unique_ptr<core::ServeGuard>> LockStoreForServe(
    const std::string& location, std::chrono::milliseconds patience);

}  // namespace vigy::storage
