// Durations as users write them on the command line: a whole number with a
// unit, "250ms", "5s", "10m", "1h", "1d", or a bare number of milliseconds.
// (Kept in cli/ until a store command needs the same parser in core/.)
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigy::cli {

// The duration `text` names, or kInvalidArgument with
// "bad duration 'TEXT': expected a number with ms, s, m, h or d" (or a note
// that it is too long). Surrounding spaces, signs, fractions and compound
// forms like "1h30m" are refused.
core::Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The shortest exact form ParseDuration reads back: "250ms", "5s", "10m",
// "1h", "2d", "1500ms", "0ms".
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace vigy::cli
