#include "cli/vigy_options.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <limits>

#include "cli/arg_parsers.h"
#include "cli/duration.h"
#include "cli/output.h"
#include "core/selector.h"
#include "core/time_zone.h"

namespace vigy::cli {
namespace {

using core::Status;

core::Result<std::optional<core::GivenMs>> ParseMs(std::string_view option,
                                                   const std::optional<std::string>& text,
                                                   int64_t min_ms = 0) {
  if (!text) return std::optional<core::GivenMs>();
  core::Result<int64_t> ms = ParseDurationOption(option, *text, min_ms);
  if (!ms.ok()) return ms.status();
  return std::optional<core::GivenMs>(core::GivenMs{*ms, *text});
}

}  // namespace

void AddVigyOptions(CLI::App& sub, VigyOptions& o, bool for_update) {
  sub.add_option("--every", o.every,
                 "tick every D: 250ms, 5s, 10m, 1h, 1d or bare milliseconds (at least 100ms)")
      ->type_name("D");
  sub.add_option("--cron", o.cron,
                 "tick on a cron schedule: 5 fields, 6 with seconds first, or @daily and the "
                 "like; in serve's local time zone")
      ->type_name("EXPR");
  sub.add_option("--jitter", o.jitter,
                 "a stable per-vigy offset inside this window (at most the --every interval)")
      ->type_name("D");
  sub.add_option("--label", o.labels,
                 "a label KEY=VALUE (repeatable; a value is at most 63 of A-Z a-z 0-9 . _ -)")
      ->type_name("K=V")
      ->allow_extra_args(false);
  sub.add_option("--timeout", o.timeout, "wall-clock limit per tick (default 10s)")->type_name("D");
  sub.add_option("--max-steps", o.max_steps, "evaluation step budget per tick")->type_name("N");
  sub.add_option("--handler", o.handler,
                 "a shell command run once per action, with the action as JSON on stdin")
      ->type_name("CMD");
  if (!for_update) {
    sub.add_flag("--disabled", o.disabled, "register it disabled (serve will not tick it)");
    return;
  }
  sub.add_option("--unlabel", o.unlabels, "remove the label KEY (repeatable)")
      ->type_name("KEY")
      ->allow_extra_args(false);
  sub.add_flag("--no-schedule", o.no_schedule, "tick only on request (vigy tick)");
  sub.add_flag("--no-timeout", o.no_timeout, "back to the default timeout");
  sub.add_flag("--no-max-steps", o.no_max_steps, "back to the default step budget");
  sub.add_flag("--no-handler", o.no_handler, "remove the action handler");
}

void WarnAboutTimeZone(Output& out, const core::Schedule& schedule) {
  if (schedule.kind != core::ScheduleKind::kCron) return;
  if (std::optional<std::string> problem = core::TimeZone::LocalProblem()) {
    out.PrintError(fmt::format("vigy: warning: {}\n", *problem));
  }
}

core::Result<core::VigySettings> ToVigySettings(const VigyOptions& o) {
  core::VigySettings settings;
  auto every = ParseMs("--every", o.every);
  if (!every.ok()) return every.status();
  settings.every = *every;
  settings.cron = o.cron;
  auto jitter = ParseMs("--jitter", o.jitter);
  if (!jitter.ok()) return jitter.status();
  settings.jitter = *jitter;
  for (const std::string& text : o.labels) {
    auto label = core::ParseLabel(text);
    if (!label.ok()) return label.status();
    settings.labels[label->first] = label->second;
  }
  settings.unlabels = o.unlabels;
  auto timeout = ParseMs("--timeout", o.timeout, 1);
  if (!timeout.ok()) return timeout.status();
  settings.timeout = *timeout;
  if (o.max_steps) {
    auto steps = ParseCount("--max-steps", *o.max_steps,
                            static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 2));
    if (!steps.ok()) return steps.status();
    settings.max_steps = static_cast<int64_t>(*steps);
  }
  settings.handler = o.handler;
  if (o.disabled) settings.enabled = false;
  settings.no_schedule = o.no_schedule;
  settings.no_timeout = o.no_timeout;
  settings.no_max_steps = o.no_max_steps;
  settings.no_handler = o.no_handler;
  return settings;
}

}  // namespace vigy::cli
