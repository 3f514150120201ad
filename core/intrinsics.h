// The vigy intrinsics: the framework verbs of vigy-lang(7) (VIGY
// INTRINSICS) as builtins. Each one works on the TickContext of the tick
// being evaluated, which it finds as the Machine's host pointer; a machine
// that runs programs with these builtins must have as host either a
// TickContext* or null (then every intrinsic fails with a clear error).
//
// Conventions shared by all of them:
//  - Keys and names (kv keys, desired/observed keys, condition names, trace
//    keys, metric names, log levels, event and action kinds) are strings;
//    a symbol or a keyword is accepted too and stands for its name, so
//    "count", 'count and :count are the same kv key.
//  - Keys starting with "__" are the runtime's: programs may read them with
//    vigy-get/vigy-has?, but vigy-set, vigy-incr and vigy-del refuse them
//    (error tag :value).
//  - Messages, reasons and event texts may be any value: a string is taken as
//    is, anything else in its display form. A condition's reason or message
//    of nil means none.
//  - Values stored (payloads, kv, desired/observed, trace) go through
//    lisp::ToJson; vigy-get gives them back through lisp::FromJson.
//  - Return values: vigy-set, vigy-desired, vigy-observed, vigy-trace and
//    vigy-metric return the value given; vigy-incr the new integer; vigy-del
//    whether the key existed; vigy-once and the `?` predicates a boolean;
//    every other verb nil.
//  - Bad arguments fail with a catchable error: tag :type-mismatch for a wrong
//    type ("type mismatch in 'vigy-incr': expected integer delta, got
//    string"), tag :value for a wrong value (an unknown action kind,
//    condition status or log level, a reserved key, a negative duration),
//    :integer-overflow for vigy-incr past 64 bits. Recording more than the tick's record budget
//    (see TickContext) fails the tick as a memory limit, which nothing can catch.
#pragma once

#include <span>

#include "lisp/builtin.h"

namespace vigy::core {

std::span<const lisp::BuiltinSpec> VigyIntrinsics();

}  // namespace vigy::core
