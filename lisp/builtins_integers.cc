// Small numeric helpers of the original dialect: inc/dec, sign and parity
// predicates, gcd/lcm, trigonometry and the bit operations. Integer results
// never wrap (tag :integer-overflow), except the shifts, which are defined on
// the 64-bit pattern as the original defines them.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"

namespace vigy::lisp {
namespace {

[[noreturn, gnu::cold]] void Overflow(Machine& m) {
  m.Fail("integer-overflow", fmt::format("integer overflow in '{}'", m.builtin_name()));
}

Value AddOne(Machine& m, Value v, int64_t delta) {
  if (v.is_int()) {
    int64_t r;
    if (__builtin_add_overflow(v.i, delta, &r)) Overflow(m);
    return Value::Int(r);
  }
  return Value::Float(ArgNumber(m, v) + static_cast<double>(delta));
}

Value Inc(Machine& m, Args args) { return AddOne(m, args[0], 1); }
Value Dec(Machine& m, Args args) { return AddOne(m, args[0], -1); }

// -1, 0 or 1 by the sign of a number.
int Sign(Machine& m, Value v) {
  if (v.is_int()) return (v.i > 0) - (v.i < 0);
  double d = ArgNumber(m, v);
  return (d > 0) - (d < 0);
}

Value IsZero(Machine& m, Args args) { return Value::Bool(Sign(m, args[0]) == 0); }
Value IsPositive(Machine& m, Args args) { return Value::Bool(Sign(m, args[0]) > 0); }
Value IsNegative(Machine& m, Args args) { return Value::Bool(Sign(m, args[0]) < 0); }
Value IsEven(Machine& m, Args args) { return Value::Bool(ArgInt(m, args[0]) % 2 == 0); }
Value IsOdd(Machine& m, Args args) { return Value::Bool(ArgInt(m, args[0]) % 2 != 0); }

uint64_t Magnitude(Machine& m, Value v) {
  int64_t n = ArgInt(m, v);
  return n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
}

uint64_t GcdOf(uint64_t a, uint64_t b) {
  while (b != 0) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

Value FromMagnitude(Machine& m, uint64_t u) {
  if (u > static_cast<uint64_t>(INT64_MAX)) Overflow(m);
  return Value::Int(static_cast<int64_t>(u));
}

// (gcd n…): 0 for no arguments; always non-negative.
Value Gcd(Machine& m, Args args) {
  uint64_t g = 0;
  for (Value v : args) g = GcdOf(g, Magnitude(m, v));
  return FromMagnitude(m, g);
}

// (lcm n…): 1 for no arguments; 0 if any argument is 0.
Value Lcm(Machine& m, Args args) {
  uint64_t l = 1;
  for (Value v : args) {
    uint64_t b = Magnitude(m, v);
    if (l == 0 || b == 0) {
      l = 0;
      continue;
    }
    uint64_t r;
    if (__builtin_mul_overflow(l / GcdOf(l, b), b, &r)) Overflow(m);
    l = r;
  }
  return FromMagnitude(m, l);
}

Value Sin(Machine& m, Args args) { return Value::Float(std::sin(ArgNumber(m, args[0]))); }
Value Cos(Machine& m, Args args) { return Value::Float(std::cos(ArgNumber(m, args[0]))); }
Value Tan(Machine& m, Args args) { return Value::Float(std::tan(ArgNumber(m, args[0]))); }

Value BitAnd(Machine& m, Args args) {
  int64_t acc = -1;
  for (Value v : args) acc &= ArgInt(m, v);
  return Value::Int(acc);
}

Value BitOr(Machine& m, Args args) {
  int64_t acc = 0;
  for (Value v : args) acc |= ArgInt(m, v);
  return Value::Int(acc);
}

Value BitXor(Machine& m, Args args) {
  int64_t acc = 0;
  for (Value v : args) acc ^= ArgInt(m, v);
  return Value::Int(acc);
}

Value BitNot(Machine& m, Args args) { return Value::Int(~ArgInt(m, args[0])); }

// Shift counts are taken modulo 64, as the original's wrapping shifts do.
Value ShiftLeft(Machine& m, Args args) {
  uint64_t n = static_cast<uint64_t>(ArgInt(m, args[0]));
  unsigned shift = static_cast<unsigned>(ArgInt(m, args[1])) & 63;
  return Value::Int(static_cast<int64_t>(n << shift));
}

Value ShiftRight(Machine& m, Args args) {
  int64_t n = ArgInt(m, args[0]);
  unsigned shift = static_cast<unsigned>(ArgInt(m, args[1])) & 63;
  return Value::Int(n >> shift);
}

const BuiltinSpec kIntegers[] = {
    {"inc", 1, 1, Inc},
    {"dec", 1, 1, Dec},
    {"zero?", 1, 1, IsZero},
    {"positive?", 1, 1, IsPositive},
    {"negative?", 1, 1, IsNegative},
    {"even?", 1, 1, IsEven},
    {"odd?", 1, 1, IsOdd},
    {"gcd", 0, kVariadic, Gcd},
    {"lcm", 0, kVariadic, Lcm},
    {"sin", 1, 1, Sin},
    {"cos", 1, 1, Cos},
    {"tan", 1, 1, Tan},
    {"bit-and", 0, kVariadic, BitAnd},
    {"bit-or", 0, kVariadic, BitOr},
    {"bit-xor", 0, kVariadic, BitXor},
    {"bit-not", 1, 1, BitNot},
    {"bit-shift-left", 2, 2, ShiftLeft},
    {"bit-shift-right", 2, 2, ShiftRight},
};

}  // namespace

std::span<const BuiltinSpec> IntegerBuiltins() { return kIntegers; }

}  // namespace vigy::lisp
