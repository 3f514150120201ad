// The state of one tick while its program runs: who is ticking and when, the
// kv as the program sees it (with its writes kept apart so a failed tick can
// drop them), and everything the program records — actions, state,
// conditions, log, events, metrics, trace, a requested requeue. The vigy
// intrinsics write into it; the tick turns it into a run and a commit.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace vigy::core {

// Program kv writes in key order: a value for a set, nullopt for a delete.
using KvWrites = std::map<std::string, std::optional<nlohmann::json>, std::less<>>;

// ---- reserved kv keys ----
//
// Keys starting with "__" belong to the runtime; programs may read them but
// not write them. The runtime counters are written after every tick, failed or
// not. The once/converged/rate-limit markers are written by their intrinsics
// as part of the tick's kv writes, so like every program write they are kept
// only if the tick succeeds (a failed tick's `vigy-once` fires again).

inline constexpr std::string_view kReservedPrefix = "__";
inline constexpr std::string_view kTickCountKey = "__tick_count";   // ticks attempted so far
inline constexpr std::string_view kLastTickKey = "__last_tick_ms";  // start of the latest tick
inline constexpr std::string_view kFailuresKey = "__failures";      // consecutive failed ticks

bool IsReservedKey(std::string_view key);
std::string OnceKey(std::string_view key);       // "__once/<key>"
std::string ConvergedKey(std::string_view key);  // "__converged/<key>"
std::string RateKey(std::string_view key);       // "__rate/<key>"

struct RuntimeCounters {
  int64_t tick_count = 0;            // ticks attempted so far
  int64_t last_tick_ms = -1;         // start of the latest tick; -1 if none yet
  int64_t consecutive_failures = 0;  // failed ticks since the last success

  friend bool operator==(const RuntimeCounters&, const RuntimeCounters&) = default;
};

// The counters stored in `kv` (defaults for absent or malformed entries).
RuntimeCounters ReadRuntimeCounters(const Kv& kv);
// The counters after one more tick, started at `tick_ms`, that succeeded or not.
RuntimeCounters AdvanceRuntimeCounters(const RuntimeCounters& before, int64_t tick_ms, bool ok);
// Writes the counters into `kv` under their reserved keys.
void ApplyRuntimeCounters(Kv& kv, const RuntimeCounters& counters);
// The same, as kv writes (for a store that commits writes, not whole maps).
KvWrites RuntimeCounterWrites(const RuntimeCounters& counters);

// Not thread-safe: one tick, one thread.
class TickContext {
 public:
  // `kv` is the vigy's kv before this tick, runtime keys included; the tick's
  // number and the previous tick's time are read from it. It is never
  // modified through the context and must outlive it. `previous_conditions`
  // are the conditions of the vigy's latest state.
  TickContext(std::string vigy_name, std::string vigy_id, int64_t tick_ms, const Kv& kv,
              std::vector<Condition> previous_conditions = {});

  const std::string& vigy_name() const { return vigy_name_; }
  const std::string& vigy_id() const { return vigy_id_; }
  int64_t tick_ms() const { return tick_ms_; }  // epoch ms of this tick's start
  int64_t tick_number() const { return counters_before_.tick_count + 1; }     // 1-based
  int64_t previous_tick_ms() const { return counters_before_.last_tick_ms; }  // -1: none
  const RuntimeCounters& counters_before() const { return counters_before_; }

  // ---- kv: the tick's writes over the kv it started with ----

  // The value the program sees under `key` (its own writes first), or nullptr.
  // Valid until the next write to that key.
  const nlohmann::json* KvFind(std::string_view key) const;
  // Records a write or a delete. No reserved-key check here: the intrinsics
  // refuse programs' writes to reserved keys and use these for the markers.
  void KvSet(std::string_view key, nlohmann::json value);
  bool KvErase(std::string_view key);  // whether the key existed
  const KvWrites& kv_writes() const { return kv_writes_; }
  // The kv to keep after this tick: the starting kv, plus the program's writes
  // if `ok`, plus the advanced runtime counters.
  Kv KvAfter(bool ok) const;

  // ---- what the program records ----

  void AddAction(ActionRecord action);
  void SetDesired(std::string_view key, nlohmann::json value);
  void SetObserved(std::string_view key, nlohmann::json value);
  // Declares a condition. Conditions persist across ticks until declared
  // again (each declaration replaces reason and message too). last_transition
  // is this tick's time unless the previous state had the condition with the
  // same status, in which case it is kept.
  void SetCondition(std::string_view name, std::string_view status,
                    std::optional<std::string> reason, std::optional<std::string> message);
  void Log(std::string_view level, std::string message);
  // Text printed by display/print: each complete line becomes one log entry
  // at level info; a trailing partial line waits for more text, for the next
  // Log(), or for FlushOutput().
  void Output(std::string_view text);
  void FlushOutput();
  void AddEvent(std::string kind, std::string message);
  void SetMetric(std::string_view name, nlohmann::json number);
  void SetTrace(std::string_view key, nlohmann::json value);
  void RequestRequeue(int64_t after_ms) { requeue_after_ms_ = after_ms; }

  const std::vector<ActionRecord>& actions() const { return actions_; }
  const VigyState& state() const { return state_; }
  const std::vector<LogEntry>& log() const { return log_; }
  const std::vector<EventRecord>& events() const { return events_; }
  const std::map<std::string, nlohmann::json>& metrics() const { return metrics_; }
  const std::map<std::string, nlohmann::json>& trace() const { return trace_; }
  std::optional<int64_t> requeue_after_ms() const { return requeue_after_ms_; }

  // Moves actions, log, events, metrics and trace into `run` (flushing any
  // pending output first), and the state out. The context is spent after.
  void MoveRecordsInto(RunRecord& run);
  VigyState TakeState() { return std::move(state_); }

  // ---- bounding what a runaway program can record ----
  //
  // Everything above lives outside the evaluation's arena, so it is measured
  // separately (approximately, in bytes) against its own cap. Callers check
  // over_budget() after recording and fail the tick as a memory limit.

  void set_record_cap(size_t bytes) { record_cap_ = bytes; }
  size_t record_cap() const { return record_cap_; }
  size_t recorded_bytes() const {
    return static_cast<size_t>(recorded_bytes_ > 0 ? recorded_bytes_ : 0);
  }
  bool over_budget() const { return recorded_bytes() > record_cap_; }

 private:
  void SetIn(nlohmann::json& object, std::string_view key, nlohmann::json value);

  std::string vigy_name_;
  std::string vigy_id_;
  int64_t tick_ms_;
  const Kv& kv_before_;
  RuntimeCounters counters_before_;
  std::vector<Condition> previous_conditions_;

  KvWrites kv_writes_;
  std::vector<ActionRecord> actions_;
  VigyState state_;
  std::vector<LogEntry> log_;
  std::string pending_output_;
  std::vector<EventRecord> events_;
  std::map<std::string, nlohmann::json> metrics_;
  std::map<std::string, nlohmann::json> trace_;
  std::optional<int64_t> requeue_after_ms_;

  int64_t recorded_bytes_ = 0;
  size_t record_cap_ = size_t{256} * 1024 * 1024;
};

// Approximate bytes a JSON value occupies (for TickContext's record budget).
size_t ApproxJsonBytes(const nlohmann::json& value);

}  // namespace vigy::core
