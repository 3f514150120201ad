// Making, raising and inspecting errors, as the original dialect does it:
// `error` and `ex-info` *return* an error value (a keyword tag, a message and
// a property list of data); `throw` raises any value, and `try` binds it as
// it is. A failing builtin raises an error value the same way, so `try` sees
// every runtime error uniformly.
#include <string>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"
#include "lisp/printer.h"

namespace vigy::lisp {
namespace {

// A property list (k v k v …); nil is the empty one.
Value ArgPlist(Machine& m, Value v) {
  Value list = ArgList(m, v, "property list");
  if (ListLength(list) % 2 != 0) {
    m.Fail("native-fn", "a property list needs an even number of elements (k v k v …)");
  }
  return list;
}

// (error tag message [data]) returns an error value tagged :tag (a keyword,
// symbol or string); (error message) has tag :error. More arguments than
// that, or a message that is not a string, are joined into the message the
// way display prints them.
Value MakeErrorValue(Machine& m, Args args) {
  Arena& arena = m.arena();
  if (args.size() == 1) {
    Value v = args[0];
    if (v.is_keyword()) return MakeError(arena, v, Display(v));
    return MakeError(arena, MakeKeyword(arena, "error"), Display(v));
  }
  Value tag = args[0];
  if (tag.is_symbol()) {
    tag = Value::Keyword(tag.sym);
  } else if (tag.is_string()) {
    tag = MakeKeyword(arena, tag.s->view());
  } else if (!tag.is_keyword()) {
    return MakeError(arena, MakeKeyword(arena, "error"), JoinDisplay(args));
  }
  if (args.size() == 3 && args[1].is_string() && args[2].is_list()) {
    return MakeError(arena, tag, args[1].s->view(), ArgPlist(m, args[2]));
  }
  if (args.size() == 3 && args[1].is_string() && args[2].is_nil()) {
    return MakeError(arena, tag, args[1].s->view());
  }
  return MakeError(arena, tag, JoinDisplay(args.subspan(1)));
}

// (ex-info message [data]): an error value tagged :ex-info.
Value ExInfo(Machine& m, Args args) {
  std::string_view message = ArgString(m, args[0], "string message");
  Value data = args.size() == 2 ? ArgPlist(m, args[1]) : Value::Empty();
  return MakeError(m.arena(), MakeKeyword(m.arena(), "ex-info"), message, data);
}

Value Throw(Machine& m, Args args) { m.Throw(args[0]); }

// An error's message; for any other value (e.g. one raised with throw), its
// display form.
Value ErrorMessage(Machine& m, Args args) {
  Value v = args[0];
  if (v.is_error()) return Value::Of(v.err->message);
  if (v.is_string()) return v;
  return MakeString(m.arena(), Display(v));
}

// An error's tag keyword; nil for anything that is not an error value.
Value ErrorTag(Machine&, Args args) {
  Value v = args[0];
  return v.is_error() ? v.err->tag : Value::Nil();
}

// (error-data e): the data property list, () when there is none.
Value ErrorData(Machine& m, Args args) {
  if (!args[0].is_error()) m.TypeMismatch("error", args[0]);
  return args[0].err->data;
}

// (error-data-get e key): the value after `key` in the data, or nil.
Value ErrorDataGet(Machine& m, Args args) {
  if (!args[0].is_error()) m.TypeMismatch("error", args[0]);
  for (Value it = args[0].err->data; it.is_cons() && it.c->cdr.is_cons(); it = it.c->cdr.c->cdr) {
    if (Equal(it.c->car, args[1])) return it.c->cdr.c->car;
  }
  return Value::Nil();
}

// (error-msg message): writes the message and a newline to the output (the
// original dialect's way to report a misuse without stopping); returns nil.
Value ErrorMsg(Machine& m, Args args) {
  m.Output(Display(args[0]) + "\n");
  return Value::Nil();
}

// (assert value [message]) raises an error tagged :assert when value is
// false or nil; returns nil otherwise.
Value Assert(Machine& m, Args args) {
  if (args[0].truthy()) return Value::Nil();
  m.Fail("assert", args.size() > 1 ? Display(args[1]) : std::string("assertion failed"));
}

const BuiltinSpec kErrors[] = {
    {"error", 1, kVariadic, MakeErrorValue},
    {"ex-info", 1, 2, ExInfo},
    {"throw", 1, 1, Throw},
    {"error-message", 1, 1, ErrorMessage},
    {"error-tag", 1, 1, ErrorTag},
    {"error-data", 1, 1, ErrorData},
    {"error-data-get", 2, 2, ErrorDataGet},
    {"error-msg", 1, 1, ErrorMsg},
    {"assert", 1, 2, Assert},
};

}  // namespace

std::span<const BuiltinSpec> ErrorBuiltins() { return kErrors; }

}  // namespace vigy::lisp
