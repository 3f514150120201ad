// The operations on ticks and runs: tick vigies now (through the same
// pipeline serve uses), list the run history with its filters, prune it.
// Every surface calls these; none reimplements them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/store.h"
#include "core/vigy.h"

namespace vigy::core {

// ---- tick ----

// Exactly one of: refs (those vigies, disabled ones too), all (every enabled
// vigy), selector (every enabled vigy whose labels match).
struct TickRequest {
  std::vector<std::string> refs = {};
  bool all = false;
  std::optional<std::string> selector = std::nullopt;
  bool dry_run = false;  // evaluate only: no handler, nothing recorded
  // Told, once per vigy, when its lease is held by another tick and this one
  // waits for it: a sentence saying so (TickOptions::on_wait).
  std::function<void(const std::string&)> on_wait = nullptr;
};

// What can be checked without the store: kInvalidArgument "name the vigies
// to tick, or give --all or --selector (one)" unless exactly one way is
// given, or for a bad selector.
Status CheckTickRequest(const TickRequest& request);

// The vigies `request` ticks, in the order they are ticked (refs as given;
// otherwise by name). Fails as CheckTickRequest, or for a ref as
// ResolveVigies does.
Result<std::vector<Vigy>> ChooseVigiesToTick(Store& store, const TickRequest& request);

// Called after each tick with the vigy and its run, or the reason it could
// not be ticked at all (kNotFound: removed meanwhile; kConflict: ticked
// elsewhere for too long; kStoreUnusable). A run that failed is a run.
using TickReport = std::function<void(const Vigy& vigy, const Result<RunRecord>& run)>;

// Ticks every vigy ChooseVigiesToTick picks, one after the other, reporting
// each. Fails only when the choice fails (nothing is ticked then).
Status TickVigies(Store& store, const TickRequest& request, const TickReport& report);

// Ticks the vigy `ref` names once, as `vigy tick REF` does.
Result<RunRecord> TickVigy(Store& store, std::string_view ref, bool dry_run = false);

// ---- runs ----

inline constexpr int64_t kDefaultRunsLimit = 20;

struct RunsRequest {
  std::optional<std::string> ref = std::nullopt;  // only this vigy's runs
  int64_t limit = kDefaultRunsLimit;              // at most this many; 0: all
  bool failed_only = false;
  std::optional<int64_t> since_ms = std::nullopt;  // only runs started at or after this
};

// Runs newest first, each with its actions. kInvalidArgument for a negative
// limit; a bad ref as FindVigy.
Result<std::vector<RunRecord>> ListRuns(Store& store, const RunsRequest& request);

// Keeps the newest `keep` runs of each vigy (or of the vigy `ref` names) and
// removes the older ones. Returns how many runs went. kInvalidArgument for a
// negative keep.
Result<int64_t> PruneRuns(Store& store, const std::optional<std::string>& ref, int64_t keep);

}  // namespace vigy::core
