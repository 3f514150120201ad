#include "cli/store_access.h"

#include <optional>

#include "storage/pg_conn.h"
#include "storage/sqlite_store.h"
#include "storage/store_open.h"
#include "storage/store_path.h"

namespace vigy::cli {

core::Result<std::unique_ptr<core::Store>> OpenStore(const GlobalOptions& global,
                                                     core::OpenMode mode) {
  core::Result<std::string> location = storage::ResolveStorePath(global.db);
  if (!location.ok()) return location.status();
  return storage::OpenStore(*location, mode);
}

bool StoreIsRemote(const GlobalOptions& global) {
  core::Result<std::string> location = storage::ResolveStorePath(global.db);
  return location.ok() && storage::IsPostgresLocation(*location);
}

core::Result<std::unique_ptr<core::Store>> OpenStoreForServe(const GlobalOptions& global) {
  core::Result<std::string> location = storage::ResolveStorePath(global.db);
  if (!location.ok()) return location.status();
  if (storage::IsPostgresLocation(*location)) {
    return storage::OpenStore(*location, core::OpenMode::kCreate);
  }
  core::Result<std::unique_ptr<storage::SqliteStore>> store =
      storage::SqliteStore::Open(*location, core::OpenMode::kCreate);
  if (!store.ok()) return store.status();
  if (core::Status s = (*store)->CheckpointInBackground(); !s.ok()) return s;
  return std::unique_ptr<core::Store>(std::move(store).value());
}

}  // namespace vigy::cli
