#include "cli/duration.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>

namespace vigy::cli {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};

// Longest suffix first, so "ms" is not read as "m" followed by junk.
constexpr Unit kUnits[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000},
};

core::Status BadDuration(std::string_view text) {
  return core::Status::InvalidArgument(
      fmt::format("bad duration '{}': expected a number with ms, s, m, h or d", text));
}

}  // namespace

core::Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
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

  const int64_t max = std::numeric_limits<int64_t>::max();
  int64_t count = 0;
  for (char c : text.substr(0, digits)) {
    int digit = c - '0';
    if (count > (max - digit) / 10) {
      return core::Status::InvalidArgument(fmt::format("bad duration '{}': too long", text));
    }
    count = count * 10 + digit;
  }
  if (count > max / unit_ms) {
    return core::Status::InvalidArgument(fmt::format("bad duration '{}': too long", text));
  }
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

}  // namespace vigy::cli
