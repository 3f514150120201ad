// Timestamps as the JSON interface shows them: RFC 3339 in UTC with exactly
// three fractional digits, e.g. "2026-11-26T06:30:00.123Z". Internally every
// time is an int64 count of milliseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigy::core {

// "YYYY-MM-DDTHH:MM:SS.mmmZ". Negative times (before 1970) are formatted
// correctly too; years outside 0000-9999 are clamped to that range.
std::string FormatRfc3339Ms(int64_t epoch_ms);

// Parses an RFC 3339 timestamp: a date, 'T' (or 't' or ' '), a time with
// optional fractional seconds (digits past milliseconds are truncated), then
// 'Z' (or 'z') or a numeric offset "+HH:MM"/"-HH:MM". Returns epoch ms, or
// nullopt if the text is not such a timestamp or names an impossible date.
std::optional<int64_t> ParseRfc3339Ms(std::string_view text);

// How long ago `then_ms` was, for people: "0s ago", "42s ago", "5m ago",
// "3h ago", "2d ago".
std::string FormatAgo(int64_t then_ms, int64_t now_ms);

// When `due_ms` comes: "in 4s", or "due" once it has passed.
std::string FormatUntil(int64_t due_ms, int64_t now_ms);

}  // namespace vigy::core
