// vigy import [FILE|-] [--replace]: reads what vigy export wrote into the
// store (core/ops_export.h). All of the input is read and checked before
// the store is opened, so bad input writes nothing, not even a new store.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>

#include "cli/commands.h"
#include "cli/input_file.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "core/ops_export.h"

namespace vigy::cli {
namespace {

using core::Status;

// The vigies of the export in `path` ("-": stdin), read a line at a time
// and checked (core::ExportReader). A line is never held past
// core::kMaxExportLineBytes.
core::Result<std::vector<core::VigyImport>> ReadExport(const std::string& path) {
  core::Result<InputFile> input = InputFile::Open(path);
  if (!input.ok()) return input.status();
  const int fd = input->fd();

  core::ExportReader reader;
  std::string pending;  // the line read so far
  char buffer[65536];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return CannotRead(path == "-" ? "standard input" : path, std::strerror(errno));
    if (n == 0) break;
    std::string_view chunk(buffer, static_cast<size_t>(n));
    for (size_t newline; (newline = chunk.find('\n')) != std::string_view::npos;) {
      if (pending.size() + newline > core::kMaxExportLineBytes) return reader.LineTooLong();
      pending.append(chunk.substr(0, newline));
      if (Status s = reader.AddLine(pending); !s.ok()) return s;
      pending.clear();
      chunk.remove_prefix(newline + 1);
    }
    if (pending.size() + chunk.size() > core::kMaxExportLineBytes) return reader.LineTooLong();
    pending.append(chunk);
  }
  if (!pending.empty()) {
    if (Status s = reader.AddLine(pending); !s.ok()) return s;
  }
  return reader.Finish();
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

void SetupImport(CLI::App& sub, ImportOptions& options) {
  sub.add_option("FILE", options.file, "what vigy export wrote; - (the default) for stdin")
      ->type_name("");
  sub.add_flag("--replace", options.replace,
               "overwrite vigies that exist, dropping their kv, state and runs");
  sub.footer(
      "Reads an export (vigy export) into the store, which is created if need be. All of it\n"
      "is checked first, as vigy add checks a vigy: bad input (exit 2) names the line and\n"
      "writes nothing. A vigy that already exists refuses the import (exit 4, nothing\n"
      "written) unless --replace. Each vigy is written in one transaction, with its counters,\n"
      "state, kv and runs (ids, ticks and times kept). Prints what was imported (with --json,\n"
      "{\"imported\": [names], \"replaced\": [names], \"runs\": N}).");
}

Status RunImport(const Invocation& inv, const ImportOptions& options) {
  auto vigies = ReadExport(options.file);
  if (!vigies.ok()) return vigies.status();
  auto store = OpenStore(inv.global, core::OpenMode::kCreate);
  if (!store.ok()) return store.status();
  auto summary = core::ImportVigies(**store, *vigies, options.replace);
  if (!summary.ok()) return summary.status();

  if (inv.global.json) {
    inv.out.PrintJson(nlohmann::json{
        {"imported", summary->imported}, {"replaced", summary->replaced}, {"runs", summary->runs}});
  } else if (inv.global.verbosity >= 0) {
    std::string replaced;
    if (!summary->replaced.empty()) {
      replaced = fmt::format(" ({} replaced)", summary->replaced.size());
    }
    inv.out.Print(fmt::format("imported {}{} and {}\n",
                              Plural(summary->imported.size(), "vigy", "vigies"), replaced,
                              Plural(static_cast<size_t>(summary->runs), "run", "runs")));
  }
  return Status::Ok();
}

}  // namespace vigy::cli
