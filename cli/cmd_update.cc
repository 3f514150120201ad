// vigy update VIGY [FILE|-]: change a vigy's program or settings in place.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/program_file.h"
#include "cli/store_access.h"
#include "cli/vigy_printer.h"
#include "core/ids.h"
#include "storage/sqlite_store.h"

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
  if (options.file.empty() && !options.settings.any()) {
    return Status::InvalidArgument("nothing to update: give a FILE or a setting to change");
  }
  // Check the options on a scratch record first, so a bad value is reported
  // (exit 2) before any program is read or the store is opened.
  core::Vigy scratch;
  scratch.schedule.kind = core::ScheduleKind::kEvery;
  scratch.schedule.every_ms = kMinEveryMs;
  if (Status s = ApplyVigyOptions(options.settings, scratch); !s.ok()) return s;

  std::optional<ProgramFile> program;
  if (!options.file.empty()) {
    core::Result<ProgramFile> file = ReadCompilingProgram(inv.out, options.file);
    if (!file.ok()) {
      if (file.status().code() != Status::Code::kFailed) return file.status();
      return Status::Failed(file.status().message() + "; nothing was changed");
    }
    program = std::move(file).value();
  }

  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  core::Result<core::Vigy> found = (*store)->FindVigy(options.vigy);
  if (!found.ok()) return found.status();
  core::Vigy vigy = std::move(found).value();
  if (Status s = ApplyVigyOptions(options.settings, vigy); !s.ok()) return s;
  if (program) {
    vigy.program = program->text;
    vigy.revision = core::Revision(vigy.program);
  }
  int64_t now = core::SystemNowMs();
  vigy.updated_at_ms = now;
  if (Status s = (*store)->UpdateVigy(vigy); !s.ok()) return s;

  WarnAboutTimeZone(inv.out, vigy.schedule);
  if (inv.global.json) {
    inv.out.PrintJson(core::ToJson(vigy));
  } else if (inv.global.verbosity >= 0) {
    core::Result<core::VigyRuntime> runtime = (*store)->GetRuntime(vigy.id);
    inv.out.Print(FormatVigyRecord(inv.out, vigy, runtime.ok() ? &*runtime : nullptr, now));
  }
  return Status::Ok();
}

}  // namespace vigy::cli
