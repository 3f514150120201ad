#include "core/schedule.h"

#include <algorithm>
#include <limits>

#include "core/ids.h"

namespace vigy::core {
namespace {

// Keeps jitter independent of other uses of the id hash.
constexpr uint64_t kJitterSeed = 0x6a69'7474'6572'0001;

// Time arithmetic that saturates at the ends of int64 instead of wrapping, so
// no stored interval or jitter, however large, can turn a due time into 1970.
int64_t AddMs(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

int64_t SubMs(int64_t a, int64_t b) {
  int64_t difference = 0;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

int64_t MulMs(int64_t a, int64_t b) {
  int64_t product = 0;
  if (!__builtin_mul_overflow(a, b, &product)) return product;
  return (a < 0) != (b < 0) ? std::numeric_limits<int64_t>::min()
                            : std::numeric_limits<int64_t>::max();
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// The first cron slot whose due time is after `after_due_ms`.
std::optional<int64_t> NextCronSlot(const CronSpec& spec, int64_t jitter_offset_ms,
                                    int64_t after_due_ms, const TimeZone& zone) {
  std::optional<int64_t> at = NextCronTime(spec, SubMs(after_due_ms, jitter_offset_ms), zone);
  if (!at) return std::nullopt;
  return AddMs(*at, jitter_offset_ms);
}

// The latest slot <= now among `plan` and the slots after it, for a plan
// that is not in the future; everything before it is skipped.
std::optional<Due> CatchUp(const CompiledSchedule& schedule, int64_t plan_ms, int64_t now_ms,
                           const TimeZone& zone) {
  if (plan_ms > now_ms) return Due{plan_ms, 0};
  if (schedule.kind == ScheduleKind::kEvery) {
    // Counting from one interval before the plan makes the plan itself slot 1.
    return NextEveryDue(SubMs(plan_ms, schedule.every_ms), schedule.every_ms, now_ms);
  }
  std::optional<Due> later =
      NextCronDue(*schedule.cron, schedule.jitter_offset_ms, plan_ms, now_ms, zone);
  if (!later || later->due_ms > now_ms) return Due{plan_ms, 0};
  return Due{later->due_ms, std::min(later->skipped + 1, kMaxCountedCronSkips)};
}

}  // namespace

int64_t StableJitterMs(std::string_view vigy_id, int64_t jitter_ms) {
  if (jitter_ms <= 0) return 0;
  return static_cast<int64_t>(StableHash64(vigy_id, kJitterSeed) %
                              static_cast<uint64_t>(jitter_ms));
}

Due NextEveryDue(int64_t previous_due_ms, int64_t every_ms, int64_t now_ms) {
  // The smallest k >= 1 with previous + k * every > now - every is
  // floor((now - previous) / every), at least 1.
  const int64_t k = std::max<int64_t>(1, FloorDiv(SubMs(now_ms, previous_due_ms), every_ms));
  const int64_t due = AddMs(previous_due_ms, MulMs(k, every_ms));
  const int64_t restart = AddMs(now_ms, every_ms);
  if (due > restart) return Due{restart, 0};
  return Due{due, k - 1};
}

Result<CompiledSchedule> CompileSchedule(const Schedule& schedule, std::string_view vigy_id) {
  CompiledSchedule compiled;
  compiled.kind = schedule.kind;
  compiled.jitter_offset_ms = StableJitterMs(vigy_id, schedule.jitter_ms);
  switch (schedule.kind) {
    case ScheduleKind::kNone:
      break;
    case ScheduleKind::kEvery:
      if (schedule.every_ms <= 0) {
        return Status::InvalidArgument("every interval must be positive, got " +
                                       std::to_string(schedule.every_ms) + " ms");
      }
      compiled.every_ms = schedule.every_ms;
      break;
    case ScheduleKind::kCron: {
      Result<CronSpec> spec = ParseCron(schedule.cron);
      if (!spec.ok()) return spec.status();
      compiled.cron = std::move(spec).value();
      break;
    }
  }
  return compiled;
}

std::optional<Due> NextCronDue(const CronSpec& spec, int64_t jitter_offset_ms,
                               int64_t previous_due_ms, int64_t now_ms, const TimeZone& zone) {
  std::optional<int64_t> first = NextCronSlot(spec, jitter_offset_ms, previous_due_ms, zone);
  if (!first) return std::nullopt;
  if (*first > now_ms) return Due{*first, 0};

  int64_t latest = *first;
  for (int64_t skipped = 0; skipped < kMaxCountedCronSkips; ++skipped) {
    std::optional<int64_t> next = NextCronSlot(spec, jitter_offset_ms, latest, zone);
    if (!next || *next > now_ms) return Due{latest, skipped};
    latest = *next;
  }
  // Too many to count: find a slot close to now by looking back from now in
  // growing windows, then step to the last one that is not in the future.
  for (int64_t window = 1000;; window = MulMs(window, 2)) {
    const int64_t from = std::max(latest, SubMs(now_ms, window));
    std::optional<int64_t> next = NextCronSlot(spec, jitter_offset_ms, from, zone);
    if (next && *next <= now_ms) {
      latest = *next;
      break;
    }
    if (from == latest) break;
  }
  while (std::optional<int64_t> next = NextCronSlot(spec, jitter_offset_ms, latest, zone)) {
    if (*next > now_ms) break;
    latest = *next;
  }
  return Due{latest, kMaxCountedCronSkips};
}

int64_t ApplyBackoff(int64_t due_ms, const VigyRuntime& runtime) {
  return std::max(due_ms, runtime.backoff_until_ms);
}

int64_t RequeueDue(int64_t now_ms, int64_t requeue_after_ms) {
  const int64_t delay = std::max(requeue_after_ms, kMinRequeueMs);
  if (now_ms > 0 && delay > std::numeric_limits<int64_t>::max() - now_ms) {
    return std::numeric_limits<int64_t>::max();
  }
  return now_ms + delay;
}

std::optional<Due> InitialDue(const CompiledSchedule& schedule, const VigyRuntime& runtime,
                              int64_t now_ms, const TimeZone& zone) {
  std::optional<Due> due;
  switch (schedule.kind) {
    case ScheduleKind::kNone:
      return std::nullopt;
    case ScheduleKind::kEvery:
      if (runtime.next_due_ms) {
        due = CatchUp(schedule, *runtime.next_due_ms, now_ms, zone);
      } else if (runtime.last_tick_ms >= 0) {
        due = CatchUp(schedule, AddMs(runtime.last_tick_ms, schedule.every_ms), now_ms, zone);
      } else {
        due = Due{AddMs(now_ms, schedule.jitter_offset_ms), 0};
      }
      break;
    case ScheduleKind::kCron: {
      if (!schedule.cron) return std::nullopt;
      std::optional<int64_t> plan = runtime.next_due_ms;
      if (!plan) {
        const int64_t after = runtime.last_tick_ms >= 0 ? runtime.last_tick_ms : now_ms;
        plan = NextCronSlot(*schedule.cron, schedule.jitter_offset_ms, after, zone);
        if (!plan) return std::nullopt;
      }
      due = CatchUp(schedule, *plan, now_ms, zone);
      break;
    }
  }
  if (!due) return std::nullopt;
  due->due_ms = ApplyBackoff(due->due_ms, runtime);
  return due;
}

std::optional<Due> NextDueAfterTick(const CompiledSchedule& schedule, const VigyRuntime& runtime,
                                    int64_t previous_due_ms, int64_t now_ms,
                                    std::optional<int64_t> requeue_after_ms, const TimeZone& zone) {
  std::optional<Due> due;
  if (schedule.kind == ScheduleKind::kNone) return std::nullopt;
  if (requeue_after_ms) {
    due = Due{RequeueDue(now_ms, *requeue_after_ms), 0};
  } else if (schedule.kind == ScheduleKind::kEvery) {
    due = NextEveryDue(previous_due_ms, schedule.every_ms, now_ms);
  } else if (schedule.cron) {
    due = NextCronDue(*schedule.cron, schedule.jitter_offset_ms, previous_due_ms, now_ms, zone);
  }
  if (!due) return std::nullopt;
  due->due_ms = ApplyBackoff(due->due_ms, runtime);
  return due;
}

}  // namespace vigy::core
