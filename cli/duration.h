// Durations on the command line: the one parser and bound of core/duration.h,
// and the message shape every duration option uses.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/duration.h"
#include "core/status.h"

namespace vigy::cli {

using core::FormatDelay;
using core::FormatDuration;
using core::ParseDuration;

// The milliseconds of a duration option's value, at least `min_ms`.
// kInvalidArgument "OPTION: bad duration 'TEXT': ..." when it does not parse
// or is longer than 365d, "bad OPTION 'TEXT': at least MIN" when too short.
core::Result<int64_t> ParseDurationOption(std::string_view option, std::string_view text,
                                          int64_t min_ms = 0);

}  // namespace vigy::cli
