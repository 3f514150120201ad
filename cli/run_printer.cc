#include "cli/run_printer.h"

#include <fmt/format.h>

#include <vector>

#include "cli/one_line.h"
#include "cli/output.h"
#include "core/time_format.h"

namespace vigy::cli {
std::string ConditionLine(const Output& out, const core::Condition& c) {
  Style style = c.status == core::kConditionTrue    ? Style::kGreen
                : c.status == core::kConditionFalse ? Style::kRed
                                                    : Style::kYellow;
  std::string line = fmt::format("{} {}", OneLine(c.name), out.Paint(style, OneLine(c.status)));
  if (c.reason || c.message) {
    std::string detail = OneLine(c.reason.value_or(""));
    if (c.message) detail += (detail.empty() ? "" : ": ") + OneLine(*c.message);
    line += " (" + detail + ")";
  }
  return line;
}

std::string FormatLateness(const core::RunRecord& run) {
  if (!run.scheduled_at_ms) return std::string();
  const int64_t late = run.started_at_ms - *run.scheduled_at_ms;
  return late >= 0 ? fmt::format("late {}ms", late) : fmt::format("early {}ms", -late);
}

namespace {

constexpr size_t kLabelWidth = 12;

std::string Compact(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Lines of one section: the label on the first, the rest indented to match.
class Sections {
 public:
  explicit Sections(const Output& out) : out_(out) {}

  void Add(std::string_view label, const std::vector<std::string>& lines) {
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string head = i == 0 ? std::string(label) : std::string();
      std::string padded = fmt::format("{:<{}}", head, kLabelWidth);
      text_ += i == 0 ? out_.Paint(Style::kBold, padded) : padded;
      text_ += Indent(lines[i]);
      text_ += '\n';
    }
  }
  void Add(std::string_view label, std::string line) {
    Add(label, std::vector<std::string>{std::move(line)});
  }

  std::string Take() { return std::move(text_); }

 private:
  // Continuation lines inside one entry (an error's source line and caret)
  // stay aligned.
  static std::string Indent(std::string_view line) {
    std::string out;
    for (char c : line) {
      out += c;
      if (c == '\n') out.append(kLabelWidth, ' ');
    }
    return out;
  }

  const Output& out_;
  std::string text_;
};

std::string ResultText(const Output& out, std::string_view result) {
  Style style = result == core::kResultOk       ? Style::kGreen
                : result == core::kResultFailed ? Style::kRed
                                                : Style::kYellow;
  return out.Paint(style, result);
}

std::vector<std::string> ActionLines(const Output& out, const core::RunRecord& run) {
  std::vector<std::string> lines;
  for (const core::ActionRecord& action : run.actions) {
    std::string line = fmt::format("{:<7}", action.kind);
    if (action.payload) line += " " + Compact(*action.payload);
    if (action.result || action.message) {
      std::string outcome = action.result ? ResultText(out, *action.result) : "";
      if (action.message) outcome += (outcome.empty() ? "" : ": ") + OneLine(*action.message);
      line += " (" + outcome + ")";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> EntryLines(const nlohmann::json& object) {
  std::vector<std::string> lines;
  if (!object.is_object()) return lines;
  for (const auto& [key, value] : object.items()) {
    lines.push_back(fmt::format("{} = {}", OneLine(key), Compact(value)));
  }
  return lines;
}

template <typename Map>
std::vector<std::string> MapLines(const Map& map, bool skip_reserved = false) {
  std::vector<std::string> lines;
  for (const auto& [key, value] : map) {
    if (skip_reserved && key.starts_with("__")) continue;
    lines.push_back(fmt::format("{} = {}", OneLine(key), Compact(value)));
  }
  return lines;
}

std::vector<std::string> ConditionLines(const Output& out,
                                        const std::vector<core::Condition>& conditions) {
  std::vector<std::string> lines;
  lines.reserve(conditions.size());
  for (const core::Condition& c : conditions) lines.push_back(ConditionLine(out, c));
  return lines;
}

}  // namespace

std::string FormatRun(const Output& out, const RunView& view) {
  const core::RunRecord& run = view.run;
  Sections s(out);
  s.Add("result", ResultText(out, run.result));
  if (view.verbose) {
    s.Add("vigy", fmt::format("{} ({})", run.vigy_name, run.vigy_id));
    s.Add("run", fmt::format("{} (tick {}, revision {})", run.id, run.tick, run.revision));
    std::string started = core::FormatRfc3339Ms(run.started_at_ms);
    if (run.scheduled_at_ms) started += " (" + FormatLateness(run) + ")";
    s.Add("started", started);
  }
  s.Add("duration", fmt::format("{}ms", run.duration_ms));
  if (!run.ok() && run.error) {
    // The program's message on one line; the source line and caret follow it.
    std::string error = OneLine(*run.error);
    if (view.diagnostic) {
      lisp::Diagnostic one_line = *view.diagnostic;
      one_line.message = OneLine(one_line.message);
      error = one_line.FormatWithSource(view.source);
    }
    s.Add("error", out.Paint(Style::kRed, error));
  }
  if (!run.actions.empty()) s.Add("actions", ActionLines(out, run));
  if (view.state) {
    if (!view.state->desired.empty()) s.Add("desired", EntryLines(view.state->desired));
    if (!view.state->observed.empty()) s.Add("observed", EntryLines(view.state->observed));
    if (!view.state->conditions.empty()) {
      s.Add("conditions", ConditionLines(out, view.state->conditions));
    }
  }
  if (!run.log.empty()) {
    std::vector<std::string> lines;
    for (const core::LogEntry& e : run.log) {
      lines.push_back(fmt::format("{:<5} {}", OneLine(e.level), OneLine(e.message)));
    }
    s.Add("log", lines);
  }
  if (!run.events.empty()) {
    std::vector<std::string> lines;
    for (const core::EventRecord& e : run.events) {
      lines.push_back(fmt::format("{}: {}", OneLine(e.kind), OneLine(e.message)));
    }
    s.Add("events", lines);
  }
  if (!run.metrics.empty()) s.Add("metrics", MapLines(run.metrics));
  if (!run.trace.empty()) s.Add("trace", MapLines(run.trace));
  if (view.kv) {
    std::vector<std::string> lines = MapLines(*view.kv, /*skip_reserved=*/true);
    if (!lines.empty()) s.Add("kv", lines);
  }
  return s.Take();
}

}  // namespace vigy::cli
