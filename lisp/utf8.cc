#include "lisp/utf8.h"

#include <cstdint>

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

size_t FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char b = static_cast<unsigned char>(text[i]);
    size_t length;
    uint32_t min;
    uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      length = 2, min = 0x80, cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      length = 3, min = 0x800, cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      length = 4, min = 0x10000, cp = b & 0x07;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      unsigned char c = static_cast<unsigned char>(text[i + k]);
      if ((c & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += length;
  }
  return text.size();
}

}  // namespace vigy::lisp
