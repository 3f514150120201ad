#include "core/host_functions.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/shell.h"
#include "lisp/builtin_args.h"
#include "lisp/machine.h"
#include "lisp/map.h"

namespace vigy::core {
namespace {

using lisp::Args;
using lisp::Machine;
using lisp::Value;

// A path argument as a C string (a NUL inside it could only name another file).
std::string PathArg(Machine& m, Value v) {
  std::string_view path = lisp::ArgString(m, v, "string path");
  if (path.find('\0') != std::string_view::npos) {
    m.Fail("value", fmt::format("path with a NUL byte in '{}'", m.builtin_name()));
  }
  return std::string(path);
}

bool IsMissing(int error) { return error == ENOENT || error == ENOTDIR; }

[[noreturn]] void FailIo(Machine& m, const std::string& path, int error) {
  m.Fail("io",
         fmt::format("'{}' cannot read '{}': {}", m.builtin_name(), path, std::strerror(error)));
}

Value Assoc(Machine& m, Value map, std::string_view key, Value value) {
  return lisp::MapAssoc(m.arena(), map, lisp::MakeString(m.arena(), key), value);
}

Value Sh(Machine& m, Args a) {
  std::string_view command = lisp::ArgString(m, a[0], "string command");
  int64_t timeout_ms = kShellDefaultTimeoutMs;
  if (a.size() > 1) {
    timeout_ms = lisp::ArgInt(m, a[1], "integer timeout-ms");
    if (timeout_ms < 0) {
      m.Fail("value", fmt::format("'sh' needs a non-negative timeout-ms, got {}", timeout_ms));
    }
  }
  // Out of time already: fail on the evaluation's limit rather than run.
  m.CheckLimits();
  // RemainingMs() rounds down; one more millisecond makes sure the deadline
  // has passed when the command is stopped for it, so the limit fires below.
  timeout_ms = std::min(timeout_ms, m.RemainingMs() + 1);

  ShellResult result = RunShell(command, std::chrono::milliseconds(timeout_ms), kShellOutputCap);
  // If the evaluation's own time ran out meanwhile, that limit wins.
  m.CheckLimits();

  Value map = Value::Map(nullptr);
  map = Assoc(m, map, "exit", Value::Int(result.exit));
  map = Assoc(m, map, "out", lisp::MakeString(m.arena(), result.out));
  map = Assoc(m, map, "err", lisp::MakeString(m.arena(), result.err));
  map = Assoc(m, map, "timed-out", Value::Bool(result.timed_out));
  map = Assoc(m, map, "truncated", Value::Bool(result.out_truncated || result.err_truncated));
  return map;
}

Value ReadFile(Machine& m, Args a) {
  std::string path = PathArg(m, a[0]);
  // O_NONBLOCK so that opening a FIFO cannot hang; only regular files are read.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (IsMissing(errno)) return Value::Nil();
    FailIo(m, path, errno);
  }
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    FailIo(m, path, error);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    if (S_ISDIR(info.st_mode)) FailIo(m, path, EISDIR);
    m.Fail("io", fmt::format("'read-file' cannot read '{}': not a regular file", path));
  }
  std::string contents;
  char buf[64 * 1024];
  int error = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = errno;
    if (n <= 0) break;
    if (contents.size() + static_cast<size_t>(n) > kReadFileCap) {
      ::close(fd);
      m.Fail("io", fmt::format("'read-file' cannot read '{}': larger than {} MiB", path,
                               kReadFileCap >> 20));
    }
    contents.append(buf, static_cast<size_t>(n));
    m.Charge(1);
  }
  ::close(fd);
  if (error != 0) FailIo(m, path, error);
  return lisp::MakeString(m.arena(), contents);
}

Value FileExists(Machine& m, Args a) {
  std::string path = PathArg(m, a[0]);
  struct stat info;
  return Value::Bool(::stat(path.c_str(), &info) == 0);
}

Value FileMtime(Machine& m, Args a) {
  std::string path = PathArg(m, a[0]);
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (IsMissing(errno)) return Value::Nil();
    FailIo(m, path, errno);
  }
  return Value::Int(int64_t{info.st_mtim.tv_sec} * 1000 + info.st_mtim.tv_nsec / 1'000'000);
}

Value Getenv(Machine& m, Args a) {
  std::string name(lisp::ArgString(m, a[0], "string name"));
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return Value::Nil();
  return lisp::MakeString(m.arena(), value);
}

Value NowMs(Machine&, Args) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Value::Int(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

constexpr lisp::BuiltinSpec kHostBuiltins[] = {
    {"sh", 1, 2, Sh},
    {"read-file", 1, 1, ReadFile},
    {"file-exists?", 1, 1, FileExists},
    {"file-mtime", 1, 1, FileMtime},
    {"getenv", 1, 1, Getenv},
    {"now-ms", 0, 0, NowMs},
};

}  // namespace

std::span<const lisp::BuiltinSpec> HostBuiltins() { return kHostBuiltins; }

}  // namespace vigy::core
