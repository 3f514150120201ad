// The original dialect's bridges between maps and lists, and path updates:
// hash-map? hash-map-get-or hash-map-entries hash-map-empty? update-in
// select-keys zipmap into-hash-map group-by-into-map plist-get. Maps are
// values: every function here returns a new map. nil is the empty map.
#include <vector>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"
#include "lisp/map.h"
#include "lisp/map_node.h"

namespace vigy::lisp {
namespace {

Value MapOrNil(Machine& m, Value v) {
  if (v.is_nil()) return Value::Map(nullptr);
  return ArgMap(m, v);
}

Value Key(Machine& m, Value key) {
  if (!IsValidMapKey(key)) m.TypeMismatch("map key", key);
  return key;
}

Value IsHashMap(Machine&, Args args) { return Value::Bool(args[0].is_map()); }

// (hash-map-get-or m k default)
Value GetOr(Machine& m, Args args) {
  const Value* found = MapFind(MapOrNil(m, args[0]), Key(m, args[1]));
  return found != nullptr ? *found : args[2];
}

// (hash-map-entries m): a list of (key value) lists.
Value Entries(Machine& m, Args args) {
  Value map = MapOrNil(m, args[0]);
  ListBuilder out(m.arena());
  MapVisit(map, [&](const MapEntry& e) {
    ListBuilder pair(m.arena());
    pair.Add(e.key);
    pair.Add(e.value);
    out.Add(pair.Finish());
  });
  m.Charge(MapCount(map));
  return out.Finish();
}

Value IsEmptyMap(Machine& m, Args args) { return Value::Bool(MapCount(MapOrNil(m, args[0])) == 0); }

// (update-in m path f): m with the value at the end of path replaced by
// (f old), where old is nil if the path is missing; maps are made where the
// path has none. An empty path gives (f m).
Value UpdateIn(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[2]);
  std::vector<Value> maps, keys;
  Value current = args[0];
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    Value map = MapOrNil(m, current);
    Value key = Key(m, it.c->car);
    maps.push_back(map);
    keys.push_back(key);
    const Value* next = MapFind(map, key);
    current = next != nullptr ? *next : Value::Nil();
  }
  Value v = m.Apply(fn, Args(&current, 1));
  for (size_t i = maps.size(); i-- > 0;) v = MapAssoc(m.arena(), maps[i], keys[i], v);
  return v;
}

// (select-keys m keys): only the entries whose keys are listed.
Value SelectKeys(Machine& m, Args args) {
  Value map = MapOrNil(m, args[0]);
  Value out = Value::Map(nullptr);
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    m.Charge(1);
    const Value* found = MapFind(map, Key(m, it.c->car));
    if (found != nullptr) out = MapAssoc(m.arena(), out, it.c->car, *found);
  }
  return out;
}

// (zipmap keys values): pairs them up to the shorter list.
Value Zipmap(Machine& m, Args args) {
  Value out = Value::Map(nullptr);
  Value ks = ArgList(m, args[0]), vs = ArgList(m, args[1]);
  for (; ks.is_cons() && vs.is_cons(); ks = ks.c->cdr, vs = vs.c->cdr) {
    m.Charge(1);
    out = MapAssoc(m.arena(), out, Key(m, ks.c->car), vs.c->car);
  }
  return out;
}

// (into-hash-map xs): from a list of (k v) pairs, or from a flat k v k v list.
Value IntoHashMap(Machine& m, Args args) {
  Value list = ArgList(m, args[0]);
  Value out = Value::Map(nullptr);
  if (list.is_cons() && list.c->car.is_cons() && ListLength(list.c->car) == 2) {
    for (Value it = list; it.is_cons(); it = it.c->cdr) {
      m.Charge(1);
      Value pair = ArgList(m, it.c->car, "(key value) pair");
      if (ListLength(pair) != 2) m.TypeMismatch("(key value) pair", it.c->car);
      out = MapAssoc(m.arena(), out, Key(m, pair.c->car), pair.c->cdr.c->car);
    }
    return out;
  }
  if (ListLength(list) % 2 != 0) {
    m.Fail("native-fn", "'into-hash-map' needs (key value) pairs or an even k v k v list");
  }
  for (Value it = list; it.is_cons(); it = it.c->cdr.c->cdr) {
    m.Charge(1);
    out = MapAssoc(m.arena(), out, Key(m, it.c->car), it.c->cdr.c->car);
  }
  return out;
}

// (group-by-into-map f xs): a map from each (f x) to the xs giving it, in order.
Value GroupByIntoMap(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  std::vector<Value> order;
  Value index = Value::Map(nullptr);  // key -> position in `groups`
  std::vector<ListBuilder> groups;
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    Value key = Key(m, m.Apply(fn, Args(&it.c->car, 1)));
    const Value* at = MapFind(index, key);
    size_t slot;
    if (at == nullptr) {
      slot = groups.size();
      groups.emplace_back(m.arena());
      order.push_back(key);
      index = MapAssoc(m.arena(), index, key, Value::Int(static_cast<int64_t>(slot)));
    } else {
      slot = static_cast<size_t>(at->i);
    }
    groups[slot].Add(it.c->car);
  }
  Value out = Value::Map(nullptr);
  for (size_t i = 0; i < order.size(); ++i)
    out = MapAssoc(m.arena(), out, order[i], groups[i].Finish());
  return out;
}

// (plist-get plist key): the value after key in a (k v k v …) list, or nil.
Value PlistGet(Machine& m, Args args) {
  for (Value it = ArgList(m, args[0]); it.is_cons() && it.c->cdr.is_cons(); it = it.c->cdr.c->cdr) {
    m.Charge(1);
    if (Equal(it.c->car, args[1])) return it.c->cdr.c->car;
  }
  return Value::Nil();
}

const BuiltinSpec kMapHelpers[] = {
    {"hash-map?", 1, 1, IsHashMap},
    {"hash-map-get-or", 3, 3, GetOr},
    {"hash-map-entries", 1, 1, Entries},
    {"hash-map-empty?", 1, 1, IsEmptyMap},
    {"update-in", 3, 3, UpdateIn},
    {"select-keys", 2, 2, SelectKeys},
    {"zipmap", 2, 2, Zipmap},
    {"into-hash-map", 1, 1, IntoHashMap},
    {"group-by-into-map", 2, 2, GroupByIntoMap},
    {"plist-get", 2, 2, PlistGet},
};

}  // namespace

std::span<const BuiltinSpec> MapHelperBuiltins() { return kMapHelpers; }

}  // namespace vigy::lisp
