// vigy update VIGY [FILE|-]: change a vigy's program or settings in place.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/program_file.h"
#include "cli/store_access.h"
#include "cli/vigy_printer.h"
#include "core/model_json.h"
#include "core/ops_vigies.h"

namespace vigy::cli {

using core::Status;

void SetupUpdate(CLI::App& sub, UpdateOptions& options) {
  sub.add_option("VIGY", options.vigy, "the vigy: its name, id or a unique id prefix")
      ->required()
      ->type_name("");
  sub.add_option("FILE", options.file, "a new program (- for stdin)")->type_name("");
  AddVigyOptions(sub, options.settings, /*for_update=*/true);
  sub.footer(
      "Changes only what is given: a new program (compiled first; one that does not compile\n"
      "is refused with every error as file:line:col, exit 1, and nothing is changed) and the\n"
      "settings named. --label adds or replaces a label, --unlabel removes one; the --no-*\n"
      "options take a setting away. The vigy's kv, state and run history are kept. Prints\n"
      "the vigy (with --json, the vigy object).");
}

Status RunUpdate(const Invocation& inv, const UpdateOptions& options) {
  core::UpdateRequest request;
  request.ref = options.vigy;
  auto settings = ToVigySettings(options.settings);
  if (!settings.ok()) return settings.status();
  request.settings = std::move(settings).value();
  if (options.file.empty()) {
    // Nothing to update, or a bad setting.
    if (Status s = core::CheckUpdate(request); !s.ok()) return s;
  } else {
    // A bad setting is refused (exit 2) before the program is read.
    if (Status s = core::CheckVigySettings(request.settings, /*for_update=*/true); !s.ok()) {
      return s;
    }
    core::Result<ProgramFile> file = ReadProgramFile(options.file);
    if (!file.ok()) return file.status();
    request.program = file->text;
    request.file = file->name;
    std::vector<lisp::Diagnostic> diagnostics;
    Status checked = core::CheckUpdate(request, &diagnostics);
    PrintDiagnostics(inv.out, diagnostics, file->text);
    if (!checked.ok()) return checked;
  }

  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  auto updated = core::UpdateVigy(**store, request);
  if (!updated.ok()) return updated.status();

  WarnAboutTimeZone(inv.out, updated->vigy.schedule);
  if (inv.global.json) {
    inv.out.PrintJson(core::ToJson(updated->vigy));
  } else if (inv.global.verbosity >= 0) {
    inv.out.Print(FormatVigyRecord(inv.out, updated->vigy,
                                   updated->runtime ? &*updated->runtime : nullptr,
                                   core::SystemNowMs()));
  }
  return Status::Ok();
}

}  // namespace vigy::cli
