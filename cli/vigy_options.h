// The settings of a vigy as `add` and `update` take them (schedule, jitter,
// labels, limits, handler), parsed and checked the same way by both: `add`
// applies them to a fresh record, `update` to the stored one, changing only
// what was given.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/vigy.h"

namespace CLI {
class App;
}  // namespace CLI

namespace vigy::cli {

class Output;

// The shortest --every interval.
inline constexpr int64_t kMinEveryMs = 100;

// As typed; unset means "not given".
struct VigyOptions {
  std::optional<std::string> every;
  std::optional<std::string> cron;
  std::optional<std::string> jitter;
  std::vector<std::string> labels;  // KEY=VALUE, each added or replaced
  std::optional<std::string> timeout;
  std::optional<std::string> max_steps;
  std::optional<std::string> handler;
  bool disabled = false;  // add only

  // update only: take a setting away.
  std::vector<std::string> unlabels;  // label keys to remove
  bool no_schedule = false;
  bool no_timeout = false;
  bool no_max_steps = false;
  bool no_handler = false;

  // Whether any setting was given.
  bool any() const;
};

// Adds the options; `for_update` adds the ones that take settings away
// instead of --disabled.
void AddVigyOptions(CLI::App& sub, VigyOptions& options, bool for_update);

// Applies what `options` gives to `vigy`, leaving everything else as it is.
// kInvalidArgument naming the option and the problem for a bad value, an
// --every under 100ms, a --cron that does not parse, two options that
// contradict each other, or a jitter left on a vigy without a schedule.
core::Status ApplyVigyOptions(const VigyOptions& options, core::Vigy& vigy);

// For a cron schedule, "vigy: warning: ..." on stderr when TZ names a zone
// the system does not know (cron would silently run in UTC).
void WarnAboutTimeZone(Output& out, const core::Schedule& schedule);

}  // namespace vigy::cli
