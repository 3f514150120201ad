// Where a form came from, and how a problem with it is reported: the one
// message shape every error in the language uses, `file:line:col: message`.
#pragma once

#include <string>
#include <string_view>

namespace vigy::lisp {

struct SourcePos {
  int line = 0;  // 1-based; 0 means unknown
  int col = 0;   // 1-based, in characters
  bool known() const { return line > 0; }
};

struct Diagnostic {
  std::string file;  // as given by the caller, e.g. "prog.vigy" or "<eval>"
  SourcePos pos;
  std::string message;

  // "file:line:col: message" (or "file: message" when the position is unknown).
  std::string Format() const;
  // Format(), then the offending line of `source` and a caret under the column.
  std::string FormatWithSource(std::string_view source) const;
};

}  // namespace vigy::lisp
