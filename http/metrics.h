// GET /metrics: Prometheus text exposition format 0.0.4. Counters and
// histograms count the runs committed since serve started (by any process);
// gauges are read from the store at each scrape. Labels carry vigy names and
// fixed words only, never program text, commands or kv.
//
//   vigy_ticks_total{vigy,result}               counter  (result: ok, failed, skipped)
//   vigy_tick_duration_seconds                  histogram
//   vigy_tick_start_lateness_seconds            histogram (scheduled ticks)
//   vigy_last_success_timestamp_seconds{vigy}   gauge (when known)
//   vigy_next_tick_timestamp_seconds{vigy}      gauge (when planned)
//   vigy_consecutive_failures{vigy}             gauge
//   vigy_vigies{state}                          gauge (enabled, disabled, failing)
//   vigy_ticks_in_flight                        gauge
//   vigy_serve_start_time_seconds               gauge
//   vigy_build_info{version}                    gauge, always 1
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/store.h"
#include "http/run_hub.h"

namespace vigy::http {

struct MetricsInput {
  const std::vector<core::VigyListing>& vigies;
  const RunStats& stats;
  int64_t ticks_in_flight = 0;
  int64_t serve_started_at_ms = 0;
  std::string version;
};

std::string RenderMetrics(const MetricsInput& input);

// `value` escaped for a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace vigy::http
