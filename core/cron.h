// Cron expressions for `--cron`: parsing, and the next matching instant in a
// time zone, with the DST behaviour documented in core/SCHEDULES.md.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time_zone.h"

namespace vigy::core {

// How far ahead NextCronTime looks. Long enough for every expression that can
// match at all (the rarest, such as Feb 29 on a Sunday, recur within 40 years).
inline constexpr int kCronSearchYears = 100;

// A parsed expression: the set of values each field allows.
struct CronSpec {
  std::string text;         // the expression as written
  std::bitset<60> seconds;  // {0} for the 5-field form
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // bits 1-31
  std::bitset<13> months;         // bits 1-12
  std::bitset<7> days_of_week;    // 0 = Sunday; a written 7 is stored as 0
  // The field starts with '*' (as in '*' or '*/2'). Classic cron rule: when
  // both day fields are restricted (neither starts with '*'), a day matches if
  // either matches; otherwise both must.
  bool day_of_month_star = false;
  bool day_of_week_star = false;
  // The second (6-field form only), minute or hour field starts with '*'. Such
  // a job repeats within the day and follows real time across DST changes;
  // any other job names fixed wall-clock times (see core/SCHEDULES.md).
  bool time_has_wildcard = false;
};

// Parses 5 fields (minute hour day-of-month month day-of-week, at second 0),
// 6 fields (second first), or one of the macros @yearly @annually @monthly
// @weekly @daily @midnight @hourly. Fields are separated by spaces or tabs.
// On error: kInvalidArgument with one line naming the field and the problem,
// "bad cron 'x * * * *': minute field 'x': not a number or name".
Result<CronSpec> ParseCron(std::string_view text);

// The first instant strictly after `after_epoch_ms` whose wall-clock reading
// in `zone` matches `spec`, in epoch ms (always a whole second). In a DST gap
// a fixed-time job runs at the first instant after the gap; in a DST repeat it
// runs once, at the first occurrence; a job with a wildcard time field skips
// the missing times and runs in both passes of a repeat. nullopt when nothing
// matches within kCronSearchYears (Feb 30, Apr 31). Thread-safe: zone
// evaluation is serialized (see core/time_zone.h).
std::optional<int64_t> NextCronTime(const CronSpec& spec, int64_t after_epoch_ms,
                                    const TimeZone& zone = TimeZone::Local());

}  // namespace vigy::core
