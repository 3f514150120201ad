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

// nlohmann's messages start with "[json.exception.parse_error.101] "; the
// part after it names the problem and where it is.
std::string_view WithoutExceptionId(std::string_view what) {
  if (what.starts_with('[')) {
    size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return what;
}

Value JsonParse(Machine& m, Args args) {
  std::string_view text = ArgString(m, args[0]);
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    m.Fail("json", fmt::format("invalid JSON in 'json-parse': {}", WithoutExceptionId(e.what())));
  }
  try {
    return FromJson(m.arena(), parsed);
  } catch (const std::length_error& e) {
    m.Fail("json", fmt::format("JSON in 'json-parse' is {}", e.what()));
  }
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
