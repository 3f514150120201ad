// Quoting for /bin/sh command lines built by tests.
#pragma once

#include <string>
#include <string_view>

namespace vigy::testing {

// `text` as one shell word: in single quotes, each ' written as '\''.
inline std::string ShellQuote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace vigy::testing
