// The operations on a vigy's kv from outside a tick: list, get, set, remove.
// Keys starting with "__" belong to the runtime: they can be read, never set
// or removed here (ValidateWritableKvKey). Every surface calls these; none
// reimplements them.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/model.h"
#include "core/status.h"
#include "core/store.h"

namespace vigy::core {

// The vigy's whole kv, the runtime's "__" keys included.
Result<Kv> ListKv(Store& store, std::string_view ref);

// The value of `key`; kFailed "no key 'k' in vigy 'x'" when it is not there.
Result<nlohmann::json> GetKv(Store& store, std::string_view ref, std::string_view key);

// Sets `key` (checked first, before the vigy is looked up) to `value`.
Status SetKv(Store& store, std::string_view ref, std::string_view key, const nlohmann::json& value);

// Removes `key`; kFailed "no key 'k' in vigy 'x'" when it was not there.
Status RemoveKv(Store& store, std::string_view ref, std::string_view key);

}  // namespace vigy::core
