#include "lisp/source.h"

#include <fmt/format.h>

namespace vigy::lisp {

std::string Diagnostic::Format() const {
  if (!pos.known()) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, pos.line, pos.col, message);
}

std::string Diagnostic::FormatWithSource(std::string_view source) const {
  std::string out = Format();
  if (!pos.known()) return out;
  size_t start = 0;
  for (int line = 1; line < pos.line; ++line) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return out;
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  std::string_view text = source.substr(start, end == std::string_view::npos ? end : end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  // The caret sits under the column's character; tabs are copied so it lines up.
  std::string pad;
  int col = 1;
  for (size_t i = 0; i < text.size() && col < pos.col; ++i) {
    unsigned char ch = static_cast<unsigned char>(text[i]);
    if ((ch & 0xC0) == 0x80) continue;
    pad += ch == '\t' ? '\t' : ' ';
    ++col;
  }
  return fmt::format("{}\n  {}\n  {}^", out, text, pad);
}

}  // namespace vigy::lisp
