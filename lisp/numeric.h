// Exact comparison of the language's two number kinds. Converting an int64 to
// a double can round (2^53 + 1 becomes 2^53), so mixed comparisons go through
// here instead of a cast; `=`, `<` and friends and Compare() all agree on it.
#pragma once

#include <cstdint>

#include "lisp/value.h"

namespace vigy::lisp {

enum class Order { kLess, kEqual, kGreater, kUnordered };  // kUnordered: a NaN is involved

Order CompareIntFloat(int64_t i, double f);

inline Order CompareFloats(double a, double b) {
  if (a < b) return Order::kLess;
  if (a > b) return Order::kGreater;
  if (a == b) return Order::kEqual;
  return Order::kUnordered;
}

// Both values must be numbers (integers or floats).
inline Order CompareNumbers(Value a, Value b) {
  if (a.tag == Tag::kInt) {
    if (b.tag == Tag::kInt) {
      return a.i < b.i ? Order::kLess : a.i > b.i ? Order::kGreater : Order::kEqual;
    }
    return CompareIntFloat(a.i, b.f);
  }
  if (b.tag == Tag::kInt) {
    switch (CompareIntFloat(b.i, a.f)) {
      case Order::kLess:
        return Order::kGreater;
      case Order::kGreater:
        return Order::kLess;
      case Order::kEqual:
        return Order::kEqual;
      case Order::kUnordered:
        return Order::kUnordered;
    }
  }
  return CompareFloats(a.f, b.f);
}

// Converts a float that is already a whole number (the caller rounds it) to
// int64; false when it is not finite or outside the int64 range.
bool FloatToInt(double f, int64_t* out);

}  // namespace vigy::lisp
