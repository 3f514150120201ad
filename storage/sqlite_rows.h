// Writes of a vigy's rows that a tick's commit and `vigy import` share, in
// the SQLite store, each inside the caller's write transaction.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"
#include "core/status.h"
#include "core/vigy.h"
#include "storage/sqlite_db.h"

namespace vigy::storage::sqlite_rows {

// The run, numbered `seq`, and its actions in their order.
core::Status InsertRun(Db& db, const core::RunRecord& run, std::string_view vigy_id, int64_t seq);
// Sets the vigy's state, declared at `updated_at_ms`.
core::Status UpsertState(Db& db, std::string_view vigy_id, const core::VigyState& state,
                         int64_t updated_at_ms);
// Sets one kv key.
core::Status UpsertKv(Db& db, std::string_view vigy_id, std::string_view key,
                      const nlohmann::json& value);
// Stores the counters and the latest run's result, end and id, and lets go
// of the lease.
core::Status WriteRuntime(Db& db, std::string_view vigy_id, const core::VigyRuntime& runtime,
                          const std::optional<std::string>& last_result,
                          std::optional<int64_t> last_run_at_ms,
                          const std::optional<std::string>& last_run_id);

}  // namespace vigy::storage::sqlite_rows
