// Values to and from JSON (nlohmann::json): the one conversion used by
// json-parse/json-str and by the host for kv, payloads, state and trace.
//   nil->null, booleans, integers, floats, strings as is, symbols->their name,
//   keywords->":name", lists->arrays, maps->objects (keys rendered with
//   Display, so :a becomes ":a" and 1 becomes "1"), functions and errors ->
//   their printed form as a string.
// Back: null->nil, objects->maps with string keys, arrays->lists (the empty
// array -> the empty list), integers that fit int64 -> integers, other numbers
// -> floats. Non-finite floats become null (JSON has no representation).
// Both directions throw std::length_error past 1,000 levels of nesting.
// Strings that are not valid UTF-8 are dumped with error_handler_t::replace.
#pragma once

#include <nlohmann/json.hpp>

#include "lisp/arena.h"
#include "lisp/value.h"

namespace vigy::lisp {

nlohmann::json ToJson(Value v);
Value FromJson(Arena& arena, const nlohmann::json& j);

}  // namespace vigy::lisp
