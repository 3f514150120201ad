#include "cli/serve_log.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "cli/duration.h"
#include "cli/one_line.h"
#include "core/clock.h"
#include "core/time_format.h"

namespace vigy::cli {
namespace {

using Kind = core::SchedulerEvent::Kind;

enum class Level { kDebug, kInfo, kWarn, kError };

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      break;
  }
  return "error";
}

std::string_view EventName(Kind kind) {
  switch (kind) {
    case Kind::kStarted:
      return "started";
    case Kind::kTicked:
      return "tick";
    case Kind::kFailed:
      return "tick_failed";
    case Kind::kRecovered:
      return "recovered";
    case Kind::kConditionChanged:
      return "condition_changed";
    case Kind::kScheduled:
      return "scheduled";
    case Kind::kDropped:
      return "dropped";
    case Kind::kSkippedSlots:
      return "skipped_slots";
    case Kind::kCommitRefused:
      return "commit_refused";
    case Kind::kStoreError:
      return "store_error";
    case Kind::kStoreRecovered:
      return "store_recovered";
    case Kind::kStopping:
      return "stopping";
    case Kind::kStopped:
      break;
  }
  return "stopped";
}

// How loud each event is. A tick is debug (shown with -v); everything a
// person running serve should hear about is info or worse.
Level LevelOf(const core::SchedulerEvent& event) {
  switch (event.kind) {
    case Kind::kTicked:
    case Kind::kSkippedSlots:
      return Level::kDebug;
    case Kind::kFailed:
    case Kind::kStoreError:
      return Level::kError;
    case Kind::kCommitRefused:
      return Level::kWarn;
    default:
      return Level::kInfo;
  }
}

std::string In(int64_t from_ms, int64_t to_ms) {
  return FormatDelay(std::chrono::milliseconds(std::max<int64_t>(0, to_ms - from_ms)));
}

// The event as words, without time or level.
std::string Describe(const core::SchedulerEvent& e) {
  const core::RunRecord* run = e.run;
  switch (e.kind) {
    case Kind::kStarted:
      return fmt::format("serving {} ({} {} scheduled)", e.message, e.count,
                         e.count == 1 ? "vigy" : "vigies");
    case Kind::kTicked: {
      std::string text = fmt::format("{}: tick {} {} in {}ms", e.vigy_name, run->tick, run->result,
                                     run->duration_ms);
      if (run->scheduled_at_ms) {
        text += fmt::format(", {}ms late", run->started_at_ms - *run->scheduled_at_ms);
      }
      if (e.next_due_ms) text += ", next in " + In(e.at_ms, *e.next_due_ms);
      return text;
    }
    case Kind::kFailed: {
      std::string text = fmt::format("{}: tick {} failed: {}", e.vigy_name, run->tick,
                                     run->error.value_or("(no message)"));
      if (e.next_due_ms) text += "; next try in " + In(e.at_ms, *e.next_due_ms);
      return text;
    }
    case Kind::kRecovered:
      return fmt::format("{}: recovered at tick {}", e.vigy_name, run->tick);
    case Kind::kConditionChanged: {
      const core::Condition& c = *e.condition;
      std::string text =
          fmt::format("{}: condition {} {} -> {}", e.vigy_name, c.name,
                      e.previous_status.empty() ? "(new)" : e.previous_status, c.status);
      if (c.reason) text += fmt::format(" ({})", *c.reason);
      if (c.message) text += ": " + *c.message;
      return text;
    }
    case Kind::kScheduled:
      if (!e.next_due_ms)
        return fmt::format("{}: taken on; its schedule never comes due", e.vigy_name);
      return fmt::format("{}: scheduled, first tick in {}", e.vigy_name,
                         In(e.at_ms, *e.next_due_ms));
    case Kind::kDropped:
      return fmt::format("{}: no longer ticked: {}", e.vigy_name, e.message);
    case Kind::kSkippedSlots:
      return fmt::format("{}: skipped {} missed slot{}", e.vigy_name, e.count,
                         e.count == 1 ? "" : "s");
    case Kind::kCommitRefused:
      return fmt::format("{}: run not recorded: {}", e.vigy_name, e.message);
    case Kind::kStoreError:
      return fmt::format("store error: {}; retrying", e.message);
    case Kind::kStoreRecovered:
      return "store works again";
    case Kind::kStopping:
      return fmt::format("stopping; waiting for {} tick{} in flight", e.count,
                         e.count == 1 ? "" : "s");
    case Kind::kStopped:
      break;
  }
  return fmt::format("stopped after {} tick{}", e.count, e.count == 1 ? "" : "s");
}

nlohmann::json ToJsonLine(const core::SchedulerEvent& e, Level level) {
  nlohmann::json j;
  j["time"] = core::FormatRfc3339Ms(e.at_ms);
  j["level"] = LevelName(level);
  j["event"] = EventName(e.kind);
  if (!e.vigy_name.empty()) j["vigy"] = e.vigy_name;
  if (!e.vigy_id.empty()) j["vigy_id"] = e.vigy_id;
  if (e.run != nullptr) {
    j["run_id"] = e.run->id;
    j["tick"] = e.run->tick;
    j["result"] = e.run->result;
    j["duration_ms"] = e.run->duration_ms;
    if (e.run->scheduled_at_ms) j["late_ms"] = e.run->started_at_ms - *e.run->scheduled_at_ms;
    if (e.run->error) j["error"] = *e.run->error;
  }
  if (e.condition) {
    j["condition"] = e.condition->name;
    j["status"] = e.condition->status;
    if (!e.previous_status.empty()) j["previous_status"] = e.previous_status;
    if (e.condition->reason) j["reason"] = *e.condition->reason;
  }
  if (e.next_due_ms) j["next_due"] = core::FormatRfc3339Ms(*e.next_due_ms);
  if (e.kind == Kind::kStarted || e.kind == Kind::kSkippedSlots || e.kind == Kind::kStopping ||
      e.kind == Kind::kStopped) {
    j["count"] = e.count;
  }
  j["message"] = Describe(e);
  return j;
}

}  // namespace

ServeLog::ServeLog(std::FILE* stream, LogFormat format, int verbosity)
    : stream_(stream), format_(format), verbosity_(verbosity) {}

std::string ServeLog::Format(const core::SchedulerEvent& event) {
  Level level = LevelOf(event);
  if (event.kind == Kind::kStarted) started_ = true;
  if (event.kind == Kind::kScheduled && !started_) level = Level::kDebug;
  const Level quietest = verbosity_ > 0   ? Level::kDebug
                         : verbosity_ < 0 ? Level::kWarn
                                          : Level::kInfo;
  if (level < quietest) return "";
  if (format_ == LogFormat::kJson) {
    return ToJsonLine(event, level).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
  }
  return fmt::format("{} {:<5} {}\n", core::FormatRfc3339Ms(event.at_ms), LevelName(level),
                     OneLine(Describe(event)));
}

void ServeLog::Note(std::string_view event, bool warn, const std::string& message) {
  const Level level = warn ? Level::kWarn : Level::kInfo;
  if (verbosity_ < 0 && !warn) return;
  const int64_t now = core::SystemClock().NowMs();
  std::string line;
  if (format_ == LogFormat::kJson) {
    nlohmann::json j;
    j["time"] = core::FormatRfc3339Ms(now);
    j["level"] = LevelName(level);
    j["event"] = event;
    j["message"] = message;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    line = fmt::format("{} {:<5} {}\n", core::FormatRfc3339Ms(now), LevelName(level),
                       OneLine(message));
  }
  std::lock_guard lock(mutex_);
  WriteLine(line);
}

void ServeLog::Write(const core::SchedulerEvent& event) {
  std::lock_guard lock(mutex_);
  WriteLine(Format(event));
}

void ServeLog::WriteSignal(std::string_view signal, int64_t at_ms) {
  const std::string message = fmt::format("received {}: stopping", signal);
  std::string line;
  if (format_ == LogFormat::kJson) {
    nlohmann::json j;
    j["time"] = core::FormatRfc3339Ms(at_ms);
    j["level"] = LevelName(Level::kInfo);
    j["event"] = "signal";
    j["signal"] = signal;
    j["message"] = message;
    line = j.dump() + "\n";
  } else {
    line = fmt::format("{} {:<5} {}\n", core::FormatRfc3339Ms(at_ms), LevelName(Level::kInfo),
                       message);
  }
  std::lock_guard lock(mutex_);
  WriteLine(line);
}

void ServeLog::WriteLine(const std::string& line) {
  if (line.empty()) return;
  std::fwrite(line.data(), 1, line.size(), stream_);
  std::fflush(stream_);
}

}  // namespace vigy::cli
