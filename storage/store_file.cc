#include "storage/store_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vigy::storage {

using core::Result;
using core::Status;

namespace {

constexpr char kSqliteHeader[16] = "SQLite format 3";  // with its final NUL: 16 bytes

std::string Errno() { return std::strerror(errno); }

std::string DirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

unsigned Mode(const struct stat& st) { return static_cast<unsigned>(st.st_mode) & 07777; }

bool OthersCanWrite(const struct stat& st) { return (st.st_mode & (S_IWGRP | S_IWOTH)) != 0; }

Status UnsafeFile(const std::string& what, const std::string& path, const struct stat& st) {
  return Status::StoreUnusable(fmt::format(
      "{} '{}' can be written by group or others (mode {:04o}), and vigy runs the programs "
      "it holds; fix it with: chmod 600 '{}'",
      what, path, Mode(st), path));
}

Status UnsafeDirectory(const std::string& dir, const struct stat& st) {
  if ((st.st_mode & S_ISVTX) != 0) {
    // A shared directory such as /tmp: others can create the store's
    // companion files there first. chmod would break it for everyone else.
    return Status::StoreUnusable(fmt::format(
        "store directory '{}' is shared (mode {:04o}): others could plant files beside the "
        "store; keep the store in a private directory (e.g. --db ~/.local/share/vigy/vigy.db)",
        dir, Mode(st)));
  }
  return Status::StoreUnusable(fmt::format(
      "store directory '{}' can be written by group or others (mode {:04o}), so others could "
      "replace the store; fix it with: chmod 700 '{}'",
      dir, Mode(st), dir));
}

// Creates `dir` and its missing parents, each 0700.
Status MakeDirectories(const std::string& dir) {
  std::filesystem::path built;
  for (const std::filesystem::path& part : std::filesystem::path(dir)) {
    built /= part;
    if (part == "/" || part.empty()) continue;
    if (::mkdir(built.c_str(), 0700) == 0) {
      ::chmod(built.c_str(), 0700);  // whatever the umask says
      continue;
    }
    if (errno != EEXIST) {
      return Status::StoreUnusable(
          fmt::format("cannot create directory '{}' for the store: {}", built.string(), Errno()));
    }
    struct stat st;
    if (::stat(built.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::StoreUnusable(
          fmt::format("cannot create the store under '{}': it is not a directory", built.string()));
    }
  }
  return Status::Ok();
}

Status CheckDirectory(const std::string& path) {
  std::string dir = DirectoryOf(path);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    return Status::StoreUnusable(fmt::format("cannot use store directory '{}': {}", dir, Errno()));
  }
  if (OthersCanWrite(st)) return UnsafeDirectory(dir, st);
  return Status::Ok();
}

}  // namespace

Result<std::optional<int64_t>> StoreFileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<int64_t>();
    return Status::StoreUnusable(fmt::format("cannot use store '{}': {}", path, Errno()));
  }
  if (S_ISDIR(st.st_mode)) {
    return Status::StoreUnusable(
        fmt::format("store '{}' is a directory; give the path of a file inside it", path));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::StoreUnusable(fmt::format("store '{}' is not a regular file", path));
  }
  return std::optional<int64_t>(st.st_size);
}

Status CreateStoreFile(const std::string& path) {
  if (Status s = MakeDirectories(DirectoryOf(path)); !s.ok()) return s;
  // Checked before creating anything there, so a refusal leaves no file behind.
  if (Status s = CheckDirectory(path); !s.ok()) return s;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Ok();
    return Status::StoreUnusable(fmt::format("cannot create store '{}': {}", path, Errno()));
  }
  ::fchmod(fd, 0600);
  ::close(fd);
  return Status::Ok();
}

Status CheckStorePermissions(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::StoreUnusable(fmt::format("cannot use store '{}': {}", path, Errno()));
  }
  if (OthersCanWrite(st)) return UnsafeFile("store", path, st);
  for (const char* suffix : {"-wal", "-shm"}) {
    std::string companion = path + suffix;
    if (::stat(companion.c_str(), &st) == 0 && OthersCanWrite(st)) {
      return UnsafeFile("store file", companion, st);
    }
  }
  return CheckDirectory(path);
}

Status CheckSqliteHeader(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::StoreUnusable(fmt::format("cannot read store '{}': {}", path, Errno()));
  char header[sizeof(kSqliteHeader)] = {};
  ssize_t got = ::read(fd, header, sizeof(header));
  ::close(fd);
  if (got < 0)
    return Status::StoreUnusable(fmt::format("cannot read store '{}': {}", path, Errno()));
  if (got == 0) return Status::Ok();  // an empty file becomes a new store
  if (got != static_cast<ssize_t>(sizeof(header)) ||
      std::memcmp(header, kSqliteHeader, sizeof(header)) != 0) {
    return Status::StoreUnusable(fmt::format(
        "'{}' is not a vigy store (not an SQLite database); refusing to touch it", path));
  }
  return Status::Ok();
}

}  // namespace vigy::storage
