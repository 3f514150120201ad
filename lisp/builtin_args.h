// Helpers shared by every builtin table. Each Arg* function returns
// an argument as the C++ type a builtin wants, or fails the call with the one
// message shape for a wrong type,
//   "type mismatch in 'NAME': expected WHAT, got TYPE"
// where NAME is the running builtin and WHAT is the `what` passed here (so a
// builtin can say "expected integer delta" instead of just "integer").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lisp/machine.h"
#include "lisp/value.h"

namespace vigy::lisp {

// An integer (floats are not accepted, even whole ones).
inline int64_t ArgInt(Machine& m, Value v, std::string_view what = "integer") {
  if (v.tag != Tag::kInt) m.TypeMismatch(what, v);
  return v.i;
}

// An integer or a float, as a double.
inline double ArgNumber(Machine& m, Value v, std::string_view what = "number") {
  if (v.tag == Tag::kInt) return static_cast<double>(v.i);
  if (v.tag != Tag::kFloat) m.TypeMismatch(what, v);
  return v.f;
}

// A string's bytes (valid while the string's arena lives).
inline std::string_view ArgString(Machine& m, Value v, std::string_view what = "string") {
  if (v.tag != Tag::kString) m.TypeMismatch(what, v);
  return v.s->view();
}

// The string object itself (for its cached code-point count).
inline const String* ArgStringObj(Machine& m, Value v, std::string_view what = "string") {
  if (v.tag != Tag::kString) m.TypeMismatch(what, v);
  return v.s;
}

inline const Sym* ArgSymbol(Machine& m, Value v, std::string_view what = "symbol") {
  if (v.tag != Tag::kSymbol) m.TypeMismatch(what, v);
  return v.sym;
}

inline const Sym* ArgKeyword(Machine& m, Value v, std::string_view what = "keyword") {
  if (v.tag != Tag::kKeyword) m.TypeMismatch(what, v);
  return v.sym;
}

// A list; nil is accepted as the empty list. Returns Value::Empty() or a cons,
// never nil.
inline Value ArgList(Machine& m, Value v, std::string_view what = "list") {
  if (v.tag == Tag::kCons || v.tag == Tag::kEmpty) return v;
  if (v.tag == Tag::kNil) return Value::Empty();
  m.TypeMismatch(what, v);
}

// A map (Value::Map(nullptr) is the empty map).
inline Value ArgMap(Machine& m, Value v, std::string_view what = "map") {
  if (v.tag != Tag::kMap) m.TypeMismatch(what, v);
  return v;
}

// A closure or a builtin.
inline Value ArgFunction(Machine& m, Value v, std::string_view what = "function") {
  if (!v.is_function()) m.TypeMismatch(what, v);
  return v;
}

// A non-negative integer, e.g. a count or an index. A negative one fails with
// tag `index`: "index -1 out of range in 'NAME'".
int64_t ArgIndex(Machine& m, Value v, std::string_view what = "integer");

// The display (or readable) forms of `args` joined by single spaces, as
// print, println, pr-str and error build their text.
std::string JoinDisplay(Args args);
std::string JoinRepr(Args args);

}  // namespace vigy::lisp
