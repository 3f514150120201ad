// vigy add FILE|-: register a vigy, its program checked first.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/program_file.h"
#include "cli/store_access.h"
#include "core/ids.h"
#include "storage/sqlite_store.h"

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

// Overwrites the record of the vigy with the same name, keeping its creation
// time, kv, runs and counters; adds it if there is none.
Status Replace(core::Store& store, core::Vigy& vigy) {
  // Two rounds: the vigy may be removed, or added, by someone else between
  // the look and the write.
  for (int round = 0; round < 2; ++round) {
    core::Result<core::Vigy> existing = store.GetVigy(vigy.id);
    if (existing.ok() && existing->name == vigy.name) {
      vigy.created_at_ms = existing->created_at_ms;
      Status s = store.UpdateVigy(vigy);
      if (s.code() != Status::Code::kNotFound) return s;
      continue;
    }
    if (!existing.ok() && existing.status().code() != Status::Code::kNotFound) {
      return existing.status();
    }
    Status s = store.InsertVigy(vigy);
    if (s.code() != Status::Code::kConflict || existing.ok()) return s;
  }
  return Status::Conflict(fmt::format("vigy '{}' kept changing; try again", vigy.name));
}

Status Insert(core::Store& store, const core::Vigy& vigy) {
  Status s = store.InsertVigy(vigy);
  if (s.code() != Status::Code::kConflict) return s;
  core::Result<core::Vigy> existing = store.GetVigy(vigy.id);
  if (existing.ok() && existing->name == vigy.name) {
    return Status::Conflict(
        fmt::format("vigy '{}' already exists (use --replace to overwrite it)", vigy.name));
  }
  return s;
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
  core::Vigy vigy;
  if (Status s = ApplyVigyOptions(options.settings, vigy); !s.ok()) return s;
  core::Result<std::string> name = ChooseName(options);
  if (!name.ok()) return name.status();
  core::Result<ProgramFile> file = ReadCompilingProgram(inv.out, options.file);
  if (!file.ok()) {
    if (file.status().code() != Status::Code::kFailed) return file.status();
    return Status::Failed(file.status().message() + "; nothing was added");
  }

  vigy.name = *name;
  vigy.id = core::VigyIdFromName(vigy.name);
  vigy.program = file->text;
  vigy.revision = core::Revision(vigy.program);
  vigy.created_at_ms = vigy.updated_at_ms = core::SystemNowMs();

  auto store = OpenStore(inv.global, core::OpenMode::kCreate);
  if (!store.ok()) return store.status();
  Status s = options.replace ? Replace(**store, vigy) : Insert(**store, vigy);
  if (!s.ok()) return s;

  WarnAboutTimeZone(inv.out, vigy.schedule);
  if (inv.global.json) {
    inv.out.PrintJson(core::ToJson(vigy));
  } else {
    inv.out.Print(vigy.id + "\n");
  }
  return Status::Ok();
}

}  // namespace vigy::cli
