// Programs as the command line gets them: read from a file (or "-" for
// stdin), named for diagnostics, and their compile errors printed the one
// way every command prints them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "lisp/source.h"

namespace vigy::cli {

class Output;

struct ProgramFile {
  std::string path;  // as given; "-" for stdin
  std::string name;  // for diagnostics: the path, or "<stdin>"
  std::string stem;  // the file name without directory and extension; "stdin" for "-"
  std::string text;
};

// Reads the whole file (or stdin for "-"), which must be a regular file (or
// stdin) of at most core::kMaxProgramBytes. kInvalidArgument
// "cannot read 'PATH': REASON" when it cannot (a directory, a device, a FIFO,
// too large), before reading more than the limit.
core::Result<ProgramFile> ReadProgramFile(const std::string& path);

// The file name without directories and its last extension: "dir/web.vigy" ->
// "web"; "-" -> "stdin".
std::string FileStem(std::string_view path);

// Each diagnostic as "file:line:col: message", the source line and a caret,
// on stderr; `prefix` (e.g. "vigy: ") goes before each.
void PrintDiagnostics(Output& out, const std::vector<lisp::Diagnostic>& diagnostics,
                      std::string_view source, std::string_view prefix = "");

}  // namespace vigy::cli
