// The lock a running serve holds on a PostgreSQL store, so that a second
// serve on the same store is refused at once instead of ticking every vigy
// twice: a session-level advisory lock, held by a connection of its own.
// The server releases it when that session ends, however the serve ends
// (kill -9, a host gone: once the server notices the connection dropped).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"
#include "core/store.h"

namespace vigy::storage {

class PgConn;

class PgServeLock final : public core::ServeGuard {
 public:
  // Takes the lock on the store at `location`, trying again for up to
  // `patience` while another session holds it. kConflict "store 'X' is
  // already being served by another process" when it is still held then;
  // kStoreUnusable when the server cannot be reached.
  static core::Result<std::unique_ptr<PgServeLock>> Acquire(const std::string& location,
                                                            std::chrono::milliseconds patience);

  ~PgServeLock() override;
  PgServeLock(const PgServeLock&) = delete;
  PgServeLock& operator=(const PgServeLock&) = delete;

  // Whether the lock was lost: its connection broke and, connected again,
  // the lock could not be taken back (another serve holds it now). A broken
  // connection that reconnects and relocks is not a loss.
  bool StoreReplaced() const override;
  // Never: the server tells each write whether it may.
  bool StoreReadOnly() const override { return false; }

 private:
  explicit PgServeLock(std::unique_ptr<PgConn> conn);

  std::unique_ptr<PgConn> conn_;
};

}  // namespace vigy::storage
