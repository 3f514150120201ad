// vigy show VIGY: one vigy in full: its record, counters, latest state, kv
// and recent runs.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/run_printer.h"
#include "cli/store_access.h"
#include "cli/vigy_printer.h"
#include "core/model_json.h"
#include "core/ops_json.h"
#include "core/ops_vigies.h"
#include "core/time_format.h"

namespace vigy::cli {
namespace {

using Shown = core::VigyDetail;

std::vector<std::string> EntryLines(const nlohmann::json& object) {
  std::vector<std::string> lines;
  for (const auto& [key, value] : object.items()) {
    lines.push_back(fmt::format("{} = {}", key, CompactJson(value)));
  }
  return lines;
}

std::string RuntimeText(const Output& out, const Shown& shown, int64_t now) {
  const core::VigyRuntime& r = shown.runtime;
  std::string text;
  if (r.tick_count == 0) {
    text += Field(out, "ticks", "0");
  } else {
    std::string last = r.last_result.value_or("-");
    text += Field(out, "ticks",
                  fmt::format("{} (last {}, {})", r.tick_count, out.Paint(ResultStyle(last), last),
                              r.last_run_at_ms >= 0 ? FormatAgo(r.last_run_at_ms, now)
                                                    : FormatAgo(r.last_tick_ms, now)));
  }
  if (r.consecutive_failures > 0) {
    std::string failures = fmt::format("{} in a row", r.consecutive_failures);
    if (r.backoff_until_ms > now) {
      failures += fmt::format(", backing off until {}", core::FormatRfc3339Ms(r.backoff_until_ms));
    }
    text += Field(out, "failures", out.Paint(Style::kRed, failures));
  }
  std::string next = FormatNextTick(shown.vigy, r, now, shown.serve_live);
  if (next != "-") text += Field(out, "next", next);
  return text;
}

std::string StateText(const Output& out, const core::VigyState& state, int64_t now) {
  std::string text;
  if (!state.desired.empty()) text += Field(out, "desired", EntryLines(state.desired));
  if (!state.observed.empty()) text += Field(out, "observed", EntryLines(state.observed));
  std::vector<std::string> conditions;
  for (const core::Condition& c : state.conditions) {
    std::string line = ConditionLine(out, c);
    line += fmt::format(" since {}", FormatAgo(c.last_transition_ms, now));
    conditions.push_back(std::move(line));
  }
  if (!conditions.empty()) text += Field(out, "conditions", conditions);
  return text;
}

std::string ShownText(const Output& out, const Shown& shown, bool verbose) {
  int64_t now = core::SystemNowMs();
  std::string text = FormatVigyRecord(out, shown.vigy, &shown.runtime, now);
  text += RuntimeText(out, shown, now);
  if (shown.state) text += StateText(out, shown.state->state, now);
  std::vector<std::string> kv;
  for (const auto& [key, value] : shown.kv) {
    if (!verbose && key.starts_with("__")) continue;
    kv.push_back(fmt::format("{} = {}", key, CompactJson(value)));
  }
  if (!kv.empty()) text += Field(out, "kv", kv);
  if (!shown.runs.empty()) {
    text += "\n" + FormatRunTable(out, shown.runs);
  }
  return text;
}

}  // namespace

void SetupShow(CLI::App& sub, ShowOptions& options) {
  sub.add_option("VIGY", options.vigy, "the vigy: its name, id or a unique id prefix")
      ->required()
      ->type_name("");
  sub.footer(
      "Shows the record and schedule, the tick counters, the latest declared state (desired,\n"
      "observed, conditions), the kv (the runtime's \"__\" keys too with -v) and the 5 most\n"
      "recent runs. With --json: {\"vigy\", \"runtime\", \"state\", \"kv\", \"runs\"}, where\n"
      "\"state\" is empty until the first successful tick and \"kv\" includes the \"__\" keys.");
}

core::Status RunShow(const Invocation& inv, const ShowOptions& options) {
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  core::Result<Shown> shown = core::ShowVigy(**store, options.vigy);
  if (!shown.ok()) return shown.status();
  if (inv.global.json) {
    inv.out.PrintJson(core::ToJson(*shown));
  } else {
    inv.out.Print(ShownText(inv.out, *shown, inv.global.verbosity > 0));
  }
  return core::Status::Ok();
}

}  // namespace vigy::cli
