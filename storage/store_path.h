// Where the store file lives: `--db PATH`, else $VIGY_DB, else
// $XDG_DATA_HOME/vigy/vigy.db, else ~/.local/share/vigy/vigy.db.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/status.h"

namespace vigy::storage {

// Reads one environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The process environment.
std::optional<std::string> ProcessEnv(const char* name);

// The store path for a `--db` value (nullopt when the flag was not given).
// An empty XDG_DATA_HOME or HOME counts as unset, and a relative
// XDG_DATA_HOME is ignored, as the XDG base directory specification asks.
// kInvalidArgument when `--db` is given empty or VIGY_DB is set but empty (a
// script's empty variable must not mean the real store), or when nothing
// applies (no HOME either).
core::Result<std::string> ResolveStorePath(const std::optional<std::string>& db_flag,
                                           const EnvLookup& env = ProcessEnv);

}  // namespace vigy::storage
