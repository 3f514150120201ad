#include "cli/vigy_printer.h"

#include <fmt/format.h>

#include <chrono>

#include "cli/duration.h"
#include "cli/table.h"
#include "core/time_format.h"

namespace vigy::cli {
namespace {

constexpr size_t kErrorSummaryWidth = 60;

std::string Time(int64_t ms, int64_t now_ms) {
  return fmt::format("{} ({})", core::FormatRfc3339Ms(ms), FormatAgo(ms, now_ms));
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > kErrorSummaryWidth) line = line.substr(0, kErrorSummaryWidth - 3) + "...";
  return line;
}

}  // namespace

std::string CompactJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FormatSchedule(const core::Schedule& schedule, bool with_jitter) {
  std::string text;
  switch (schedule.kind) {
    case core::ScheduleKind::kNone:
      return "manual";
    case core::ScheduleKind::kEvery:
      text = "every " + FormatDuration(std::chrono::milliseconds(schedule.every_ms));
      break;
    case core::ScheduleKind::kCron:
      text = fmt::format("cron \"{}\"", schedule.cron);
      break;
  }
  if (with_jitter && schedule.jitter_ms > 0) {
    text +=
        fmt::format(" (jitter {})", FormatDuration(std::chrono::milliseconds(schedule.jitter_ms)));
  }
  return text;
}

std::string FormatNextTick(const core::Vigy& vigy, const core::VigyRuntime& runtime, int64_t now_ms,
                           bool serve_live) {
  if (!serve_live || !vigy.enabled || !runtime.next_due_ms) return "-";
  return FormatUntil(*runtime.next_due_ms, now_ms);
}

Style VigyStateStyle(const std::string& state) {
  if (state == "failing") return Style::kRed;
  if (state == "disabled") return Style::kDim;
  return Style::kGreen;
}

Style ResultStyle(std::string_view result) {
  if (result == core::kResultOk) return Style::kGreen;
  if (result == core::kResultFailed) return Style::kRed;
  return Style::kYellow;
}

std::string Field(const Output& out, std::string_view label,
                  const std::vector<std::string>& lines) {
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string head = fmt::format("{:<{}}", i == 0 ? label : "", kFieldWidth);
    text += i == 0 ? out.Paint(Style::kBold, head) : head;
    for (char c : lines[i]) {
      text += c;
      if (c == '\n') text.append(kFieldWidth, ' ');
    }
    text += '\n';
  }
  return text;
}

std::string Field(const Output& out, std::string_view label, std::string_view value) {
  return Field(out, label, std::vector<std::string>{std::string(value)});
}

std::string FormatVigyRecord(const Output& out, const core::Vigy& vigy,
                             const core::VigyRuntime* runtime, int64_t now_ms) {
  std::string text;
  text += Field(out, "name", vigy.name);
  text += Field(out, "id", vigy.id);
  text += Field(out, "revision", vigy.revision);
  std::string state =
      runtime ? VigyStateName(vigy, *runtime) : (vigy.enabled ? "enabled" : "disabled");
  text += Field(out, "state", out.Paint(VigyStateStyle(state), state));
  text += Field(out, "schedule", FormatSchedule(vigy.schedule, /*with_jitter=*/true));
  if (!vigy.labels.empty()) {
    std::vector<std::string> labels;
    for (const auto& [key, value] : vigy.labels) labels.push_back(fmt::format("{}={}", key, value));
    text += Field(out, "labels", labels);
  }
  if (vigy.timeout_ms) {
    text += Field(out, "timeout", FormatDuration(std::chrono::milliseconds(*vigy.timeout_ms)));
  }
  if (vigy.max_steps) text += Field(out, "max steps", std::to_string(*vigy.max_steps));
  if (vigy.handler) text += Field(out, "handler", *vigy.handler);
  text += Field(out, "created", Time(vigy.created_at_ms, now_ms));
  text += Field(out, "updated", Time(vigy.updated_at_ms, now_ms));
  return text;
}

std::string FormatRunTable(const Output& out, const std::vector<core::RunRecord>& runs) {
  Table table({"ID", "VIGY", "TICK", "RESULT", "STARTED", "DURATION", "ERROR"});
  for (const core::RunRecord& run : runs) {
    table.AddRow({run.id, run.vigy_name, std::to_string(run.tick),
                  Cell(run.result, ResultStyle(run.result)),
                  core::FormatRfc3339Ms(run.started_at_ms), fmt::format("{}ms", run.duration_ms),
                  run.error && !run.ok() ? FirstLine(*run.error) : ""});
  }
  return table.Render(out);
}

}  // namespace vigy::cli
