#include "lisp/utf8.h"

namespace vigy::lisp {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

size_t Utf8CharLength(std::string_view text, size_t pos) {
  size_t end = pos;
  while (end < text.size() && IsContinuation(text[end])) ++end;  // only at the start
  ++end;
  while (end < text.size() && IsContinuation(text[end])) ++end;
  return (end < text.size() ? end : text.size()) - pos;
}

size_t Utf8Offset(std::string_view text, size_t index) {
  size_t pos = 0;
  for (size_t k = 0; k < index && pos < text.size(); ++k) pos += Utf8CharLength(text, pos);
  return pos;
}

}  // namespace vigy::lisp
