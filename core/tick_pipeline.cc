#include "core/tick_pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/held_leases.h"
#include "core/model_json.h"
#include "core/shell.h"
#include "core/tick.h"
#include "core/tick_context.h"
#include "core/vigy_library.h"

namespace vigy::core {
namespace {

// The lease outlives the longest a tick may take (its evaluation and its
// handlers share one timeout), with a wide margin.
constexpr int64_t kLeaseMarginMs = 30'000;

// Handlers get what their action says, and their first line of stderr
// explains a failure.
std::string FirstLine(std::string_view text) {
  size_t end = text.find('\n');
  return std::string(text.substr(0, end));
}

// Runs the vigy's handler once per action (except noop and defer), with the
// action as JSON on stdin, all within the tick's deadline. Records each
// result; after the first failure the remaining actions are not run and are
// recorded as skipped. Returns the error of that failure, which fails the run.
std::optional<std::string> RunHandlers(const std::string& handler, RunRecord& run,
                                       std::chrono::steady_clock::time_point deadline,
                                       std::chrono::milliseconds timeout) {
  std::optional<std::string> error;
  for (size_t i = 0; i < run.actions.size(); ++i) {
    ActionRecord& action = run.actions[i];
    if (action.kind == "noop" || action.kind == "defer") continue;
    if (error) {
      action.result = std::string(kResultSkipped);
      action.message = "not run: an earlier action failed";
      continue;
    }
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const std::string past_timeout =
        fmt::format("the tick's timeout ({} ms) passed", timeout.count());
    if (left.count() <= 0) {
      action.result = std::string(kResultFailed);
      action.message = "not run: " + past_timeout;
    } else {
      // One JSON line, newline-terminated, as line-reading tools expect.
      std::string input =
          ToJson(action).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      ShellOptions options;
      options.timeout = left;
      options.stdin_data = input;
      ShellResult result = RunShell(handler, options);
      if (result.exit == 0 && !result.timed_out) {
        action.result = std::string(kResultOk);
        continue;
      }
      action.result = std::string(kResultFailed);
      std::string why =
          result.timed_out ? "timed out: " + past_timeout : fmt::format("exited {}", result.exit);
      std::string detail = FirstLine(result.err);
      action.message = detail.empty() ? why : fmt::format("{}: {}", why, detail);
    }
    error = fmt::format("action {} ({}): handler {}", i + 1, action.kind, *action.message);
  }
  return error;
}

}  // namespace

ProgramCache::Entry ProgramCache::Get(const std::string& revision, const std::string& source,
                                      const std::string& file) {
  std::lock_guard lock(mutex_);
  auto it = by_revision_.find(revision);
  if (it != by_revision_.end()) return it->second;
  lisp::CompileResult compiled = lisp::Compile(VigyLibrary(), source, file);
  Entry entry{compiled.program, compiled.ok() ? std::string() : compiled.errors.front().Format()};
  by_revision_.emplace(revision, entry);
  return entry;
}

void ProgramCache::Retain(const std::set<std::string>& revisions) {
  std::lock_guard lock(mutex_);
  std::erase_if(by_revision_, [&](const auto& entry) { return !revisions.contains(entry.first); });
}

lisp::Limits LimitsFor(const Vigy& vigy) {
  lisp::Limits limits;
  if (vigy.timeout_ms) limits.timeout = std::chrono::milliseconds(*vigy.timeout_ms);
  if (vigy.max_steps) limits.max_steps = static_cast<uint64_t>(*vigy.max_steps);
  return limits;
}

int64_t FailureBackoffMs(int64_t failures) {
  if (failures <= 0) return 0;
  if (failures > 5) return 30'000;
  return int64_t{1000} << (failures - 1);
}

int64_t LeaseDurationMs(const Vigy& vigy) {
  const int64_t timeout = std::max(LimitsFor(vigy).timeout.count(), lisp::Limits{}.timeout.count());
  return timeout * 2 + kLeaseMarginMs;
}

EvaluatedTick EvaluateLeasedTick(const TickLease& lease, ProgramCache& cache,
                                 const std::function<int64_t()>& now, const TickOptions& options) {
  const Vigy& vigy = lease.vigy;
  const lisp::Limits limits = LimitsFor(vigy);
  const std::string file = vigy.name + ".vigy";
  // One deadline for the whole tick: evaluation and handlers together.
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
  ProgramCache::Entry compiled = cache.Get(vigy.revision, vigy.program, file);

  TickInput input;
  input.program = compiled.program;
  input.file = file;
  input.vigy_name = vigy.name;
  input.vigy_id = vigy.id;
  input.revision = vigy.revision;
  input.kv = lease.kv;
  if (lease.state) input.previous_conditions = lease.state->state.conditions;
  input.limits = limits;
  input.tick_ms = now();
  TickOutcome outcome = RunTick(input);
  RunRecord& run = outcome.run;
  if (compiled.program == nullptr)
    run.error = "the stored program does not compile: " + compiled.error;
  run.scheduled_at_ms = options.scheduled_at_ms;

  if (!options.dry_run && run.ok() && vigy.handler) {
    if (std::optional<std::string> failed =
            RunHandlers(*vigy.handler, run, deadline, limits.timeout)) {
      // A failed action fails the run: none of the program's writes are kept.
      run.result = std::string(kResultFailed);
      run.error = *failed;
      RuntimeCounters after =
          AdvanceRuntimeCounters(ReadRuntimeCounters(lease.kv), input.tick_ms, false);
      outcome.kv_writes = RuntimeCounterWrites(after);
    }
  }
  run.duration_ms = std::max<int64_t>(run.duration_ms, now() - run.started_at_ms);
  run.ended_at_ms = run.started_at_ms + run.duration_ms;

  EvaluatedTick evaluated;
  evaluated.requeue_after_ms = outcome.requeue_after_ms;
  TickCommit& commit = evaluated.commit;
  commit.vigy_id = vigy.id;
  commit.lease_token = lease.token;
  if (run.ok()) commit.state = std::move(outcome.state);
  commit.kv_writes = std::move(outcome.kv_writes);
  commit.runtime = lease.runtime;
  commit.runtime.tick_count = run.tick;
  commit.runtime.last_tick_ms = run.started_at_ms;
  commit.runtime.consecutive_failures = run.ok() ? 0 : lease.runtime.consecutive_failures + 1;
  commit.runtime.backoff_until_ms =
      run.ok() ? 0 : run.started_at_ms + FailureBackoffMs(commit.runtime.consecutive_failures);
  commit.runtime.last_result = run.result;
  commit.runtime.last_run_at_ms = run.ended_at_ms;
  commit.run = std::move(run);
  return evaluated;
}

TickPipeline::TickPipeline(Store& store, ProgramCache& cache, std::function<int64_t()> now)
    : store_(store), cache_(cache), now_(std::move(now)) {}

namespace {

// "pid 123" for a lease token (see NewLeaseToken: it starts with the
// holder's pid), or "another process" when it does not parse.
std::string LeaseHolder(const std::string& token) {
  size_t digits = 0;
  while (digits < token.size() && token[digits] >= '0' && token[digits] <= '9') ++digits;
  if (digits == 0 || digits >= token.size() || token[digits] != '-') return "another process";
  return "pid " + token.substr(0, digits);
}

}  // namespace

Result<TickLease> TickPipeline::TakeLease(const std::string& vigy_id, const std::string& token,
                                          const TickOptions& options) {
  // Without the vigy's own timeout yet, lease for the longest a default tick
  // may take (Tick renews it for a vigy with a longer timeout), and wait at
  // most as long for another tick's lease.
  const int64_t duration_ms = LeaseDurationMs(Vigy{});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(duration_ms);
  std::chrono::milliseconds pause{2};
  for (bool first = true;; first = false) {
    Result<LeaseAttempt> attempt = Status::Failed("the lease was not asked for");
    UnlessEnding(
        [&] { attempt = store_.TryAcquireTickLease(vigy_id, token, duration_ms, now_()); });
    if (!attempt.ok()) return attempt.status();
    if (attempt->acquired()) return std::move(*attempt->lease);
    const int64_t left_ms = std::max<int64_t>(0, attempt->held_until_ms - now_());
    if (first && options.on_wait) {
      options.on_wait(fmt::format(
          "waiting for vigy '{}': {} is ticking it (its lease ends in {} s at the latest)",
          attempt->vigy_name, LeaseHolder(attempt->holder), (left_ms + 999) / 1000));
    }
    if (std::chrono::steady_clock::now() + pause > deadline) {
      return Status::Conflict(fmt::format(
          "vigy '{}' is being ticked by another process (its lease runs for {} ms more); "
          "try again later",
          attempt->vigy_name, left_ms));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

Result<RunRecord> TickPipeline::Tick(const std::string& vigy_id, const TickOptions& options) {
  const std::string token = NewLeaseToken();
  // Noted before it is asked for, so a signal at any point finds it.
  HeldLeaseNote note({store_.location(), vigy_id, token});
  const int64_t default_lease = LeaseDurationMs(Vigy{});
  Result<TickLease> taken = TakeLease(vigy_id, token, options);
  if (!taken.ok()) return taken.status();
  TickLease& lease = *taken;
  // Any way out before the commit gives the lease back, so the next tick of
  // this vigy need not wait for it to expire.
  bool committed = false;
  struct ReleaseUnlessCommitted {
    Store& store;
    const std::string& id;
    const std::string& token;
    const bool& committed;
    ~ReleaseUnlessCommitted() {
      if (!committed) store.ReleaseTickLease(id, token);
    }
  } release{store_, vigy_id, token, committed};

  if (const int64_t needed = LeaseDurationMs(lease.vigy); needed > default_lease) {
    Result<TickLease> renewed = store_.AcquireTickLease(vigy_id, token, needed, 0, now_);
    if (!renewed.ok()) return renewed.status();
  }

  EvaluatedTick evaluated = EvaluateLeasedTick(lease, cache_, now_, options);
  if (options.dry_run) return std::move(evaluated.commit.run);
  // A process being ended by a signal gives its leases back instead.
  Status status = Status::Ok();
  UnlessEnding([&] { status = store_.CommitTick(evaluated.commit); });
  if (!status.ok()) return status;
  committed = true;
  return std::move(evaluated.commit.run);
}

}  // namespace vigy::core
