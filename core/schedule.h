// The scheduler's time math (vigy(1), SCHEDULES), as pure functions of explicit
// times: when a vigy is next due given its schedule, its runtime counters
// (failure backoff), a requeue request, and the time now. The scheduler owns
// the timer queue; everything about *when* lives here.
//
// Vocabulary. A *slot* is a time the schedule itself names: for --every, the
// previous due time plus a whole number of intervals; for --cron, a matching
// instant plus the vigy's stable jitter. The *due time* is when the tick should
// start: a slot, or a requeue time, pushed no earlier than backoff_until_ms.
// Each tick's due time anchors the next (drift-free: the interval is added to
// the due time, never to when the tick ran or ended).
//
// Missed slots. When the next slot is already in the past (serve was busy,
// suspended or down), the vigy ticks once, at once: the due time becomes the
// latest slot that is not in the future, and every earlier missed slot is
// skipped and counted. No bursts, and never more than one interval late.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/cron.h"
#include "core/status.h"
#include "core/time_zone.h"
#include "core/vigy.h"

namespace vigy::core {

// The shortest delay (vigy-requeue-after ms) can ask for; smaller requests,
// including 0, mean this. The same floor as --every.
inline constexpr int64_t kMinRequeueMs = 100;

// Cron slots counted one by one when skipping; past this many the count stops
// (the due time is still the latest missed slot).
inline constexpr int64_t kMaxCountedCronSkips = 100'000;

// A vigy's stable offset in [0, jitter_ms), derived from its id: the same id
// and window always give the same offset, different ids spread across the
// window. 0 when jitter_ms <= 0.
int64_t StableJitterMs(std::string_view vigy_id, int64_t jitter_ms);

// A due time and how many slots were skipped to reach it.
struct Due {
  int64_t due_ms = 0;
  int64_t skipped = 0;

  friend bool operator==(const Due&, const Due&) = default;
};

// The next --every slot after a tick due at `previous_due_ms`: the smallest
// previous_due + k * every_ms (k >= 1) that is later than now - every_ms,
// with skipped = k - 1. So a slot less than one interval late still runs (at
// once); any older slot is skipped. If the clock was set back, so that this
// slot would lie more than one interval ahead of now, the chain restarts at
// now + every_ms (skipped 0): a backward clock step never stalls a vigy.
// Requires every_ms > 0.
Due NextEveryDue(int64_t previous_due_ms, int64_t every_ms, int64_t now_ms);

// A schedule ready for the math: the cron expression parsed once, the jitter
// resolved for one vigy.
struct CompiledSchedule {
  ScheduleKind kind = ScheduleKind::kNone;
  int64_t every_ms = 0;
  std::optional<CronSpec> cron;  // set for kCron
  int64_t jitter_offset_ms = 0;  // StableJitterMs(vigy id, jitter_ms)
};

// kInvalidArgument for a cron expression that does not parse (ParseCron's
// message) or an every interval that is not positive.
Result<CompiledSchedule> CompileSchedule(const Schedule& schedule, std::string_view vigy_id);

// The next cron slot after a tick due at `previous_due_ms`, by the missed-slot
// rule above: the first slot after the previous due; if that is not in the
// future, the latest slot <= now instead, with the slots before it skipped
// (counted up to kMaxCountedCronSkips). Slots are cron instants plus
// `jitter_offset_ms`. nullopt when the expression never matches again.
std::optional<Due> NextCronDue(const CronSpec& spec, int64_t jitter_offset_ms,
                               int64_t previous_due_ms, int64_t now_ms,
                               const TimeZone& zone = TimeZone::Local());

// The due time pushed past any failure backoff: max(due_ms, backoff_until_ms).
int64_t ApplyBackoff(int64_t due_ms, const VigyRuntime& runtime);

// When a tick that asked (vigy-requeue-after ms) is next due, before backoff:
// now + max(ms, kMinRequeueMs), saturating instead of overflowing.
int64_t RequeueDue(int64_t now_ms, int64_t requeue_after_ms);

// When serve should first tick a vigy it has just taken on (at start-up, or
// when it appears or is enabled while serve runs). nullopt for kind none (or
// a cron that never matches).
//  - runtime.next_due_ms set (a previous serve planned it): that plan. If it
//    is not in the future, it came due while nothing was serving: the vigy
//    ticks once, now — due at the latest slot <= now counting from that plan,
//    the earlier ones skipped. A caller whose schedule changed since the plan
//    was made must clear next_due_ms first.
//  - never planned, but ticked before (last_tick_ms >= 0, e.g. `vigy tick`):
//    the first slot after that tick, caught up the same way.
//  - never ticked: every — now + jitter (ticks at once without jitter); cron —
//    the first slot after now.
// Failure backoff applies on top.
std::optional<Due> InitialDue(const CompiledSchedule& schedule, const VigyRuntime& runtime,
                              int64_t now_ms, const TimeZone& zone = TimeZone::Local());

// When serve should next tick a vigy after a tick that was due at
// `previous_due_ms`. `runtime` is as that tick committed it (its
// backoff_until_ms); `requeue_after_ms` is the tick's request, if any, which
// replaces the schedule's next slot for this one tick (the chain then
// continues from the requeued due time). Failure backoff applies on top.
// nullopt for kind none (serve never ticks it, requeue or not) or a cron that
// never matches again.
std::optional<Due> NextDueAfterTick(const CompiledSchedule& schedule, const VigyRuntime& runtime,
                                    int64_t previous_due_ms, int64_t now_ms,
                                    std::optional<int64_t> requeue_after_ms,
                                    const TimeZone& zone = TimeZone::Local());

}  // namespace vigy::core
