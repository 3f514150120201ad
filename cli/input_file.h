// A file the command line reads as input (a program, an export): a regular
// file, or stdin for "-", opened so that a FIFO with no writer cannot hang
// the command, and refused with one line when it is not a regular file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"

namespace vigy::cli {

class InputFile {
 public:
  // Opens `path` ("-": stdin, which is not closed). kInvalidArgument
  // "cannot read 'PATH': REASON" when it cannot be opened, or is a
  // directory, a device or a FIFO.
  static core::Result<InputFile> Open(const std::string& path);

  InputFile(InputFile&& other) noexcept : fd_(other.fd_), size_(other.size_) { other.fd_ = -1; }
  InputFile& operator=(InputFile&&) = delete;
  InputFile(const InputFile&) = delete;
  ~InputFile();

  int fd() const { return fd_; }
  // The file's size when opened; unset for stdin.
  std::optional<uint64_t> size() const { return size_; }

 private:
  InputFile(int fd, std::optional<uint64_t> size) : fd_(fd), size_(size) {}

  int fd_;
  std::optional<uint64_t> size_;
};

// kInvalidArgument "cannot read 'PATH': REASON".
core::Status CannotRead(const std::string& path, const std::string& reason);

}  // namespace vigy::cli
