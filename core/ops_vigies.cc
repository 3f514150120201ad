#include "core/ops_vigies.h"

#include <fmt/format.h>

#include <set>

#include "core/ids.h"
#include "core/ops_programs.h"
#include "core/selector.h"

namespace vigy::core {
namespace {

// Overwrites the record of the vigy with the same name, keeping its creation
// time, kv, runs and counters; adds it if there is none.
Result<Registered> Replace(Store& store, Vigy& vigy) {
  // Two rounds: the vigy may be removed, or added, by someone else between
  // the look and the write.
  for (int round = 0; round < 2; ++round) {
    Result<Vigy> existing = store.GetVigy(vigy.id);
    if (existing.ok() && existing->name == vigy.name) {
      vigy.created_at_ms = existing->created_at_ms;
      Status s = store.UpdateVigy(vigy);
      if (s.ok()) return Registered{vigy, true};
      if (s.code() != Status::Code::kNotFound) return s;
      continue;
    }
    if (!existing.ok() && existing.status().code() != Status::Code::kNotFound) {
      return existing.status();
    }
    Status s = store.InsertVigy(vigy);
    if (s.ok()) return Registered{vigy, false};
    if (s.code() != Status::Code::kConflict || existing.ok()) return s;
  }
  return Status::Conflict(fmt::format("vigy '{}' kept changing; try again", vigy.name));
}

Result<Registered> Insert(Store& store, const Vigy& vigy) {
  Status s = store.InsertVigy(vigy);
  if (s.ok()) return Registered{vigy, false};
  if (s.code() != Status::Code::kConflict) return s;
  Result<Vigy> existing = store.GetVigy(vigy.id);
  if (existing.ok() && existing->name == vigy.name) {
    return Status::Conflict(
        fmt::format("vigy '{}' already exists (use --replace to overwrite it)", vigy.name));
  }
  return s;
}

// A program refusal with what was (not) done appended.
Status Refused(const Status& status, std::string_view outcome) {
  if (status.code() != Status::Code::kFailed) return status;
  return Status::Failed(fmt::format("{}; {}", status.message(), outcome));
}

}  // namespace

Result<Vigy> FindVigy(Store& store, std::string_view ref) { return store.FindVigy(ref); }

Result<std::vector<Vigy>> ResolveVigies(Store& store, const std::vector<std::string>& refs) {
  std::vector<Vigy> vigies;
  std::set<std::string> seen;
  for (const std::string& ref : refs) {
    Result<Vigy> vigy = FindVigy(store, ref);
    if (!vigy.ok()) return vigy.status();
    if (!seen.insert(vigy->id).second) continue;
    vigies.push_back(std::move(vigy).value());
  }
  return vigies;
}

Result<Vigy> NewVigy(const RegisterRequest& request, int64_t now_ms,
                     std::vector<lisp::Diagnostic>* diagnostics) {
  Vigy vigy;
  if (Status s = ApplyVigySettings(request.settings, vigy); !s.ok()) return s;
  if (Status s = ValidateVigyName(request.name); !s.ok()) return s;
  const std::string& file = request.file.empty() ? request.name : request.file;
  if (Status s = CheckStorableProgram(request.program, file, diagnostics); !s.ok()) {
    return Refused(s, "nothing was added");
  }
  vigy.name = request.name;
  vigy.id = VigyIdFromName(vigy.name);
  vigy.program = request.program;
  vigy.revision = Revision(vigy.program);
  vigy.created_at_ms = vigy.updated_at_ms = now_ms;
  return vigy;
}

Result<Registered> StoreNewVigy(Store& store, Vigy vigy, bool replace) {
  return replace ? Replace(store, vigy) : Insert(store, vigy);
}

Result<Registered> RegisterVigy(Store& store, const RegisterRequest& request,
                                std::vector<lisp::Diagnostic>* diagnostics) {
  Result<Vigy> vigy = NewVigy(request, SystemNowMs(), diagnostics);
  if (!vigy.ok()) return vigy.status();
  return StoreNewVigy(store, std::move(vigy).value(), request.replace);
}

Status CheckUpdate(const UpdateRequest& request, std::vector<lisp::Diagnostic>* diagnostics) {
  if (!request.program && !request.settings.any()) {
    return Status::InvalidArgument("nothing to update: give a FILE or a setting to change");
  }
  if (Status s = CheckVigySettings(request.settings, /*for_update=*/true); !s.ok()) return s;
  if (request.program) {
    const std::string& file = request.file.empty() ? request.ref : request.file;
    if (Status s = CheckStorableProgram(*request.program, file, diagnostics); !s.ok()) {
      return Refused(s, "nothing was changed");
    }
  }
  return Status::Ok();
}

Result<VigyWithRuntime> UpdateVigy(Store& store, const UpdateRequest& request,
                                   std::vector<lisp::Diagnostic>* diagnostics) {
  if (Status s = CheckUpdate(request, diagnostics); !s.ok()) return s;
  Result<Vigy> found = FindVigy(store, request.ref);
  if (!found.ok()) return found.status();
  Vigy vigy = std::move(found).value();
  if (Status s = ApplyVigySettings(request.settings, vigy); !s.ok()) return s;
  if (request.program) {
    vigy.program = *request.program;
    vigy.revision = Revision(vigy.program);
  }
  vigy.updated_at_ms = SystemNowMs();
  if (Status s = store.UpdateVigy(vigy); !s.ok()) return s;
  // The change is made: a failure to read the counters back does not undo it.
  Result<VigyRuntime> runtime = store.GetRuntime(vigy.id);
  std::optional<VigyRuntime> counters;
  if (runtime.ok()) counters = *runtime;
  return VigyWithRuntime{std::move(vigy), counters};
}

Status CheckListRequest(const ListRequest& request) {
  if (request.selector) {
    if (Status s = ParseSelector(*request.selector).status(); !s.ok()) return s;
  }
  if (request.limit && *request.limit < 0) {
    return Status::InvalidArgument(
        fmt::format("bad limit '{}': expected 0 or more", *request.limit));
  }
  return Status::Ok();
}

Result<VigyList> ListVigies(Store& store, const ListRequest& request) {
  if (Status s = CheckListRequest(request); !s.ok()) return s;
  Result<Selector> selector = Selector();
  if (request.selector) selector = ParseSelector(*request.selector);
  if (!selector.ok()) return selector.status();
  auto listings = store.ListVigies(request.with_programs);
  if (!listings.ok()) return listings.status();
  VigyList list;
  for (VigyListing& listing : *listings) {
    if (request.limit && static_cast<int64_t>(list.vigies.size()) >= *request.limit) break;
    if (selector->Matches(listing.vigy.labels)) list.vigies.push_back(std::move(listing));
  }
  auto serve = store.ReadServe();
  if (!serve.ok()) return serve.status();
  list.serve_live = serve->has_value() && ServeIsLive(**serve, SystemNowMs());
  return list;
}

Result<VigyDetail> ShowVigy(Store& store, std::string_view ref, int64_t recent_runs) {
  VigyDetail detail;
  Result<Vigy> vigy = FindVigy(store, ref);
  if (!vigy.ok()) return vigy.status();
  detail.vigy = std::move(vigy).value();
  const std::string& id = detail.vigy.id;
  auto runtime = store.GetRuntime(id);
  if (!runtime.ok()) return runtime.status();
  detail.runtime = *runtime;
  auto state = store.GetState(id);
  if (!state.ok()) return state.status();
  detail.state = std::move(state).value();
  auto kv = store.KvList(id);
  if (!kv.ok()) return kv.status();
  detail.kv = std::move(kv).value();
  auto runs = store.ListRuns(RunQuery{.vigy_id = id, .limit = recent_runs});
  if (!runs.ok()) return runs.status();
  detail.runs = std::move(runs).value();
  auto serve = store.ReadServe();
  if (!serve.ok()) return serve.status();
  detail.serve_live = serve->has_value() && ServeIsLive(**serve, SystemNowMs());
  return detail;
}

Result<std::vector<EnabledChange>> SetVigiesEnabled(Store& store,
                                                    const std::vector<std::string>& refs,
                                                    bool enabled) {
  auto vigies = ResolveVigies(store, refs);
  if (!vigies.ok()) return vigies.status();
  int64_t now = SystemNowMs();
  std::vector<EnabledChange> changes;
  for (Vigy& vigy : *vigies) {
    bool change = vigy.enabled != enabled;
    if (change) {
      if (Status s = store.SetEnabled(vigy.id, enabled, now); !s.ok()) return s;
      vigy.enabled = enabled;
      vigy.updated_at_ms = now;
    }
    changes.push_back(EnabledChange{std::move(vigy), change});
  }
  return changes;
}

Result<std::vector<Vigy>> DeleteVigies(Store& store, const std::vector<std::string>& refs) {
  auto vigies = ResolveVigies(store, refs);
  if (!vigies.ok()) return vigies.status();
  for (const Vigy& vigy : *vigies) {
    if (Status s = store.DeleteVigy(vigy.id); !s.ok()) return s;
  }
  return vigies;
}

}  // namespace vigy::core
