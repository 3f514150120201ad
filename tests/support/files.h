// Whole-file reads and writes for tests.
#pragma once

#include <string>
#include <string_view>

namespace vigy::testing {

// Every byte of the file. Throws std::runtime_error naming the file if it
// cannot be opened (a test then fails with that message).
std::string ReadFile(const std::string& path);

// Replaces the file's contents with `contents`, making its parent
// directories. Throws std::runtime_error naming the file if it cannot.
void WriteFile(const std::string& path, std::string_view contents);

}  // namespace vigy::testing
