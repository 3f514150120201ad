// Values to and from JSON (nlohmann::json): the one conversion used by
// json-parse/json-str and by the host for kv, payloads, state and trace.
//   nil->null, booleans, integers, floats, strings as is, symbols->their name,
//   keywords->":name", lists->arrays, maps->objects (keys rendered with
//   Display, so :a becomes ":a" and 1 becomes "1"), functions and errors ->
//   their printed form as a string.
// Back: null->nil, objects->maps with string keys, arrays->lists (the empty
// array -> the empty list), integers that fit int64 -> integers, other numbers
// -> floats. Non-finite floats become null (JSON has no representation).
// Both directions throw std::length_error past kMaxJsonDepth levels of
// nesting; ToJson also throws it for a map with two keys that render as the
// same JSON key (1 and "1", :a and ":a"), rather than silently keeping one.
// Strings that are not valid UTF-8 are dumped with error_handler_t::replace.
//
// JSON text from outside (the command line, kv values, json-parse) is read
// only through ParseJson, which bounds its size and depth before the parser
// builds anything; so nothing later (printing, converting, freeing) recurses
// deeper than kMaxJsonDepth.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "lisp/arena.h"
#include "lisp/value.h"

namespace vigy::lisp {

// The bounds on every JSON document vigy reads or converts: at most this
// many bytes of text, and arrays and objects nested at most this deep.
inline constexpr size_t kMaxJsonBytes = size_t{16} << 20;
inline constexpr int kMaxJsonDepth = 1000;

// Parses `text` as one JSON document within the bounds above. The depth is
// measured by a scan of the text (no recursion) before parsing. Returns false
// with `error` set to one line naming the problem and where it is:
//   "nested deeper than 1000 levels (at line 1, column 1001)"
//   "syntax error at line 1, column 5: unexpected end of input; expected ']'"
//   "number out of range at line 1, column 1: 1e400"
//   "larger than 16 MiB (17000000 bytes)"
bool ParseJson(std::string_view text, nlohmann::json* out, std::string* error);

nlohmann::json ToJson(Value v);
Value FromJson(Arena& arena, const nlohmann::json& j);

}  // namespace vigy::lisp
