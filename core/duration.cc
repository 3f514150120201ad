#include "core/duration.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>

#include "core/time_format.h"

namespace vigy::core {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};

// Longest suffix first, so "ms" is not read as "m" followed by junk.
constexpr Unit kUnits[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000},
};

Status BadDuration(std::string_view text) {
  return Status::InvalidArgument(
      fmt::format("bad duration '{}': expected a number with ms, s, m, h or d", text));
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return BadDuration(text);

  std::string_view suffix = text.substr(digits);
  int64_t unit_ms = 0;
  if (suffix.empty()) {
    unit_ms = 1;
  } else {
    for (const Unit& unit : kUnits) {
      if (suffix == unit.suffix) unit_ms = unit.ms;
    }
  }
  if (unit_ms == 0) return BadDuration(text);

  auto too_long = [&] {
    return Status::InvalidArgument(
        fmt::format("bad duration '{}': longer than {}", text,
                    FormatDuration(std::chrono::milliseconds(kMaxDurationMs))));
  };
  int64_t count = 0;
  for (char c : text.substr(0, digits)) {
    count = count * 10 + (c - '0');
    if (count > kMaxDurationMs) return too_long();
  }
  if (count > kMaxDurationMs / unit_ms) return too_long();
  return std::chrono::milliseconds(count * unit_ms);
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  if (ms == 0) return "0ms";
  for (auto it = std::rbegin(kUnits); it != std::rend(kUnits); ++it) {
    if (ms % it->ms == 0) return fmt::format("{}{}", ms / it->ms, it->suffix);
  }
  return fmt::format("{}ms", ms);
}

std::string FormatDelay(std::chrono::milliseconds delay) {
  int64_t ms = delay.count();
  if (ms < 0) {
    return "-" + FormatDelay(std::chrono::milliseconds(ms == std::numeric_limits<int64_t>::min()
                                                           ? std::numeric_limits<int64_t>::max()
                                                           : -ms));
  }
  if (ms < 1000) return fmt::format("{}ms", ms);
  // Past a century, whole days (and no rounding arithmetic near the int64 end).
  constexpr int64_t kDayMs = 86'400'000;
  if (ms >= 36'500 * kDayMs) return fmt::format("{}d", ms / kDayMs);
  // The largest unit that fits, and the next smaller one, rounded to the
  // nearest of the smaller (tenths for seconds). Rounding up can reach the
  // next unit (59.96s is 1m), so the rounded value is formatted again.
  struct Pair {
    int64_t big;
    int64_t small;
    std::string_view big_name;
    std::string_view small_name;
  };
  constexpr Pair kPairs[] = {{86'400'000, 3'600'000, "d", "h"},
                             {3'600'000, 60'000, "h", "m"},
                             {60'000, 1000, "m", "s"},
                             {1000, 100, "s", ""}};
  for (size_t i = 0; i < std::size(kPairs); ++i) {
    const Pair& p = kPairs[i];
    if (ms < p.big) continue;
    const int64_t smalls = ms / p.small + (ms % p.small >= p.small / 2 ? 1 : 0);
    const int64_t rounded = smalls * p.small;
    if (i > 0 && rounded >= kPairs[i - 1].big)
      return FormatDelay(std::chrono::milliseconds(rounded));
    const int64_t per = p.big / p.small;
    if (smalls % per == 0) return fmt::format("{}{}", smalls / per, p.big_name);
    if (p.small_name.empty()) return fmt::format("{}.{}{}", smalls / per, smalls % per, p.big_name);
    return fmt::format("{}{} {}{}", smalls / per, p.big_name, smalls % per, p.small_name);
  }
  return fmt::format("{}ms", ms);
}

Result<int64_t> ParseSince(std::string_view name, std::string_view text, int64_t now_ms) {
  Result<std::chrono::milliseconds> ago = ParseDuration(text);
  if (ago.ok()) return now_ms - ago->count();
  if (std::optional<int64_t> at = ParseRfc3339Ms(text)) return *at;
  if (ago.status().message().find("longer than") != std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("bad {} '{}': longer than {} (use an RFC 3339 time for older runs)", name, text,
                    FormatDuration(std::chrono::milliseconds(kMaxDurationMs))));
  }
  return Status::InvalidArgument(fmt::format(
      "bad {} '{}': expected a duration back from now (e.g. 30m, 2h, 1d) or an RFC 3339 time", name,
      text));
}

}  // namespace vigy::core
