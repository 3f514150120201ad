#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <stdexcept>

#include "tests/support/files.h"

namespace vigy::testing {

namespace fs = std::filesystem;

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = (fs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
  dir_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  // Give back what a test may have taken away, so that everything can go.
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ignored);
  for (auto it = fs::recursive_directory_iterator(dir_, ignored);
       it != fs::recursive_directory_iterator(); it.increment(ignored)) {
    if (it->is_directory(ignored) && !it->is_symlink(ignored)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    }
  }
  fs::remove_all(dir_, ignored);
}

std::string TempDir::File(std::string_view name) const { return (dir_ / name).string(); }

std::string TempDir::Write(std::string_view name, std::string_view contents) const {
  std::string path = File(name);
  WriteFile(path, contents);
  return path;
}

}  // namespace vigy::testing
