#include "cli/run_printer.h"

#include <doctest/doctest.h>

#include "cli/output.h"

namespace vigy::cli {
namespace {

core::RunRecord ScheduledRun(int64_t scheduled_ms, int64_t started_ms) {
  core::RunRecord run;
  run.id = "019abc0000000000002a";
  run.vigy_id = "0123456789abcdef";
  run.vigy_name = "backup";
  run.revision = "a1b2c3d4e5f6";
  run.tick = 7;
  run.scheduled_at_ms = scheduled_ms;
  run.started_at_ms = started_ms;
  run.duration_ms = 4;
  run.ended_at_ms = started_ms + 4;
  return run;
}

TEST_CASE("a scheduled run says how late it started") {
  CHECK(FormatLateness(ScheduledRun(1795674600000, 1795674600003)) == "late 3ms");
  CHECK(FormatLateness(ScheduledRun(1795674600000, 1795674600000)) == "late 0ms");
  CHECK(FormatLateness(ScheduledRun(1795674600005, 1795674600000)) == "early 5ms");
  core::RunRecord by_hand = ScheduledRun(0, 1795674600000);
  by_hand.scheduled_at_ms.reset();
  CHECK(FormatLateness(by_hand) == "");
}

TEST_CASE("the verbose run shows the lateness beside its start time") {
  Output out(stdout, stderr, false, false);
  core::RunRecord run = ScheduledRun(1795674600000, 1795674600012);
  std::string text = FormatRun(out, RunView{run, nullptr, nullptr, nullptr, "", true});
  CHECK(text.find("started     2026-11-26T06:30:00.012Z (late 12ms)\n") != std::string::npos);
  run.scheduled_at_ms.reset();
  text = FormatRun(out, RunView{run, nullptr, nullptr, nullptr, "", true});
  CHECK(text.find("started     2026-11-26T06:30:00.012Z\n") != std::string::npos);
}

}  // namespace
}  // namespace vigy::cli
