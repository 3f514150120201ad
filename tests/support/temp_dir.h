// A fresh private directory for one test: made by mkdtemp (so mode 0700)
// under the system's temporary directory, removed with everything in it
// when the object goes, even where a test took away the owner's permissions.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace vigy::testing {

class TempDir {
 public:
  // `prefix` starts the directory's name, to tell tests' leftovers apart.
  explicit TempDir(std::string_view prefix = "vigy-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::string path() const { return dir_.string(); }
  // The path of `name` inside the directory (nothing is created).
  std::string File(std::string_view name) const;
  // Writes `contents` to `name` inside the directory, making its parent
  // directories; returns its path. Throws std::runtime_error if it cannot.
  std::string Write(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace vigy::testing
