#include "storage/pg_serve_lock.h"

#include <fmt/format.h>

#include <thread>

#include "storage/pg_conn.h"

namespace vigy::storage {

using core::Result;
using core::Status;

namespace {

// The lock's two keys: "vigy", and the store's schema, so stores in two
// schemas of one database have locks of their own.
constexpr std::string_view kTryLock =
    "SELECT pg_try_advisory_lock(1986619257, hashtext(current_schema()))";

Result<bool> TryLock(PgConn& conn) {
  Result<PgRows> taken = conn.Run(kTryLock);
  if (!taken.ok()) return taken.status();
  return !taken->empty() && (*taken)[0].Text(0) == "t";
}

}  // namespace

Result<std::unique_ptr<PgServeLock>> PgServeLock::Acquire(const std::string& location,
                                                          std::chrono::milliseconds patience) {
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(location);
  if (!conn.ok()) return conn.status();
  const auto give_up = std::chrono::steady_clock::now() + patience;
  for (;;) {
    Result<bool> taken = TryLock(**conn);
    if (!taken.ok()) return taken.status();
    if (*taken) break;
    if (std::chrono::steady_clock::now() >= give_up) {
      return Status::Conflict(
          fmt::format("store '{}' is already being served by another process", (*conn)->where()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::unique_ptr<PgServeLock>(new PgServeLock(std::move(conn).value()));
}

PgServeLock::PgServeLock(std::unique_ptr<PgConn> conn) : conn_(std::move(conn)) {}

PgServeLock::~PgServeLock() = default;

bool PgServeLock::StoreReplaced() const {
  // Still held while the session lives; a query tells whether it does.
  if (conn_->Run("SELECT 1").ok()) return false;
  // The query failed: the next one reconnects, and relocks if it can.
  Result<bool> taken = TryLock(*conn_);
  return taken.ok() && !*taken;
}

}  // namespace vigy::storage
