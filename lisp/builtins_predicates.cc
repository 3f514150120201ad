// Type predicates, type-of, identity and equality, and `not` as a function
// value (the special form covers direct calls; this one is for (map not xs)).
#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"
#include "lisp/map.h"

namespace vigy::lisp {
namespace {

template <bool (*test)(Value)>
Value Predicate(Machine&, Args args) {
  return Value::Bool(test(args[0]));
}

bool IsNull(Value v) { return v.is_nil() || v.tag == Tag::kEmpty; }
bool IsNil(Value v) { return v.is_nil(); }
bool IsList(Value v) { return v.is_list(); }
bool IsMap(Value v) { return v.is_map(); }
bool IsString(Value v) { return v.is_string(); }
bool IsSymbol(Value v) { return v.is_symbol(); }
bool IsKeyword(Value v) { return v.is_keyword(); }
bool IsInteger(Value v) { return v.is_int(); }
bool IsFloat(Value v) { return v.is_float(); }
bool IsNumber(Value v) { return v.is_number(); }
bool IsBoolean(Value v) { return v.tag == Tag::kBool; }
bool IsProcedure(Value v) { return v.is_function(); }
bool IsError(Value v) { return v.is_error(); }
bool IsFalse(Value v) { return !v.truthy(); }
bool IsForeign(Value v) { return v.tag == Tag::kChannel || v.tag == Tag::kFiber; }

// The original dialect's type keyword: :nil :bool :int :float :string
// :symbol :keyword :list :map :procedure :promise :error, and :foreign for
// channels and fibers.
Value TypeOf(Machine& m, Args args) {
  std::string_view name;
  switch (args[0].tag) {
    case Tag::kBool:
      name = "bool";
      break;
    case Tag::kInt:
      name = "int";
      break;
    case Tag::kClosure:
    case Tag::kBuiltin:
      name = "procedure";
      break;
    case Tag::kChannel:
    case Tag::kFiber:
      name = "foreign";
      break;
    default:
      name = TypeName(args[0]);
  }
  return MakeKeyword(m.arena(), name);
}

Value EqP(Machine&, Args args) { return Value::Bool(Eq(args[0], args[1])); }

Value EqualP(Machine&, Args args) { return Value::Bool(Equal(args[0], args[1])); }

// nil, the empty list, the empty map and "" are empty; any other list, map or
// string is not; anything else is a type mismatch.
Value Empty(Machine& m, Args args) {
  Value v = args[0];
  switch (v.tag) {
    case Tag::kNil:
    case Tag::kEmpty:
      return Value::Bool(true);
    case Tag::kCons:
      return Value::Bool(false);
    case Tag::kMap:
      return Value::Bool(MapCount(v) == 0);
    case Tag::kString:
      return Value::Bool(v.s->size == 0);
    default:
      m.TypeMismatch("list, map or string", v);
  }
}

const BuiltinSpec kPredicates[] = {
    {"null?", 1, 1, Predicate<IsNull>},
    {"nil?", 1, 1, Predicate<IsNil>},
    {"list?", 1, 1, Predicate<IsList>},
    {"map?", 1, 1, Predicate<IsMap>},
    {"string?", 1, 1, Predicate<IsString>},
    {"symbol?", 1, 1, Predicate<IsSymbol>},
    {"keyword?", 1, 1, Predicate<IsKeyword>},
    {"integer?", 1, 1, Predicate<IsInteger>},
    {"float?", 1, 1, Predicate<IsFloat>},
    {"number?", 1, 1, Predicate<IsNumber>},
    {"boolean?", 1, 1, Predicate<IsBoolean>},
    {"procedure?", 1, 1, Predicate<IsProcedure>},
    {"error?", 1, 1, Predicate<IsError>},
    {"foreign?", 1, 1, Predicate<IsForeign>},
    {"not", 1, 1, Predicate<IsFalse>},
    {"type-of", 1, 1, TypeOf},
    {"eq?", 2, 2, EqP},
    {"equal?", 2, 2, EqualP},
    {"empty?", 1, 1, Empty},
};

}  // namespace

std::span<const BuiltinSpec> PredicateBuiltins() { return kPredicates; }

}  // namespace vigy::lisp
