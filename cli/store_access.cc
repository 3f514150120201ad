#include "cli/store_access.h"

#include <optional>
#include <set>

#include "storage/store_path.h"

namespace vigy::cli {

core::Result<std::unique_ptr<storage::SqliteStore>> OpenStore(const GlobalOptions& global,
                                                              storage::OpenMode mode) {
  core::Result<std::string> path = storage::ResolveStorePath(global.db);
  if (!path.ok()) return path.status();
  return storage::SqliteStore::Open(*path, mode);
}

core::Result<std::vector<core::Vigy>> ResolveVigies(storage::SqliteStore& store,
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
