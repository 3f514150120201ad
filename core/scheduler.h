// The scheduler behind `vigy serve` (docs/ARCHITECTURE.md, "serve's
// threads"; vigy(1), SCHEDULES): one thread owns the store connection and a
// timer queue of due vigies; a small pool of workers evaluates ticks in
// parallel; leases and commits are grouped, so that under load many ticks
// share one transaction while each tick stays all-or-nothing. No thread or
// process per vigy. Time comes from a Clock, so tests drive it.
//
// Each loop of the scheduler's thread: notice changes made by other
// processes (the store's change stamp, polled), refresh the heartbeat,
// commit the ticks the workers finished (one transaction), lease the vigies
// that are due (one transaction) and hand them to the workers, then sleep
// until the next due time, the next poll, or a worker finishing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/model.h"
#include "core/schedule.h"
#include "core/selector.h"
#include "core/status.h"
#include "core/store.h"
#include "core/tick_pipeline.h"
#include "core/time_zone.h"
#include "core/timer_queue.h"
#include "core/worker_pool.h"

namespace vigy::core {

// Worker threads when not told otherwise: twice the processors (ticks often
// wait on commands), at least 4, at most 32.
int DefaultWorkerCount();

struct SchedulerOptions {
  // Only vigies whose labels match; unset: every vigy.
  std::optional<Selector> selector;
  std::string selector_text;  // as given, recorded in the serve row
  // Tick every vigy that is due at start-up once, then return.
  bool once = false;
  // Runs kept per vigy; older ones are pruned as ticks commit. <= 0: keep all.
  int64_t keep_runs = 1000;
  int workers = DefaultWorkerCount();
  // Most ticks leased (and so in flight) at once; also the largest batch.
  size_t max_in_flight = 512;
  // How often the store's change stamp is polled (changes by other
  // processes take effect within this), and the heartbeat. A store that
  // announces changes (Store::ListenForChanges) is polled at each
  // announcement instead, and every change_backstop_ms in case one was lost.
  int64_t change_poll_ms = 250;
  int64_t change_backstop_ms = 5000;
  // Off: the store is polled every change_poll_ms even if it announces
  // changes (for tests on a ManualClock, where an announcement would arrive
  // at no particular time of that clock).
  bool listen_for_changes = true;
  int64_t heartbeat_ms = kServeHeartbeatMs;
  // Wait after a failed transaction before retrying it (disk full, I/O).
  int64_t store_retry_ms = 1000;
  // Once stopping (or, with `once`, done), how long finished ticks whose
  // commit keeps failing are retried before serve gives them up and ends
  // with kStoreUnusable, as a kill would lose them.
  int64_t stop_retry_ms = 5000;
  // When a vigy's lease is held by another process (`vigy tick`), try again
  // this much later.
  int64_t busy_retry_ms = 100;
  // Cron is evaluated in this zone.
  TimeZone zone = TimeZone::Local();
  std::string version;  // recorded in the serve row
  // When set, checked with every heartbeat: a store deleted or replaced
  // under serve stops it with kStoreUnusable.
  const ServeGuard* lock = nullptr;
  // Called on the scheduler's thread whenever it is about to sleep with no
  // tick in flight and nothing left to commit, with the time it will wake
  // unless woken. Lets tests step a ManualClock from one wake-up to the next.
  std::function<void(int64_t wake_ms)> on_idle;
};

// Something the scheduler did or saw, for its log.
struct SchedulerEvent {
  enum class Kind {
    kStarted,           // count: vigies scheduled; message: the store path
    kTicked,            // run: a committed run (ok or failed)
    kFailed,            // run: a committed failed run; next_due_ms: the retry
    kRecovered,         // run: the first ok run after failures
    kConditionChanged,  // run; condition: its new value; previous_status: its old status
    kScheduled,         // a vigy taken on (at start-up or after a change); next_due_ms
    kDropped,       // a vigy no longer ticked (removed, disabled, no longer selected); message: why
    kSkippedSlots,  // count: slots missed because serve was behind or down
    kCommitRefused,   // message: why one tick's commit was refused (lease lost, vigy removed)
    kStoreError,      // message: a store operation failed; serve retries
    kStoreRecovered,  // the store works again
    kStopping,        // count: ticks still in flight
    kStopped,         // count: ticks committed in all
  };
  Kind kind = Kind::kStarted;
  int64_t at_ms = 0;
  std::string vigy_id;
  std::string vigy_name;
  const RunRecord* run = nullptr;  // valid during the callback only
  std::optional<Condition> condition;
  std::string previous_status;
  std::optional<int64_t> next_due_ms;
  int64_t count = 0;
  std::string message;
};

using SchedulerEventSink = std::function<void(const SchedulerEvent&)>;

struct SchedulerSummary {
  int64_t committed = 0;  // ticks committed
  int64_t failed = 0;     // of which failed
};

class Scheduler {
 public:
  // `store` is used from the thread that calls Run() only. `sink` is called
  // from that thread only.
  Scheduler(Store& store, Clock& clock, SchedulerOptions options, SchedulerEventSink sink);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Records this serve in the store, then ticks vigies until Stop() (or, with
  // options.once, until every vigy due at start-up ticked once). On stop it
  // leases nothing more, lets the ticks in flight finish and commits them,
  // and marks the serve stopped. Errors: kStoreUnusable when the store went
  // away or cannot be written at start-up or at the end; kConflict when
  // another serve took over the serve row. Transient store errors while
  // running are reported as events and retried.
  Result<SchedulerSummary> Run();

  // Asks Run() to finish. Thread-safe; not async-signal-safe.
  void Stop();

  // Ticks leased and not yet committed, now. Thread-safe.
  size_t TicksInFlight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  struct Tracked;
  struct Finished;

  Status Start();
  // Starts listener_ when the store announces changes.
  Status Listen();
  Status Refresh();
  void Track(const VigyListing& listing);
  void Drop(const std::string& id, std::string_view why);
  Status Heartbeat();
  // Gives up the leases of serves that are gone (see Store::SharedByServes),
  // once per serve.
  Status ReleaseLeasesOfGoneServes(int64_t now);
  void CommitFinished();
  void LeaseDue();
  void Dispatch(TickLease lease, int64_t due_ms);
  void Report(const Finished& done, const std::optional<int64_t>& next_due);
  std::optional<Due> PlanAfterTick(Tracked& tracked, const Finished& done);
  // kStoreUnusable while the store file is read-only (see
  // ServeGuard::StoreReadOnly): then serve writes nothing, as if each write
  // had failed, until it may write again.
  Status CheckWritable() const;
  void StoreFailed(const Status& status);
  void StoreWorked();
  // When the loop must run next: the earliest due time it can act on, the
  // next poll, heartbeat or store retry.
  int64_t NextWakeMs();

  Store& store_;
  Clock& clock_;
  SchedulerOptions options_;
  SchedulerEventSink sink_;
  ProgramCache cache_;

  std::map<std::string, std::unique_ptr<Tracked>> tracked_;  // by vigy id
  TimerQueue timers_;
  std::atomic<size_t> in_flight_{0};  // written by Run()'s thread only
  std::optional<int64_t> change_stamp_;
  int64_t poll_every_ms_ = 0;  // change_poll_ms, or with a listener the backstop
  int64_t next_poll_ms_ = 0;
  std::atomic<bool> change_announced_{false};  // set by listener_, taken by Run()
  int64_t next_heartbeat_ms_ = 0;
  int64_t store_retry_at_ms_ = 0;
  bool store_failing_ = false;
  std::string store_error_;  // the latest failure's message
  bool store_replaced_ = false;
  // The lease prefixes of gone serves whose leases were released.
  std::set<std::string> released_serves_;  // the store's path names another file now
  SchedulerSummary summary_;

  std::mutex finished_mutex_;
  std::vector<Finished> finished_;  // filled by workers, drained by Run()
  std::vector<Finished> unsaved_;   // finished ticks whose commit is to be retried

  std::atomic<bool> stop_requested_{false};
  // Waits on the store's announcements of changes; wakes Run() at each.
  std::jthread listener_;
  std::unique_ptr<WorkerPool> pool_;  // last, so its workers are joined first
};

}  // namespace vigy::core
