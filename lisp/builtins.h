// The standard library's builtin tables, one per area (Lua's lib files).
// Library() gathers them; nothing else should need these directly.
#pragma once

#include <span>

#include "lisp/builtin.h"

namespace vigy::lisp {

std::span<const BuiltinSpec> NumberBuiltins();  // arithmetic and comparison
std::span<const BuiltinSpec> ListBuiltins();    // list construction and access
std::span<const BuiltinSpec> HigherOrderBuiltins();
std::span<const BuiltinSpec> MapBuiltins();
std::span<const BuiltinSpec> StringBuiltins();
std::span<const BuiltinSpec> PredicateBuiltins();  // type predicates, type-of, eq?, equal?, not
std::span<const BuiltinSpec> ErrorBuiltins();      // error, throw, error-message, error-tag, assert
std::span<const BuiltinSpec> DataBuiltins();    // json-parse, json-str, read-string, pr-str, gensym
std::span<const BuiltinSpec> OutputBuiltins();  // display, newline, print, println
std::span<const BuiltinSpec> IntegerBuiltins();    // inc dec zero? even? gcd sin bit-* …
std::span<const BuiltinSpec> SequenceBuiltins();   // third butlast zip take-while iterate …
std::span<const BuiltinSpec> MapHelperBuiltins();  // hash-map? update-in zipmap plist-get …
std::span<const BuiltinSpec> PromiseBuiltins();    // make-promise force promise?
std::span<const BuiltinSpec> EvalBuiltins();       // eval
std::span<const BuiltinSpec> ChannelBuiltins();  // chan >! <! close! … and the fibers go go-run …

}  // namespace vigy::lisp
