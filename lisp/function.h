// Closures: a compiled lambda plus the values it captured when it was made.
#pragma once

#include <cstdint>
#include <string_view>

#include "lisp/value.h"

namespace vigy::lisp {

class LambdaNode;

struct Closure {
  const LambdaNode* lambda;
  uint32_t ncaptured;
  Value captured[1];  // really `ncaptured` values (boxes for mutated variables)
};

// The name a closure was defined with ("" for an anonymous lambda).
std::string_view ClosureName(const Closure* closure);

}  // namespace vigy::lisp
