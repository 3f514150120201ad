#include "storage/serve_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace vigy::storage {

using core::Result;
using core::Status;

namespace {

// flock(LOCK_EX | LOCK_NB), again after EINTR: 0, or the errno.
int TryLock(int fd) {
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<ServeLock>> ServeLock::Acquire(const std::string& path,
                                                      std::chrono::milliseconds patience) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    return Status::StoreUnusable(
        fmt::format("cannot open store '{}' to lock it: {}", path, std::strerror(errno)));
  }
  const auto give_up = std::chrono::steady_clock::now() + patience;
  int error = TryLock(fd);
  while (error == EWOULDBLOCK && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    error = TryLock(fd);
  }
  if (error != 0) {
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return Status::Conflict(
          fmt::format("store '{}' is already being served by another process", path));
    }
    return Status::StoreUnusable(
        fmt::format("cannot lock store '{}': {}", path, std::strerror(error)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return Status::StoreUnusable(
        fmt::format("cannot read store '{}': {}", path, std::strerror(error)));
  }
  return std::unique_ptr<ServeLock>(new ServeLock(fd, path, st.st_dev, st.st_ino));
}

ServeLock::ServeLock(int fd, std::string path, dev_t device, ino_t inode)
    : fd_(fd), path_(std::move(path)), device_(device), inode_(inode) {}

ServeLock::~ServeLock() { ::close(fd_); }

bool ServeLock::StoreReadOnly() const {
  // The effective ids, as for the open(2) the connection would need now.
  if (::faccessat(AT_FDCWD, path_.c_str(), W_OK, AT_EACCESS) == 0) return false;
  return errno == EACCES || errno == EPERM || errno == EROFS;
}

bool ServeLock::StillNamesLockedFile() const {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) return false;
  return st.st_dev == device_ && st.st_ino == inode_;
}

}  // namespace vigy::storage
