// The operations on vigies themselves: find, register, update, list, show,
// enable, disable, delete. The one implementation of each business rule,
// for every surface. Each takes an open store and typed input, and returns
// typed output or a Status whose message is the one line every surface shows.
//
// A VIGY reference ("ref") is a vigy's name, else its full id, else a unique
// prefix of its id of at least 4 characters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/store.h"
#include "core/vigy.h"
#include "core/vigy_settings.h"
#include "lisp/source.h"

namespace vigy::core {

// ---- finding vigies ----

// The vigy `ref` names. kNotFound "no such vigy 'x'"; kInvalidArgument for an
// ambiguous id prefix, listing the candidates.
Result<Vigy> FindVigy(Store& store, std::string_view ref);

// Every vigy `refs` names, in the order given, each once (a vigy named twice,
// say by name and by id, appears once). Fails on the first ref that names no
// vigy or is ambiguous, before anything is changed.
Result<std::vector<Vigy>> ResolveVigies(Store& store, const std::vector<std::string>& refs);

// ---- register ----

// The fields have defaults, so a request can name only those it gives
// ({.name = ..., .program = ...}); the same holds for every request below.
struct RegisterRequest {
  std::string name = {};
  std::string program = {};  // the source text
  std::string file = {};     // names the program in diagnostics; empty: the vigy's name
  VigySettings settings = {};
  // Overwrite a vigy of the same name: its program and every setting are
  // replaced, its creation time, kv, state, counters and run history kept.
  bool replace = false;
};

// The record a register request makes, checked but not stored: settings
// (kInvalidArgument), name (kInvalidArgument), program (kFailed
// "FILE does not compile; nothing was added" with every error appended to
// *diagnostics, or kFailed "FILE is empty: ..."). Created and updated at
// `now_ms`.
Result<Vigy> NewVigy(const RegisterRequest& request, int64_t now_ms,
                     std::vector<lisp::Diagnostic>* diagnostics = nullptr);

struct Registered {
  Vigy vigy;
  bool replaced = false;  // an existing vigy of the same name was overwritten
};

// Stores a record made by NewVigy. Without `replace`, kConflict
// "vigy 'x' already exists (use --replace to overwrite it)" when the name is
// taken.
Result<Registered> StoreNewVigy(Store& store, Vigy vigy, bool replace);

// NewVigy then StoreNewVigy, at the current time.
Result<Registered> RegisterVigy(Store& store, const RegisterRequest& request,
                                std::vector<lisp::Diagnostic>* diagnostics = nullptr);

// ---- update ----

struct UpdateRequest {
  std::string ref = {};
  std::optional<std::string> program = std::nullopt;  // unset: keep the program
  std::string file = {};                              // names the new program in diagnostics
  VigySettings settings = {};
};

// What can be checked without the store: kInvalidArgument "nothing to update:
// give a FILE or a setting to change" when nothing is given, a bad setting
// (kInvalidArgument), a program that does not compile (kFailed "FILE does not
// compile; nothing was changed", errors appended to *diagnostics).
Status CheckUpdate(const UpdateRequest& request,
                   std::vector<lisp::Diagnostic>* diagnostics = nullptr);

struct VigyWithRuntime {
  Vigy vigy;                           // as stored now
  std::optional<VigyRuntime> runtime;  // unset if it could not be read after the change
};

// CheckUpdate, then changes the vigy `request.ref` names in place: only what
// is given; kv, state and run history are kept.
Result<VigyWithRuntime> UpdateVigy(Store& store, const UpdateRequest& request,
                                   std::vector<lisp::Diagnostic>* diagnostics = nullptr);

// ---- list and show ----

struct ListRequest {
  std::optional<std::string> selector = std::nullopt;  // k=v, k!=v or k, joined by commas
  std::optional<int64_t> limit = std::nullopt;         // at most this many (by name); >= 0
  bool with_programs = false;                          // fill in each vigy's program
};

struct VigyList {
  std::vector<VigyListing> vigies;  // by name; without their programs unless asked
  bool serve_live = false;          // whether a serve is running on the store now
};

// What can be checked without the store: kInvalidArgument for a bad selector
// or a negative limit.
Status CheckListRequest(const ListRequest& request);

// The vigies the selector matches. kInvalidArgument for a bad selector or a
// negative limit. A store file that does not exist lists nothing.
Result<VigyList> ListVigies(Store& store, const ListRequest& request);

inline constexpr int64_t kRecentRuns = 5;

// A vigy in full.
struct VigyDetail {
  Vigy vigy;
  VigyRuntime runtime;
  std::optional<StateSnapshot> state;  // unset before the first successful tick
  Kv kv;                               // the runtime's "__" keys included
  std::vector<RunRecord> runs;         // the most recent, newest first
  bool serve_live = false;             // whether a serve is running on the store now
};

Result<VigyDetail> ShowVigy(Store& store, std::string_view ref, int64_t recent_runs = kRecentRuns);

// ---- lifecycle ----

struct EnabledChange {
  Vigy vigy;             // as it is now
  bool changed = false;  // false: it already was enabled (or disabled), untouched
};

// Enables (or disables) every vigy `refs` names; all are looked up first, so
// a bad ref changes nothing. One entry per vigy, in the order given.
Result<std::vector<EnabledChange>> SetVigiesEnabled(Store& store,
                                                    const std::vector<std::string>& refs,
                                                    bool enabled);

// Removes every vigy `refs` names with its kv, state and run history; all
// are looked up first, so a bad ref removes nothing. Returns the vigies
// removed.
Result<std::vector<Vigy>> DeleteVigies(Store& store, const std::vector<std::string>& refs);

}  // namespace vigy::core
