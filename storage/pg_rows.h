// Writes of vigies' rows that a commit of ticks and `vigy import` share, in
// the PostgreSQL store: a RowBatch collects the rows of any number of vigies
// and writes them all in one statement, inside the caller's transaction, so
// a batch of a hundred ticks costs one round trip, as one tick does.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"
#include "core/status.h"
#include "core/vigy.h"
#include "storage/pg_conn.h"

namespace vigy::storage::pg_rows {

class RowBatch {
 public:
  // The run, numbered `seq`, and its actions in their order.
  void InsertRun(const core::RunRecord& run, std::string_view vigy_id, int64_t seq);
  // Sets one kv key, or (`value` null) removes it. One write per key of a
  // vigy in a batch.
  void WriteKv(std::string_view vigy_id, std::string_view key, const nlohmann::json* value);
  // Sets the vigy's state, declared at `updated_at_ms`.
  void UpsertState(std::string_view vigy_id, const core::VigyState& state, int64_t updated_at_ms);
  // Stores the counters and the latest run's result, end and id, and lets
  // go of the lease.
  void WriteRuntime(std::string_view vigy_id, const core::VigyRuntime& runtime,
                    const std::optional<std::string>& last_result,
                    std::optional<int64_t> last_run_at_ms,
                    const std::optional<std::string>& last_run_id);
  // Removes the vigy's runs numbered `up_to_tick` and below (with their
  // actions).
  void PruneRuns(std::string_view vigy_id, int64_t up_to_tick);
  // Records `seq` as the number of the latest run committed, and announces
  // runs to every PgChangeFeed of kRuns once the caller commits.
  void AdvanceRunSeq(int64_t seq) { run_seq_ = seq; }

  // Writes everything collected, in one statement. Refused whole when any
  // row is (the caller's transaction is then aborted).
  core::Status Write(PgConn& conn) const;

 private:
  // runs: id, vigy_id, vigy_name, revision, tick, scheduled_at, started_at,
  // ended_at, duration_ms, result, error, log, events, metrics, trace, seq
  std::array<PgArray, 16> runs_;
  // actions: run_id, seq, vigy_id, kind, payload, result, message, at
  std::array<PgArray, 8> actions_;
  std::array<PgArray, 3> kv_set_;      // vigy_id, key, value
  std::array<PgArray, 2> kv_removed_;  // vigy_id, key
  std::array<PgArray, 5> states_;      // vigy_id, desired, observed, conditions, updated_at
  // runtime: vigy_id, tick_count, last_tick_at, consecutive_failures,
  // backoff_until, next_due_at, last_result, last_run_at, last_run_id
  std::array<PgArray, 9> runtimes_;
  std::array<PgArray, 2> pruned_;  // vigy_id, up to tick
  std::optional<int64_t> run_seq_;
};

}  // namespace vigy::storage::pg_rows
