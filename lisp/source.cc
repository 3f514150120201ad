#include "lisp/source.h"

#include <fmt/format.h>

#include <algorithm>

#include "lisp/utf8.h"

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
  // The line is shown one character (as the reader counts columns) at a time:
  // one that is not valid UTF-8, or is a control character other than tab,
  // becomes U+FFFD so nothing from the file reaches a terminal raw. The caret
  // sits under the column's character; tabs are copied so it lines up. A long
  // line (minified, or a binary file) is cut to kShownColumns characters
  // around the column, with "..." marking what was left out.
  constexpr int kShownColumns = 100;
  const int first_col = std::max(1, pos.col - kShownColumns / 2);
  const int last_col = first_col + kShownColumns - 1;
  std::string shown = first_col > 1 ? "..." : "";
  std::string pad = first_col > 1 ? "   " : "";
  int col = 1;
  for (size_t i = 0; i < text.size(); i += Utf8CharLength(text, i), ++col) {
    if (col < first_col) continue;
    if (col > last_col) {
      shown += "...";
      break;
    }
    std::string_view ch = text.substr(i, Utf8CharLength(text, i));
    unsigned char first = static_cast<unsigned char>(ch[0]);
    bool control = (first < 0x20 && first != '\t') || first == 0x7f;
    shown += control || FirstInvalidUtf8(ch) != ch.size() ? std::string_view("\xEF\xBF\xBD") : ch;
    if (col < pos.col) pad += first == '\t' ? '\t' : ' ';
  }
  return fmt::format("{}\n  {}\n  {}^", out, shown, pad);
}

}  // namespace vigy::lisp
