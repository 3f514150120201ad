#include "lisp/builtin_args.h"

#include <fmt/format.h>

#include "lisp/printer.h"

namespace vigy::lisp {

int64_t ArgIndex(Machine& m, Value v, std::string_view what) {
  int64_t i = ArgInt(m, v, what);
  if (i < 0) m.Fail("index", fmt::format("index {} out of range in '{}'", i, m.builtin_name()));
  return i;
}

namespace {

template <void (*append)(std::string&, Value)>
std::string Join(Args args) {
  std::string out;
  for (size_t k = 0; k < args.size(); ++k) {
    if (k > 0) out += ' ';
    append(out, args[k]);
  }
  return out;
}

}  // namespace

std::string JoinDisplay(Args args) { return Join<AppendDisplay>(args); }
std::string JoinRepr(Args args) { return Join<AppendRepr>(args); }

}  // namespace vigy::lisp
