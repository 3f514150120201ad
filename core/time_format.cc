#include "core/time_format.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

namespace vigy::core {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// Floor division, so times before the epoch land on the right day.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Reads exactly `n` decimal digits at text[pos]; advances pos.
bool ReadDigits(std::string_view text, size_t& pos, int n, int& out) {
  if (pos + n > text.size()) return false;
  int value = 0;
  for (int k = 0; k < n; ++k) {
    char c = text[pos + k];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  out = value;
  return true;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::string FormatRfc3339Ms(int64_t epoch_ms) {
  using namespace std::chrono;
  // Clamp to years 0000..9999 so the fixed-width format always holds.
  constexpr int64_t kMin = -62'167'219'200'000;  // 0000-01-01T00:00:00.000Z
  constexpr int64_t kMax = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
  if (epoch_ms < kMin) epoch_ms = kMin;
  if (epoch_ms > kMax) epoch_ms = kMax;

  int64_t days = FloorDiv(epoch_ms, kMsPerDay);
  int64_t in_day = epoch_ms - days * kMsPerDay;
  year_month_day date{sys_days{std::chrono::days{days}}};
  int hour = static_cast<int>(in_day / 3'600'000);
  int minute = static_cast<int>(in_day / 60'000 % 60);
  int second = static_cast<int>(in_day / 1000 % 60);
  int milli = static_cast<int>(in_day % 1000);

  char buf[64];  // room for any int fields, so the compiler sees no truncation
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), hour, minute, second, milli);
  return buf;
}

std::optional<int64_t> ParseRfc3339Ms(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  int y, mo, d, h, mi, s;
  if (!ReadDigits(text, pos, 4, y) || !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, mo) ||
      !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, d)) {
    return std::nullopt;
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return std::nullopt;
  }
  ++pos;
  if (!ReadDigits(text, pos, 2, h) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, mi) ||
      !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, s)) {
    return std::nullopt;
  }
  // 60 is allowed for a leap second and folded into the next second.
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;

  int milli = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) milli = milli * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int k = digits; k < 3; ++k) milli *= 10;
  }

  int64_t offset_ms = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!ReadDigits(text, pos, 2, oh) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_ms = sign * (int64_t{oh} * 3'600'000 + int64_t{om} * 60'000);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  int64_t days = sys_days{date}.time_since_epoch().count();
  return days * kMsPerDay + int64_t{h} * 3'600'000 + int64_t{mi} * 60'000 + int64_t{s} * 1000 +
         milli - offset_ms;
}

namespace {

std::string ShortSpan(int64_t ms) {
  if (ms < 0) ms = 0;
  int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m", s / 60);
  if (s < int64_t{48} * 3600) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

}  // namespace

std::string FormatAgo(int64_t then_ms, int64_t now_ms) {
  return ShortSpan(now_ms - then_ms) + " ago";
}

std::string FormatUntil(int64_t due_ms, int64_t now_ms) {
  if (due_ms <= now_ms) return "due";
  // Round up, so "in 0s" never shows for a time still to come.
  return "in " + ShortSpan(due_ms - now_ms + 999);
}

}  // namespace vigy::core
