// The persisted tick: take the vigy's lease, evaluate its compiled program
// against its kv, run its action handler, and commit the run, actions,
// state, kv writes and counters in one transaction. `vigy tick` and serve
// both tick through here (docs/ARCHITECTURE.md, "The path of a tick").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "core/model.h"
#include "core/status.h"
#include "core/store.h"
#include "lisp/interp.h"

namespace vigy::core {

// Compiled programs by revision, shared by every tick that runs the same
// program text: a program is read and compiled once, not once per tick.
// Thread-safe.
class ProgramCache {
 public:
  struct Entry {
    std::shared_ptr<const lisp::Program> program;  // null when it does not compile
    std::string error;                             // the first diagnostic, when null
  };
  // The compiled form of `source` (whose content hash is `revision`); `file`
  // names it in diagnostics.
  Entry Get(const std::string& revision, const std::string& source, const std::string& file);
  // Forgets every revision not in `revisions` (serve, after its vigies
  // changed, so edited programs do not pile up).
  void Retain(const std::set<std::string>& revisions);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> by_revision_;
};

struct TickOptions {
  // Evaluate and run nothing else: no handler, no commit (the lease is
  // released). The run is returned as it would have been recorded.
  bool dry_run = false;
  // When the scheduler meant this tick to start; recorded on the run.
  std::optional<int64_t> scheduled_at_ms = std::nullopt;
  // Told, once, when the vigy's lease is held by another tick and this one
  // waits for it (TickPipeline::Tick only): a sentence saying so.
  std::function<void(const std::string&)> on_wait = nullptr;
};

// Per-vigy limits: the vigy's own timeout and step budget over the defaults.
lisp::Limits LimitsFor(const Vigy& vigy);

// How long to lease `vigy` for one tick: longer than its evaluation and its
// handlers can take together, plus a margin.
int64_t LeaseDurationMs(const Vigy& vigy);

// A leased tick, evaluated and ready to commit.
struct EvaluatedTick {
  // commit.run is the run; commit.runtime holds the counters after the tick
  // (next_due_ms as leased: the scheduler sets its own plan).
  TickCommit commit;
  // What the program asked with (vigy-requeue-after ms), if anything.
  std::optional<int64_t> requeue_after_ms;
};

// The store-free middle of a tick, shared by TickPipeline and serve's
// workers: the program compiled once per revision (from `cache`), evaluated
// under the vigy's limits against the lease's kv and state, then (unless
// options.dry_run) the vigy's handler once per action. Evaluation and
// handlers share the vigy's one timeout: a handler gets what is left of it.
// The first handler failure fails the run and drops the program's kv writes;
// the actions after it are not run and are recorded as skipped. Thread-safe; `now` is
// the wall clock in epoch ms.
EvaluatedTick EvaluateLeasedTick(const TickLease& lease, ProgramCache& cache,
                                 const std::function<int64_t()>& now,
                                 const TickOptions& options = {});

// The failure backoff after `failures` consecutive failed ticks (1 s, 2 s, 4 s,
// 8 s, 16 s, then 30 s); 0 for none.
int64_t FailureBackoffMs(int64_t failures);

class TickPipeline {
 public:
  // `store` is used from the calling thread only; `now` is the wall clock in
  // epoch ms (tests pass their own).
  TickPipeline(Store& store, ProgramCache& cache, std::function<int64_t()> now = SystemNowMs);

  // Ticks the vigy with id `vigy_id` once. The lease is noted in
  // core/held_leases.h while held, and taken and committed under
  // UnlessEnding, so a process ended by a signal gives it back instead. A tick that fails (the
  // program, a limit or a handler) is still a committed run: the result is ok with run.result ==
  // "failed". Errors are about the tick itself: kNotFound (no such vigy), kConflict (another
  // process held the lease too long), kStoreUnusable.
  Result<RunRecord> Tick(const std::string& vigy_id, const TickOptions& options = {});

 private:
  // Takes the vigy's tick lease, waiting for another tick's to end (see
  // TickOptions::on_wait); each attempt is made under UnlessEnding.
  Result<TickLease> TakeLease(const std::string& vigy_id, const std::string& token,
                              const TickOptions& options);

  Store& store_;
  ProgramCache& cache_;
  std::function<int64_t()> now_;
};

}  // namespace vigy::core
