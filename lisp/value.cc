#include "lisp/value.h"

#include <bit>
#include <cmath>
#include <utility>
#include <vector>

#include "lisp/map.h"

namespace vigy::lisp {
namespace {

uint64_t HashBytes(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, then a final mix
  for (unsigned char ch : bytes) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace

String* NewString(Arena& arena, std::string_view text) {
  auto* s = static_cast<String*>(arena.Allocate(offsetof(String, data) + text.size() + 1));
  s->size = static_cast<uint32_t>(text.size());
  s->chars = CountChars(text);
  if (!text.empty()) std::memcpy(s->data, text.data(), text.size());
  s->data[text.size()] = '\0';
  return s;
}

Value MakeString(Arena& arena, std::string_view text) { return Value::Of(NewString(arena, text)); }

Sym* NewSym(Arena& arena, std::string_view name) {
  auto* s = static_cast<Sym*>(arena.Allocate(offsetof(Sym, data) + name.size() + 1));
  s->hash = static_cast<uint32_t>(HashBytes(name));
  s->size = static_cast<uint32_t>(name.size());
  if (!name.empty()) std::memcpy(s->data, name.data(), name.size());
  s->data[name.size()] = '\0';
  return s;
}

Value MakeSymbol(Arena& arena, std::string_view name) { return Value::Symbol(NewSym(arena, name)); }
Value MakeKeyword(Arena& arena, std::string_view name) {
  return Value::Keyword(NewSym(arena, name));
}

Value MakeError(Arena& arena, Value tag, std::string_view message, Value data) {
  return Value::Of(arena.New<ErrorObj>(tag, NewString(arena, message), data));
}

void ListBuilder::Add(Value v) {
  Cons* cell = arena_.New<Cons>(v, Value::Empty());
  if (tail_ == nullptr) {
    head_ = Value::Of(cell);
  } else {
    tail_->cdr = Value::Of(cell);
  }
  tail_ = cell;
}

uint32_t CountChars(std::string_view utf8) {
  uint32_t n = 0;
  for (unsigned char ch : utf8) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string_view TypeName(Value v) {
  switch (v.tag) {
    case Tag::kNil:
      return "nil";
    case Tag::kBool:
      return "boolean";
    case Tag::kInt:
      return "integer";
    case Tag::kFloat:
      return "float";
    case Tag::kEmpty:
    case Tag::kCons:
      return "list";
    case Tag::kString:
      return "string";
    case Tag::kSymbol:
      return "symbol";
    case Tag::kKeyword:
      return "keyword";
    case Tag::kMap:
      return "map";
    case Tag::kClosure:
    case Tag::kBuiltin:
      return "function";
    case Tag::kError:
      return "error";
    case Tag::kPromise:
      return "promise";
    case Tag::kChannel:
      return "channel";
    case Tag::kFiber:
      return "fiber";
    case Tag::kUnbound:
    case Tag::kTailCall:
      break;
  }
  return "internal";
}

static bool SameName(const Sym* a, const Sym* b) {
  return a == b || (a->hash == b->hash && a->name() == b->name());
}

bool Eq(Value a, Value b) {
  if (a.tag != b.tag) return false;
  switch (a.tag) {
    case Tag::kNil:
    case Tag::kEmpty:
      return true;
    case Tag::kBool:
      return a.b == b.b;
    case Tag::kInt:
      return a.i == b.i;
    case Tag::kFloat:
      return a.f == b.f;
    case Tag::kString:
      return a.s->view() == b.s->view();
    case Tag::kSymbol:
    case Tag::kKeyword:
      return SameName(a.sym, b.sym);
    default:
      return a.raw == b.raw;
  }
}

namespace {

using EqualWork = std::vector<std::pair<Value, Value>>;

// Equality of two values that are not lists and have the same tag. What a map
// or an error holds is not compared here but added to `pending`, so nesting
// of any depth is walked without recursion.
bool EqualShallow(Value a, Value b, EqualWork& pending) {
  if (a.tag == Tag::kMap) {
    if (a.m == b.m) return true;
    if (MapCount(a) != MapCount(b)) return false;
    bool same = true;
    MapForEach(a, [&](Value key, Value value) {
      if (!same) return;
      const Value* other = MapFind(b, key);  // keys are atoms: no deep walk
      if (other == nullptr) {
        same = false;
      } else {
        pending.emplace_back(value, *other);
      }
    });
    return same;
  }
  if (a.tag == Tag::kError) {
    if (a.err == b.err) return true;
    if (a.err->message->view() != b.err->message->view()) return false;
    pending.emplace_back(a.err->tag, b.err->tag);
    pending.emplace_back(a.err->data, b.err->data);
    return true;
  }
  return Eq(a, b);
}

}  // namespace

bool Equal(Value a, Value b) {
  if (a.tag != Tag::kCons && a.tag != Tag::kMap && a.tag != Tag::kError) return Eq(a, b);
  // Lists, maps and errors are compared with an explicit work list, so
  // neither long nor deeply nested data uses native stack per element.
  EqualWork pending;
  pending.emplace_back(a, b);
  while (!pending.empty()) {
    auto [x, y] = pending.back();
    pending.pop_back();
    while (true) {
      if (x.tag != y.tag) return false;
      if (x.tag != Tag::kCons) {
        if (!EqualShallow(x, y, pending)) return false;
        break;
      }
      if (x.c == y.c) break;
      pending.emplace_back(x.c->car, y.c->car);
      x = x.c->cdr;
      y = y.c->cdr;
    }
  }
  return true;
}

namespace {

// Nesting below this depth does not contribute to a list's hash; equal values
// still hash alike, and no input can exhaust the native stack.
constexpr int kHashDepth = 32;

uint64_t HashAt(Value v, int depth) {
  switch (v.tag) {
    case Tag::kNil:
      return 0x9e3779b97f4a7c15ull;
    case Tag::kEmpty:
      return 0x632be59bd9b4e019ull;
    case Tag::kBool:
      return v.b ? 0x8cb92ba72f3d8dd7ull : 0x2545f4914f6cdd1dull;
    case Tag::kInt:
      return Mix(static_cast<uint64_t>(v.i));
    case Tag::kFloat: {
      double f = v.f == 0.0 ? 0.0 : v.f;  // -0.0 == 0.0
      return Mix(std::bit_cast<uint64_t>(f) ^ 0x5851f42d4c957f2dull);
    }
    case Tag::kString:
      return HashBytes(v.s->view());
    case Tag::kSymbol:
      return Mix(v.sym->hash ^ 0x1111);
    case Tag::kKeyword:
      return Mix(v.sym->hash ^ 0x2222);
    case Tag::kCons: {
      uint64_t h = 0x27d4eb2f165667c5ull;
      if (depth >= kHashDepth) return h;
      for (Value it = v; it.tag == Tag::kCons; it = it.c->cdr)
        h = Mix(h ^ HashAt(it.c->car, depth + 1));
      return h;
    }
    default:
      return Mix(v.raw);
  }
}

}  // namespace

uint64_t Hash(Value v) { return HashAt(v, 0); }

size_t ListLength(Value list) {
  size_t n = 0;
  for (Value it = list; it.tag == Tag::kCons; it = it.c->cdr) ++n;
  return n;
}

}  // namespace vigy::lisp
