// The persistent map on its own (lisp/map.cc), below the builtins: many keys,
// forced hash collisions, persistence, and the trie's shape after every step.
#include "lisp/map.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "lisp/arena.h"
#include "lisp/map_node.h"
#include "lisp/value.h"

namespace vigy::lisp {
namespace {

// Every key in one collision bucket.
uint64_t SameHash(Value) { return 42; }
// Few distinct hashes that agree in their low bits: long shared prefixes,
// deep chains of nodes, and buckets holding several keys.
uint64_t CrowdedHash(Value key) { return (static_cast<uint64_t>(key.i) % 5) << 58 | 0x2a5; }
// Distinct hashes that differ only in the last, 4-bit level.
uint64_t TopBitsHash(Value key) { return static_cast<uint64_t>(key.i % 16) << 60; }
uint64_t RealHash(Value key) { return Hash(key); }

std::vector<std::pair<Value, Value>> Entries(Value map) {
  std::vector<std::pair<Value, Value>> out;
  MapForEach(map, [&](Value k, Value v) { out.emplace_back(k, v); });
  return out;
}

// Applies random assoc/dissoc to a map and to a std::map model, checking the
// two agree (and the trie is well formed) after every operation.
void RandomOps(MapHashFn hash, int key_range, int ops, unsigned seed, int check_every = 1) {
  Arena arena;
  std::mt19937 rng(seed);
  std::map<int64_t, int64_t> model;
  Value map = Value::Map(nullptr);
  for (int op = 0; op < ops; ++op) {
    int64_t k = static_cast<int64_t>(rng() % key_range);
    if (rng() % 3 == 0) {
      map = MapDissocWith(arena, map, Value::Int(k), hash);
      model.erase(k);
    } else {
      map = MapAssocWith(arena, map, Value::Int(k), Value::Int(op), hash);
      model[k] = op;
    }
    if (op % check_every == 0) REQUIRE(MapCheckShape(map, hash) == "");
    REQUIRE(MapCount(map) == model.size());
  }
  REQUIRE(MapCheckShape(map, hash) == "");
  for (int64_t k = 0; k < key_range; ++k) {
    const Value* found = MapFindWith(map, Value::Int(k), hash);
    auto it = model.find(k);
    REQUIRE((found != nullptr) == (it != model.end()));
    if (found != nullptr) CHECK(found->i == it->second);
  }
}

TEST_CASE("a map holds twenty thousand string keys and finds each one") {
  Arena arena;
  Value map = Value::Map(nullptr);
  for (int i = 0; i < 20000; ++i) {
    map = MapAssoc(arena, map, MakeString(arena, "k" + std::to_string(i)), Value::Int(i));
  }
  CHECK(MapCount(map) == 20000);
  CHECK(MapCheckShape(map, RealHash) == "");
  for (int i = 0; i < 20000; ++i) {
    const Value* found = MapFind(map, MakeString(arena, "k" + std::to_string(i)));
    REQUIRE(found != nullptr);
    CHECK(found->i == i);
  }
  CHECK(MapFind(map, MakeString(arena, "k20000")) == nullptr);
  CHECK(MapFind(map, Value::Int(0)) == nullptr);
}

TEST_CASE("keys of different types never collide as equal") {
  Arena arena;
  Value map = Value::Map(nullptr);
  Value keys[] = {Value::Nil(),           Value::Bool(false),     Value::Bool(true),
                  Value::Int(1),          Value::Float(1.0),      MakeString(arena, "a"),
                  MakeSymbol(arena, "a"), MakeKeyword(arena, "a")};
  for (size_t i = 0; i < std::size(keys); ++i) {
    map = MapAssoc(arena, map, keys[i], Value::Int(static_cast<int64_t>(i)));
  }
  CHECK(MapCount(map) == std::size(keys));
  for (size_t i = 0; i < std::size(keys); ++i) {
    const Value* found = MapFind(map, keys[i]);
    REQUIRE(found != nullptr);
    CHECK(found->i == static_cast<int64_t>(i));
  }
}

TEST_CASE("keys with one hash share a collision bucket and stay distinct") {
  Arena arena;
  Value map = Value::Map(nullptr);
  for (int i = 0; i < 100; ++i) {
    map = MapAssocWith(arena, map, Value::Int(i), Value::Int(i * 10), SameHash);
    REQUIRE(MapCheckShape(map, SameHash) == "");
  }
  CHECK(MapCount(map) == 100);
  map = MapAssocWith(arena, map, Value::Int(7), Value::Int(-7), SameHash);
  CHECK(MapCount(map) == 100);
  CHECK(MapFindWith(map, Value::Int(7), SameHash)->i == -7);
  CHECK(MapFindWith(map, Value::Int(8), SameHash)->i == 80);
  CHECK(MapFindWith(map, Value::Int(100), SameHash) == nullptr);
  for (int i = 99; i >= 0; --i) {
    map = MapDissocWith(arena, map, Value::Int(i), SameHash);
    REQUIRE(MapCheckShape(map, SameHash) == "");
    REQUIRE(MapCount(map) == static_cast<size_t>(i));
  }
  CHECK(map.m == nullptr);
}

TEST_CASE("random updates agree with a reference map under crowded hashes") {
  RandomOps(SameHash, 40, 400, 1);
  RandomOps(CrowdedHash, 60, 2000, 2);
  RandomOps(TopBitsHash, 60, 2000, 3);
  RandomOps(RealHash, 3000, 20000, 4, 500);
}

TEST_CASE("assoc and dissoc leave the old map unchanged") {
  Arena arena;
  for (MapHashFn hash : {RealHash, CrowdedHash, SameHash}) {
    Value base = Value::Map(nullptr);
    for (int i = 0; i < 50; ++i)
      base = MapAssocWith(arena, base, Value::Int(i), Value::Int(i), hash);
    auto before = Entries(base);
    Value changed = MapAssocWith(arena, base, Value::Int(3), Value::Int(300), hash);
    Value added = MapAssocWith(arena, base, Value::Int(50), Value::Int(50), hash);
    Value removed = MapDissocWith(arena, base, Value::Int(4), hash);
    CHECK(MapFindWith(base, Value::Int(3), hash)->i == 3);
    CHECK(MapFindWith(changed, Value::Int(3), hash)->i == 300);
    CHECK(MapFindWith(base, Value::Int(50), hash) == nullptr);
    CHECK(MapCount(added) == 51);
    CHECK(MapFindWith(base, Value::Int(4), hash) != nullptr);
    CHECK(MapFindWith(removed, Value::Int(4), hash) == nullptr);
    CHECK(MapCount(removed) == 49);
    auto after = Entries(base);
    REQUIRE(after.size() == before.size());
    for (size_t i = 0; i < before.size(); ++i) {
      CHECK(Equal(after[i].first, before[i].first));
      CHECK(Equal(after[i].second, before[i].second));
    }
  }
}

TEST_CASE("dissoc of an absent key returns the same map") {
  Arena arena;
  Value map = MapAssoc(arena, Value::Map(nullptr), Value::Int(1), Value::Int(1));
  CHECK(MapDissoc(arena, map, Value::Int(2)).m == map.m);
  CHECK(MapDissoc(arena, Value::Map(nullptr), Value::Int(2)).m == nullptr);
  CHECK(MapDissoc(arena, map, Value::Int(1)).m == nullptr);
}

TEST_CASE("assoc of the value already there returns the same map") {
  Arena arena;
  Value map = MapAssoc(arena, Value::Map(nullptr), Value::Int(1), Value::Int(5));
  CHECK(MapAssoc(arena, map, Value::Int(1), Value::Int(5)).m == map.m);
  CHECK(MapAssoc(arena, map, Value::Int(1), Value::Int(6)).m != map.m);
}

TEST_CASE("iteration order depends only on the keys, not the insertion order") {
  Arena arena;
  for (MapHashFn hash : {RealHash, CrowdedHash, TopBitsHash}) {
    std::vector<int> order(300);
    for (int i = 0; i < 300; ++i) order[i] = i;
    Value forward = Value::Map(nullptr), shuffled = Value::Map(nullptr);
    for (int i : order) forward = MapAssocWith(arena, forward, Value::Int(i), Value::Int(i), hash);
    std::shuffle(order.begin(), order.end(), std::mt19937(7));
    for (int i : order) {
      shuffled = MapAssocWith(arena, shuffled, Value::Int(i), Value::Int(i), hash);
    }
    // Add and remove extra keys: removal must restore the same shape.
    for (int i = 300; i < 400; ++i) {
      shuffled = MapAssocWith(arena, shuffled, Value::Int(i), Value::Int(i), hash);
    }
    for (int i = 300; i < 400; ++i) shuffled = MapDissocWith(arena, shuffled, Value::Int(i), hash);
    auto a = Entries(forward), b = Entries(shuffled);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].first.i == b[i].first.i);
  }
}

TEST_CASE("a map built in one pass matches one built entry by entry") {
  Arena arena;
  for (MapHashFn hash : {RealHash, CrowdedHash, SameHash, TopBitsHash}) {
    std::vector<MapEntry> entries;
    Value incremental = Value::Map(nullptr);
    for (int i = 0; i < 500; ++i) {
      int64_t k = (i * 37) % 211;  // repeats: later values must win
      entries.push_back({Value::Int(k), Value::Int(i)});
      incremental = MapAssocWith(arena, incremental, Value::Int(k), Value::Int(i), hash);
    }
    Value bulk = MapFromEntriesWith(arena, entries, hash);
    CHECK(MapCheckShape(bulk, hash) == "");
    CHECK(MapCount(bulk) == 211);
    auto a = Entries(incremental), b = Entries(bulk);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].first.i == b[i].first.i);
      CHECK(a[i].second.i == b[i].second.i);
    }
  }
  CHECK(MapFromEntries(arena, {}).m == nullptr);
}

TEST_CASE("only atoms are valid map keys") {
  Arena arena;
  CHECK(IsValidMapKey(Value::Nil()));
  CHECK(IsValidMapKey(Value::Bool(true)));
  CHECK(IsValidMapKey(Value::Int(1)));
  CHECK(IsValidMapKey(Value::Float(1.5)));
  CHECK(IsValidMapKey(MakeString(arena, "s")));
  CHECK(IsValidMapKey(MakeSymbol(arena, "s")));
  CHECK(IsValidMapKey(MakeKeyword(arena, "s")));
  CHECK_FALSE(IsValidMapKey(Value::Empty()));
  CHECK_FALSE(IsValidMapKey(MakeCons(arena, Value::Int(1), Value::Empty())));
  CHECK_FALSE(IsValidMapKey(Value::Map(nullptr)));
}

}  // namespace
}  // namespace vigy::lisp
