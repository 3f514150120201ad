#include "storage/store_open.h"

#include "storage/pg_conn.h"
#include "storage/pg_store.h"
#include "storage/serve_lock.h"
#include "storage/sqlite_store.h"

namespace vigy::storage {

core::Result<std::unique_ptr<core::Store>> OpenStore(const std::string& location,
                                                     core::OpenMode mode) {
  if (IsPostgresLocation(location)) return PgStore::Open(location, mode);
  core::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(location, mode);
  if (!store.ok()) return store.status();
  return std::unique_ptr<core::Store>(std::move(store).value());
}

core::Result<std::unique_ptr<core::ServeGuard>> LockStoreForServe(
    const std::string& location, std::chrono::milliseconds patience) {
  if (IsPostgresLocation(location)) return std::unique_ptr<core::ServeGuard>();
  core::Result<std::unique_ptr<ServeLock>> lock = ServeLock::Acquire(location, patience);
  if (!lock.ok()) return lock.status();
  return std::unique_ptr<core::ServeGuard>(std::move(lock).value());
}

}  // namespace vigy::storage
