#include "cli/program_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "cli/input_file.h"
#include "cli/one_line.h"
#include "cli/output.h"
#include "core/vigy.h"

namespace vigy::cli {
namespace {

core::Status TooLarge(const std::string& path) {
  return CannotRead(path, fmt::format("larger than {} MiB, the most a program may be",
                                      core::kMaxProgramBytes >> 20));
}

}  // namespace

std::string FileStem(std::string_view path) {
  if (path == "-") return "stdin";
  size_t slash = path.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = base.find_last_of('.');
  if (dot != std::string_view::npos && dot > 0) base = base.substr(0, dot);
  return std::string(base);
}

core::Result<ProgramFile> ReadProgramFile(const std::string& path) {
  ProgramFile file;
  file.path = path;
  file.stem = FileStem(path);
  file.name = path == "-" ? "<stdin>" : path;
  core::Result<InputFile> input = InputFile::Open(path);
  if (!input.ok()) return input.status();
  if (input->size() && *input->size() > core::kMaxProgramBytes) return TooLarge(path);
  const int fd = input->fd();
  // Read one byte past the limit to tell a file at the limit from a longer
  // one (a file can grow after fstat; stdin has no size).
  char buffer[65536];
  while (file.text.size() <= core::kMaxProgramBytes) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return CannotRead(path, std::strerror(errno));
    if (n == 0) return file;
    file.text.append(buffer, static_cast<size_t>(n));
  }
  return TooLarge(path);
}

void PrintDiagnostics(Output& out, const std::vector<lisp::Diagnostic>& diagnostics,
                      std::string_view source, std::string_view prefix) {
  for (lisp::Diagnostic d : diagnostics) {
    d.message = OneLine(d.message);  // the source line and caret follow it
    out.PrintError(fmt::format("{}{}\n", prefix, d.FormatWithSource(source)));
  }
}

}  // namespace vigy::cli
