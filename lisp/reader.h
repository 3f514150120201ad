// Text to data. The reader turns source into values (lists, symbols, literals)
// and records where each list and symbol started, so the compiler can put a
// position on every error. Read errors stop at the first problem.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lisp/arena.h"
#include "lisp/source.h"
#include "lisp/value.h"

namespace vigy::lisp {

// Where each cons cell (a list form) and each symbol object came from.
using PositionTable = std::unordered_map<const void*, SourcePos>;

struct ReadOutput {
  std::vector<Value> forms;
  std::vector<SourcePos> form_positions;  // parallel to forms
  PositionTable positions;
};

// Reads every form of `source` into `arena`. Returns false and fills `error`
// (with `file` as its file name) at the first problem; `out` is then partial.
bool ReadAll(Arena& arena, std::string_view source, const std::string& file, ReadOutput* out,
             Diagnostic* error);

// Nesting deeper than this is a read error rather than a stack overflow.
inline constexpr int kMaxReadDepth = 1000;

}  // namespace vigy::lisp
