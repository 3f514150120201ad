// vigy check FILE...: parse and compile programs, reporting every error.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/program_file.h"
#include "core/ops_programs.h"

namespace vigy::cli {
namespace {

nlohmann::json ErrorJson(const lisp::SourcePos& pos, const std::string& message) {
  return nlohmann::json{{"line", pos.line}, {"col", pos.col}, {"message", message}};
}

}  // namespace

void SetupCheck(CLI::App& sub, CheckOptions& options) {
  sub.add_option("FILE", options.files, "programs to check (- for stdin)")
      ->required()
      ->type_name("");
  sub.footer(
      "Reports syntax errors, unbound names and wrong arities of builtins and global\n"
      "functions as file:line:col: message, with the line and a caret, on stderr.\n"
      "With --json prints [{\"file\", \"ok\", \"errors\": [{\"line\", \"col\", \"message\"}]}]\n"
      "on stdout instead (line and col are 0 when unknown). Exits 0 if every file\n"
      "compiles and has at least one form (what add accepts), else 1.");
}

core::Status RunCheck(const Invocation& inv, const CheckOptions& options) {
  nlohmann::json report = nlohmann::json::array();
  int failed = 0;
  for (const std::string& path : options.files) {
    nlohmann::json entry{{"file", path}, {"ok", true}, {"errors", nlohmann::json::array()}};
    auto file = ReadProgramFile(path);
    if (!file.ok()) {
      ++failed;
      entry["ok"] = false;
      entry["errors"].push_back(ErrorJson({}, file.status().message()));
      if (!inv.global.json) inv.out.Error(file.status().message());
      report.push_back(std::move(entry));
      continue;
    }
    // What add would refuse, check refuses too: `check f && add f` holds.
    std::vector<lisp::Diagnostic> errors;
    core::Status storable = core::CheckStorableProgram(file->text, file->name, &errors);
    if (storable.ok()) {
      if (!inv.global.json && inv.global.verbosity > 0) {
        inv.out.Print(fmt::format("{}: {}\n", file->name, inv.out.Paint(Style::kGreen, "ok")));
      }
    } else if (!errors.empty()) {  // it does not compile
      ++failed;
      entry["ok"] = false;
      for (const lisp::Diagnostic& d : errors) {
        entry["errors"].push_back(ErrorJson(d.pos, d.message));
      }
      if (!inv.global.json) PrintDiagnostics(inv.out, errors, file->text);
    } else {  // it compiles, but is empty
      ++failed;
      entry["ok"] = false;
      entry["errors"].push_back(ErrorJson({}, storable.message()));
      if (!inv.global.json) inv.out.Error(storable.message());
    }
    report.push_back(std::move(entry));
  }
  if (inv.global.json) inv.out.PrintJson(report);
  if (failed == 0) return core::Status::Ok();
  if (inv.global.json || options.files.size() == 1) return core::Status::Failed("");
  return core::Status::Failed(
      fmt::format("{} of {} files failed to compile", failed, options.files.size()));
}

}  // namespace vigy::cli
