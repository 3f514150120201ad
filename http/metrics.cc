#include "http/metrics.h"

#include <fmt/format.h>

#include <iterator>
#include <map>

#include "core/vigy.h"

namespace vigy::http {
namespace {

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string Seconds(int64_t ms) { return fmt::format("{:.3f}", static_cast<double>(ms) / 1000.0); }

void RenderHistogram(std::string& out, std::string_view name, std::string_view help,
                     const Histogram& h) {
  Header(out, name, "histogram", help);
  int64_t cumulative = 0;
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    cumulative += h.counts[i];
    fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"{}\"}} {}\n", name, h.bounds[i],
                   cumulative);
  }
  fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n",
                 name, h.count, name, h.sum, name, h.count);
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string RenderMetrics(const MetricsInput& input) {
  std::string out;
  out.reserve(256 + input.vigies.size() * 200);
  auto line = [&out](std::string_view name, std::string_view labels, std::string_view value) {
    out += name;
    out += labels;
    out += ' ';
    out += value;
    out += '\n';
  };
  auto vigy_label = [](const std::string& name) {
    return fmt::format("{{vigy=\"{}\"}}", EscapeLabelValue(name));
  };

  Header(out, "vigy_ticks_total", "counter",
         "Ticks committed since serve started, by any process, by vigy and result.");
  for (const auto& [name, results] : input.stats.ticks) {
    for (const auto& [result, count] : results) {
      line("vigy_ticks_total",
           fmt::format("{{vigy=\"{}\",result=\"{}\"}}", EscapeLabelValue(name),
                       EscapeLabelValue(result)),
           std::to_string(count));
    }
  }
  RenderHistogram(out, "vigy_tick_duration_seconds",
                  "How long ticks committed since serve started took.",
                  input.stats.duration_seconds);
  RenderHistogram(out, "vigy_tick_start_lateness_seconds",
                  "How late scheduled ticks started after their planned time.",
                  input.stats.lateness_seconds);

  Header(out, "vigy_last_success_timestamp_seconds", "gauge",
         "When the vigy's latest successful tick ended (unix seconds).");
  for (const core::VigyListing& listing : input.vigies) {
    std::optional<int64_t> at;
    if (listing.runtime.last_result == core::kResultOk && listing.runtime.last_run_at_ms >= 0) {
      at = listing.runtime.last_run_at_ms;
    } else if (auto seen = input.stats.last_success_ms.find(listing.vigy.name);
               seen != input.stats.last_success_ms.end()) {
      at = seen->second;
    }
    if (at)
      line("vigy_last_success_timestamp_seconds", vigy_label(listing.vigy.name), Seconds(*at));
  }
  Header(out, "vigy_next_tick_timestamp_seconds", "gauge",
         "When serve plans the vigy's next tick (unix seconds).");
  for (const core::VigyListing& listing : input.vigies) {
    if (listing.runtime.next_due_ms && listing.vigy.enabled) {
      line("vigy_next_tick_timestamp_seconds", vigy_label(listing.vigy.name),
           Seconds(*listing.runtime.next_due_ms));
    }
  }
  Header(out, "vigy_consecutive_failures", "gauge", "Failed ticks since the vigy's last success.");
  std::map<std::string, int64_t> by_state{{"disabled", 0}, {"enabled", 0}, {"failing", 0}};
  for (const core::VigyListing& listing : input.vigies) {
    line("vigy_consecutive_failures", vigy_label(listing.vigy.name),
         std::to_string(listing.runtime.consecutive_failures));
    ++by_state[core::VigyStateName(listing.vigy, listing.runtime)];
  }
  Header(out, "vigy_vigies", "gauge", "Vigies in the store by state.");
  for (const auto& [state, count] : by_state) {
    line("vigy_vigies", fmt::format("{{state=\"{}\"}}", state), std::to_string(count));
  }
  Header(out, "vigy_ticks_in_flight", "gauge", "Ticks serve has started and not yet committed.");
  line("vigy_ticks_in_flight", "", std::to_string(input.ticks_in_flight));
  Header(out, "vigy_serve_start_time_seconds", "gauge", "When serve started (unix seconds).");
  line("vigy_serve_start_time_seconds", "", Seconds(input.serve_started_at_ms));
  Header(out, "vigy_build_info", "gauge", "The version of vigy serving; always 1.");
  line("vigy_build_info", fmt::format("{{version=\"{}\"}}", EscapeLabelValue(input.version)), "1");
  return out;
}

}  // namespace vigy::http
