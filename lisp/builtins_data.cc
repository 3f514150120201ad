// Data in and out of text: JSON (json.h), the reader, readable printing, and
// fresh symbols.
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/json.h"
#include "lisp/machine.h"
#include "lisp/reader.h"

namespace vigy::lisp {
namespace {

// Text within the JSON bounds (json.h) to a value.
Value JsonParse(Machine& m, Args args) {
  std::string_view text = ArgString(m, args[0]);
  nlohmann::json parsed;
  std::string error;
  if (!ParseJson(text, &parsed, &error)) {
    m.Fail("json", fmt::format("invalid JSON in 'json-parse': {}", error));
  }
  return FromJson(m.arena(), parsed);
}

// Compact JSON; bytes that are not valid UTF-8 become U+FFFD.
Value JsonStr(Machine& m, Args args) {
  std::string text;
  try {
    text = ToJson(args[0]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::length_error& e) {
    m.Fail("json", fmt::format("value in 'json-str' is {}", e.what()));
  }
  return MakeString(m.arena(), text);
}

// The first form in the string, unevaluated; nil when there is none.
Value ReadString(Machine& m, Args args) {
  std::string_view text = ArgString(m, args[0]);
  ReadOutput out;
  Diagnostic error;
  if (!ReadAll(m.arena(), text, "<string>", &out, &error)) {
    m.Fail("read", fmt::format("read error in 'read-string' at {}:{}: {}", error.pos.line,
                               error.pos.col, error.message));
  }
  return out.forms.empty() ? Value::Nil() : out.forms.front();
}

Value PrStr(Machine& m, Args args) { return MakeString(m.arena(), JoinRepr(args)); }

Value Gensym(Machine& m, Args) { return m.Gensym(); }

const BuiltinSpec kData[] = {
    {"json-parse", 1, 1, JsonParse}, {"json-str", 1, 1, JsonStr}, {"read-string", 1, 1, ReadString},
    {"pr-str", 0, kVariadic, PrStr}, {"gensym", 0, 0, Gensym},
};

}  // namespace

std::span<const BuiltinSpec> DataBuiltins() { return kData; }

}  // namespace vigy::lisp
