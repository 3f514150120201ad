// The one total order used by `compare`, `sort` and `sort-by`.
#pragma once

#include "lisp/machine.h"
#include "lisp/value.h"

namespace vigy::lisp {

// Negative, zero or positive as a sorts before, equal to, or after b.
// Numbers compare numerically (an integer and a float by value); strings,
// symbols and keywords by bytes (UTF-8 order = code point order); booleans
// #f < #t; lists element by element, shorter first when one is a prefix.
// Values of different kinds (other than int/float) fail with a type mismatch
// in the builtin currently running, via `m`.
int Compare(Machine& m, Value a, Value b);

}  // namespace vigy::lisp
