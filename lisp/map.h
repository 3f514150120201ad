// Persistent hash maps (a hash array mapped trie). Updates return a new map and
// share structure with the old one, so assoc and get are O(log32 n) and no
// update is ever quadratic. Keys are compared with Equal() and hashed with
// Hash(); valid key types are nil, booleans, numbers, strings, symbols and
// keywords. The empty map is Value::Map(nullptr).
#pragma once

#include <cstddef>
#include <functional>

#include "lisp/arena.h"
#include "lisp/value.h"

namespace vigy::lisp {

// True if `key` may be used as a map key.
bool IsValidMapKey(Value key);

size_t MapCount(Value map);
// Pointer to the value stored under `key`, or nullptr. Valid while the map lives.
const Value* MapFind(Value map, Value key);
// A map with `key` bound to `value` (replacing any previous binding).
Value MapAssoc(Arena& arena, Value map, Value key, Value value);
// A map without `key` (the same map if it was absent).
Value MapDissoc(Arena& arena, Value map, Value key);
// Calls `fn(key, value)` for every entry, in the map's iteration order, which
// is deterministic for a given set of keys (same on every run and machine).
void MapForEach(Value map, const std::function<void(Value key, Value value)>& fn);

}  // namespace vigy::lisp
