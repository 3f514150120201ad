#include "cli/store_access.h"

#include <optional>
#include <set>

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

core::Result<std::vector<core::Vigy>> ResolveVigies(core::Store& store,
                                                    const std::vector<std::string>& refs) {
  std::vector<core::Vigy> vigies;
  std::set<std::string> seen;
  for (const std::string& ref : refs) {
    core::Result<core::Vigy> vigy = store.FindVigy(ref);
    if (!vigy.ok()) return vigy.status();
    if (!seen.insert(vigy->id).second) continue;
    vigies.push_back(std::move(vigy).value());
  }
  return vigies;
}

}  // namespace vigy::cli
