// Local (civil) time in a time zone, for cron: turning an instant into the
// wall-clock reading of a zone, and a wall-clock reading back into the
// instants that show it (none in a DST gap, two in a DST repeat).
//
// The C library does the zone work (localtime_r and the tzfile data it
// reads). Serve evaluates cron in the process's zone (TZ, else
// /etc/localtime). A named zone ("Europe/Berlin") is evaluated by setting TZ
// for the duration of one evaluation and restoring it afterwards, under a
// process-wide lock that every evaluation here takes; that keeps evaluations
// through this file consistent with each other, but other threads that call
// localtime() or getenv("TZ") meanwhile may see the named zone. Named zones are
// meant for tests and tools, not for a process whose other threads read local
// time.
#pragma once

#include <compare>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigy::core {

// A wall-clock reading without a zone. Fields are always in range
// (month 1-12, day 1-DaysInMonth, hour 0-23, minute 0-59, second 0-59).
struct CivilTime {
  int64_t year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;

  friend auto operator<=>(const CivilTime&, const CivilTime&) = default;
};

// Days in `month` of `year` (Gregorian, leap years included).
int DaysInMonth(int64_t year, int month);

// Day of the week, 0 = Sunday .. 6 = Saturday.
int Weekday(int64_t year, int month, int day);

// A civil time as seconds since 1970-01-01T00:00:00 of the same calendar
// (that is, as if the zone were UTC), and back. Comparing these is comparing
// civil times; stepping them is calendar arithmetic.
int64_t CivilToSeconds(const CivilTime& civil);
CivilTime SecondsToCivil(int64_t seconds);

// How a civil time maps to instants in a zone.
struct LocalInstants {
  enum class Kind {
    kUnique,    // exactly one instant: `first`
    kRepeated,  // shown twice (clocks went back): `first` < `second`
    kSkipped,   // never shown (clocks went forward): `first` is the first
                // instant after the gap, where the new offset begins
  };
  Kind kind = Kind::kUnique;
  int64_t first = 0;   // epoch seconds
  int64_t second = 0;  // epoch seconds; kRepeated only
};

class TimeZone {
 public:
  // The process's zone: TZ if set, else the system's /etc/localtime.
  static TimeZone Local();
  // Why the local zone is not what TZ names, if it is not: TZ set to a zone
  // name (optionally after ':') that the tz database does not have, so the C
  // library silently uses UTC. nullopt when TZ is unset, empty, a POSIX rule
  // such as "EST5EDT" or "UTC0", or a zone the system knows.
  static std::optional<std::string> LocalProblem();

  // A zone from the tz database by name ("America/New_York", "UTC"). The name
  // must be a relative path to a tzfile under $TZDIR (default
  // /usr/share/zoneinfo); otherwise kInvalidArgument "unknown time zone 'X'".
  static Result<TimeZone> Named(std::string_view name);

  // Empty for the process's zone.
  const std::string& name() const { return name_; }

  // Everything that reads the zone happens inside a Session: it holds the
  // process-wide zone lock (and, for a named zone, TZ) until it is destroyed.
  // Do not open a second Session on the same thread while one is alive.
  class Session {
   public:
    explicit Session(const TimeZone& zone);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Seconds east of UTC at the instant `epoch_s`.
    int64_t OffsetAt(int64_t epoch_s) const;
    // The zone's wall-clock reading at `epoch_s`.
    CivilTime ToCivil(int64_t epoch_s) const;
    // The instants that show `civil`. Assumes the zone's offset changes at
    // most once within a day of it (true of every zone's DST rules).
    LocalInstants Resolve(const CivilTime& civil) const;
    // The first instant in (after_s, limit_s] at which the offset differs
    // from the offset at `after_s`; nullopt when the probe at `limit_s` shows
    // the same offset. Assumes at most one change in the range.
    std::optional<int64_t> NextOffsetChange(int64_t after_s, int64_t limit_s) const;

   private:
    std::unique_lock<std::mutex> lock_;
    bool named_ = false;
    std::optional<std::string> saved_tz_;
  };

 private:
  explicit TimeZone(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

}  // namespace vigy::core
