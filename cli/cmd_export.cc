// vigy export [--runs] [--selector S] [-o FILE]: the store as JSON lines
// (core/ops_export.h), on stdout or into FILE, which is written whole or
// not at all.
#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/stop_signals.h"
#include "cli/store_access.h"
#include "core/ops_export.h"

namespace vigy::cli {
namespace {

using core::Status;

Status CannotWrite(const std::string& path, std::string_view reason) {
  return Status::InvalidArgument(fmt::format("cannot write '{}': {}", path, reason));
}

Status WriteFailed(const std::string& path, int error) {
  return Status::Failed(
      fmt::format("cannot write '{}': {}; nothing was written", path, std::strerror(error)));
}

// A file that appears whole or not at all: written to a temporary file
// (mode 0600) in the same directory, synced, then renamed over `path`. The
// temporary file is removed unless Commit() succeeded.
class WholeFile {
 public:
  // Where the export goes: `path` itself, or the file a symbolic link there
  // points at. An existing directory, device or FIFO is refused.
  static core::Result<std::unique_ptr<WholeFile>> Create(const std::string& path) {
    if (path.empty()) {
      return Status::InvalidArgument("--output needs a file name, got an empty one");
    }
    std::string target = path;
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      char* resolved = realpath(path.c_str(), nullptr);
      if (resolved == nullptr) return CannotWrite(path, std::strerror(errno));
      target = resolved;
      free(resolved);
    }
    if (stat(target.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return CannotWrite(path, "is a directory");
      if (!S_ISREG(st.st_mode)) {
        return CannotWrite(path, "not a regular file (leave out -o to write to standard output)");
      }
    } else if (errno != ENOENT) {
      return CannotWrite(path, std::strerror(errno));
    }
    size_t slash = target.find_last_of('/');
    std::string dir = slash == std::string::npos ? "." : target.substr(0, slash + 1);
    if (dir.empty()) dir = "/";
    std::string temp = (slash == std::string::npos ? "" : dir) + ".vigy-export-XXXXXX";
    int fd = mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) return CannotWrite(path, std::strerror(errno));
    auto file = std::unique_ptr<WholeFile>(new WholeFile(path, target, dir, temp, fd));
    if (fchmod(fd, 0600) != 0) return CannotWrite(path, std::strerror(errno));
    return file;
  }

  // The file the export replaces.
  const std::string& target() const { return target_; }

  ~WholeFile() {
    if (fd_ >= 0) close(fd_);
    if (!committed_) unlink(temp_.c_str());
  }
  WholeFile(const WholeFile&) = delete;
  WholeFile& operator=(const WholeFile&) = delete;

  Status Write(std::string_view text) {
    buffer_.append(text);
    return buffer_.size() >= kBufferBytes ? Flush() : Status::Ok();
  }

  Status Commit() {
    if (Status s = Flush(); !s.ok()) return s;
    if (fsync(fd_) != 0) return WriteFailed(path_, errno);
    int fd = fd_;
    fd_ = -1;
    if (close(fd) != 0) return WriteFailed(path_, errno);
    if (rename(temp_.c_str(), target_.c_str()) != 0) return WriteFailed(path_, errno);
    committed_ = true;
    // The rename itself, on disk: sync the directory (best effort).
    int dir_fd = open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      fsync(dir_fd);
      close(dir_fd);
    }
    return Status::Ok();
  }

 private:
  static constexpr size_t kBufferBytes = size_t{1} << 20;

  WholeFile(std::string path, std::string target, std::string dir, std::string temp, int fd)
      : path_(std::move(path)),
        target_(std::move(target)),
        dir_(std::move(dir)),
        temp_(std::move(temp)),
        fd_(fd) {}

  Status Flush() {
    size_t done = 0;
    while (done < buffer_.size()) {
      ssize_t n = write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return WriteFailed(path_, errno);
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
    return Status::Ok();
  }

  std::string path_;    // as given, for messages
  std::string target_;  // the file renamed over
  std::string dir_;
  std::string temp_;
  int fd_;
  bool committed_ = false;
  std::string buffer_;
};

// Whether `a` and `b` are the same existing file.
bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa {};
  struct stat sb {};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

void SetupExport(CLI::App& sub, ExportOptions& options) {
  sub.add_flag("--runs", options.runs, "also every run of each vigy, with its actions");
  sub.add_option("--selector,-l", options.selector,
                 "only vigies whose labels match: k=v, k!=v or k, joined by commas")
      ->type_name("S");
  sub.add_option("--output,-o", options.output,
                 "write to FILE (created 0600, replaced whole) instead of standard output")
      ->type_name("FILE");
  sub.footer(
      "Writes the store as JSON lines: a header, then per vigy one line with its record and\n"
      "program, counters, state and kv, then (with --runs) one line per run, oldest first,\n"
      "and an end line with the counts (vigy(1), EXPORT FORMAT). vigy import reads it back\n"
      "into any store. With -o, FILE appears only once all of it is written; a failed export\n"
      "leaves it as it was.");
}

Status RunExport(const Invocation& inv, const ExportOptions& options) {
  core::ExportRequest request;
  request.selector = options.selector;
  request.runs = options.runs;
  request.version = VIGY_VERSION;
  if (Status s = core::CheckExportRequest(request); !s.ok()) return s;

  std::unique_ptr<WholeFile> file;
  if (options.output) {
    auto created = WholeFile::Create(*options.output);
    if (!created.ok()) return created.status();
    file = std::move(created).value();
  }
  // A stop signal abandons the export: the temporary file goes, FILE stays.
  std::atomic<int> stopped_by{0};
  StopSignals stop([&stopped_by](int signal) { stopped_by = signal; });

  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  if (file && !StoreIsRemote(inv.global)) {
    const std::string& db = (*store)->location();
    for (const char* companion : {"", "-wal", "-shm", "-journal"}) {
      if (SameFile(file->target(), db + companion)) {
        return CannotWrite(*options.output, "it is the store itself, or part of it");
      }
    }
  }
  auto write = [&](std::string_view line) -> Status {
    if (stop.received()) {
      return Status::Interrupted(
          fmt::format("interrupted by {}; {}", SignalName(stopped_by),
                      file ? "nothing was written" : "the export is cut short"));
    }
    std::string text = fmt::format("{}\n", line);
    if (file) return file->Write(text);
    inv.out.Print(text);
    return Status::Ok();
  };
  auto summary = core::ExportStore(**store, request, write);
  if (!summary.ok()) return summary.status();

  if (!file) {
    inv.out.Flush();
    if (std::ferror(stdout)) {
      return Status::Failed(
          fmt::format("cannot write the export to standard output: {}", std::strerror(errno)));
    }
    return Status::Ok();
  }
  if (Status s = file->Commit(); !s.ok()) return s;
  if (inv.global.verbosity >= 0) {
    inv.out.Print(fmt::format("exported {} and {} to {}\n",
                              Plural(summary->vigies, "vigy", "vigies"),
                              Plural(summary->runs, "run", "runs"), *options.output));
  }
  return Status::Ok();
}

}  // namespace vigy::cli
