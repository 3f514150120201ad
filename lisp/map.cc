#include "lisp/map.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <vector>

#include "lisp/map_node.h"

namespace vigy::lisp {

// One node of the trie (a CHAMP: compressed hash-array mapped prefix tree).
// Level L looks at bits [5L, 5L+5) of the key's hash (the last level at the 4
// bits left). A fragment holds either an entry inline (its bit in `datamap`) or
// a child node (its bit in `nodemap`) for two or more entries sharing the
// fragment. Once all 64 bits are used up, keys with one hash share a collision
// bucket, a plain array of entries.
//
// The shape depends only on the set of keys: an entry is inline unless it
// shares its fragment with another, and removal pulls a lone entry back up.
// So iteration order (inline entries by fragment, then children by fragment)
// is the same however the map was built.
struct MapNode {
  uint32_t datamap;
  uint32_t nodemap;
  uint32_t count;   // entries in this subtree (the map's size at the root)
  uint32_t bucket;  // nonzero: this is a collision bucket with this many entries
  // Followed in memory by the inline entries in fragment order, then the
  // child pointers in fragment order.

  int ndata() const { return bucket != 0 ? static_cast<int>(bucket) : std::popcount(datamap); }
  int nchildren() const { return std::popcount(nodemap); }
  MapEntry* entries() { return reinterpret_cast<MapEntry*>(this + 1); }
  const MapEntry* entries() const { return reinterpret_cast<const MapEntry*>(this + 1); }
  MapNode** children() { return reinterpret_cast<MapNode**>(entries() + ndata()); }
  MapNode* const* children() const {
    return reinterpret_cast<MapNode* const*>(entries() + ndata());
  }
};
static_assert(sizeof(MapNode) % alignof(Value) == 0);

namespace {

constexpr int kLevelBits = 5;
constexpr int kHashBits = 64;

uint32_t FragmentOf(uint64_t hash, int shift) { return (hash >> shift) & 31; }
uint32_t BitOf(uint64_t hash, int shift) { return uint32_t{1} << FragmentOf(hash, shift); }
// Position of `bit`'s slot among the set bits of `bitmap` below it.
int SlotOf(uint32_t bitmap, uint32_t bit) { return std::popcount(bitmap & (bit - 1)); }

// The same value, bit for bit (so assoc of an unchanged value can share).
bool Identical(Value a, Value b) { return a.tag == b.tag && a.raw == b.raw; }

// A total order on valid keys, for the order of entries in a collision
// bucket (so that, too, depends only on the keys). Equal keys never share a
// bucket, so how it ranks them does not matter.
bool KeyLess(Value a, Value b) {
  if (a.tag != b.tag) return a.tag < b.tag;
  switch (a.tag) {
    case Tag::kBool:
      return a.b < b.b;
    case Tag::kInt:
      return a.i < b.i;
    case Tag::kFloat:
      return a.f < b.f || (!(b.f < a.f) && a.raw < b.raw);
    case Tag::kString:
      return a.s->view() < b.s->view();
    case Tag::kSymbol:
    case Tag::kKeyword:
      return a.sym->name() < b.sym->name();
    default:
      return false;
  }
}

size_t NodeBytes(int ndata, int nchildren) {
  // The node is followed by its entries, then its child pointers.
  return sizeof(MapNode) + ndata * sizeof(MapEntry) +
         nchildren * sizeof(MapNode*);  // NOLINT(bugprone-sizeof-expression)
}

MapNode* NewNode(Arena& arena, uint32_t datamap, uint32_t nodemap, uint32_t count,
                 uint32_t bucket = 0) {
  int ndata = bucket != 0 ? static_cast<int>(bucket) : std::popcount(datamap);
  void* p = arena.Allocate(NodeBytes(ndata, std::popcount(nodemap)));
  return new (p) MapNode{datamap, nodemap, count, bucket};
}

MapNode* CopyNode(Arena& arena, const MapNode* node) {
  size_t bytes = NodeBytes(node->ndata(), node->nchildren());
  void* p = arena.Allocate(bytes);
  std::memcpy(p, node, bytes);
  return static_cast<MapNode*>(p);
}

template <typename T>
void CopyItems(T* to, const T* from, int n) {
  // T may be a pointer (a node's children): its size is what is copied.
  if (n > 0) std::memcpy(to, from, n * sizeof(T));  // NOLINT(bugprone-sizeof-expression)
}

// `node` with one more inline entry, `e`, at `bit`.
MapNode* WithEntry(Arena& arena, const MapNode* node, uint32_t bit, const MapEntry& e) {
  MapNode* r = NewNode(arena, node->datamap | bit, node->nodemap, node->count + 1);
  int at = SlotOf(node->datamap, bit), nd = node->ndata();
  CopyItems(r->entries(), node->entries(), at);
  r->entries()[at] = e;
  CopyItems(r->entries() + at + 1, node->entries() + at, nd - at);
  CopyItems(r->children(), node->children(), node->nchildren());
  return r;
}

// `node` without the inline entry at `bit`.
MapNode* WithoutEntry(Arena& arena, const MapNode* node, uint32_t bit) {
  MapNode* r = NewNode(arena, node->datamap & ~bit, node->nodemap, node->count - 1);
  int at = SlotOf(node->datamap, bit), nd = node->ndata();
  CopyItems(r->entries(), node->entries(), at);
  CopyItems(r->entries() + at, node->entries() + at + 1, nd - at - 1);
  CopyItems(r->children(), node->children(), node->nchildren());
  return r;
}

// `node` with the inline entry at `bit` replaced by `child`, which holds it and
// one new entry.
MapNode* WithEntryMovedDown(Arena& arena, const MapNode* node, uint32_t bit, MapNode* child) {
  MapNode* r = NewNode(arena, node->datamap & ~bit, node->nodemap | bit, node->count + 1);
  int at = SlotOf(node->datamap, bit), nd = node->ndata();
  CopyItems(r->entries(), node->entries(), at);
  CopyItems(r->entries() + at, node->entries() + at + 1, nd - at - 1);
  int cat = SlotOf(node->nodemap, bit), nc = node->nchildren();
  CopyItems(r->children(), node->children(), cat);
  r->children()[cat] = child;
  CopyItems(r->children() + cat + 1, node->children() + cat, nc - cat);
  return r;
}

// `node` with the child at `bit` replaced by `e`, the child's last entry.
MapNode* WithChildPulledUp(Arena& arena, const MapNode* node, uint32_t bit, const MapEntry& e) {
  MapNode* r = NewNode(arena, node->datamap | bit, node->nodemap & ~bit, node->count - 1);
  int at = SlotOf(node->datamap, bit), nd = node->ndata();
  CopyItems(r->entries(), node->entries(), at);
  r->entries()[at] = e;
  CopyItems(r->entries() + at + 1, node->entries() + at, nd - at);
  int cat = SlotOf(node->nodemap, bit), nc = node->nchildren();
  CopyItems(r->children(), node->children(), cat);
  CopyItems(r->children() + cat, node->children() + cat + 1, nc - cat - 1);
  return r;
}

// The smallest subtree at `shift` holding two entries with different keys.
MapNode* MakePair(Arena& arena, int shift, const MapEntry& a, uint64_t ha, const MapEntry& b,
                  uint64_t hb) {
  if (shift >= kHashBits) {
    bool a_first = KeyLess(a.key, b.key);
    MapNode* r = NewNode(arena, 0, 0, 2, 2);
    r->entries()[0] = a_first ? a : b;
    r->entries()[1] = a_first ? b : a;
    return r;
  }
  uint32_t bit_a = BitOf(ha, shift), bit_b = BitOf(hb, shift);
  if (bit_a == bit_b) {
    MapNode* child = MakePair(arena, shift + kLevelBits, a, ha, b, hb);
    MapNode* r = NewNode(arena, 0, bit_a, 2);
    r->children()[0] = child;
    return r;
  }
  MapNode* r = NewNode(arena, bit_a | bit_b, 0, 2);
  r->entries()[bit_a < bit_b ? 0 : 1] = a;
  r->entries()[bit_a < bit_b ? 1 : 0] = b;
  return r;
}

int FindInBucket(const MapNode* node, Value key) {
  for (int i = 0; i < static_cast<int>(node->bucket); ++i) {
    if (Equal(node->entries()[i].key, key)) return i;
  }
  return -1;
}

MapNode* BucketAssoc(Arena& arena, const MapNode* node, const MapEntry& e, bool& added) {
  int i = FindInBucket(node, e.key);
  if (i >= 0) {
    if (Identical(node->entries()[i].value, e.value)) return const_cast<MapNode*>(node);
    MapNode* r = CopyNode(arena, node);
    r->entries()[i].value = e.value;
    return r;
  }
  added = true;
  const MapEntry* begin = node->entries();
  int at = static_cast<int>(
      std::partition_point(begin, begin + node->bucket,
                           [&](const MapEntry& x) { return KeyLess(x.key, e.key); }) -
      begin);
  MapNode* r = NewNode(arena, 0, 0, node->count + 1, node->bucket + 1);
  CopyItems(r->entries(), begin, at);
  r->entries()[at] = e;
  CopyItems(r->entries() + at + 1, begin + at, node->ndata() - at);
  return r;
}

MapNode* AssocIn(Arena& arena, const MapNode* node, int shift, const MapEntry& e, uint64_t hash,
                 MapHashFn hash_fn, bool& added) {
  if (node->bucket != 0) return BucketAssoc(arena, node, e, added);
  uint32_t bit = BitOf(hash, shift);
  if (node->datamap & bit) {
    int at = SlotOf(node->datamap, bit);
    const MapEntry& old = node->entries()[at];
    if (Equal(old.key, e.key)) {
      if (Identical(old.value, e.value)) return const_cast<MapNode*>(node);
      MapNode* r = CopyNode(arena, node);
      r->entries()[at].value = e.value;
      return r;
    }
    added = true;
    MapNode* child = MakePair(arena, shift + kLevelBits, old, hash_fn(old.key), e, hash);
    return WithEntryMovedDown(arena, node, bit, child);
  }
  if (node->nodemap & bit) {
    int at = SlotOf(node->nodemap, bit);
    MapNode* child = node->children()[at];
    MapNode* updated = AssocIn(arena, child, shift + kLevelBits, e, hash, hash_fn, added);
    if (updated == child) return const_cast<MapNode*>(node);
    MapNode* r = CopyNode(arena, node);
    r->children()[at] = updated;
    r->count += added ? 1 : 0;
    return r;
  }
  added = true;
  return WithEntry(arena, node, bit, e);
}

// What removing a key did to a subtree.
struct Removal {
  enum Kind { kUnchanged, kNode, kSingle, kEmpty } kind;
  MapNode* node = nullptr;  // kNode: the new subtree
  MapEntry single{};        // kSingle: the subtree shrank to this one entry
};

Removal BucketDissoc(Arena& arena, const MapNode* node, Value key) {
  int i = FindInBucket(node, key);
  if (i < 0) return {Removal::kUnchanged};
  if (node->bucket == 2) return {Removal::kSingle, nullptr, node->entries()[1 - i]};
  MapNode* r = NewNode(arena, 0, 0, node->count - 1, node->bucket - 1);
  CopyItems(r->entries(), node->entries(), i);
  CopyItems(r->entries() + i, node->entries() + i + 1, node->ndata() - i - 1);
  return {Removal::kNode, r};
}

Removal DissocIn(Arena& arena, const MapNode* node, int shift, Value key, uint64_t hash) {
  if (node->bucket != 0) return BucketDissoc(arena, node, key);
  uint32_t bit = BitOf(hash, shift);
  if (node->datamap & bit) {
    int at = SlotOf(node->datamap, bit);
    if (!Equal(node->entries()[at].key, key)) return {Removal::kUnchanged};
    if (node->count == 1) return {Removal::kEmpty};
    // Below the root, a node of two holding this one inline holds two inline.
    if (shift > 0 && node->count == 2) return {Removal::kSingle, nullptr, node->entries()[1 - at]};
    return {Removal::kNode, WithoutEntry(arena, node, bit)};
  }
  if (!(node->nodemap & bit)) return {Removal::kUnchanged};
  int at = SlotOf(node->nodemap, bit);
  Removal r = DissocIn(arena, node->children()[at], shift + kLevelBits, key, hash);
  switch (r.kind) {
    case Removal::kUnchanged:
    case Removal::kEmpty:  // only a root can empty
      return r;
    case Removal::kNode: {
      MapNode* copy = CopyNode(arena, node);
      copy->children()[at] = r.node;
      copy->count -= 1;
      return {Removal::kNode, copy};
    }
    case Removal::kSingle:
      if (shift > 0 && node->count == 2) return r;  // that child was all this node had
      return {Removal::kNode, WithChildPulledUp(arena, node, bit, r.single)};
  }
  return {Removal::kUnchanged};
}

// ---- building a whole map ----

struct Hashed {
  uint64_t order;  // the hash with level 0's fragment most significant
  uint64_t hash;
  uint32_t index;  // into the caller's entries
};

uint64_t TrieOrder(uint64_t hash) {
  uint64_t order = 0;
  int shift = 0;
  for (; shift + kLevelBits <= kHashBits; shift += kLevelBits) {
    order = (order << kLevelBits) | FragmentOf(hash, shift);
  }
  int rest = kHashBits - shift;
  return (order << rest) | (hash >> shift);
}

// Builds the subtree at `shift` for entries [lo, hi), sorted in trie order.
MapNode* Build(Arena& arena, const std::vector<MapEntry>& entries,
               const std::vector<uint64_t>& hashes, size_t lo, size_t hi, int shift) {
  uint32_t count = static_cast<uint32_t>(hi - lo);
  if (shift >= kHashBits) {
    MapNode* r = NewNode(arena, 0, 0, count, count);
    CopyItems(r->entries(), entries.data() + lo, static_cast<int>(count));
    std::sort(r->entries(), r->entries() + count,
              [](const MapEntry& a, const MapEntry& b) { return KeyLess(a.key, b.key); });
    return r;
  }
  uint32_t datamap = 0, nodemap = 0;
  for (size_t i = lo, j; i < hi; i = j) {
    uint32_t bit = BitOf(hashes[i], shift);
    for (j = i + 1; j < hi && BitOf(hashes[j], shift) == bit; ++j) {
    }
    (j - i == 1 ? datamap : nodemap) |= bit;
  }
  MapNode* r = NewNode(arena, datamap, nodemap, count);
  int nd = 0, nc = 0;
  for (size_t i = lo, j; i < hi; i = j) {
    uint32_t bit = BitOf(hashes[i], shift);
    for (j = i + 1; j < hi && BitOf(hashes[j], shift) == bit; ++j) {
    }
    if (j - i == 1) {
      r->entries()[nd++] = entries[i];
    } else {
      r->children()[nc++] = Build(arena, entries, hashes, i, j, shift + kLevelBits);
    }
  }
  return r;
}

// ---- shape checking ----

struct ShapeChecker {
  MapHashFn hash_fn;
  std::string problem;

  void Fail(std::string what) {
    if (problem.empty()) problem = std::move(what);
  }

  bool HasPrefix(uint64_t hash, uint64_t prefix, int shift) {
    uint64_t mask = shift >= kHashBits ? ~uint64_t{0} : (uint64_t{1} << shift) - 1;
    return (hash & mask) == (prefix & mask);
  }

  void CheckBucket(const MapNode* node, uint64_t prefix, int shift) {
    if (shift < kHashBits) Fail("collision bucket above the last level");
    if (node->bucket < 2 || node->count != node->bucket) Fail("bucket with a wrong count");
    for (int i = 0; i < node->ndata(); ++i) {
      if (hash_fn(node->entries()[i].key) != prefix) Fail("bucket entry with another hash");
      if (i > 0 && !KeyLess(node->entries()[i - 1].key, node->entries()[i].key)) {
        Fail("bucket out of order");
      }
      for (int j = 0; j < i; ++j) {
        if (Equal(node->entries()[i].key, node->entries()[j].key)) Fail("duplicate key");
      }
    }
  }

  // Returns the number of entries found under `node`.
  uint32_t Check(const MapNode* node, uint64_t prefix, int shift, bool root) {
    if (node->bucket != 0) {
      CheckBucket(node, prefix, shift);
      return node->bucket;
    }
    if (shift >= kHashBits) Fail("trie node below the last level");
    if (node->datamap & node->nodemap) Fail("fragment both inline and a child");
    uint32_t found = 0;
    for (int i = 0; i < node->ndata(); ++i) {
      uint64_t h = hash_fn(node->entries()[i].key);
      if (!HasPrefix(h, prefix, shift)) Fail("entry under the wrong prefix");
      if (!(node->datamap & BitOf(h, shift)) || SlotOf(node->datamap, BitOf(h, shift)) != i) {
        Fail("entry in the wrong slot");
      }
      ++found;
    }
    uint32_t bits = node->nodemap;
    for (int i = 0; i < node->nchildren(); ++i) {
      uint32_t fragment = static_cast<uint32_t>(std::countr_zero(bits));
      bits &= bits - 1;
      uint64_t child_prefix = prefix | (uint64_t{fragment} << shift);
      found += Check(node->children()[i], child_prefix, shift + kLevelBits, false);
    }
    if (found != node->count) Fail("count does not match the entries");
    if (!root && found < 2) Fail("needless node below the root");
    if (root && found == 0) Fail("empty root node (the empty map is null)");
    return found;
  }
};

}  // namespace

namespace map_detail {
std::span<const MapEntry> NodeEntries(const MapNode* node) {
  return {node->entries(), static_cast<size_t>(node->ndata())};
}
std::span<const MapNode* const> NodeChildren(const MapNode* node) {
  return {node->children(), static_cast<size_t>(node->nchildren())};
}
}  // namespace map_detail

bool IsValidMapKey(Value key) {
  switch (key.tag) {
    case Tag::kNil:
    case Tag::kBool:
    case Tag::kInt:
    case Tag::kFloat:
    case Tag::kString:
    case Tag::kSymbol:
    case Tag::kKeyword:
      return true;
    default:
      return false;
  }
}

size_t MapCount(Value map) { return map.m == nullptr ? 0 : map.m->count; }

const Value* MapFindWith(Value map, Value key, MapHashFn hash_fn) {
  const MapNode* node = map.m;
  if (node == nullptr) return nullptr;
  uint64_t hash = hash_fn(key);
  for (int shift = 0;; shift += kLevelBits) {
    if (node->bucket != 0) {
      int i = FindInBucket(node, key);
      return i < 0 ? nullptr : &node->entries()[i].value;
    }
    uint32_t bit = BitOf(hash, shift);
    if (node->datamap & bit) {
      const MapEntry& e = node->entries()[SlotOf(node->datamap, bit)];
      return Equal(e.key, key) ? &e.value : nullptr;
    }
    if (!(node->nodemap & bit)) return nullptr;
    node = node->children()[SlotOf(node->nodemap, bit)];
  }
}

Value MapAssocWith(Arena& arena, Value map, Value key, Value value, MapHashFn hash_fn) {
  MapEntry e{key, value};
  if (map.m == nullptr) {
    MapNode* r = NewNode(arena, BitOf(hash_fn(key), 0), 0, 1);
    r->entries()[0] = e;
    return Value::Map(r);
  }
  bool added = false;
  return Value::Map(AssocIn(arena, map.m, 0, e, hash_fn(key), hash_fn, added));
}

Value MapDissocWith(Arena& arena, Value map, Value key, MapHashFn hash_fn) {
  if (map.m == nullptr) return map;
  Removal r = DissocIn(arena, map.m, 0, key, hash_fn(key));
  switch (r.kind) {
    case Removal::kNode:
      return Value::Map(r.node);
    case Removal::kEmpty:
      return Value::Map(nullptr);
    default:
      return map;
  }
}

Value MapFromEntriesWith(Arena& arena, std::span<const MapEntry> entries, MapHashFn hash_fn) {
  std::vector<Hashed> order(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    uint64_t h = hash_fn(entries[i].key);
    order[i] = {TrieOrder(h), h, static_cast<uint32_t>(i)};
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const Hashed& a, const Hashed& b) { return a.order < b.order; });
  std::vector<MapEntry> sorted;
  std::vector<uint64_t> hashes;
  sorted.reserve(entries.size());
  hashes.reserve(entries.size());
  for (size_t i = 0, run = 0; i < order.size(); ++i) {
    if (i == 0 || order[i].hash != order[i - 1].hash) run = sorted.size();
    const MapEntry& e = entries[order[i].index];
    auto same = std::find_if(sorted.begin() + run, sorted.end(),
                             [&](const MapEntry& kept) { return Equal(kept.key, e.key); });
    if (same != sorted.end()) {
      same->value = e.value;
    } else {
      sorted.push_back(e);
      hashes.push_back(order[i].hash);
    }
  }
  if (sorted.empty()) return Value::Map(nullptr);
  return Value::Map(Build(arena, sorted, hashes, 0, sorted.size(), 0));
}

std::string MapCheckShape(Value map, MapHashFn hash_fn) {
  if (map.m == nullptr) return "";
  ShapeChecker checker{hash_fn, ""};
  checker.Check(map.m, 0, 0, true);
  return checker.problem;
}

const Value* MapFind(Value map, Value key) { return MapFindWith(map, key, &Hash); }

Value MapAssoc(Arena& arena, Value map, Value key, Value value) {
  return MapAssocWith(arena, map, key, value, &Hash);
}

Value MapDissoc(Arena& arena, Value map, Value key) {
  return MapDissocWith(arena, map, key, &Hash);
}

Value MapFromEntries(Arena& arena, std::span<const MapEntry> entries) {
  return MapFromEntriesWith(arena, entries, &Hash);
}

void MapForEach(Value map, const std::function<void(Value key, Value value)>& fn) {
  MapVisit(map, [&](const MapEntry& e) { fn(e.key, e.value); });
}

}  // namespace vigy::lisp
