#include "cli/vigy_options.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <limits>

#include "cli/arg_parsers.h"
#include "cli/duration.h"
#include "cli/output.h"
#include "core/cron.h"
#include "core/ids.h"
#include "core/selector.h"
#include "core/time_zone.h"

namespace vigy::cli {
namespace {

using core::Status;

Status Contradiction(std::string_view a, std::string_view b) {
  return Status::InvalidArgument(fmt::format("{} and {} cannot be used together", a, b));
}

Status ApplySchedule(const VigyOptions& o, core::Schedule& schedule) {
  if (o.every && o.cron) return Contradiction("--every", "--cron");
  if (o.no_schedule && (o.every || o.cron)) {
    return Contradiction("--no-schedule", o.every ? "--every" : "--cron");
  }
  if (o.every) {
    core::Result<int64_t> ms = ParseDurationOption("--every", *o.every);
    if (!ms.ok()) return ms.status();
    if (*ms < kMinEveryMs) {
      return Status::InvalidArgument(
          fmt::format("bad --every '{}': the shortest interval is {}ms", *o.every, kMinEveryMs));
    }
    schedule.kind = core::ScheduleKind::kEvery;
    schedule.every_ms = *ms;
    schedule.cron.clear();
  }
  if (o.cron) {
    if (core::Result<core::CronSpec> spec = core::ParseCron(*o.cron); !spec.ok()) {
      return spec.status();
    }
    schedule.kind = core::ScheduleKind::kCron;
    schedule.cron = *o.cron;
    schedule.every_ms = 0;
  }
  if (o.no_schedule) schedule = core::Schedule{};
  if (o.jitter) {
    if (o.no_schedule) return Contradiction("--no-schedule", "--jitter");
    core::Result<int64_t> ms = ParseDurationOption("--jitter", *o.jitter);
    if (!ms.ok()) return ms.status();
    schedule.jitter_ms = *ms;
  }
  if (schedule.kind == core::ScheduleKind::kNone && schedule.jitter_ms != 0) {
    return Status::InvalidArgument("--jitter needs a schedule (--every or --cron)");
  }
  // The offset is a place inside one interval: a longer window would only
  // delay the first tick, by up to the whole window.
  if (schedule.kind == core::ScheduleKind::kEvery && schedule.jitter_ms > schedule.every_ms) {
    return Status::InvalidArgument(
        fmt::format("--jitter {} is longer than the interval --every {} (at most the interval)",
                    FormatDuration(std::chrono::milliseconds(schedule.jitter_ms)),
                    FormatDuration(std::chrono::milliseconds(schedule.every_ms))));
  }
  return Status::Ok();
}

Status ApplyLabels(const VigyOptions& o, core::Labels& labels) {
  for (const std::string& text : o.labels) {
    auto label = core::ParseLabel(text);
    if (!label.ok()) return label.status();
    labels[label->first] = label->second;
  }
  for (const std::string& key : o.unlabels) {
    if (Status s = core::ValidateLabelKey(key); !s.ok()) {
      return Status::InvalidArgument(fmt::format("bad --unlabel '{}': {}", key, s.message()));
    }
    labels.erase(key);
  }
  return Status::Ok();
}

Status ApplyLimits(const VigyOptions& o, core::Vigy& vigy) {
  if (o.timeout && o.no_timeout) return Contradiction("--timeout", "--no-timeout");
  if (o.max_steps && o.no_max_steps) return Contradiction("--max-steps", "--no-max-steps");
  if (o.handler && o.no_handler) return Contradiction("--handler", "--no-handler");
  if (o.timeout) {
    core::Result<int64_t> ms = ParseDurationOption("--timeout", *o.timeout, 1);
    if (!ms.ok()) return ms.status();
    vigy.timeout_ms = *ms;
  }
  if (o.no_timeout) vigy.timeout_ms.reset();
  if (o.max_steps) {
    auto steps = ParseCount("--max-steps", *o.max_steps,
                            static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 2));
    if (!steps.ok()) return steps.status();
    vigy.max_steps = static_cast<int64_t>(*steps);
  }
  if (o.no_max_steps) vigy.max_steps.reset();
  if (o.handler) {
    if (o.handler->find_first_not_of(" \t") == std::string::npos) {
      return Status::InvalidArgument("--handler needs a command, got an empty one");
    }
    vigy.handler = *o.handler;
  }
  if (o.no_handler) vigy.handler.reset();
  return Status::Ok();
}

}  // namespace

bool VigyOptions::any() const {
  return every || cron || jitter || !labels.empty() || timeout || max_steps || handler ||
         disabled || !unlabels.empty() || no_schedule || no_timeout || no_max_steps || no_handler;
}

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

Status ApplyVigyOptions(const VigyOptions& options, core::Vigy& vigy) {
  if (Status s = ApplySchedule(options, vigy.schedule); !s.ok()) return s;
  if (Status s = ApplyLabels(options, vigy.labels); !s.ok()) return s;
  if (Status s = ApplyLimits(options, vigy); !s.ok()) return s;
  if (options.disabled) vigy.enabled = false;
  return Status::Ok();
}

}  // namespace vigy::cli
