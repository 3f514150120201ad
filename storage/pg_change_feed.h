// Announcements of a PostgreSQL store's changes by LISTEN/NOTIFY. Every
// transaction that moves the change stamp notifies kVigiesChannel, and every
// one that commits runs notifies kRunsChannel, each with the store's schema
// as the payload (stores in other schemas of the database share the
// channels); PostgreSQL delivers a notification once its transaction
// commits, and one per channel and payload per transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/store.h"
#include "storage/pg_conn.h"

namespace vigy::storage {

inline constexpr std::string_view kVigiesChannel = "vigy_vigies";
inline constexpr std::string_view kRunsChannel = "vigy_runs";

class PgChangeFeed final : public core::ChangeFeed {
 public:
  // Listens on a new connection to `location` for `topic`.
  static core::Result<std::unique_ptr<core::ChangeFeed>> Open(std::string_view location,
                                                              core::ChangeTopic topic);

  core::Result<bool> Wait(int64_t timeout_ms) override;

 private:
  PgChangeFeed(std::unique_ptr<PgConn> conn, std::string_view channel)
      : conn_(std::move(conn)), channel_(channel) {}
  // LISTENs on this connection, and learns the schema announcements name.
  core::Status Listen();

  std::unique_ptr<PgConn> conn_;
  std::string channel_;
  std::string schema_;
  int64_t listened_generation_ = -1;  // the connection's when it last listened
};

}  // namespace vigy::storage
