// Text forms of values. Repr is the readable form (`pr-str`, the REPL, `eval`):
// strings quoted and escaped, so reading it back gives an equal value where the
// type allows. Display is `display`/`str`: strings and characters raw.
#pragma once

#include <string>

#include "lisp/value.h"

namespace vigy::lisp {

std::string Repr(Value v);
std::string Display(Value v);
// Appends instead of returning (for builders like `str`).
void AppendRepr(std::string& out, Value v);
void AppendDisplay(std::string& out, Value v);

// Floats print in the shortest form that reads back to the same double, always
// with a '.' or exponent so they stay floats ("1.0", "0.5", "1e+300"); "+inf.0",
// "-inf.0" and "+nan.0" for the non-finite ones.
std::string FormatFloat(double f);

}  // namespace vigy::lisp
