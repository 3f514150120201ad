#include "lisp/json.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "lisp/map.h"
#include "lisp/printer.h"

namespace vigy::lisp {
namespace {

// Deeper nesting than this, in either direction, throws std::length_error
// instead of recursing until the native stack runs out.
constexpr int kMaxJsonDepth = 1000;

[[noreturn]] void TooDeep() {
  throw std::length_error("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
}

nlohmann::json ToJsonAt(Value v, int depth);

nlohmann::json ListToJson(Value list, int depth) {
  nlohmann::json array = nlohmann::json::array();
  for (; list.is_cons(); list = list.c->cdr) array.push_back(ToJsonAt(list.c->car, depth + 1));
  return array;
}

nlohmann::json MapToJson(Value map, int depth) {
  nlohmann::json object = nlohmann::json::object();
  MapForEach(map,
             [&](Value key, Value value) { object[Display(key)] = ToJsonAt(value, depth + 1); });
  return object;
}

nlohmann::json ToJsonAt(Value v, int depth) {
  if (depth > kMaxJsonDepth) TooDeep();
  switch (v.tag) {
    case Tag::kNil:
      return nullptr;
    case Tag::kBool:
      return v.b;
    case Tag::kInt:
      return v.i;
    case Tag::kFloat:
      return std::isfinite(v.f) ? nlohmann::json(v.f) : nlohmann::json(nullptr);
    case Tag::kString:
      return std::string(v.s->view());
    case Tag::kSymbol:
      return std::string(v.sym->name());
    case Tag::kKeyword:
      return ":" + std::string(v.sym->name());
    case Tag::kEmpty:
    case Tag::kCons:
      return ListToJson(v, depth);
    case Tag::kMap:
      return MapToJson(v, depth);
    case Tag::kClosure:
    case Tag::kBuiltin:
    case Tag::kError:
      return Repr(v);
    case Tag::kUnbound:
    case Tag::kTailCall:
      break;
  }
  return nullptr;
}

Value FromJsonAt(Arena& arena, const nlohmann::json& j, int depth) {
  if (depth > kMaxJsonDepth) TooDeep();
  switch (j.type()) {
    case nlohmann::json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Value::Int(static_cast<int64_t>(u));
      }
      return Value::Float(static_cast<double>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value::Float(j.get<double>());
    case nlohmann::json::value_t::string:
      return MakeString(arena, j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      ListBuilder list(arena);
      for (const auto& element : j) list.Add(FromJsonAt(arena, element, depth + 1));
      return list.Finish();
    }
    case nlohmann::json::value_t::object: {
      Value map = Value::Map(nullptr);
      for (const auto& [key, value] : j.items()) {
        map = MapAssoc(arena, map, MakeString(arena, key), FromJsonAt(arena, value, depth + 1));
      }
      return map;
    }
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      break;
  }
  return Value::Nil();
}

}  // namespace

nlohmann::json ToJson(Value v) { return ToJsonAt(v, 0); }

Value FromJson(Arena& arena, const nlohmann::json& j) { return FromJsonAt(arena, j, 0); }

}  // namespace vigy::lisp
