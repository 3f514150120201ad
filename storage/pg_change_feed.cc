#include "storage/pg_change_feed.h"

#include <fmt/format.h>

#include "core/clock.h"

namespace vigy::storage {

using core::SteadyNowMs;

core::Result<std::unique_ptr<core::ChangeFeed>> PgChangeFeed::Open(std::string_view location,
                                                                   core::ChangeTopic topic) {
  core::Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(location);
  if (!conn.ok()) return conn.status();
  std::unique_ptr<PgChangeFeed> feed(
      new PgChangeFeed(std::move(conn).value(),
                       topic == core::ChangeTopic::kVigies ? kVigiesChannel : kRunsChannel));
  if (core::Status s = feed->Listen(); !s.ok()) return s;
  return std::unique_ptr<core::ChangeFeed>(std::move(feed));
}

core::Status PgChangeFeed::Listen() {
  // The channel is one of the two fixed names above: no quoting needed.
  if (core::Status s = conn_->Exec(fmt::format("LISTEN {}", channel_)); !s.ok()) return s;
  core::Result<PgRows> schema = conn_->Run("SELECT current_schema()");
  if (!schema.ok()) return schema.status();
  schema_ = schema->empty() ? "" : (*schema)[0].Text(0);
  listened_generation_ = conn_->generation();
  return core::Status::Ok();
}

core::Result<bool> PgChangeFeed::Wait(int64_t timeout_ms) {
  const int64_t deadline = SteadyNowMs() + timeout_ms;
  for (;;) {
    core::Result<std::vector<PgConn::Notification>> heard =
        conn_->WaitForNotifications(std::max<int64_t>(0, deadline - SteadyNowMs()));
    if (!heard.ok()) return heard.status();
    if (conn_->generation() != listened_generation_) {
      // Reconnected: what was announced meanwhile is unknown.
      if (core::Status s = Listen(); !s.ok()) return s;
      return true;
    }
    for (const PgConn::Notification& notification : *heard) {
      if (notification.channel == channel_ && notification.payload == schema_) return true;
    }
    if (heard->empty() || SteadyNowMs() >= deadline) return false;
  }
}

}  // namespace vigy::storage
