#include "storage/store_path.h"

#include <cstdlib>

namespace vigy::storage {

using core::Result;
using core::Status;

std::optional<std::string> ProcessEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<std::string> ResolveStorePath(const std::optional<std::string>& db_flag,
                                     const EnvLookup& env) {
  if (db_flag) {
    if (db_flag->empty()) return Status::InvalidArgument("--db needs a path, got an empty one");
    return *db_flag;
  }
  auto get = [&env](const char* name) -> std::optional<std::string> {
    std::optional<std::string> value = env(name);
    if (value && value->empty()) return std::nullopt;
    return value;
  };
  if (std::optional<std::string> path = env("VIGY_DB")) {
    if (path->empty()) {
      return Status::InvalidArgument(
          "VIGY_DB is set but empty: set it to the store's path, or unset it for the default");
    }
    return *path;
  }
  if (std::optional<std::string> data = get("XDG_DATA_HOME"); data && data->front() == '/') {
    while (data->size() > 1 && data->back() == '/') data->pop_back();
    return *data + "/vigy/vigy.db";
  }
  if (std::optional<std::string> home = get("HOME")) return *home + "/.local/share/vigy/vigy.db";
  return Status::InvalidArgument(
      "cannot tell where the store is: pass --db PATH or set VIGY_DB (HOME is not set)");
}

}  // namespace vigy::storage
