#include "cli/store_access.h"

#include <optional>

#include "storage/sqlite_store.h"
#include "storage/store_path.h"

namespace vigy::cli {

core::Result<std::unique_ptr<core::Store>> OpenStore(const GlobalOptions& global,
                                                     core::OpenMode mode) {
  core::Result<std::string> path = storage::ResolveStorePath(global.db);
  if (!path.ok()) return path.status();
  core::Result<std::unique_ptr<storage::SqliteStore>> store =
      storage::SqliteStore::Open(*path, mode);
  if (!store.ok()) return store.status();
  return std::unique_ptr<core::Store>(std::move(store).value());
}

}  // namespace vigy::cli
