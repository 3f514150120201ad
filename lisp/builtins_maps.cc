// Map builtins: construction, lookup (also into lists by index, and along
// key paths), persistent update, and `count`. Every map builtin accepts nil
// as the empty map. The original dialect's hash-map-* names share the
// functions of their short forms.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"
#include "lisp/map.h"
#include "lisp/map_node.h"

namespace vigy::lisp {
namespace {

// A map argument; nil is the empty map.
Value MapOrNil(Machine& m, Value v) {
  if (v.is_nil()) return Value::Map(nullptr);
  return ArgMap(m, v);
}

Value Key(Machine& m, Value key) {
  if (!IsValidMapKey(key)) m.TypeMismatch("map key", key);
  return key;
}

// Maps of at most this many entries are merged entry by entry; bigger ones
// are rebuilt in one pass, which allocates far less than path copying.
constexpr size_t kSmallMerge = 8;

// Looks `key` up in a map (by key) or a list (by integer index); nil has
// nothing in it. Returns nullptr when absent.
const Value* Lookup(Machine& m, Value coll, Value key) {
  switch (coll.tag) {
    case Tag::kNil:
      return nullptr;
    case Tag::kMap:
      return MapFind(coll, Key(m, key));
    case Tag::kEmpty:
    case Tag::kCons: {
      int64_t index = ArgInt(m, key, "integer index");
      int64_t i = 0;
      for (Value it = coll; it.is_cons() && i <= index; it = it.c->cdr, ++i) {
        if (i == index) {
          m.Charge(static_cast<uint64_t>(i));
          return &it.c->car;
        }
      }
      m.Charge(static_cast<uint64_t>(i));
      return nullptr;
    }
    default:
      m.TypeMismatch("map or list", coll);
  }
}

[[noreturn]] void OddPairs(Machine& m, std::string_view takes, size_t got) {
  m.Fail("arity-mismatch",
         fmt::format("arity: '{}' takes {}, got {}", m.builtin_name(), takes, got));
}

// (hash-map k v ...)
Value HashMap(Machine& m, Args args) {
  if (args.size() % 2 != 0) OddPairs(m, "an even number of arguments", args.size());
  std::vector<MapEntry> entries(args.size() / 2);
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i] = {Key(m, args[2 * i]), args[2 * i + 1]};
  }
  return MapFromEntries(m.arena(), entries);
}

// (get coll key [default])
Value Get(Machine& m, Args args) {
  const Value* found = Lookup(m, args[0], args[1]);
  if (found != nullptr) return *found;
  return args.size() == 3 ? args[2] : Value::Nil();
}

// (assoc m k v k v ...)
Value Assoc(Machine& m, Args args) {
  if (args.size() % 2 != 1) OddPairs(m, "a map and key-value pairs", args.size());
  Value map = MapOrNil(m, args[0]);
  for (size_t i = 1; i < args.size(); i += 2) {
    map = MapAssoc(m.arena(), map, Key(m, args[i]), args[i + 1]);
  }
  return map;
}

// (dissoc m k ...)
Value Dissoc(Machine& m, Args args) {
  Value map = MapOrNil(m, args[0]);
  for (Value key : args.subspan(1)) map = MapDissoc(m.arena(), map, Key(m, key));
  return map;
}

// keys (want_keys) and vals, in the map's iteration order.
template <bool want_keys>
Value KeysOrVals(Machine& m, Args args) {
  Value map = MapOrNil(m, args[0]);
  ListBuilder out(m.arena());
  MapVisit(map, [&](const MapEntry& e) { out.Add(want_keys ? e.key : e.value); });
  m.Charge(MapCount(map));
  return out.Finish();
}

Value Contains(Machine& m, Args args) {
  Value map = MapOrNil(m, args[0]);
  return Value::Bool(MapFind(map, Key(m, args[1])) != nullptr);
}

// Later maps win.
Value MergeTwo(Machine& m, Value into, Value from) {
  size_t n = MapCount(from);
  m.Charge(n);
  if (n <= kSmallMerge || MapCount(into) == 0) {
    if (MapCount(into) == 0) return from;
    MapVisit(from, [&](const MapEntry& e) { into = MapAssoc(m.arena(), into, e.key, e.value); });
    return into;
  }
  std::vector<MapEntry> entries;
  entries.reserve(MapCount(into) + n);
  MapVisit(into, [&](const MapEntry& e) { entries.push_back(e); });
  MapVisit(from, [&](const MapEntry& e) { entries.push_back(e); });
  m.Charge(MapCount(into));
  return MapFromEntries(m.arena(), entries);
}

// (merge m ...): nil is allowed anywhere and adds nothing.
Value Merge(Machine& m, Args args) {
  Value result = Value::Map(nullptr);
  for (Value v : args) result = MergeTwo(m, result, MapOrNil(m, v));
  return result;
}

// (update m k f extra...) is (assoc m k (f (get m k) extra...)).
Value Update(Machine& m, Args args) {
  Value map = MapOrNil(m, args[0]);
  Value key = Key(m, args[1]);
  Value fn = ArgFunction(m, args[2]);
  const Value* old = MapFind(map, key);
  std::vector<Value> call_args;
  call_args.reserve(args.size() - 2);
  call_args.push_back(old != nullptr ? *old : Value::Nil());
  for (Value extra : args.subspan(3)) call_args.push_back(extra);
  Value updated = m.Apply(fn, call_args);
  return MapAssoc(m.arena(), map, key, updated);
}

// (get-in coll keys [default]): get along a path of keys and indices.
Value GetIn(Machine& m, Args args) {
  Value fallback = args.size() == 3 ? args[2] : Value::Nil();
  Value coll = args[0];
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    const Value* found = Lookup(m, coll, it.c->car);
    if (found == nullptr) return fallback;
    coll = *found;
  }
  return coll;
}

// (assoc-in m keys v): m with v at the end of the path, making maps where
// the path has none. Walks down then rebuilds upwards, without recursion.
Value AssocIn(Machine& m, Args args) {
  Value path = ArgList(m, args[1]);
  if (!path.is_cons()) m.Fail("domain", "'assoc-in' needs at least one key");
  std::vector<Value> maps, keys;
  Value map = MapOrNil(m, args[0]);
  for (Value it = path; it.is_cons(); it = it.c->cdr) {
    Value key = Key(m, it.c->car);
    maps.push_back(map);
    keys.push_back(key);
    if (it.c->cdr.is_cons()) {
      const Value* next = MapFind(map, key);
      map = MapOrNil(m, next != nullptr ? *next : Value::Nil());
    }
  }
  Value v = args[2];
  for (size_t i = maps.size(); i-- > 0;) v = MapAssoc(m.arena(), maps[i], keys[i], v);
  return v;
}

// Lists count elements, maps entries, strings characters; nil counts 0.
Value Count(Machine& m, Args args) {
  Value v = args[0];
  switch (v.tag) {
    case Tag::kNil:
    case Tag::kEmpty:
      return Value::Int(0);
    case Tag::kCons: {
      size_t n = ListLength(v);
      m.Charge(n);
      return Value::Int(static_cast<int64_t>(n));
    }
    case Tag::kMap:
      return Value::Int(static_cast<int64_t>(MapCount(v)));
    case Tag::kString:
      return Value::Int(v.s->chars);
    default:
      m.TypeMismatch("list, map or string", v);
  }
}

const BuiltinSpec kMaps[] = {
    {"hash-map", 0, kVariadic, HashMap},
    {"get", 2, 3, Get},
    {"assoc", 3, kVariadic, Assoc},
    {"dissoc", 1, kVariadic, Dissoc},
    {"keys", 1, 1, KeysOrVals<true>},
    {"vals", 1, 1, KeysOrVals<false>},
    {"contains?", 2, 2, Contains},
    {"merge", 0, kVariadic, Merge},
    {"update", 3, kVariadic, Update},
    {"get-in", 2, 3, GetIn},
    {"assoc-in", 3, 3, AssocIn},
    {"count", 1, 1, Count},
    {"hash-map-get", 2, 3, Get},
    {"hash-map-set", 3, kVariadic, Assoc},
    {"hash-map-has?", 2, 2, Contains},
    {"hash-map-keys", 1, 1, KeysOrVals<true>},
    {"hash-map-values", 1, 1, KeysOrVals<false>},
    {"hash-map-remove", 1, kVariadic, Dissoc},
    {"hash-map-merge", 0, kVariadic, Merge},
    {"hash-map-count", 1, 1, Count},
    {"hash-map-update", 3, kVariadic, Update},
};

}  // namespace

std::span<const BuiltinSpec> MapBuiltins() { return kMaps; }

}  // namespace vigy::lisp
