// `vigy export` and `vigy import`: a whole store as JSON lines, and such
// lines read back into any store (SQLite or PostgreSQL), for moving a store
// and for backups. The format (vigy(1), EXPORT FORMAT) uses the field names
// of the JSON output (core/model_json.h, core/ops_json.h):
//
//   {"vigy_export":1,"version":"0.1.0","exported_at":"2026-..."}   header
//   {"vigy":{...},"runtime":{...},"state":{...}|null,"kv":{...}}    per vigy
//   {"run":{...}}                     its runs, oldest first (export --runs)
//   {"vigy_export_end":{"vigies":N,"runs":M}}                          last
//
// "vigy" is the vigy object with its program, "runtime" its counters,
// "state" the state object with "updated_at", "kv" every key (the runtime's
// "__" keys too), "run" the run object with its actions. The last line
// makes a file cut short at a line boundary detectable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/store.h"
#include "core/vigy_import.h"
#include "lisp/json.h"

namespace vigy::core {

// The format version the header's "vigy_export" names; the only one read.
inline constexpr int64_t kExportFormatVersion = 1;
// The longest line written or read: one JSON document (lisp/json.h).
inline constexpr size_t kMaxExportLineBytes = lisp::kMaxJsonBytes;

// ---- export ----

struct ExportRequest {
  std::optional<std::string> selector = std::nullopt;  // only the vigies it matches
  bool runs = false;                                   // also every run, with its actions
  std::string version = {};                            // the header's "version": vigy's own
};

struct ExportSummary {
  int64_t vigies = 0;
  int64_t runs = 0;
};

// What can be checked without the store: kInvalidArgument for a bad selector.
Status CheckExportRequest(const ExportRequest& request);

// Hands every line of the export, in order, to `write` (compact JSON, no
// newline), stopping at the first error `write` returns. Each vigy's runs
// are read before its counters, so its counters cover every run written
// even while ticks go on; a vigy removed meanwhile is left out. kFailed
// when a vigy's line would be longer than kMaxExportLineBytes.
Result<ExportSummary> ExportStore(Store& store, const ExportRequest& request,
                                  const std::function<Status(std::string_view line)>& write);

// ---- import ----

// Reads an export one line at a time and checks all of it before anything
// is written: the header and its version, every line's JSON and fields, each
// vigy by the rules of `vigy add` (name, settings, labels, a program that
// compiles; its id must be its name's, its revision is recomputed), kv keys,
// runs (after their vigy, oldest first, ids unique, ticks within the
// vigy's tick count), and the end line with its counts. Problems are
// kInvalidArgument "line N: PROBLEM"; the first one sticks.
class ExportReader {
 public:
  // The next line, without its newline. Blank lines are skipped.
  Status AddLine(std::string_view line);
  // The next line is longer than kMaxExportLineBytes (the caller stops
  // reading it).
  Status LineTooLong();
  // Once the input has ended: the vigies read, or kInvalidArgument when it
  // is empty or ends before its end line.
  Result<std::vector<VigyImport>> Finish();

 private:
  Status Problem(std::string message);
  Status ReadLine(std::string_view line);
  Status ReadHeader(const nlohmann::json& j);
  Status ReadVigy(const nlohmann::json& j);
  Status ReadRun(const nlohmann::json& j);
  Status ReadEnd(const nlohmann::json& j);

  enum class Stage { kHeader, kBody, kEnded };
  Stage stage_ = Stage::kHeader;
  int64_t line_ = 0;  // the number of the line being read
  std::vector<VigyImport> vigies_;
  std::map<std::string, int64_t, std::less<>> vigy_lines_;  // name -> its line
  std::map<std::string, int64_t, std::less<>> run_lines_;   // run id -> its line
  int64_t runs_ = 0;
  Status status_;
};

struct ImportSummary {
  std::vector<std::string> imported;  // names, in the order given
  std::vector<std::string> replaced;  // those that replaced a vigy of the same name
  int64_t runs = 0;
};

// Writes `vigies` (from ExportReader), each in one transaction of its own
// (Store::ImportVigy), in the order given. First looks for every one of them
// in the store: without `replace`, any that exists refuses the whole import
// (kConflict naming them, nothing written); a vigy of another name with the
// same id refuses it either way. A failure part way says which vigies were
// imported before it.
Result<ImportSummary> ImportVigies(Store& store, const std::vector<VigyImport>& vigies,
                                   bool replace);

}  // namespace vigy::core
