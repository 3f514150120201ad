#include "core/scheduler.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

namespace vigy::core {

int DefaultWorkerCount() {
  const int processors = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(2 * processors, 4, 32);
}

// A vigy the scheduler ticks.
struct Scheduler::Tracked {
  std::string id;
  std::string name;
  Schedule schedule;  // as last listed, to notice edits
  CompiledSchedule compiled;
  // The due time of the tick the timer is for (a retry after a busy lease
  // keeps the original due time, which the run records as scheduled_at).
  int64_t planned_due_ms = 0;
  bool in_flight = false;
  // While in flight: the schedule changed (plan afresh when it finishes), or
  // the vigy is no longer to be ticked (forget it when it finishes).
  bool replan = false;
  bool dropped = false;
};

// A tick a worker finished, waiting to be committed.
struct Scheduler::Finished {
  EvaluatedTick tick;
  int64_t due_ms = 0;
  std::vector<Condition> previous_conditions;
  std::optional<std::string> previous_result;
  // Filled in by the scheduler's thread just before committing.
  std::optional<Due> next;
};

namespace {

// Whether the tick planned for `due_ms` was already run by another serve:
// every commit records the next tick its serve planned, so a plan later
// than ours means someone ticked it since we planned.
bool TickedElsewhere(const VigyRuntime& runtime, int64_t due_ms) {
  return runtime.next_due_ms && *runtime.next_due_ms > due_ms;
}

bool Wanted(const VigyListing& listing, const std::optional<Selector>& selector,
            std::string* why_not) {
  const Vigy& vigy = listing.vigy;
  if (!vigy.enabled) {
    *why_not = "disabled";
    return false;
  }
  if (vigy.schedule.kind == ScheduleKind::kNone) {
    *why_not = "has no schedule";
    return false;
  }
  if (selector && !selector->Matches(vigy.labels)) {
    *why_not = "no longer matches the selector";
    return false;
  }
  return true;
}

SchedulerEvent NewEvent(SchedulerEvent::Kind kind, int64_t at_ms) {
  SchedulerEvent event;
  event.kind = kind;
  event.at_ms = at_ms;
  return event;
}

}  // namespace

Scheduler::Scheduler(Store& store, Clock& clock, SchedulerOptions options, SchedulerEventSink sink)
    : store_(store), clock_(clock), options_(std::move(options)), sink_(std::move(sink)) {
  pool_ = std::make_unique<WorkerPool>(options_.workers);
}

Scheduler::~Scheduler() = default;

void Scheduler::Stop() {
  stop_requested_ = true;
  clock_.Wake();
}

Result<SchedulerSummary> Scheduler::Run() {
  if (Status s = Start(); !s.ok()) return s;
  Status fatal;
  bool announced_stop = false;
  std::optional<int64_t> finishing_since;
  for (;;) {
    const int64_t now = clock_.NowMs();
    const bool announced = change_announced_.exchange(false);
    if (!stop_requested_ && !options_.once && (announced || now >= next_poll_ms_)) {
      next_poll_ms_ = now + poll_every_ms_;
      Result<int64_t> stamp = store_.ChangeStamp();
      if (!stamp.ok()) {
        StoreFailed(stamp.status());
      } else if (*stamp != change_stamp_) {
        if (Status s = Refresh(); !s.ok()) StoreFailed(s);
      }
    }
    if (now >= next_heartbeat_ms_) {
      next_heartbeat_ms_ = now + options_.heartbeat_ms;
      if (Status s = Heartbeat(); !s.ok()) {
        fatal = s;
        stop_requested_ = true;
      }
    }
    CommitFinished();
    if (!stop_requested_) LeaseDue();

    const bool finishing = stop_requested_ || (options_.once && timers_.size() == 0);
    if (finishing && !announced_stop && stop_requested_) {
      announced_stop = true;
      SchedulerEvent event = NewEvent(SchedulerEvent::Kind::kStopping, now);
      event.count = static_cast<int64_t>(in_flight_);
      sink_(event);
    }
    if (finishing && in_flight_ == 0) break;
    if (finishing && !finishing_since) finishing_since = now;
    if (finishing && store_failing_ && in_flight_ == unsaved_.size() &&
        now >= *finishing_since + options_.stop_retry_ms) {
      // Every tick has finished, and the store still takes none of them.
      fatal = Status::StoreUnusable(fmt::format("stopped without recording {} finished tick{}: {}",
                                                unsaved_.size(), unsaved_.size() == 1 ? "" : "s",
                                                store_error_));
      break;
    }
    const int64_t wake = NextWakeMs();
    if (options_.on_idle && in_flight_ == 0 && unsaved_.empty()) options_.on_idle(wake);
    clock_.SleepUntilMs(wake);
  }

  SchedulerEvent stopped = NewEvent(SchedulerEvent::Kind::kStopped, clock_.NowMs());
  stopped.count = summary_.committed;
  sink_(stopped);
  if (!fatal.ok()) {
    // Commits made since the replacement was noticed are in the WAL too.
    if (store_replaced_) (void)store_.Checkpoint();
    return fatal;
  }
  if (Status s = store_.RecordServeStop(getpid(), clock_.NowMs()); !s.ok()) return s;
  return summary_;
}

Status Scheduler::ReleaseLeasesOfGoneServes(int64_t now) {
  Result<std::vector<ServeRecord>> serves = store_.ListServes();
  if (!serves.ok()) return serves.status();
  for (const ServeRecord& serve : *serves) {
    if (serve.lease_prefix == LeaseTokenPrefix()) continue;
    // On a store served by one serve at a time, holding the serve lock means
    // the previous serve is gone; on a shared one, a serve is gone once its
    // heartbeat went stale. Its leases are left over from ticks it never
    // finished, and the vigies it held are ticked here from now on.
    if (store_.SharedByServes() && ServeIsLive(serve, now)) continue;
    if (!released_serves_.insert(serve.lease_prefix).second) continue;
    Result<int64_t> released = store_.ReleaseLeasesWithPrefix(serve.lease_prefix);
    if (!released.ok()) {
      released_serves_.erase(serve.lease_prefix);
      return released.status();
    }
  }
  return Status::Ok();
}

Status Scheduler::Start() {
  const int64_t now = clock_.NowMs();
  if (Status s = ReleaseLeasesOfGoneServes(now); !s.ok()) return s;
  ServeRecord self;
  self.pid = getpid();
  self.host = ThisHost();
  self.lease_prefix = LeaseTokenPrefix();
  self.selector = options_.selector_text;
  self.version = options_.version;
  self.started_at_ms = now;
  self.heartbeat_at_ms = now;
  if (Status s = store_.RecordServeStart(self); !s.ok()) return s;
  next_heartbeat_ms_ = now + options_.heartbeat_ms;
  // Listening before the listing: a change made while listing is announced.
  if (Status s = Listen(); !s.ok()) return s;
  next_poll_ms_ = now + poll_every_ms_;

  if (Status s = Refresh(); !s.ok()) return s;
  if (options_.once) {
    // Only what is due now (planned as of after the listing); nothing beyond.
    const int64_t listed_at = clock_.NowMs();
    for (const auto& [id, tracked] : tracked_) {
      std::optional<int64_t> due = timers_.DueOf(id);
      if (due && *due > listed_at) timers_.Cancel(id);
    }
  }
  SchedulerEvent event = NewEvent(SchedulerEvent::Kind::kStarted, now);
  event.count = static_cast<int64_t>(timers_.size());
  event.message = store_.path();
  sink_(event);
  return Status::Ok();
}

Status Scheduler::Listen() {
  poll_every_ms_ = options_.change_poll_ms;
  if (options_.once || !options_.listen_for_changes) return Status::Ok();
  Result<std::unique_ptr<ChangeFeed>> feed = store_.ListenForChanges(ChangeTopic::kVigies);
  if (!feed.ok()) return feed.status();
  if (!*feed) return Status::Ok();
  poll_every_ms_ = options_.change_backstop_ms;
  listener_ = std::jthread([this, feed = std::move(feed).value()](const std::stop_token& stop) {
    // Short waits, so stopping does not wait long; a feed that cannot reach
    // the store waits out each one, and the backstop poll reports the error.
    constexpr int64_t kWaitMs = 200;
    while (!stop.stop_requested()) {
      Result<bool> heard = feed->Wait(kWaitMs);
      if (heard.ok() && *heard) {
        change_announced_ = true;
        clock_.Wake();
      }
    }
  });
  return Status::Ok();
}

Status Scheduler::Refresh() {
  // The stamp first: a change made while listing moves it again, and the
  // next poll lists once more.
  Result<int64_t> stamp = store_.ChangeStamp();
  if (!stamp.ok()) return stamp.status();
  Result<std::vector<VigyListing>> listings = store_.ListVigies();
  if (!listings.ok()) return listings.status();
  change_stamp_ = *stamp;

  std::set<std::string> listed;
  std::set<std::string> revisions;
  for (const VigyListing& listing : *listings) {
    listed.insert(listing.vigy.id);
    std::string why_not;
    if (Wanted(listing, options_.selector, &why_not)) {
      revisions.insert(listing.vigy.revision);
      Track(listing);
    } else if (tracked_.contains(listing.vigy.id)) {
      Drop(listing.vigy.id, why_not);
    }
  }
  std::vector<std::string> removed;
  for (const auto& [id, tracked] : tracked_) {
    if (!listed.contains(id) && !tracked->dropped) removed.push_back(id);
  }
  for (const std::string& id : removed) Drop(id, "removed");
  cache_.Retain(revisions);
  return Status::Ok();
}

void Scheduler::Track(const VigyListing& listing) {
  const Vigy& vigy = listing.vigy;
  auto [it, inserted] = tracked_.try_emplace(vigy.id);
  if (inserted) {
    it->second = std::make_unique<Tracked>();
    it->second->id = vigy.id;
  }
  Tracked& tracked = *it->second;
  tracked.name = vigy.name;
  const bool revived = tracked.dropped;
  tracked.dropped = false;
  if (!inserted && !revived && tracked.schedule == vigy.schedule) return;

  Result<CompiledSchedule> compiled = CompileSchedule(vigy.schedule, vigy.id);
  if (!compiled.ok()) {
    Drop(vigy.id, fmt::format("has a schedule serve cannot use: {}", compiled.status().message()));
    return;
  }
  tracked.schedule = vigy.schedule;
  tracked.compiled = std::move(compiled).value();
  if (tracked.in_flight) {
    tracked.replan = true;
    return;
  }
  const int64_t now = clock_.NowMs();
  std::optional<Due> due = InitialDue(tracked.compiled, listing.runtime, now, options_.zone);
  SchedulerEvent event = NewEvent(SchedulerEvent::Kind::kScheduled, now);
  event.vigy_id = vigy.id;
  event.vigy_name = vigy.name;
  if (due) {
    tracked.planned_due_ms = due->due_ms;
    timers_.Schedule(vigy.id, due->due_ms);
    event.next_due_ms = due->due_ms;
    event.count = due->skipped;
  } else {
    timers_.Cancel(vigy.id);
  }
  sink_(event);
}

void Scheduler::Drop(const std::string& id, std::string_view why) {
  auto it = tracked_.find(id);
  if (it == tracked_.end() || it->second->dropped) return;
  timers_.Cancel(id);
  SchedulerEvent event = NewEvent(SchedulerEvent::Kind::kDropped, clock_.NowMs());
  event.vigy_id = id;
  event.vigy_name = it->second->name;
  event.message = std::string(why);
  if (it->second->in_flight) {
    it->second->dropped = true;  // forgotten once its tick is committed
  } else {
    tracked_.erase(it);
  }
  sink_(event);
}

Status Scheduler::Heartbeat() {
  if (options_.lock != nullptr && options_.lock->StoreReplaced()) {
    // Our WAL is named after the path: it must not be read as part of the
    // file that is there now.
    store_replaced_ = true;
    (void)store_.Checkpoint();
    return Status::StoreUnusable(fmt::format(
        "store '{}' was deleted or replaced while serve was running; stopping", store_.path()));
  }
  if (Status s = CheckWritable(); !s.ok()) {
    StoreFailed(s);
    return Status::Ok();
  }
  const int64_t now = clock_.NowMs();
  Status s = store_.RecordServeHeartbeat(getpid(), now);
  if (s.code() == Status::Code::kConflict) return s;
  if (s.ok() && store_.SharedByServes()) s = ReleaseLeasesOfGoneServes(now);
  if (!s.ok()) StoreFailed(s);
  return Status::Ok();
}

void Scheduler::LeaseDue() {
  const int64_t now = clock_.NowMs();
  if (store_failing_ && now < store_retry_at_ms_) return;
  if (in_flight_ >= options_.max_in_flight) return;
  std::vector<TimerQueue::Timer> due = timers_.PopDue(now, options_.max_in_flight - in_flight_);
  if (due.empty()) return;
  std::vector<std::string> ids;
  ids.reserve(due.size());
  for (const TimerQueue::Timer& timer : due) ids.push_back(timer.vigy_id);

  Status writable = CheckWritable();
  Result<std::vector<LeaseAttempt>> attempts =
      writable.ok() ? store_.TryAcquireTickLeases(ids, LeaseDurationMs, now)
                    : Result<std::vector<LeaseAttempt>>(writable);
  if (!attempts.ok()) {
    StoreFailed(attempts.status());
    for (const TimerQueue::Timer& timer : due) timers_.Schedule(timer.vigy_id, timer.due_ms);
    return;
  }
  StoreWorked();
  for (size_t i = 0; i < due.size(); ++i) {
    LeaseAttempt& attempt = (*attempts)[i];
    auto it = tracked_.find(due[i].vigy_id);
    if (it == tracked_.end()) {
      if (attempt.acquired()) store_.ReleaseTickLease(due[i].vigy_id, attempt.lease->token);
      continue;
    }
    Tracked& tracked = *it->second;
    if (attempt.acquired() && TickedElsewhere(attempt.lease->runtime, tracked.planned_due_ms)) {
      // Another serve sharing the store ticked it for this due time and
      // planned its next tick: follow that plan.
      store_.ReleaseTickLease(tracked.id, attempt.lease->token);
      tracked.planned_due_ms = *attempt.lease->runtime.next_due_ms;
      timers_.Schedule(tracked.id, tracked.planned_due_ms);
    } else if (attempt.acquired()) {
      tracked.in_flight = true;
      ++in_flight_;
      Dispatch(std::move(*attempt.lease), tracked.planned_due_ms);
    } else if (attempt.vigy_name.empty()) {
      Drop(tracked.id, "removed");
    } else {
      // Another process is ticking it (`vigy tick`): try again shortly, for
      // the same due time.
      timers_.Schedule(tracked.id, now + options_.busy_retry_ms);
    }
  }
}

void Scheduler::Dispatch(TickLease lease, int64_t due_ms) {
  auto shared = std::make_shared<TickLease>(std::move(lease));
  pool_->Submit([this, shared, due_ms] {
    Finished done;
    done.due_ms = due_ms;
    if (shared->state) done.previous_conditions = shared->state->state.conditions;
    done.previous_result = shared->runtime.last_result;
    TickOptions tick_options;
    tick_options.scheduled_at_ms = due_ms;
    done.tick = EvaluateLeasedTick(
        *shared, cache_, [this] { return clock_.NowMs(); }, tick_options);
    {
      std::lock_guard lock(finished_mutex_);
      finished_.push_back(std::move(done));
    }
    clock_.Wake();
  });
}

std::optional<Due> Scheduler::PlanAfterTick(Tracked& tracked, const Finished& done) {
  const RunRecord& run = done.tick.commit.run;
  const VigyRuntime& runtime = done.tick.commit.runtime;
  if (tracked.replan) {
    // The schedule changed while the tick ran: plan as for a vigy just taken
    // on, from this tick.
    VigyRuntime fresh = runtime;
    fresh.next_due_ms.reset();
    return InitialDue(tracked.compiled, fresh, run.ended_at_ms, options_.zone);
  }
  return NextDueAfterTick(tracked.compiled, runtime, done.due_ms, run.ended_at_ms,
                          done.tick.requeue_after_ms, options_.zone);
}

void Scheduler::CommitFinished() {
  {
    std::lock_guard lock(finished_mutex_);
    for (Finished& done : finished_) unsaved_.push_back(std::move(done));
    finished_.clear();
  }
  if (unsaved_.empty()) return;
  if (store_failing_ && clock_.NowMs() < store_retry_at_ms_) return;

  std::vector<TickCommit> commits;
  commits.reserve(unsaved_.size());
  for (Finished& done : unsaved_) {
    auto it = tracked_.find(done.tick.commit.vigy_id);
    done.next.reset();
    if (it != tracked_.end() && !it->second->dropped) done.next = PlanAfterTick(*it->second, done);
    TickCommit& commit = done.tick.commit;
    commit.runtime.next_due_ms =
        done.next ? std::optional<int64_t>(done.next->due_ms) : std::nullopt;
    if (options_.keep_runs > 0) commit.keep_runs = options_.keep_runs;
    commits.push_back(commit);
  }
  Status writable = CheckWritable();
  Result<std::vector<Status>> statuses =
      writable.ok() ? store_.CommitTicks(commits) : Result<std::vector<Status>>(writable);
  if (!statuses.ok()) {
    StoreFailed(statuses.status());
    return;
  }
  StoreWorked();

  std::vector<Finished> saved = std::move(unsaved_);
  unsaved_.clear();
  for (size_t i = 0; i < saved.size(); ++i) {
    Finished& done = saved[i];
    const Status& status = (*statuses)[i];
    const std::string& id = done.tick.commit.vigy_id;
    --in_flight_;
    auto it = tracked_.find(id);
    Tracked* tracked = it == tracked_.end() ? nullptr : it->second.get();
    if (tracked != nullptr) {
      tracked->in_flight = false;
      tracked->replan = false;
    }
    if (status.ok()) {
      ++summary_.committed;
      if (!done.tick.commit.run.ok()) ++summary_.failed;
      Report(done, done.next ? std::optional<int64_t>(done.next->due_ms) : std::nullopt);
    } else {
      SchedulerEvent event = NewEvent(SchedulerEvent::Kind::kCommitRefused, clock_.NowMs());
      event.vigy_id = id;
      event.vigy_name = done.tick.commit.run.vigy_name;
      event.message = status.message();
      sink_(event);
    }
    if (tracked == nullptr) continue;
    if (tracked->dropped || status.code() == Status::Code::kNotFound) {
      tracked_.erase(it);
      timers_.Cancel(id);
      continue;
    }
    if (done.next && !options_.once) {
      tracked->planned_due_ms = done.next->due_ms;
      timers_.Schedule(id, done.next->due_ms);
    }
  }
}

void Scheduler::Report(const Finished& done, const std::optional<int64_t>& next_due) {
  const RunRecord& run = done.tick.commit.run;
  SchedulerEvent base = NewEvent(SchedulerEvent::Kind::kTicked, run.ended_at_ms);
  base.vigy_id = run.vigy_id;
  base.vigy_name = run.vigy_name;
  base.run = &run;
  base.next_due_ms = next_due;
  sink_(base);

  if (done.next && done.next->skipped > 0) {
    SchedulerEvent skipped = base;
    skipped.kind = SchedulerEvent::Kind::kSkippedSlots;
    skipped.count = done.next->skipped;
    sink_(skipped);
  }
  if (!run.ok()) {
    SchedulerEvent failed = base;
    failed.kind = SchedulerEvent::Kind::kFailed;
    sink_(failed);
    return;
  }
  if (done.previous_result == std::string(kResultFailed)) {
    SchedulerEvent recovered = base;
    recovered.kind = SchedulerEvent::Kind::kRecovered;
    sink_(recovered);
  }
  if (!done.tick.commit.state) return;
  for (const Condition& condition : done.tick.commit.state->conditions) {
    auto before = std::find_if(done.previous_conditions.begin(), done.previous_conditions.end(),
                               [&](const Condition& c) { return c.name == condition.name; });
    if (before != done.previous_conditions.end() && before->status == condition.status) continue;
    SchedulerEvent changed = base;
    changed.kind = SchedulerEvent::Kind::kConditionChanged;
    changed.condition = condition;
    changed.previous_status =
        before == done.previous_conditions.end() ? std::string() : before->status;
    sink_(changed);
  }
}

Status Scheduler::CheckWritable() const {
  if (options_.lock == nullptr || !options_.lock->StoreReadOnly()) return Status::Ok();
  return Status::StoreUnusable(fmt::format(
      "store '{}' is read-only, so serve cannot record ticks; it resumes once the store is "
      "writable again (chmod 600 '{}')",
      store_.path(), store_.path()));
}

void Scheduler::StoreFailed(const Status& status) {
  const int64_t now = clock_.NowMs();
  store_retry_at_ms_ = now + options_.store_retry_ms;
  store_error_ = status.message();
  if (store_failing_) return;
  store_failing_ = true;
  SchedulerEvent event = NewEvent(SchedulerEvent::Kind::kStoreError, now);
  event.message = status.message();
  sink_(event);
}

void Scheduler::StoreWorked() {
  if (!store_failing_) return;
  store_failing_ = false;
  SchedulerEvent event = NewEvent(SchedulerEvent::Kind::kStoreRecovered, clock_.NowMs());
  sink_(event);
}

int64_t Scheduler::NextWakeMs() {
  int64_t wake = next_heartbeat_ms_;
  if (!options_.once && !stop_requested_) wake = std::min(wake, next_poll_ms_);
  if (store_failing_ && !unsaved_.empty()) wake = std::min(wake, store_retry_at_ms_);
  if (!stop_requested_ && in_flight_ < options_.max_in_flight) {
    if (std::optional<int64_t> due = timers_.NextDueMs()) {
      wake = std::min(wake, store_failing_ ? std::max(*due, store_retry_at_ms_) : *due);
    }
  }
  return wake;
}

}  // namespace vigy::core
