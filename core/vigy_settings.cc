#include "core/vigy_settings.h"

#include <fmt/format.h>

#include "core/cron.h"
#include "core/duration.h"
#include "core/ids.h"
#include "core/selector.h"

namespace vigy::core {
namespace {

Status Contradiction(std::string_view a, std::string_view b) {
  return Status::InvalidArgument(fmt::format("{} and {} cannot be used together", a, b));
}

Status ApplySchedule(const VigySettings& s, Schedule& schedule) {
  if (s.every && s.cron) return Contradiction("--every", "--cron");
  if (s.no_schedule && (s.every || s.cron)) {
    return Contradiction("--no-schedule", s.every ? "--every" : "--cron");
  }
  if (s.every) {
    if (s.every->ms < kMinEveryMs) {
      return Status::InvalidArgument(fmt::format("bad --every '{}': the shortest interval is {}ms",
                                                 s.every->Quoted(), kMinEveryMs));
    }
    if (s.every->ms > kMaxDurationMs) {
      return Status::InvalidArgument(
          fmt::format("bad --every '{}': longer than 365d", s.every->Quoted()));
    }
    schedule.kind = ScheduleKind::kEvery;
    schedule.every_ms = s.every->ms;
    schedule.cron.clear();
  }
  if (s.cron) {
    if (Result<CronSpec> spec = ParseCron(*s.cron); !spec.ok()) return spec.status();
    schedule.kind = ScheduleKind::kCron;
    schedule.cron = *s.cron;
    schedule.every_ms = 0;
  }
  if (s.no_schedule) schedule = Schedule{};
  if (s.jitter) {
    if (s.no_schedule) return Contradiction("--no-schedule", "--jitter");
    if (s.jitter->ms < 0) {
      return Status::InvalidArgument(
          fmt::format("bad --jitter '{}': expected 0 or more", s.jitter->Quoted()));
    }
    if (s.jitter->ms > kMaxDurationMs) {
      return Status::InvalidArgument(
          fmt::format("bad --jitter '{}': longer than 365d", s.jitter->Quoted()));
    }
    schedule.jitter_ms = s.jitter->ms;
  }
  if (schedule.kind == ScheduleKind::kNone && schedule.jitter_ms != 0) {
    return Status::InvalidArgument("--jitter needs a schedule (--every or --cron)");
  }
  // The offset is a place inside one interval: a longer window would only
  // delay the first tick, by up to the whole window.
  if (schedule.kind == ScheduleKind::kEvery && schedule.jitter_ms > schedule.every_ms) {
    return Status::InvalidArgument(
        fmt::format("--jitter {} is longer than the interval --every {} (at most the interval)",
                    FormatDuration(std::chrono::milliseconds(schedule.jitter_ms)),
                    FormatDuration(std::chrono::milliseconds(schedule.every_ms))));
  }
  return Status::Ok();
}

Status ApplyLabels(const VigySettings& s, Labels& labels) {
  for (const auto& [key, value] : s.labels) {
    Status st = ValidateLabelKey(key);
    if (st.ok()) st = ValidateLabelValue(value);
    if (!st.ok()) {
      return Status::InvalidArgument(
          fmt::format("bad label '{}={}': {}", key, value, st.message()));
    }
    labels[key] = value;
  }
  for (const std::string& key : s.unlabels) {
    if (Status st = ValidateLabelKey(key); !st.ok()) {
      return Status::InvalidArgument(fmt::format("bad --unlabel '{}': {}", key, st.message()));
    }
    labels.erase(key);
  }
  return Status::Ok();
}

Status ApplyLimits(const VigySettings& s, Vigy& vigy) {
  if (s.timeout && s.no_timeout) return Contradiction("--timeout", "--no-timeout");
  if (s.max_steps && s.no_max_steps) return Contradiction("--max-steps", "--no-max-steps");
  if (s.handler && s.no_handler) return Contradiction("--handler", "--no-handler");
  if (s.timeout) {
    if (s.timeout->ms < 1) {
      return Status::InvalidArgument(
          fmt::format("bad --timeout '{}': at least 1ms", s.timeout->Quoted()));
    }
    if (s.timeout->ms > kMaxDurationMs) {
      return Status::InvalidArgument(
          fmt::format("bad --timeout '{}': longer than 365d", s.timeout->Quoted()));
    }
    vigy.timeout_ms = s.timeout->ms;
  }
  if (s.no_timeout) vigy.timeout_ms.reset();
  if (s.max_steps) {
    if (*s.max_steps < 1) {
      return Status::InvalidArgument(
          fmt::format("bad --max-steps '{}': expected a whole number of at least 1", *s.max_steps));
    }
    vigy.max_steps = *s.max_steps;
  }
  if (s.no_max_steps) vigy.max_steps.reset();
  if (s.handler) {
    if (s.handler->find_first_not_of(" \t") == std::string::npos) {
      return Status::InvalidArgument("--handler needs a command, got an empty one");
    }
    vigy.handler = *s.handler;
  }
  if (s.no_handler) vigy.handler.reset();
  return Status::Ok();
}

}  // namespace

std::string GivenMs::Quoted() const { return text.empty() ? fmt::format("{}ms", ms) : text; }

bool VigySettings::any() const {
  return every || cron || jitter || !labels.empty() || timeout || max_steps || handler || enabled ||
         !unlabels.empty() || no_schedule || no_timeout || no_max_steps || no_handler;
}

Status ApplyVigySettings(const VigySettings& settings, Vigy& vigy) {
  if (Status s = ApplySchedule(settings, vigy.schedule); !s.ok()) return s;
  if (Status s = ApplyLabels(settings, vigy.labels); !s.ok()) return s;
  if (Status s = ApplyLimits(settings, vigy); !s.ok()) return s;
  if (settings.enabled) vigy.enabled = *settings.enabled;
  return Status::Ok();
}

Status CheckVigySettings(const VigySettings& settings, bool for_update) {
  Vigy scratch;
  if (for_update) {
    scratch.schedule.kind = ScheduleKind::kEvery;
    scratch.schedule.every_ms = kMinEveryMs;
  }
  return ApplyVigySettings(settings, scratch);
}

}  // namespace vigy::core
