// Everything of one vigy that `vigy import` hands the store in one piece
// (Store::ImportVigy): the record, its counters, latest state, kv and runs,
// as `vigy export` read them from another store. Plain data.
#pragma once

#include <optional>
#include <vector>

#include "core/model.h"
#include "core/store_records.h"
#include "core/vigy.h"

namespace vigy::core {

struct VigyImport {
  Vigy vigy;  // with its program, checked as `vigy add` checks one
  VigyRuntime runtime;
  std::optional<StateSnapshot> state;  // unset: no state (never ticked successfully)
  Kv kv;                               // the runtime's "__" keys included
  // Oldest first (by tick, each below the next), each with its actions and
  // its vigy's id and name; their seq is the store's to give.
  std::vector<RunRecord> runs;

  // The run the vigy's listing shows as its latest: the one with the
  // highest tick; null when there are none.
  const RunRecord* latest_run() const {
    const RunRecord* latest = nullptr;
    for (const RunRecord& run : runs) {
      if (latest == nullptr || run.tick > latest->tick) latest = &run;
    }
    return latest;
  }
};

}  // namespace vigy::core
