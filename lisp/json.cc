#include "lisp/json.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "lisp/map.h"
#include "lisp/printer.h"

namespace vigy::lisp {
namespace {

[[noreturn]] void TooDeep() {
  throw std::length_error("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
}

nlohmann::json ToJsonAt(Value v, int depth);

nlohmann::json ListToJson(Value list, int depth) {
  nlohmann::json array = nlohmann::json::array();
  for (; list.is_cons(); list = list.c->cdr) array.push_back(ToJsonAt(list.c->car, depth + 1));
  return array;
}

// Keys are rendered with Display; two keys that render alike (1 and "1")
// would collapse into one JSON key, so that is an error naming both.
[[noreturn]] void KeyClash(Value map, Value key, const std::string& name) {
  std::string other;
  MapForEach(map, [&](Value k, Value) {
    if (other.empty() && Display(k) == name && Repr(k) != Repr(key)) other = Repr(k);
  });
  throw std::length_error(
      fmt::format("map keys {} and {} both become the JSON key \"{}\" (JSON keys are text)", other,
                  Repr(key), name));
}

nlohmann::json MapToJson(Value map, int depth) {
  nlohmann::json object = nlohmann::json::object();
  MapForEach(map, [&](Value key, Value value) {
    std::string name = Display(key);
    if (object.contains(name)) KeyClash(map, key, name);
    object[std::move(name)] = ToJsonAt(value, depth + 1);
  });
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
    case Tag::kPromise:
    case Tag::kChannel:
    case Tag::kFiber:
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

// Line and column (1-based, in bytes) of byte `offset` of `text`.
std::string Where(std::string_view text, size_t offset) {
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return fmt::format("line {}, column {}", line, offset - line_start + 1);
}

// The offset of the first bracket that opens a level deeper than
// kMaxJsonDepth, or npos. Brackets inside strings do not count.
size_t TooDeepAt(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

// nlohmann's message without its "[json.exception.parse_error.101] " id.
std::string_view WithoutId(std::string_view what) {
  if (what.starts_with('[')) {
    size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return what;
}

}  // namespace

bool ParseJson(std::string_view text, nlohmann::json* out, std::string* error) {
  if (text.size() > kMaxJsonBytes) {
    *error = fmt::format("larger than {} MiB ({} bytes)", kMaxJsonBytes >> 20, text.size());
    return false;
  }
  if (size_t at = TooDeepAt(text); at != std::string_view::npos) {
    *error = fmt::format("nested deeper than {} levels (at {})", kMaxJsonDepth, Where(text, at));
    return false;
  }
  try {
    *out = nlohmann::json::parse(text);
    return true;
  } catch (const nlohmann::json::parse_error& e) {
    *error = std::string(WithoutId(e.what()));
  } catch (const nlohmann::json::out_of_range& e) {
    // 406: a number too large for a double, e.g. 1e400; the message quotes it.
    std::string_view what = WithoutId(e.what());
    size_t quote = what.find('\'');
    if (e.id == 406 && quote != std::string_view::npos) {
      std::string_view number = what.substr(quote + 1);
      number = number.substr(0, number.find('\''));
      size_t at = text.find(number);
      *error = fmt::format("number out of range at {}: {} (JSON numbers must fit a double)",
                           Where(text, at == std::string_view::npos ? 0 : at), number);
    } else {
      *error = std::string(what);
    }
  } catch (const nlohmann::json::exception& e) {
    *error = std::string(WithoutId(e.what()));
  }
  return false;
}

nlohmann::json ToJson(Value v) { return ToJsonAt(v, 0); }

Value FromJson(Arena& arena, const nlohmann::json& j) { return FromJsonAt(arena, j, 0); }

}  // namespace vigy::lisp
