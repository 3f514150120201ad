// The JSON forms of what the operations return that is not a model type of
// its own (those are in model_json.h): a listing, a vigy in full. The same
// shapes on every surface (`--json` now, HTTP and MCP as they are added),
// so they are a public interface.
#pragma once

#include <nlohmann/json.hpp>

#include "core/ops_vigies.h"

namespace vigy::core {

// {id, tick, result, error?, started_at, ended_at, duration_ms}
nlohmann::json ToJson(const RunSummary& run);

// The vigy's JSON object without its program (for listings).
nlohmann::json VigyJsonWithoutProgram(const Vigy& vigy);

// The vigy without its program, with "runtime" and, once it has run,
// "last_run".
nlohmann::json ToJson(const VigyListing& listing);

// {"vigy", "runtime", "state", "kv", "runs"}: "state" is empty until the
// first successful tick, "kv" includes the runtime's "__" keys.
nlohmann::json ToJson(const VigyDetail& detail);

}  // namespace vigy::core
