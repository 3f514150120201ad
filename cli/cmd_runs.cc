// vigy runs [VIGY]: run history, newest first; --prune trims it.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <limits>

#include "cli/arg_parsers.h"
#include "cli/commands.h"
#include "cli/duration.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "cli/vigy_printer.h"
#include "core/model_json.h"
#include "core/ops_runs.h"
#include "core/time_format.h"

namespace vigy::cli {
namespace {

using core::Status;

constexpr int64_t kDefaultKeep = 1000;
constexpr uint64_t kMaxCount = 1'000'000'000;

core::Result<int64_t> ParseKeep(const std::string& text) {
  if (text.empty()) return kDefaultKeep;
  if (text == "0") return 0;
  core::Result<uint64_t> keep = ParseCount("--keep", text, kMaxCount);
  if (!keep.ok()) {
    return Status::InvalidArgument(
        fmt::format("bad --keep '{}': expected a whole number from 0 to {}", text, kMaxCount));
  }
  return static_cast<int64_t>(*keep);
}

Status Prune(const Invocation& inv, const RunsOptions& options) {
  if (options.failed || !options.limit.empty() || !options.since.empty()) {
    return Status::InvalidArgument("--prune cannot be used with --limit, --failed or --since");
  }
  core::Result<int64_t> keep = ParseKeep(options.keep);
  if (!keep.ok()) return keep.status();
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  std::optional<std::string> ref;
  if (!options.vigy.empty()) ref = options.vigy;
  core::Result<int64_t> removed = core::PruneRuns(**store, ref, *keep);
  if (!removed.ok()) return removed.status();
  if (inv.global.json) {
    inv.out.PrintJson(nlohmann::json{{"removed", *removed}});
  } else if (inv.global.verbosity >= 0) {
    inv.out.Print(fmt::format("removed {} run{}\n", *removed, *removed == 1 ? "" : "s"));
  }
  return Status::Ok();
}

}  // namespace

void SetupRuns(CLI::App& sub, RunsOptions& options) {
  sub.add_option("VIGY", options.vigy, "only this vigy's runs (name, id or unique id prefix)")
      ->type_name("");
  sub.add_option("--limit,-n", options.limit,
                 fmt::format("at most N runs (default {})", core::kDefaultRunsLimit))
      ->type_name("N");
  sub.add_flag("--failed", options.failed, "only failed runs");
  sub.add_option("--since", options.since,
                 "only runs started since then: a duration back from now (1h) or an RFC 3339 time")
      ->type_name("D");
  sub.add_flag("--prune", options.prune,
               "remove old runs instead: keep the newest --keep runs of each vigy (or of VIGY)");
  sub.add_option("--keep", options.keep,
                 fmt::format("with --prune: runs to keep per vigy (default {})", kDefaultKeep))
      ->type_name("N");
  sub.footer(
      "Lists runs newest first as a table (ID, VIGY, TICK, RESULT, STARTED, DURATION, ERROR);\n"
      "with --json, an array of run objects. With --prune, prints how many runs were removed\n"
      "(with --json, {\"removed\": N}).");
}

Status RunRuns(const Invocation& inv, const RunsOptions& options) {
  if (options.prune) return Prune(inv, options);
  if (!options.keep.empty()) return Status::InvalidArgument("--keep needs --prune");

  core::RunsRequest query;
  query.failed_only = options.failed;
  if (!options.limit.empty()) {
    core::Result<uint64_t> limit = ParseCount("--limit", options.limit, kMaxCount);
    if (!limit.ok()) return limit.status();
    query.limit = static_cast<int64_t>(*limit);
  }
  if (!options.since.empty()) {
    core::Result<int64_t> since = core::ParseSince("--since", options.since, core::SystemNowMs());
    if (!since.ok()) return since.status();
    query.since_ms = *since;
  }
  if (!options.vigy.empty()) query.ref = options.vigy;
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  auto runs = core::ListRuns(**store, query);
  if (!runs.ok()) return runs.status();

  if (inv.global.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const core::RunRecord& run : *runs) list.push_back(core::ToJson(run));
    inv.out.PrintJson(list);
  } else if (!runs->empty()) {
    inv.out.Print(FormatRunTable(inv.out, *runs));
  }
  return Status::Ok();
}

}  // namespace vigy::cli
