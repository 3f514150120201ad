#include "cli/repl_input.h"

namespace vigy::cli {

InputBalance ScanInput(std::string_view text) {
  InputBalance b;
  bool in_comment = false;
  bool escaped = false;
  for (char c : text) {
    if (in_comment) {
      if (c == '\n') in_comment = false;
      continue;
    }
    if (b.in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        b.in_string = false;
      }
      continue;
    }
    switch (c) {
      case ';':
        in_comment = true;
        break;
      case '"':
        b.in_string = true;
        b.has_code = true;
        break;
      case '(':
        ++b.depth;
        b.has_code = true;
        break;
      case ')':
        --b.depth;
        b.has_code = true;
        break;
      case ' ':
      case '\t':
      case '\r':
      case '\n':
        break;
      default:
        b.has_code = true;
        break;
    }
  }
  return b;
}

}  // namespace vigy::cli
