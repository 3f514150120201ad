// The source of the library written in the language itself, in chunks
// compiled and run in order (see library_source.cc).
#pragma once

#include <span>
#include <string_view>

namespace vigy::lisp {

std::span<const std::string_view> LibrarySourceChunks();

}  // namespace vigy::lisp
