#include "storage/vigy_lookup.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigy::storage {

using core::Result;
using core::Status;
using core::Vigy;

namespace {

constexpr size_t kMinIdPrefix = 4;
constexpr size_t kIdLength = 16;
constexpr size_t kMaxCandidatesShown = kIdPrefixQueryLimit - 1;

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace

Result<std::string> IdPrefixOf(std::string_view ref) {
  std::string prefix = Lowercase(ref);
  if (prefix.empty() || prefix.size() > kIdLength || !IsLowerHex(prefix)) {
    return Status::NotFound(fmt::format("no such vigy '{}'", ref));
  }
  if (prefix.size() < kMinIdPrefix) {
    return Status::NotFound(fmt::format(
        "no such vigy '{}' (an id prefix needs at least {} characters)", ref, kMinIdPrefix));
  }
  return prefix;
}

std::string IdPrefixEnd(std::string_view prefix) { return std::string(prefix) + "g"; }

Result<Vigy> PickIdPrefixMatch(std::string_view ref, std::vector<Vigy> found) {
  if (found.empty()) return Status::NotFound(fmt::format("no such vigy '{}'", ref));
  if (found.size() == 1) return std::move(found.front());
  std::string candidates;
  for (size_t i = 0; i < found.size() && i < kMaxCandidatesShown; ++i) {
    if (i > 0) candidates += ", ";
    candidates += fmt::format("{} ({})", found[i].id, found[i].name);
  }
  if (found.size() > kMaxCandidatesShown) candidates += ", ...";
  return Status::InvalidArgument(
      fmt::format("vigy id prefix '{}' is ambiguous: it matches {}", ref, candidates));
}

}  // namespace vigy::storage
