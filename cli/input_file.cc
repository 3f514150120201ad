#include "cli/input_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigy::cli {

core::Status CannotRead(const std::string& path, const std::string& reason) {
  return core::Status::InvalidArgument(fmt::format("cannot read '{}': {}", path, reason));
}

core::Result<InputFile> InputFile::Open(const std::string& path) {
  if (path == "-") return InputFile(STDIN_FILENO, std::nullopt);
  // Non-blocking, so that opening a FIFO with no writer cannot hang.
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return CannotRead(path, std::strerror(errno));
  InputFile file(fd, std::nullopt);
  struct stat st {};
  if (fstat(fd, &st) != 0) return CannotRead(path, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return CannotRead(path, "is a directory");
  if (!S_ISREG(st.st_mode)) {
    return CannotRead(path, "not a regular file (give a file, or - to read stdin)");
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  file.size_ = static_cast<uint64_t>(st.st_size);
  return file;
}

InputFile::~InputFile() {
  if (fd_ >= 0 && fd_ != STDIN_FILENO) close(fd_);
}

}  // namespace vigy::cli
