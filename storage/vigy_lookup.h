// How both stores resolve a VIGY argument that is not a name: as a unique
// prefix of an id (Store::FindVigy has the contract). The stores look the
// name up and query the candidates; the rules live here once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/vigy.h"

namespace vigy::storage {

// How many vigies a prefix query should return at most: one more than an
// ambiguity message lists.
inline constexpr int64_t kIdPrefixQueryLimit = 11;

// The lowercase id prefix `ref` stands for, or kNotFound "no such vigy" when
// it cannot be one (not hex, too long, or shorter than 4 characters, which
// the message then says).
core::Result<std::string> IdPrefixOf(std::string_view ref);

// Every id starting with `prefix` sorts at or after it and before this.
std::string IdPrefixEnd(std::string_view prefix);

// The vigy `ref` names among `found`, the vigies whose id starts with its
// prefix in id order (at most kIdPrefixQueryLimit): kNotFound for none,
// kInvalidArgument listing the candidates for more than one.
core::Result<core::Vigy> PickIdPrefixMatch(std::string_view ref, std::vector<core::Vigy> found);

}  // namespace vigy::storage
