// vigy list (ls): every vigy, one line each, optionally those a selector picks.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "cli/table.h"
#include "cli/vigy_printer.h"
#include "core/ops_json.h"
#include "core/ops_vigies.h"

namespace vigy::cli {
namespace {

// NEXT is shown only while a serve is live: a plan left by a serve that has
// stopped tells nothing about when the vigy will tick.
std::vector<Cell> Row(const core::VigyListing& listing, int64_t now, bool serve_live) {
  const core::VigyRuntime& runtime = listing.runtime;
  std::string state = VigyStateName(listing.vigy, runtime);
  std::string last = runtime.last_result.value_or("-");
  std::string last_run = runtime.last_run_at_ms >= 0 ? FormatAgo(runtime.last_run_at_ms, now) : "-";
  std::string next = FormatNextTick(listing.vigy, runtime, now, serve_live);
  return {Cell(state, VigyStateStyle(state)),
          listing.vigy.name,
          listing.vigy.id,
          FormatSchedule(listing.vigy.schedule),
          Cell(last, runtime.last_result ? ResultStyle(last) : Style::kPlain),
          last_run,
          next};
}

}  // namespace

void SetupList(CLI::App& sub, ListOptions& options) {
  sub.alias("ls");
  sub.add_option("--selector,-l", options.selector,
                 "only vigies whose labels match: k=v, k!=v or k, joined by commas")
      ->type_name("S");
  sub.footer(
      "Columns: STATE (enabled, disabled, or failing when the latest run failed), NAME, ID,\n"
      "SCHEDULE, LAST (the latest run's result), LAST RUN (when it ended), NEXT (when the\n"
      "running serve plans the next tick; - when no serve is live). With --json, an array of vigy "
      "objects without their program,\n"
      "each with \"runtime\" and, once it has run, \"last_run\". A store that does not exist\n"
      "yet lists nothing.");
}

core::Status RunList(const Invocation& inv, const ListOptions& options) {
  core::ListRequest request;
  request.selector = options.selector;
  // A bad request is a usage error even when there is no store to open.
  if (core::Status s = core::CheckListRequest(request); !s.ok()) return s;
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  auto list = core::ListVigies(**store, request);
  if (!list.ok()) return list.status();

  if (inv.global.json) {
    nlohmann::json json = nlohmann::json::array();
    for (const core::VigyListing& listing : list->vigies) json.push_back(core::ToJson(listing));
    inv.out.PrintJson(json);
    return core::Status::Ok();
  }
  Table table({"STATE", "NAME", "ID", "SCHEDULE", "LAST", "LAST RUN", "NEXT"});
  int64_t now = core::SystemNowMs();
  for (const core::VigyListing& listing : list->vigies) {
    table.AddRow(Row(listing, now, list->serve_live));
  }
  if (table.size() > 0) inv.out.Print(table.Render(inv.out));
  return core::Status::Ok();
}

}  // namespace vigy::cli
