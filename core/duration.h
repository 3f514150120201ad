// Durations as users write them (command-line options, and the same bound for
// the intrinsics that take milliseconds): a whole number with a unit, "250ms",
// "5s", "10m", "1h", "1d", or a bare number of milliseconds, from 0 to
// kMaxDurationMs. One range for every duration keeps all time arithmetic far
// from overflowing the clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigy::core {

// The longest duration anything accepts: 365 days.
inline constexpr int64_t kMaxDurationMs = int64_t{365} * 24 * 3600 * 1000;

// The duration `text` names, or kInvalidArgument with
// "bad duration 'TEXT': expected a number with ms, s, m, h or d", or
// "bad duration 'TEXT': longer than 365d". Surrounding spaces, signs,
// fractions and compound forms like "1h30m" are refused.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The shortest exact form ParseDuration reads back: "250ms", "5s", "10m",
// "1h", "2d", "1500ms", "0ms".
std::string FormatDuration(std::chrono::milliseconds duration);

// A delay for people to read, rounded to its two largest units: "350ms",
// "4.2s", "59m 59s", "1h", "3h 20m", "2d 4h". Not meant to be read back.
std::string FormatDelay(std::chrono::milliseconds delay);

// The earliest start time a "since" filter admits (`vigy runs --since`,
// GET /v1/runs?since=): a duration back from `now_ms` ("30m") or an RFC 3339
// time. kInvalidArgument "bad NAME 'TEXT': ..." otherwise; `name` is how the
// surface spells the filter ("--since", "since").
Result<int64_t> ParseSince(std::string_view name, std::string_view text, int64_t now_ms);

}  // namespace vigy::core
