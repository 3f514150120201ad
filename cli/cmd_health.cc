// vigy health: a liveness probe. Exit 0 only when a serve is live on the
// store and every vigy it is responsible for is keeping up: the latest run
// did not fail and the next tick is not overdue by more than --stale-after.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/duration.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "core/clock.h"
#include "core/health.h"

namespace vigy::cli {

using core::Status;

void SetupHealth(CLI::App& sub, HealthOptions& options) {
  sub.add_option("--stale-after", options.stale_after,
                 "how late a vigy's next tick may be before it counts as a problem (default 1m)")
      ->type_name("D");
  sub.footer(
      "Exits 0 when a serve is live on the store (its heartbeat is fresh) and no enabled\n"
      "vigy with a schedule that it ticks has a failed latest run or a tick overdue by more\n"
      "than --stale-after; otherwise prints one line per problem and exits 1. With --json:\n"
      "{\"ok\", \"serve\", \"problems\": [{\"vigy\"?, \"kind\", \"message\"}]}. Fit for a "
      "liveness\n"
      "probe or a monitoring check. A serve that stopped keeping its heartbeat is told\n"
      "apart: not running (its process is gone), or running but not responding (its\n"
      "process exists: stopped by SIGSTOP, or stuck).");
}

Status RunHealth(const Invocation& inv, const HealthOptions& options) {
  auto stale_after = ParseDurationOption("--stale-after", options.stale_after);
  if (!stale_after.ok()) return stale_after.status();
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  auto report = core::CheckHealth(**store, *stale_after, core::SystemNowMs());
  if (!report.ok()) return report.status();

  if (inv.global.json) {
    inv.out.PrintJson(core::ToJson(*report));
  } else if (report->ok()) {
    inv.out.Print(fmt::format("ok: serve pid {} is live\n", report->serve->pid));
  } else {
    std::string text;
    for (const core::HealthProblem& problem : report->problems) text += problem.message + "\n";
    inv.out.Print(text);
  }
  return report->ok() ? Status::Ok() : Status::Failed("");
}

}  // namespace vigy::cli
