#include "core/ops_runs.h"

#include <fmt/format.h>

#include "core/ops_vigies.h"
#include "core/selector.h"
#include "core/tick_pipeline.h"

namespace vigy::core {

Status CheckTickRequest(const TickRequest& request) {
  int ways = (request.refs.empty() ? 0 : 1) + (request.all ? 1 : 0) + (request.selector ? 1 : 0);
  if (ways != 1) {
    return Status::InvalidArgument("name the vigies to tick, or give --all or --selector (one)");
  }
  if (request.selector) return ParseSelector(*request.selector).status();
  return Status::Ok();
}

Result<std::vector<Vigy>> ChooseVigiesToTick(Store& store, const TickRequest& request) {
  if (Status s = CheckTickRequest(request); !s.ok()) return s;
  Result<Selector> selector = Selector();
  if (request.selector) selector = ParseSelector(*request.selector);
  if (!selector.ok()) return selector.status();
  if (!request.refs.empty()) return ResolveVigies(store, request.refs);
  auto listings = store.ListVigies();
  if (!listings.ok()) return listings.status();
  std::vector<Vigy> vigies;
  for (VigyListing& listing : *listings) {
    if (listing.vigy.enabled && selector->Matches(listing.vigy.labels)) {
      vigies.push_back(std::move(listing.vigy));
    }
  }
  return vigies;
}

Status TickVigies(Store& store, const TickRequest& request, const TickReport& report) {
  auto vigies = ChooseVigiesToTick(store, request);
  if (!vigies.ok()) return vigies.status();
  ProgramCache cache;
  TickPipeline pipeline(store, cache);
  TickOptions options;
  options.dry_run = request.dry_run;
  options.on_wait = request.on_wait;
  for (const Vigy& vigy : *vigies) report(vigy, pipeline.Tick(vigy.id, options));
  return Status::Ok();
}

Result<RunRecord> TickVigy(Store& store, std::string_view ref, bool dry_run) {
  Result<Vigy> vigy = FindVigy(store, ref);
  if (!vigy.ok()) return vigy.status();
  ProgramCache cache;
  TickPipeline pipeline(store, cache);
  TickOptions options;
  options.dry_run = dry_run;
  return pipeline.Tick(vigy->id, options);
}

Result<std::vector<RunRecord>> ListRuns(Store& store, const RunsRequest& request) {
  if (request.limit < 0) {
    return Status::InvalidArgument(
        fmt::format("bad limit '{}': expected 0 (all) or more", request.limit));
  }
  RunQuery query;
  query.limit = request.limit;
  query.failed_only = request.failed_only;
  query.since_ms = request.since_ms;
  if (request.ref) {
    Result<Vigy> vigy = FindVigy(store, *request.ref);
    if (!vigy.ok()) return vigy.status();
    query.vigy_id = vigy->id;
  }
  return store.ListRuns(query);
}

Result<int64_t> PruneRuns(Store& store, const std::optional<std::string>& ref, int64_t keep) {
  if (keep < 0) {
    return Status::InvalidArgument(fmt::format("bad keep '{}': expected 0 or more", keep));
  }
  std::optional<std::string> vigy_id;
  if (ref) {
    Result<Vigy> vigy = FindVigy(store, *ref);
    if (!vigy.ok()) return vigy.status();
    vigy_id = vigy->id;
  }
  return store.PruneRuns(keep, vigy_id);
}

}  // namespace vigy::core
