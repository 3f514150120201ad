#include "lisp/numeric.h"

#include <cmath>

namespace vigy::lisp {
namespace {

// 2^63 is exactly representable; every double in [-2^63, 2^63) that is a whole
// number converts to int64 without loss.
constexpr double kTwo63 = 9223372036854775808.0;

}  // namespace

Order CompareIntFloat(int64_t i, double f) {
  if (std::isnan(f)) return Order::kUnordered;
  if (f >= kTwo63) return Order::kLess;
  if (f < -kTwo63) return Order::kGreater;
  double whole = std::trunc(f);
  int64_t w = static_cast<int64_t>(whole);
  if (i < w) return Order::kLess;
  if (i > w) return Order::kGreater;
  double fraction = f - whole;
  if (fraction > 0) return Order::kLess;
  if (fraction < 0) return Order::kGreater;
  return Order::kEqual;
}

bool FloatToInt(double f, int64_t* out) {
  if (!(f >= -kTwo63 && f < kTwo63)) return false;  // also rejects NaN
  *out = static_cast<int64_t>(f);
  return true;
}

}  // namespace vigy::lisp
