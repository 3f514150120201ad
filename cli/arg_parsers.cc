#include "cli/arg_parsers.h"

#include <fmt/format.h>

#include <cctype>
#include <limits>
#include <optional>

#include "core/ids.h"
#include "core/tick_context.h"
#include "lisp/json.h"

namespace vigy::cli {
namespace {

// The whole number `digits` spells, or nullopt if it is empty, has anything
// but digits, or does not fit.
std::optional<uint64_t> ParseDigits(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

core::Result<uint64_t> ParseByteSize(std::string_view option, std::string_view text) {
  auto bad = [&] {
    return core::Status::InvalidArgument(fmt::format(
        "bad {} '{}': expected a number of bytes, optionally with K, M or G", option, text));
  };
  size_t split = 0;
  while (split < text.size() && text[split] >= '0' && text[split] <= '9') ++split;
  std::optional<uint64_t> count = ParseDigits(text.substr(0, split));
  if (!count) return bad();

  std::string unit = Lowercase(text.substr(split));
  int shift = -1;
  if (unit.empty() || unit == "b") shift = 0;
  if (unit == "k" || unit == "kb" || unit == "kib") shift = 10;
  if (unit == "m" || unit == "mb" || unit == "mib") shift = 20;
  if (unit == "g" || unit == "gb" || unit == "gib") shift = 30;
  if (shift < 0) return bad();
  if (*count > (std::numeric_limits<uint64_t>::max() >> shift)) {
    return core::Status::InvalidArgument(fmt::format("bad {} '{}': too large", option, text));
  }
  if (*count == 0) {
    return core::Status::InvalidArgument(fmt::format("bad {} '{}': must be above 0", option, text));
  }
  return *count << shift;
}

core::Result<uint64_t> ParseCount(std::string_view option, std::string_view text, uint64_t max) {
  std::optional<uint64_t> value = ParseDigits(text);
  if (!value || *value == 0 || *value > max) {
    return core::Status::InvalidArgument(
        fmt::format("bad {} '{}': expected a whole number from 1 to {}", option, text, max));
  }
  return *value;
}

core::Result<nlohmann::json> ParseJsonArgument(std::string_view problem, std::string_view text) {
  nlohmann::json value;
  std::string why;
  if (lisp::ParseJson(text, &value, &why)) return value;
  if (text.empty()) {
    return core::Status::InvalidArgument(fmt::format("{}: an empty value is not JSON", problem));
  }
  // A bare word that is fine text is most likely a string without its quotes.
  constexpr size_t kShown = 40;
  nlohmann::json quoted;
  std::string unused;
  bool bare = std::string_view("\"[{-0123456789").find(text[0]) == std::string_view::npos;
  if (bare && text.size() <= kShown &&
      lisp::ParseJson(fmt::format("\"{}\"", text), &quoted, &unused)) {
    return core::Status::InvalidArgument(
        fmt::format("{}: {} is not JSON (a string needs quotes: '\"{}\"')", problem, text, text));
  }
  std::string shown =
      text.size() > kShown ? fmt::format("{}...", text.substr(0, kShown)) : std::string(text);
  return core::Status::InvalidArgument(fmt::format("{}: {} is not JSON ({})", problem, shown, why));
}

core::Result<std::pair<std::string, nlohmann::json>> ParseKvSeed(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return core::Status::InvalidArgument(
        fmt::format("bad --kv '{}': expected KEY=JSON, e.g. count=3 or name='\"web\"'", text));
  }
  std::string key(text.substr(0, eq));
  std::string_view json_text = text.substr(eq + 1);
  if (key.empty()) {
    return core::Status::InvalidArgument(fmt::format("bad --kv '{}': the key is empty", text));
  }
  if (core::IsReservedKey(key)) {
    return core::Status::InvalidArgument(fmt::format(
        "bad --kv key '{}': keys starting with \"__\" are reserved for the runtime", key));
  }
  if (core::Status s = core::ValidateKvKey(key); !s.ok()) {
    return core::Status::InvalidArgument(fmt::format("bad --kv key: {}", s.message()));
  }
  auto value = ParseJsonArgument(fmt::format("bad --kv value for key '{}'", key), json_text);
  if (!value.ok()) return value.status();
  return std::make_pair(std::move(key), std::move(value).value());
}

}  // namespace vigy::cli
