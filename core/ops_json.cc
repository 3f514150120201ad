#include "core/ops_json.h"

#include "core/model_json.h"
#include "core/time_format.h"

namespace vigy::core {

nlohmann::json ToJson(const RunSummary& run) {
  nlohmann::json j = nlohmann::json::object();
  j["id"] = run.id;
  j["tick"] = run.tick;
  j["result"] = run.result;
  if (run.error && run.result != kResultOk) j["error"] = *run.error;
  j["started_at"] = FormatRfc3339Ms(run.started_at_ms);
  j["ended_at"] = FormatRfc3339Ms(run.ended_at_ms);
  j["duration_ms"] = run.duration_ms;
  return j;
}

nlohmann::json VigyJsonWithoutProgram(const Vigy& vigy) {
  nlohmann::json j = ToJson(vigy);
  j.erase("program");
  return j;
}

nlohmann::json ToJson(const VigyListing& listing) {
  nlohmann::json j = VigyJsonWithoutProgram(listing.vigy);
  j["runtime"] = ToJson(listing.runtime);
  if (listing.last_run) j["last_run"] = ToJson(*listing.last_run);
  return j;
}

nlohmann::json ToJson(const VigyDetail& detail) {
  nlohmann::json runs = nlohmann::json::array();
  for (const RunRecord& run : detail.runs) runs.push_back(ToJson(run));
  nlohmann::json j = nlohmann::json::object();
  j["vigy"] = ToJson(detail.vigy);
  j["runtime"] = ToJson(detail.runtime);
  j["state"] = ToJson(detail.state ? detail.state->state : VigyState{});
  j["kv"] = KvToJson(detail.kv, /*include_reserved=*/true);
  j["runs"] = std::move(runs);
  return j;
}

}  // namespace vigy::core
