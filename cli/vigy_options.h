// The settings of a vigy as `add` and `update` take them on the command line
// (schedule, jitter, labels, limits, handler): declared and parsed the same
// way by both into core's VigySettings, whose rules (core/vigy_settings.h)
// every surface shares.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/vigy_settings.h"

namespace CLI {
class App;
}  // namespace CLI

namespace vigy::cli {

class Output;

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
};

// Adds the options; `for_update` adds the ones that take settings away
// instead of --disabled.
void AddVigyOptions(CLI::App& sub, VigyOptions& options, bool for_update);

// The settings `options` give, typed. kInvalidArgument naming the option for
// a value that does not parse (a duration, a count, a label); the settings'
// own rules are checked when they are applied (core::ApplyVigySettings).
core::Result<core::VigySettings> ToVigySettings(const VigyOptions& options);

// For a cron schedule, "vigy: warning: ..." on stderr when TZ names a zone
// the system does not know (cron would silently run in UTC).
void WarnAboutTimeZone(Output& out, const core::Schedule& schedule);

}  // namespace vigy::cli
