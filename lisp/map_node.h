// The persistent map beyond map.h: building a whole map at once (far cheaper
// than one MapAssoc per entry, for builtins that produce many entries), and
// the operations with an explicit hash function, which let tests force hash
// collisions and check the trie's shape.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "lisp/arena.h"
#include "lisp/map.h"
#include "lisp/value.h"

namespace vigy::lisp {

struct MapEntry {
  Value key;
  Value value;
};

// A map holding `entries`; when two keys are Equal the later value wins (the
// key keeps the earlier position). O(n log n) time, about n entries of memory.
Value MapFromEntries(Arena& arena, std::span<const MapEntry> entries);

// Calls `fn(const MapEntry&)` for every entry in iteration order, without the
// cost of a std::function call per entry.
template <typename Fn>
void MapVisit(Value map, Fn&& fn);

// ---- explicit hashing: a given map must always be used with one function ----

using MapHashFn = uint64_t (*)(Value key);

const Value* MapFindWith(Value map, Value key, MapHashFn hash);
Value MapAssocWith(Arena& arena, Value map, Value key, Value value, MapHashFn hash);
Value MapDissocWith(Arena& arena, Value map, Value key, MapHashFn hash);
Value MapFromEntriesWith(Arena& arena, std::span<const MapEntry> entries, MapHashFn hash);

// "" when the trie under `map` is well formed for `hash` (entries where their
// hash says, counts right, no needless nodes, collision buckets only where the
// hash is exhausted); otherwise what is wrong. For tests.
std::string MapCheckShape(Value map, MapHashFn hash);

// ---- implementation details of MapVisit ----

namespace map_detail {
// Entries of `node` (a MapNode*), and its children, for MapVisit.
std::span<const MapEntry> NodeEntries(const MapNode* node);
std::span<const MapNode* const> NodeChildren(const MapNode* node);

template <typename Fn>
void Visit(const MapNode* node, Fn& fn) {
  for (const MapEntry& e : NodeEntries(node)) fn(e);
  for (const MapNode* child : NodeChildren(node)) Visit(child, fn);
}
}  // namespace map_detail

template <typename Fn>
void MapVisit(Value map, Fn&& fn) {
  if (map.m != nullptr) map_detail::Visit(map.m, fn);
}

}  // namespace vigy::lisp
