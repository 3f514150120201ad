// Helpers for tests of cron and schedules: times written as RFC 3339 text with
// an explicit offset, zones by name, and instants shown as a zone's wall clock.
#pragma once

#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/cron.h"
#include "core/time_format.h"
#include "core/time_zone.h"

namespace vigy::core::testing {

// Epoch ms of "2027-03-14T01:30:00-05:00".
inline int64_t At(std::string_view rfc3339) {
  std::optional<int64_t> ms = ParseRfc3339Ms(rfc3339);
  INFO(rfc3339);
  REQUIRE(ms.has_value());
  return *ms;
}

inline TimeZone Zone(std::string_view name) {
  Result<TimeZone> zone = TimeZone::Named(name);
  INFO(zone.status().ToString());
  REQUIRE(zone.ok());
  return *zone;
}

inline CronSpec Cron(std::string_view text) {
  Result<CronSpec> spec = ParseCron(text);
  INFO(spec.status().ToString());
  REQUIRE(spec.ok());
  return *spec;
}

// "2027-03-14T03:00:00-04:00": the instant as `zone`'s wall clock and offset
// (milliseconds appended only when not zero).
inline std::string Wall(int64_t epoch_ms, const TimeZone& zone) {
  int64_t seconds = epoch_ms >= 0 ? epoch_ms / 1000 : -((-epoch_ms + 999) / 1000);
  int64_t millis = epoch_ms - seconds * 1000;
  TimeZone::Session session(zone);
  CivilTime c = session.ToCivil(seconds);
  int64_t offset = session.OffsetAt(seconds);
  char sign = offset < 0 ? '-' : '+';
  if (offset < 0) offset = -offset;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(c.year),
                c.month, c.day, c.hour, c.minute, c.second);
  std::string out = buf;
  if (millis != 0) {
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(millis));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", sign, static_cast<long long>(offset / 3600),
                static_cast<long long>(offset / 60 % 60));
  return out + buf;
}

// The next `count` times `expr` fires after `after`, as `zone`'s wall clock;
// "none" ends the list when the expression stops matching.
inline std::vector<std::string> Fires(std::string_view expr, std::string_view after,
                                      std::string_view zone_name, int count) {
  CronSpec spec = Cron(expr);
  TimeZone zone = Zone(zone_name);
  std::vector<std::string> out;
  int64_t t = At(after);
  for (int i = 0; i < count; ++i) {
    std::optional<int64_t> next = NextCronTime(spec, t, zone);
    if (!next) {
      out.push_back("none");
      break;
    }
    out.push_back(Wall(*next, zone));
    t = *next;
  }
  return out;
}

}  // namespace vigy::core::testing
