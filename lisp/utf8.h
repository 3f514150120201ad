// Walking UTF-8 text by character, for the string builtins that index by
// character. Boundaries agree with CountChars (value.cc): a character starts
// at every byte that is not a continuation byte (10xxxxxx); stray continuation
// bytes belong to the character before them (or, at the very start, to the
// first character).
#pragma once

#include <cstddef>
#include <string_view>

namespace vigy::lisp {

// Byte length of the character starting at text[pos] (pos < text.size()).
size_t Utf8CharLength(std::string_view text, size_t pos);

// Byte offset of character number `index`; text.size() when index is the
// character count or more.
size_t Utf8Offset(std::string_view text, size_t index);

// Byte offset of the first byte that does not belong to well-formed UTF-8
// (overlong forms, surrogates and code points past U+10FFFF included), or
// text.size() when all of it is valid.
size_t FirstInvalidUtf8(std::string_view text);

}  // namespace vigy::lisp
