#include "http/access_token.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigy::http {
namespace {

using core::Status;

constexpr size_t kMinTokenLength = 16;
constexpr size_t kMaxTokenFileBytes = 4096;

std::string Trimmed(const std::string& text) {
  const char* space = " \t\r\n";
  size_t begin = text.find_first_not_of(space);
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(space);
  return text.substr(begin, end - begin + 1);
}

}  // namespace

std::string DefaultTokenPath(const std::string& store_path) { return store_path + ".http-token"; }

core::Result<std::string> RandomHex32() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::StoreUnusable(
          fmt::format("cannot make a token: getrandom: {}", std::strerror(errno)));
    }
    got += static_cast<size_t>(n);
  }
  std::string hex;
  for (unsigned char byte : bytes) hex += fmt::format("{:02x}", byte);
  return hex;
}

core::Result<AccessToken> ReadAccessToken(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return Status::InvalidArgument(
        fmt::format("cannot read token file '{}': {}", path, std::strerror(errno)));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Status::InvalidArgument(fmt::format("token file '{}' is not a regular file", path));
  }
  if ((st.st_mode & 077) != 0) {
    close(fd);
    return Status::InvalidArgument(fmt::format(
        "token file '{}' can be {} by others (mode {:04o}); only its owner may read it: "
        "chmod 600 '{}'",
        path, (st.st_mode & 022) != 0 ? "written" : "read", st.st_mode & 07777, path));
  }
  if (st.st_uid != geteuid()) {
    close(fd);
    return Status::InvalidArgument(
        fmt::format("token file '{}' belongs to another user (uid {}); serve's user must own it",
                    path, st.st_uid));
  }
  std::string text(kMaxTokenFileBytes + 1, '\0');
  ssize_t n = read(fd, text.data(), text.size());
  close(fd);
  if (n < 0) {
    return Status::InvalidArgument(
        fmt::format("cannot read token file '{}': {}", path, std::strerror(errno)));
  }
  if (static_cast<size_t>(n) > kMaxTokenFileBytes) {
    return Status::InvalidArgument(
        fmt::format("token file '{}' is larger than {} bytes", path, kMaxTokenFileBytes));
  }
  text.resize(static_cast<size_t>(n));
  std::string token = Trimmed(text);
  if (token.size() < kMinTokenLength) {
    return Status::InvalidArgument(fmt::format(
        "token file '{}' holds a token shorter than {} characters", path, kMinTokenLength));
  }
  for (char c : token) {
    if (c <= ' ' || c > '~') {
      return Status::InvalidArgument(
          fmt::format("token file '{}': the token must be one word of printable ASCII", path));
    }
  }
  return AccessToken{std::move(token), path, false};
}

core::Result<AccessToken> EnsureAccessToken(const std::string& store_path) {
  const std::string path = DefaultTokenPath(store_path);
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) return ReadAccessToken(path);
  core::Result<std::string> token = RandomHex32();
  if (!token.ok()) return token.status();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return ReadAccessToken(path);  // made meanwhile
    return Status::StoreUnusable(
        fmt::format("cannot create token file '{}': {}", path, std::strerror(errno)));
  }
  const std::string line = *token + "\n";
  bool written = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  written = fsync(fd) == 0 && written;
  close(fd);
  if (!written) {
    unlink(path.c_str());
    return Status::StoreUnusable(fmt::format("cannot write token file '{}'", path));
  }
  return AccessToken{std::move(token).value(), path, true};
}

bool TokensEqual(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i]) ^
            static_cast<unsigned char>(expected.empty() ? 0 : expected[i % expected.size()]);
  }
  return diff == 0 && !expected.empty();
}

}  // namespace vigy::http
