// The language's values: a 16-byte tagged word. Immediate kinds (nil, booleans,
// integers, floats, the empty list) live in the word; everything else points
// into an Arena owned by the evaluation or by the compiled program. Values are
// plain data: copying one never allocates, and nothing owns anything.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "lisp/arena.h"

namespace vigy::lisp {

struct BuiltinSpec;
struct String;
struct Sym;
struct Cons;
struct MapNode;
struct Closure;
struct ErrorObj;
struct Promise;
struct Channel;
struct Fiber;

enum class Tag : uint8_t {
  kNil,
  kBool,
  kInt,
  kFloat,
  kEmpty,  // the empty list: (list), '()
  kString,
  kSymbol,
  kKeyword,
  kCons,  // a non-empty proper list; its cdr is kEmpty or kCons
  kMap,   // persistent hash map; m == nullptr is the empty map
  kClosure,
  kBuiltin,
  kError,     // an error value (what `try` binds for a runtime error)
  kPromise,   // a delayed computation made by `delay`, run once by `force`
  kChannel,   // a FIFO queue made by `chan`, shared by every holder
  kFiber,     // a deferred computation made by `go`, run once by `go-run`
  kUnbound,   // internal: a global slot not yet defined; never seen by programs
  kTailCall,  // internal: the evaluator's tail-call signal; never seen by programs
};

struct Value {
  Tag tag = Tag::kNil;
  union {
    bool b;
    int64_t i;
    double f;
    String* s;
    Sym* sym;
    Cons* c;
    MapNode* m;
    Closure* fn;
    const BuiltinSpec* bi;
    ErrorObj* err;
    Promise* promise;
    Channel* chan;
    Fiber* fiber;
    uint64_t raw;
  };

  constexpr Value() : raw(0) {}

  static constexpr Value Nil() { return Value(); }
  static Value Bool(bool v) {
    Value x;
    x.tag = Tag::kBool;
    x.b = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.tag = Tag::kInt;
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.tag = Tag::kFloat;
    x.f = v;
    return x;
  }
  static Value Empty() {
    Value x;
    x.tag = Tag::kEmpty;
    return x;
  }
  static Value Of(String* p) {
    Value x;
    x.tag = Tag::kString;
    x.s = p;
    return x;
  }
  static Value Symbol(Sym* p) {
    Value x;
    x.tag = Tag::kSymbol;
    x.sym = p;
    return x;
  }
  static Value Keyword(Sym* p) {
    Value x;
    x.tag = Tag::kKeyword;
    x.sym = p;
    return x;
  }
  static Value Of(Cons* p) {
    Value x;
    x.tag = Tag::kCons;
    x.c = p;
    return x;
  }
  static Value Map(MapNode* p) {
    Value x;
    x.tag = Tag::kMap;
    x.m = p;
    return x;
  }
  static Value Of(Closure* p) {
    Value x;
    x.tag = Tag::kClosure;
    x.fn = p;
    return x;
  }
  static Value Of(const BuiltinSpec* p) {
    Value x;
    x.tag = Tag::kBuiltin;
    x.bi = p;
    return x;
  }
  static Value Of(ErrorObj* p) {
    Value x;
    x.tag = Tag::kError;
    x.err = p;
    return x;
  }
  static Value Of(Promise* p) {
    Value x;
    x.tag = Tag::kPromise;
    x.promise = p;
    return x;
  }
  static Value Of(Channel* p) {
    Value x;
    x.tag = Tag::kChannel;
    x.chan = p;
    return x;
  }
  static Value Of(Fiber* p) {
    Value x;
    x.tag = Tag::kFiber;
    x.fiber = p;
    return x;
  }
  static Value Unbound() {
    Value x;
    x.tag = Tag::kUnbound;
    return x;
  }

  bool is_nil() const { return tag == Tag::kNil; }
  bool is_int() const { return tag == Tag::kInt; }
  bool is_float() const { return tag == Tag::kFloat; }
  bool is_number() const { return tag == Tag::kInt || tag == Tag::kFloat; }
  bool is_string() const { return tag == Tag::kString; }
  bool is_symbol() const { return tag == Tag::kSymbol; }
  bool is_keyword() const { return tag == Tag::kKeyword; }
  bool is_cons() const { return tag == Tag::kCons; }
  // A list in the language's sense: the empty list or a cons chain. nil is not
  // a list, but list builtins accept it as the empty list (see ArgList).
  bool is_list() const { return tag == Tag::kCons || tag == Tag::kEmpty; }
  bool is_map() const { return tag == Tag::kMap; }
  bool is_function() const { return tag == Tag::kClosure || tag == Tag::kBuiltin; }
  bool is_error() const { return tag == Tag::kError; }
  // Only nil and #f are false.
  bool truthy() const { return !(tag == Tag::kNil || (tag == Tag::kBool && !b)); }
};
static_assert(sizeof(Value) == 16);

// Strings are immutable UTF-8. `chars` is the code-point count, cached because
// string-length and substring count characters, not bytes.
struct String {
  uint32_t size;
  uint32_t chars;
  char data[1];  // really `size` bytes, then a NUL
  std::string_view view() const { return {data, size}; }
  bool ascii() const { return size == chars; }
};

// Symbols and keywords share one representation; the Value's tag tells them
// apart. Two symbols are the same symbol when their names are equal.
struct Sym {
  uint32_t hash;
  uint32_t size;
  char data[1];
  std::string_view name() const { return {data, size}; }
};

struct Cons {
  Value car;
  Value cdr;
};

// An error value: what `(error :tag "message" [data])` and `ex-info` return,
// and what `try` binds for a runtime error.
struct ErrorObj {
  Value tag;        // a keyword (e.g. :type-mismatch)
  String* message;  // never null
  Value data;       // a property list (:key value …), the empty list when none
};

// `(delay expr)`: until forced, `value` is a function of no arguments that
// computes it; `force` runs it once and keeps the result.
struct Promise {
  bool forced;
  Value value;
};

// `(chan [capacity])`: a FIFO that never blocks. The queue is `front` followed
// by `back` reversed, so sending and receiving are O(1) amortised.
struct Channel {
  Value front;       // a list: the oldest values first
  Value back;        // a list: the newest values first
  int64_t length;    // values queued
  int64_t capacity;  // -1 when unbounded
  bool closed;
};

// `(go thunk)`: a computation that runs when `go-run` asks, once.
enum class FiberState : uint8_t { kPending, kRunning, kDone, kErrored };
struct Fiber {
  FiberState state;
  Value thunk;   // a function of no arguments
  Value result;  // the thunk's value once done, nil before
  Value error;   // what it raised once errored, nil before
};

// --- construction (all allocate in the given arena) ---

String* NewString(Arena& arena, std::string_view text);
Value MakeString(Arena& arena, std::string_view text);
Sym* NewSym(Arena& arena, std::string_view name);
Value MakeSymbol(Arena& arena, std::string_view name);
Value MakeKeyword(Arena& arena, std::string_view name);  // name without the ':'
inline Value MakeCons(Arena& arena, Value car, Value cdr) {
  return Value::Of(arena.New<Cons>(car, cdr));
}
Value MakeError(Arena& arena, Value tag, std::string_view message, Value data = Value::Empty());

// Builds a proper list front to back in O(1) per element.
class ListBuilder {
 public:
  explicit ListBuilder(Arena& arena) : arena_(arena) {}
  void Add(Value v);
  Value Finish() const { return head_; }  // the empty list if nothing was added

 private:
  Arena& arena_;
  Value head_ = Value::Empty();
  Cons* tail_ = nullptr;
};

// --- inspection ---

// Number of code points in UTF-8 text: every byte that is not a continuation
// byte (10xxxxxx) starts one.
uint32_t CountChars(std::string_view utf8);
// The language's name for a value's type, as `type-of` returns it and error
// messages print it: "nil" "boolean" "integer" "float" "list" "string" "symbol"
// "keyword" "map" "function" "error" "promise" "channel" "fiber".
std::string_view TypeName(Value v);
// `equal?`: structural equality. Integers and floats are never equal to each
// other here (use `=` for numeric comparison); maps compare by contents.
bool Equal(Value a, Value b);
// `eq?`: identity for lists, maps, functions and errors; value equality for
// atoms (numbers, booleans, nil, strings, symbols, keywords).
bool Eq(Value a, Value b);
// A hash consistent with Equal, stable across runs and machines.
uint64_t Hash(Value v);
// Length of a proper list (0 for the empty list and nil).
size_t ListLength(Value list);

}  // namespace vigy::lisp
