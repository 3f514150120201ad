// The settings of a vigy (schedule, jitter, labels, limits, handler, enabled)
// as every surface changes them: typed values, checked by one set of rules.
// Registering applies them to a fresh record, updating to the stored one,
// changing only what is given. Error messages name each setting by its
// command-line option (--every, --cron, ...), the spelling the documentation
// uses for all surfaces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/vigy.h"

namespace vigy::core {

// The shortest interval of an every-schedule.
inline constexpr int64_t kMinEveryMs = 100;

// A duration as given: its value, and the text it was written as (quoted in
// errors; empty: "<ms>ms" is quoted instead).
struct GivenMs {
  int64_t ms = 0;
  std::string text;

  std::string Quoted() const;
};

// Changes to a vigy's settings. Unset or empty means "leave as it is".
struct VigySettings {
  std::optional<GivenMs> every;        // tick every this long (at least kMinEveryMs)
  std::optional<std::string> cron;     // tick on this cron expression
  std::optional<GivenMs> jitter;       // a stable per-vigy offset inside this window
  Labels labels;                       // each added or replaced
  std::vector<std::string> unlabels;   // label keys removed
  std::optional<GivenMs> timeout;      // per-tick wall-clock limit, 1ms to kMaxDurationMs
  std::optional<int64_t> max_steps;    // per-tick step budget, at least 1
  std::optional<std::string> handler;  // shell command run per action; not blank
  std::optional<bool> enabled;

  // Take a setting away (update only).
  bool no_schedule = false;
  bool no_timeout = false;
  bool no_max_steps = false;
  bool no_handler = false;

  // Whether any change is given.
  bool any() const;
};

// Applies `settings` to `vigy`, leaving everything else as it is.
// kInvalidArgument naming the setting and the problem: an every under
// kMinEveryMs, a cron expression that does not parse, a timeout out of range,
// a blank handler, a bad label key or value, two settings that contradict each
// other, or a jitter left on a vigy without a schedule. On error `vigy` may be
// partly changed: apply to a copy when that matters.
Status ApplyVigySettings(const VigySettings& settings, Vigy& vigy);

// The settings' rules on their own, before there is a record to apply them
// to, so that a surface can refuse a bad setting before it reads a program:
// as ApplyVigySettings on a fresh record; with `for_update`, on a record that
// has a schedule (a jitter given alone is judged against the stored
// schedule when the update is applied).
Status CheckVigySettings(const VigySettings& settings, bool for_update);

}  // namespace vigy::core
