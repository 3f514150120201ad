// vigy add FILE|-: register a vigy, its program checked first.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/program_file.h"
#include "cli/store_access.h"
#include "core/ids.h"
#include "core/model_json.h"
#include "core/ops_vigies.h"

namespace vigy::cli {
namespace {

using core::Status;

core::Result<std::string> ChooseName(const AddOptions& options) {
  // A given --name is checked as given: an empty one is an error, not a
  // request for the default.
  if (options.name) {
    if (Status s = core::ValidateVigyName(*options.name); !s.ok()) {
      return Status::InvalidArgument(fmt::format("bad --name: {}", s.message()));
    }
    return *options.name;
  }
  if (options.file == "-") return Status::InvalidArgument("a program read from stdin needs --name");
  std::string name = FileStem(options.file);
  if (Status s = core::ValidateVigyName(name); !s.ok()) {
    return Status::InvalidArgument(
        fmt::format("{} (the name comes from the file name; choose one with --name)", s.message()));
  }
  return name;
}

}  // namespace

void SetupAdd(CLI::App& sub, AddOptions& options) {
  sub.add_option("FILE", options.file, "the program (- for stdin, with --name)")
      ->required()
      ->type_name("");
  sub.add_option("--name", options.name,
                 "the vigy's name (default: the file name without its "
                 "extension)")
      ->type_name("N");
  AddVigyOptions(sub, options.settings, /*for_update=*/false);
  sub.add_flag("--replace", options.replace,
               "overwrite a vigy of the same name: its program and every setting are replaced, "
               "its kv and run history kept");
  sub.footer(
      "The program is compiled first; one that does not compile is refused with every error\n"
      "as file:line:col (exit 1) and nothing is written. Without --every or --cron the vigy\n"
      "is ticked only by 'vigy tick'. --cron takes 5 fields (minute resolution), 6 (seconds\n"
      "first) or a macro such as @daily. Prints the vigy's id (with --json, the vigy\n"
      "object). Exits 4 if the name is taken, unless --replace.");
}

Status RunAdd(const Invocation& inv, const AddOptions& options) {
  core::RegisterRequest request;
  auto settings = ToVigySettings(options.settings);
  if (!settings.ok()) return settings.status();
  request.settings = std::move(settings).value();
  // The settings' rules first, so a bad value is reported (exit 2) before
  // any program is read.
  if (Status s = core::CheckVigySettings(request.settings, /*for_update=*/false); !s.ok()) {
    return s;
  }
  core::Result<std::string> name = ChooseName(options);
  if (!name.ok()) return name.status();
  core::Result<ProgramFile> file = ReadProgramFile(options.file);
  if (!file.ok()) return file.status();

  request.name = *name;
  request.program = file->text;
  request.file = file->name;
  request.replace = options.replace;
  std::vector<lisp::Diagnostic> diagnostics;
  core::Result<core::Vigy> vigy = core::NewVigy(request, core::SystemNowMs(), &diagnostics);
  PrintDiagnostics(inv.out, diagnostics, file->text);
  if (!vigy.ok()) return vigy.status();

  auto store = OpenStore(inv.global, core::OpenMode::kCreate);
  if (!store.ok()) return store.status();
  auto registered = core::StoreNewVigy(**store, std::move(vigy).value(), options.replace);
  if (!registered.ok()) return registered.status();

  WarnAboutTimeZone(inv.out, registered->vigy.schedule);
  if (inv.global.json) {
    inv.out.PrintJson(core::ToJson(registered->vigy));
  } else {
    inv.out.Print(registered->vigy.id + "\n");
  }
  return Status::Ok();
}

}  // namespace vigy::cli
