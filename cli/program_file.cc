#include "cli/program_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <system_error>

#include "cli/output.h"
#include "core/vigy_library.h"
#include "lisp/reader.h"

namespace vigy::cli {
namespace {

core::Status CannotRead(const std::string& path, const std::string& reason) {
  return core::Status::InvalidArgument(fmt::format("cannot read '{}': {}", path, reason));
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
  if (path == "-") {
    file.name = "<stdin>";
    std::ostringstream text;
    text << std::cin.rdbuf();
    if (std::cin.bad()) return CannotRead(path, "read error");
    file.text = text.str();
    return file;
  }
  file.name = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return CannotRead(path, "is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return CannotRead(path, std::strerror(errno));
  file.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return CannotRead(path, "read error");
  return file;
}

void PrintDiagnostics(Output& out, const std::vector<lisp::Diagnostic>& diagnostics,
                      std::string_view source, std::string_view prefix) {
  for (const lisp::Diagnostic& d : diagnostics) {
    out.PrintError(fmt::format("{}{}\n", prefix, d.FormatWithSource(source)));
  }
}

core::Result<ProgramFile> ReadCompilingProgram(Output& out, const std::string& path) {
  core::Result<ProgramFile> file = ReadProgramFile(path);
  if (!file.ok()) return file.status();
  lisp::CompileResult compiled = lisp::Compile(core::VigyLibrary(), file->text, file->name);
  if (!compiled.ok()) {
    PrintDiagnostics(out, compiled.errors, file->text);
    return core::Status::Failed(fmt::format("{} does not compile", file->name));
  }
  // An empty file (or only comments) compiles, but registering it is a mistake.
  lisp::Arena scratch;
  lisp::ReadOutput read;
  lisp::Diagnostic unused;
  if (lisp::ReadAll(scratch, file->text, file->name, &read, &unused) && read.forms.empty()) {
    return core::Status::Failed(
        fmt::format("{} is empty: a program needs at least one form", file->name));
  }
  return file;
}

}  // namespace vigy::cli
