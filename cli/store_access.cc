#include "cli/store_access.h"

#include <optional>

#include "storage/sqlite_store.h"
#include "storage/store_path.h"

namespace vigy::cli {

namespace {

core::Result<std::unique_ptr<storage::SqliteStore>> OpenSqliteStore(const GlobalOptions& global,
                                                                    core::OpenMode mode) {
  core::Result<std::string> path = storage::ResolveStorePath(global.db);
  if (!path.ok()) return path.status();
  return storage::SqliteStore::Open(*path, mode);
}

}  // namespace

core::Result<std::unique_ptr<core::Store>> OpenStore(const GlobalOptions& global,
                                                     core::OpenMode mode) {
  core::Result<std::unique_ptr<storage::SqliteStore>> store = OpenSqliteStore(global, mode);
  if (!store.ok()) return store.status();
  return std::unique_ptr<core::Store>(std::move(store).value());
}

core::Result<std::unique_ptr<core::Store>> OpenStoreForServe(const GlobalOptions& global) {
  core::Result<std::unique_ptr<storage::SqliteStore>> store =
      OpenSqliteStore(global, core::OpenMode::kCreate);
  if (!store.ok()) return store.status();
  if (core::Status s = (*store)->CheckpointInBackground(); !s.ok()) return s;
  return std::unique_ptr<core::Store>(std::move(store).value());
}

}  // namespace vigy::cli
