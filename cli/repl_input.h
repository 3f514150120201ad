// When has the REPL read a whole form? Input is gathered line by line until
// its parentheses balance outside strings and comments.
#pragma once

#include <string_view>

namespace vigy::cli {

struct InputBalance {
  int depth = 0;           // '(' minus ')' outside strings and comments
  bool in_string = false;  // ends inside a string literal
  bool has_code = false;   // anything besides whitespace and comments

  // More lines are needed before the input can be evaluated. Too many ')'
  // counts as complete: compiling reports it.
  bool open() const { return in_string || depth > 0; }
};

InputBalance ScanInput(std::string_view text);

}  // namespace vigy::cli
