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

// (read-all text): every form in the string, unevaluated, as a list.
Value ReadAllForms(Machine& m, Args args) {
  std::string_view text = ArgString(m, args[0]);
  ReadOutput out;
  Diagnostic error;
  if (!ReadAll(m.arena(), text, "<string>", &out, &error)) {
    m.Fail("read", fmt::format("read error in 'read-all' at {}:{}: {}", error.pos.line,
                               error.pos.col, error.message));
  }
  ListBuilder forms(m.arena());
  for (Value form : out.forms) forms.Add(form);
  return forms.Finish();
}

Value PrStr(Machine& m, Args args) { return MakeString(m.arena(), JoinRepr(args)); }

// (string x): a string as it is, anything else in its readable form.
Value ToText(Machine& m, Args args) {
  if (args[0].is_string()) return args[0];
  return MakeString(m.arena(), JoinRepr(args));
}

// (string->keyword s): the keyword named s.
Value ToKeyword(Machine& m, Args args) { return MakeKeyword(m.arena(), ArgString(m, args[0])); }

// (gensym [prefix]): a fresh symbol PREFIX__N__auto (prefix "g" by default).
Value Gensym(Machine& m, Args args) {
  if (args.empty()) return m.Gensym();
  Value prefix = args[0];
  if (prefix.is_symbol()) return m.Gensym(prefix.sym->name());
  return m.Gensym(ArgString(m, prefix, "string or symbol prefix"));
}

const BuiltinSpec kData[] = {
    {"json-parse", 1, 1, JsonParse},      {"json-str", 1, 1, JsonStr},
    {"read-string", 1, 1, ReadString},    {"read-all", 1, 1, ReadAllForms},
    {"pr-str", 0, kVariadic, PrStr},      {"string", 1, 1, ToText},
    {"string->keyword", 1, 1, ToKeyword}, {"gensym", 0, 1, Gensym},
};

}  // namespace

std::span<const BuiltinSpec> DataBuiltins() { return kData; }

}  // namespace vigy::lisp
