// How functions written in C++ join the language. Every builtin — the standard
// library here in lisp/ and the host's intrinsics in core/ — is described once
// by a BuiltinSpec in a table; the compiler checks fixed arities from it and
// `vigy check` lists names from it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "lisp/value.h"

namespace vigy::lisp {

class Machine;

using Args = std::span<const Value>;

// A builtin receives its arguments already evaluated, with the count already
// checked against [min_args, max_args]. It returns a value or fails by calling
// one of Machine's Fail functions (which throw). `args` is valid only during
// the call.
using BuiltinFn = Value (*)(Machine& m, Args args);

inline constexpr int kVariadic = -1;

struct BuiltinSpec {
  std::string_view name;
  int min_args;
  int max_args;  // kVariadic for no upper bound
  BuiltinFn fn;
};

// "arity: 'NAME' takes 2 arguments, got 1" (or "1 to 3 arguments",
// "at least 1 argument"); the one wording for compile-time and run-time checks.
std::string ArityMessage(std::string_view name, int min_args, int max_args, int got);

}  // namespace vigy::lisp
