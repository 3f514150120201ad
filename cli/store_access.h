// How the store commands reach the store: the file the global options name,
// opened in the mode the command needs, and VIGY arguments resolved to vigies
// (a name, an id, or a unique id prefix of at least 4 characters).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/status.h"
#include "core/vigy.h"
#include "core/store.h"

namespace vigy::cli {

// Opens the store named by --db, else $VIGY_DB, else the XDG default.
// kInvalidArgument when no path can be found; the store's own errors
// otherwise (kStoreUnusable, kConflict).
core::Result<std::unique_ptr<core::Store>> OpenStore(const GlobalOptions& global,
                                                              core::OpenMode mode);

// Every vigy `refs` names, in the order given, each once (a vigy named twice,
// say by name and by id, appears once). Fails, before anything is changed, on
// the first ref that names no vigy (kNotFound "no such vigy 'x'") or an
// ambiguous id prefix (kInvalidArgument listing the candidates).
core::Result<std::vector<core::Vigy>> ResolveVigies(core::Store& store,
                                                    const std::vector<std::string>& refs);

}  // namespace vigy::cli
