// Arithmetic and numeric comparison. Integers are int64 and never wrap: an
// overflowing operation fails with tag `overflow`. Mixing an integer with a
// float gives a float. The two-integer case of each hot operator is checked
// first and touches neither the heap nor the machine.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/compare.h"
#include "lisp/machine.h"
#include "lisp/numeric.h"
#include "lisp/printer.h"

namespace vigy::lisp {
namespace {

constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();

[[noreturn, gnu::cold]] void Overflow(Machine& m) {
  m.Fail("integer-overflow", fmt::format("integer overflow in '{}'", m.builtin_name()));
}

[[noreturn, gnu::cold]] void DivisionByZero(Machine& m) {
  m.Fail("division-by-zero", fmt::format("division by zero in '{}'", m.builtin_name()));
}

[[noreturn, gnu::cold]] void DomainError(Machine& m, Value arg) {
  m.Fail("domain", fmt::format("'{}' is undefined for {}", m.builtin_name(), Repr(arg)));
}

inline void CheckNumber(Machine& m, Value v) {
  if (!v.is_number()) m.TypeMismatch("number", v);
}

inline double ToDouble(Value v) { return v.tag == Tag::kInt ? static_cast<double>(v.i) : v.f; }

// ---- + - * / ----

inline Value Add2(Machine& m, Value a, Value b) {
  if (a.tag == Tag::kInt && b.tag == Tag::kInt) {
    int64_t r;
    if (__builtin_add_overflow(a.i, b.i, &r)) Overflow(m);
    return Value::Int(r);
  }
  CheckNumber(m, a);
  CheckNumber(m, b);
  return Value::Float(ToDouble(a) + ToDouble(b));
}

inline Value Sub2(Machine& m, Value a, Value b) {
  if (a.tag == Tag::kInt && b.tag == Tag::kInt) {
    int64_t r;
    if (__builtin_sub_overflow(a.i, b.i, &r)) Overflow(m);
    return Value::Int(r);
  }
  CheckNumber(m, a);
  CheckNumber(m, b);
  return Value::Float(ToDouble(a) - ToDouble(b));
}

inline Value Mul2(Machine& m, Value a, Value b) {
  if (a.tag == Tag::kInt && b.tag == Tag::kInt) {
    int64_t r;
    if (__builtin_mul_overflow(a.i, b.i, &r)) Overflow(m);
    return Value::Int(r);
  }
  CheckNumber(m, a);
  CheckNumber(m, b);
  return Value::Float(ToDouble(a) * ToDouble(b));
}

// Two integers divide to an integer when the division is exact, else a float.
// A zero divisor is an error whether it is 0 or 0.0.
Value Div2(Machine& m, Value a, Value b) {
  if (a.tag == Tag::kInt && b.tag == Tag::kInt) {
    if (b.i == 0) DivisionByZero(m);
    if (a.i == kMinInt && b.i == -1) Overflow(m);
    if (a.i % b.i == 0) return Value::Int(a.i / b.i);
    return Value::Float(static_cast<double>(a.i) / static_cast<double>(b.i));
  }
  CheckNumber(m, a);
  CheckNumber(m, b);
  double divisor = ToDouble(b);
  if (divisor == 0) DivisionByZero(m);
  return Value::Float(ToDouble(a) / divisor);
}

Value Negate(Machine& m, Value v) {
  if (v.tag == Tag::kFloat) return Value::Float(-v.f);
  return Sub2(m, Value::Int(0), v);
}

using BinaryOp = Value (*)(Machine&, Value, Value);

// Left fold of `op` over args starting from args[0] (at least one argument).
template <BinaryOp op>
Value Fold(Machine& m, Args args) {
  Value acc = args[0];
  CheckNumber(m, acc);
  for (size_t k = 1; k < args.size(); ++k) acc = op(m, acc, args[k]);
  return acc;
}

Value Add(Machine& m, Args args) {
  if (args.size() == 2) return Add2(m, args[0], args[1]);
  if (args.empty()) return Value::Int(0);
  return Fold<Add2>(m, args);
}

Value Multiply(Machine& m, Args args) {
  if (args.size() == 2) return Mul2(m, args[0], args[1]);
  if (args.empty()) return Value::Int(1);
  return Fold<Mul2>(m, args);
}

Value Subtract(Machine& m, Args args) {
  if (args.size() == 2) return Sub2(m, args[0], args[1]);
  if (args.size() == 1) return Negate(m, args[0]);
  return Fold<Sub2>(m, args);
}

Value Divide(Machine& m, Args args) {
  if (args.size() == 1) return Div2(m, Value::Int(1), args[0]);
  return Fold<Div2>(m, args);
}

// ---- integer division ----

struct IntPair {
  int64_t a;
  int64_t divisor;
};

IntPair DivisionArgs(Machine& m, Args args) {
  IntPair p{ArgInt(m, args[0]), ArgInt(m, args[1])};
  if (p.divisor == 0) DivisionByZero(m);
  return p;
}

// Truncates toward zero.
Value Quotient(Machine& m, Args args) {
  IntPair p = DivisionArgs(m, args);
  if (p.a == kMinInt && p.divisor == -1) Overflow(m);
  return Value::Int(p.a / p.divisor);
}

// Takes the sign of the dividend.
Value Remainder(Machine& m, Args args) {
  IntPair p = DivisionArgs(m, args);
  if (p.divisor == -1) return Value::Int(0);
  return Value::Int(p.a % p.divisor);
}

// Takes the sign of the divisor.
Value Modulo(Machine& m, Args args) {
  IntPair p = DivisionArgs(m, args);
  if (p.divisor == -1) return Value::Int(0);
  int64_t r = p.a % p.divisor;
  if (r != 0 && (r < 0) != (p.divisor < 0)) r += p.divisor;
  return Value::Int(r);
}

// ---- abs min max ----

Value Abs(Machine& m, Args args) {
  Value v = args[0];
  if (v.tag == Tag::kInt) {
    if (v.i == kMinInt) Overflow(m);
    return Value::Int(v.i < 0 ? -v.i : v.i);
  }
  CheckNumber(m, v);
  return Value::Float(std::fabs(v.f));
}

// The chosen argument is returned as it is (an integer stays an integer).
template <Order wanted>
Value Extreme(Machine& m, Args args) {
  for (Value v : args) CheckNumber(m, v);
  Value best = args[0];
  for (size_t k = 1; k < args.size(); ++k) {
    if (CompareNumbers(args[k], best) == wanted) best = args[k];
  }
  return best;
}

// ---- powers, roots, logarithms ----

// base^exponent for exponent >= 0, by squaring; fails on overflow. Squaring
// the base overflows only when a later bit would need it, and then the result
// would overflow too, so failing early is exact.
int64_t IntPower(Machine& m, int64_t base, int64_t exponent) {
  int64_t result = 1;
  while (exponent > 0) {
    if (exponent & 1) {
      if (__builtin_mul_overflow(result, base, &result)) Overflow(m);
    }
    exponent >>= 1;
    if (exponent > 0 && __builtin_mul_overflow(base, base, &base)) Overflow(m);
  }
  return result;
}

Value Expt(Machine& m, Args args) {
  Value base = args[0];
  Value exponent = args[1];
  CheckNumber(m, base);
  CheckNumber(m, exponent);
  if (base.is_int() && exponent.is_int() && exponent.i >= 0) {
    return Value::Int(IntPower(m, base.i, exponent.i));
  }
  double b = ToDouble(base);
  double e = ToDouble(exponent);
  if (b == 0 && e < 0) DivisionByZero(m);
  double r = std::pow(b, e);
  if (std::isnan(r) && !std::isnan(b) && !std::isnan(e)) DomainError(m, base);
  return Value::Float(r);
}

Value Sqrt(Machine& m, Args args) {
  double x = ArgNumber(m, args[0]);
  if (x < 0) DomainError(m, args[0]);
  return Value::Float(std::sqrt(x));
}

Value Exp(Machine& m, Args args) { return Value::Float(std::exp(ArgNumber(m, args[0]))); }

// (log x) is the natural logarithm; (log x base) uses `base`.
Value Log(Machine& m, Args args) {
  double x = ArgNumber(m, args[0]);
  if (x <= 0) DomainError(m, args[0]);
  if (args.size() == 1) return Value::Float(std::log(x));
  double base = ArgNumber(m, args[1]);
  if (base <= 0 || base == 1) DomainError(m, args[1]);
  return Value::Float(std::log(x) / std::log(base));
}

// ---- rounding ----

// Integers pass through; a float is rounded by `round` and must fit int64.
template <double (*round)(double)>
Value RoundToInt(Machine& m, Args args) {
  Value v = args[0];
  if (v.is_int()) return v;
  CheckNumber(m, v);
  int64_t r;
  if (!FloatToInt(round(v.f), &r)) {
    m.Fail("integer-overflow", fmt::format("'{}' of {} does not fit in an integer",
                                           m.builtin_name(), FormatFloat(v.f)));
  }
  return Value::Int(r);
}

double Floor(double f) { return std::floor(f); }
double Ceil(double f) { return std::ceil(f); }
double RoundHalfAway(double f) { return std::round(f); }
double Trunc(double f) { return std::trunc(f); }

// ---- comparison ----

struct NumEq {
  static bool Ints(int64_t a, int64_t b) { return a == b; }
  static bool Holds(Order o) { return o == Order::kEqual; }
};
struct NumLess {
  static bool Ints(int64_t a, int64_t b) { return a < b; }
  static bool Holds(Order o) { return o == Order::kLess; }
};
struct NumGreater {
  static bool Ints(int64_t a, int64_t b) { return a > b; }
  static bool Holds(Order o) { return o == Order::kGreater; }
};
struct NumLessEq {
  static bool Ints(int64_t a, int64_t b) { return a <= b; }
  static bool Holds(Order o) { return o == Order::kLess || o == Order::kEqual; }
};
struct NumGreaterEq {
  static bool Ints(int64_t a, int64_t b) { return a >= b; }
  static bool Holds(Order o) { return o == Order::kGreater || o == Order::kEqual; }
};

// True when every adjacent pair satisfies Op. Every argument must be a number,
// even after the answer is known. A NaN satisfies none of them.
template <typename Op>
Value Chain(Machine& m, Args args) {
  if (args.size() == 2 && args[0].tag == Tag::kInt && args[1].tag == Tag::kInt) {
    return Value::Bool(Op::Ints(args[0].i, args[1].i));
  }
  for (Value v : args) CheckNumber(m, v);
  for (size_t k = 0; k + 1 < args.size(); ++k) {
    if (!Op::Holds(CompareNumbers(args[k], args[k + 1]))) return Value::Bool(false);
  }
  return Value::Bool(true);
}

// `not=` works on any values: numbers compare numerically (1 and 1.0 are the
// same), everything else with equal?. True unless all arguments are the same.
Value NotEqual(Machine&, Args args) {
  for (size_t k = 0; k + 1 < args.size(); ++k) {
    Value a = args[k];
    Value b = args[k + 1];
    bool same =
        a.is_number() && b.is_number() ? CompareNumbers(a, b) == Order::kEqual : Equal(a, b);
    if (!same) return Value::Bool(true);
  }
  return Value::Bool(false);
}

Value CompareValues(Machine& m, Args args) {
  int c = Compare(m, args[0], args[1]);
  return Value::Int(c < 0 ? -1 : c > 0 ? 1 : 0);
}

const BuiltinSpec kNumbers[] = {
    {"+", 0, kVariadic, Add},
    {"-", 1, kVariadic, Subtract},
    {"*", 0, kVariadic, Multiply},
    {"/", 1, kVariadic, Divide},
    {"quotient", 2, 2, Quotient},
    {"remainder", 2, 2, Remainder},
    {"modulo", 2, 2, Modulo},
    {"abs", 1, 1, Abs},
    {"min", 1, kVariadic, Extreme<Order::kLess>},
    {"max", 1, kVariadic, Extreme<Order::kGreater>},
    {"expt", 2, 2, Expt},
    {"sqrt", 1, 1, Sqrt},
    {"exp", 1, 1, Exp},
    {"log", 1, 2, Log},
    {"floor", 1, 1, RoundToInt<Floor>},
    {"ceiling", 1, 1, RoundToInt<Ceil>},
    {"round", 1, 1, RoundToInt<RoundHalfAway>},
    {"truncate", 1, 1, RoundToInt<Trunc>},
    {"=", 2, kVariadic, Chain<NumEq>},
    {"<", 2, kVariadic, Chain<NumLess>},
    {">", 2, kVariadic, Chain<NumGreater>},
    {"<=", 2, kVariadic, Chain<NumLessEq>},
    {">=", 2, kVariadic, Chain<NumGreaterEq>},
    {"not=", 2, kVariadic, NotEqual},
    {"compare", 2, 2, CompareValues},
};

}  // namespace

std::span<const BuiltinSpec> NumberBuiltins() { return kNumbers; }

}  // namespace vigy::lisp
