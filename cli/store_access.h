// How the store commands reach the store: the file the global options name,
// opened in the mode the command needs. (VIGY arguments are resolved by the
// operations, core/ops_vigies.h.)
#pragma once

#include <memory>
#include <string>

#include "cli/command.h"
#include "core/status.h"
#include "core/store.h"

namespace vigy::cli {

// Opens the store named by --db, else $VIGY_DB, else the XDG default: an
// SQLite file, or a PostgreSQL database for a postgresql:// location.
// kInvalidArgument when no path can be found; the store's own errors
// otherwise (kStoreUnusable, kConflict).
core::Result<std::unique_ptr<core::Store>> OpenStore(const GlobalOptions& global,
                                                     core::OpenMode mode);

// OpenStore(global, kCreate) for serve's scheduler. For an SQLite file,
// what its connection commits is copied into the database on a thread of
// its own, so that its commits, on the thread that keeps time, seldom wait
// for that (storage/wal_checkpointer.h).
core::Result<std::unique_ptr<core::Store>> OpenStoreForServe(const GlobalOptions& global);

// Whether --db (or $VIGY_DB) names a PostgreSQL store rather than a file.
bool StoreIsRemote(const GlobalOptions& global);

}  // namespace vigy::cli
