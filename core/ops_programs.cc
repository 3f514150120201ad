#include "core/ops_programs.h"

#include <fmt/format.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/tick_context.h"
#include "core/vigy.h"
#include "core/vigy_library.h"
#include "lisp/reader.h"

namespace vigy::core {
namespace {

void Append(std::vector<lisp::Diagnostic>* to, const std::vector<lisp::Diagnostic>& errors) {
  if (to) to->insert(to->end(), errors.begin(), errors.end());
}

}  // namespace

ProgramCheck CheckProgram(std::string_view source, const std::string& file) {
  ProgramCheck check;
  lisp::CompileResult compiled = lisp::Compile(VigyLibrary(), source, file);
  check.program = std::move(compiled.program);
  check.errors = std::move(compiled.errors);
  if (check.ok()) {
    lisp::Arena scratch;
    lisp::ReadOutput read;
    lisp::Diagnostic unused;
    check.empty = lisp::ReadAll(scratch, source, file, &read, &unused) && read.forms.empty();
  }
  return check;
}

Status CheckStorableProgram(std::string_view source, const std::string& file,
                            std::vector<lisp::Diagnostic>* diagnostics) {
  if (source.size() > kMaxProgramBytes) {
    return Status::InvalidArgument(fmt::format("{} is too large: {} bytes, at most {}", file,
                                               source.size(), kMaxProgramBytes));
  }
  ProgramCheck check = CheckProgram(source, file);
  if (!check.ok()) {
    Append(diagnostics, check.errors);
    return Status::Failed(fmt::format("{} does not compile", file));
  }
  // An empty program compiles, but storing it is a mistake.
  if (check.empty) {
    return Status::Failed(fmt::format("{} is empty: a program needs at least one form", file));
  }
  return Status::Ok();
}

Status ValidateWritableKvKey(std::string_view key) {
  if (Status s = ValidateKvKey(key); !s.ok()) return s;
  if (IsReservedKey(key)) {
    return Status::InvalidArgument(fmt::format(
        "kv key '{}' belongs to the runtime: keys starting with \"__\" may be read but not "
        "changed",
        key));
  }
  return Status::Ok();
}

Result<TickOutcome> RunProgram(const RunRequest& request,
                               std::vector<lisp::Diagnostic>* diagnostics) {
  for (const auto& [key, value] : request.kv) {
    if (Status s = ValidateWritableKvKey(key); !s.ok()) return s;
  }
  ProgramCheck check = CheckProgram(request.source, request.file);
  if (!check.ok()) {
    Append(diagnostics, check.errors);
    return Status::Failed(fmt::format("{} does not compile", request.file));
  }
  TickInput input;
  input.program = check.program;
  input.file = request.file;
  input.vigy_name = request.vigy_name;
  input.vigy_id = VigyIdFromName(request.vigy_name);
  input.revision = Revision(request.source);
  input.kv = request.kv;
  input.limits = request.limits;
  input.tick_ms = request.tick_ms != 0 ? request.tick_ms : SystemNowMs();
  return RunTick(input);
}

}  // namespace vigy::core
