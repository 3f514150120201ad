#include "core/ops_export.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json_fields.h"
#include "core/model_json.h"
#include "core/ops_programs.h"
#include "core/selector.h"
#include "core/time_format.h"
#include "core/vigy_settings.h"

namespace vigy::core {

using nlohmann::json;

namespace {

// The keys that tell the lines apart.
constexpr const char* kHeaderKey = "vigy_export";
constexpr const char* kEndKey = "vigy_export_end";
constexpr const char* kVigyKey = "vigy";
constexpr const char* kRunKey = "run";

// Compact JSON, as every line is written; invalid UTF-8 is replaced.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A line of one field, {"KEY":VALUE}: the lines are built as text so their
// fields keep the order of the format.
std::string OneField(std::string_view key, const json& value) {
  return fmt::format("{{{}:{}}}", Dump(json(std::string(key))), Dump(value));
}

// {desired, observed, conditions, updated_at}: the state object of the JSON
// output, with when a tick last declared it.
json StateJson(const StateSnapshot& snapshot) {
  json j = ToJson(snapshot.state);
  j["updated_at"] = FormatRfc3339Ms(snapshot.updated_at_ms);
  return j;
}

std::string VigyLine(const Vigy& vigy, const VigyRuntime& runtime,
                     const std::optional<StateSnapshot>& state, const Kv& kv) {
  return fmt::format("{{\"vigy\":{},\"runtime\":{},\"state\":{},\"kv\":{}}}", Dump(ToJson(vigy)),
                     Dump(ToJson(runtime)), state ? Dump(StateJson(*state)) : "null",
                     Dump(KvToJson(kv, /*include_reserved=*/true)));
}

std::string SizeInMiB(size_t bytes) { return fmt::format("{} MiB", bytes >> 20); }

// ---- reading ----

// What ToJson(VigyRuntime) writes, read back.
Result<VigyRuntime> RuntimeFromJson(const json& j) {
  VigyRuntime runtime;
  JsonFields f(j, "runtime");
  f.Int("tick_count", runtime.tick_count);
  f.Int("consecutive_failures", runtime.consecutive_failures);
  std::optional<int64_t> last_tick;
  f.OptTime("last_tick", last_tick);
  f.OptString("last_result", runtime.last_result);
  std::optional<int64_t> last_run_at;
  f.OptTime("last_run_at", last_run_at);
  std::optional<int64_t> backoff_until;
  f.OptTime("backoff_until", backoff_until);
  f.OptTime("next_due", runtime.next_due_ms);
  if (!f.status().ok()) return f.status();
  if (runtime.tick_count < 0 || runtime.consecutive_failures < 0) {
    return Status::InvalidArgument("runtime: the counts must be 0 or more");
  }
  if (runtime.last_result && *runtime.last_result != kResultOk &&
      *runtime.last_result != kResultFailed && *runtime.last_result != kResultSkipped) {
    return Status::InvalidArgument(
        fmt::format("runtime: unknown last_result '{}'", *runtime.last_result));
  }
  runtime.last_tick_ms = last_tick.value_or(-1);
  runtime.last_run_at_ms = last_run_at.value_or(-1);
  runtime.backoff_until_ms = backoff_until.value_or(0);
  return runtime;
}

Result<StateSnapshot> StateFromJson(const json& j) {
  Result<VigyState> state = VigyStateFromJson(j);
  if (!state.ok()) return state.status();
  StateSnapshot snapshot;
  snapshot.state = std::move(state).value();
  JsonFields f(j, "state");
  f.Time("updated_at", snapshot.updated_at_ms);
  if (!f.status().ok()) return f.status();
  return snapshot;
}

// The settings that give a fresh vigy the record's schedule, labels, limits,
// handler and enabled flag: checking them checks the record by the rules of
// `vigy add` (vigy_settings.h).
VigySettings SettingsOf(const Vigy& vigy) {
  VigySettings settings;
  const Schedule& schedule = vigy.schedule;
  if (schedule.kind == ScheduleKind::kEvery) settings.every = GivenMs{schedule.every_ms, ""};
  if (schedule.kind == ScheduleKind::kCron) settings.cron = schedule.cron;
  if (schedule.kind != ScheduleKind::kNone || schedule.jitter_ms != 0) {
    settings.jitter = GivenMs{schedule.jitter_ms, ""};
  }
  settings.labels = vigy.labels;
  if (vigy.timeout_ms) settings.timeout = GivenMs{*vigy.timeout_ms, ""};
  settings.max_steps = vigy.max_steps;
  settings.handler = vigy.handler;
  settings.enabled = vigy.enabled;
  return settings;
}

// The record as `vigy add` would take it; its revision is recomputed from
// its program.
Status CheckVigy(Vigy& vigy) {
  if (Status s = ValidateVigyName(vigy.name); !s.ok()) return s;
  const std::string who = fmt::format("vigy '{}'", vigy.name);
  if (std::string id = VigyIdFromName(vigy.name); vigy.id != id) {
    return Status::InvalidArgument(
        fmt::format("{}: id '{}' is not the id of that name ({})", who, vigy.id, id));
  }
  if (Status s = CheckVigySettings(SettingsOf(vigy), /*for_update=*/false); !s.ok()) {
    return Status::InvalidArgument(fmt::format("{}: {}", who, s.message()));
  }
  std::vector<lisp::Diagnostic> diagnostics;
  if (Status s = CheckStorableProgram(vigy.program, vigy.name, &diagnostics); !s.ok()) {
    std::string first = diagnostics.empty() ? "" : fmt::format(" ({})", diagnostics[0].Format());
    return Status::InvalidArgument(fmt::format("{}: {}{}", who, s.message(), first));
  }
  vigy.revision = Revision(vigy.program);
  return Status::Ok();
}

// A run id as the store gives them (20 hex digits), or any 1-64 characters
// of [A-Za-z0-9._-].
bool IsRunId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// `status` with `more` appended to its message, keeping its code.
Status WithMore(const Status& status, std::string_view more) {
  std::string message = fmt::format("{}{}", status.message(), more);
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Status::Code::kConflict:
      return Status::Conflict(std::move(message));
    case Status::Code::kStoreUnusable:
      return Status::StoreUnusable(std::move(message));
    case Status::Code::kInterrupted:
      return Status::Interrupted(std::move(message));
    case Status::Code::kOk:
    case Status::Code::kFailed:
      break;
  }
  return Status::Failed(std::move(message));
}

// "'a', 'b' and 3 more"
std::string QuotedNames(const std::vector<std::string>& names) {
  constexpr size_t kShown = 5;
  std::string text;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) {
    text += fmt::format("{}'{}'", i == 0 ? "" : ", ", names[i]);
  }
  if (names.size() > kShown) text += fmt::format(" and {} more", names.size() - kShown);
  return text;
}

}  // namespace

// ---- export ----

Status CheckExportRequest(const ExportRequest& request) {
  if (request.selector) return ParseSelector(*request.selector).status();
  return Status::Ok();
}

Result<ExportSummary> ExportStore(Store& store, const ExportRequest& request,
                                  const std::function<Status(std::string_view line)>& write) {
  if (Status s = CheckExportRequest(request); !s.ok()) return s;
  Result<Selector> selector = Selector();
  if (request.selector) selector = ParseSelector(*request.selector);
  if (!selector.ok()) return selector.status();

  Result<std::vector<VigyListing>> listings = store.ListVigies(/*with_programs=*/true);
  if (!listings.ok()) return listings.status();
  std::string header =
      fmt::format("{{\"vigy_export\":{},\"version\":{},\"exported_at\":{}}}", kExportFormatVersion,
                  Dump(json(request.version)), Dump(json(FormatRfc3339Ms(SystemNowMs()))));
  if (Status s = write(header); !s.ok()) return s;

  ExportSummary summary;
  for (const VigyListing& listing : *listings) {
    const Vigy& vigy = listing.vigy;
    if (!selector->Matches(vigy.labels)) continue;
    std::vector<RunRecord> runs;
    if (request.runs) {
      Result<std::vector<RunRecord>> newest_first = store.ListRuns(RunQuery{.vigy_id = vigy.id});
      if (!newest_first.ok()) return newest_first.status();
      runs.assign(newest_first->rbegin(), newest_first->rend());
    }
    // Read after the runs: a tick committed meanwhile counts in them.
    Result<VigyRuntime> runtime = store.GetRuntime(vigy.id);
    if (!runtime.ok() && runtime.status().code() == Status::Code::kNotFound) continue;  // removed
    if (!runtime.ok()) return runtime.status();
    Result<std::optional<StateSnapshot>> state = store.GetState(vigy.id);
    if (!state.ok()) return state.status();
    Result<Kv> kv = store.KvList(vigy.id);
    if (!kv.ok()) return kv.status();

    std::string line = VigyLine(vigy, *runtime, *state, *kv);
    if (line.size() > kMaxExportLineBytes) {
      return Status::Failed(
          fmt::format("vigy '{}' does not fit in one export line: its record, state and kv take "
                      "{} bytes, more than {}",
                      vigy.name, line.size(), SizeInMiB(kMaxExportLineBytes)));
    }
    if (Status s = write(line); !s.ok()) return s;
    ++summary.vigies;
    for (const RunRecord& run : runs) {
      std::string run_line = OneField(kRunKey, ToJson(run));
      if (run_line.size() > kMaxExportLineBytes) {
        return Status::Failed(fmt::format(
            "run {} of vigy '{}' does not fit in one export line: {} bytes, more than {}", run.id,
            vigy.name, run_line.size(), SizeInMiB(kMaxExportLineBytes)));
      }
      if (Status s = write(run_line); !s.ok()) return s;
      ++summary.runs;
    }
  }
  json counts = json::object();
  counts["vigies"] = summary.vigies;
  counts["runs"] = summary.runs;
  if (Status s = write(OneField(kEndKey, counts)); !s.ok()) return s;
  return summary;
}

// ---- reading an export ----

Status ExportReader::Problem(std::string message) {
  if (status_.ok()) {
    status_ = Status::InvalidArgument(fmt::format("line {}: {}", line_, message));
  }
  return status_;
}

Status ExportReader::LineTooLong() {
  if (!status_.ok()) return status_;
  ++line_;
  return Problem(fmt::format("longer than {}, the most a line of an export may be",
                             SizeInMiB(kMaxExportLineBytes)));
}

Status ExportReader::AddLine(std::string_view line) {
  if (!status_.ok()) return status_;
  ++line_;
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return Status::Ok();
  if (Status s = ReadLine(line); !s.ok()) return Problem(s.message());
  return Status::Ok();
}

Status ExportReader::ReadLine(std::string_view line) {
  json j;
  std::string why;
  if (!lisp::ParseJson(line, &j, &why)) {
    // The position within the line is enough: the line is named already.
    constexpr std::string_view kLineOne = "at line 1, column";
    if (size_t at = why.find(kLineOne); at != std::string::npos) {
      why.replace(at, kLineOne.size(), "at column");
    }
    if (stage_ == Stage::kHeader) {
      return Status::InvalidArgument(fmt::format("not a vigy export: not JSON ({})", why));
    }
    return Status::InvalidArgument(fmt::format("not JSON ({})", why));
  }
  if (stage_ == Stage::kHeader) return ReadHeader(j);
  if (stage_ == Stage::kEnded) {
    return Status::InvalidArgument(
        fmt::format("a line after the end line ({{\"{}\": ...}})", kEndKey));
  }
  if (!j.is_object()) return Status::InvalidArgument("not a JSON object");
  if (j.contains(kVigyKey)) return ReadVigy(j);
  if (j.contains(kRunKey)) return ReadRun(j);
  if (j.contains(kEndKey)) return ReadEnd(j);
  if (j.contains(kHeaderKey)) {
    return Status::InvalidArgument("a second header line (two exports joined together?)");
  }
  return Status::InvalidArgument(
      "neither a vigy nor a run: expected {\"vigy\": ...}, {\"run\": ...} or the end line "
      "{\"vigy_export_end\": ...}");
}

Status ExportReader::ReadHeader(const json& j) {
  if (!j.is_object() || !j.contains(kHeaderKey)) {
    return Status::InvalidArgument(
        "not a vigy export: the first line must be its header {\"vigy_export\": 1, ...}");
  }
  JsonFields f(j, "header");
  int64_t version = 0;
  f.Int(kHeaderKey, version);
  if (!f.status().ok()) return f.status();
  if (version != kExportFormatVersion) {
    return Status::InvalidArgument(fmt::format(
        "unknown export version {} (this vigy reads version {})", version, kExportFormatVersion));
  }
  stage_ = Stage::kBody;
  return Status::Ok();
}

Status ExportReader::ReadVigy(const json& j) {
  JsonFields f(j, "vigy line");
  const json* vigy_json = f.Object(kVigyKey);
  if (!f.status().ok()) return f.status();
  Result<Vigy> vigy = VigyFromJson(*vigy_json);
  if (!vigy.ok()) return vigy.status();
  VigyImport record;
  record.vigy = std::move(vigy).value();
  if (Status s = CheckVigy(record.vigy); !s.ok()) return s;
  const std::string& name = record.vigy.name;
  const std::string who = fmt::format("vigy '{}'", name);
  if (auto seen = vigy_lines_.find(name); seen != vigy_lines_.end()) {
    return Status::InvalidArgument(
        fmt::format("{} is there twice (also on line {})", who, seen->second));
  }

  // Absent or null: fresh counters, no state, an empty kv.
  auto present = [&j](const char* key) {
    auto it = j.find(key);
    return it != j.end() && !it->is_null() ? &*it : nullptr;
  };
  if (const json* runtime = present("runtime")) {
    Result<VigyRuntime> read = RuntimeFromJson(*runtime);
    if (!read.ok()) return WithMore(read.status(), fmt::format(" (of {})", who));
    record.runtime = *read;
  }
  if (const json* state = present("state")) {
    Result<StateSnapshot> read = StateFromJson(*state);
    if (!read.ok()) return WithMore(read.status(), fmt::format(" (of {})", who));
    record.state = std::move(read).value();
  }
  if (const json* kv = present("kv")) {
    if (!kv->is_object()) {
      return Status::InvalidArgument(fmt::format("{}: field 'kv' must be an object", who));
    }
    for (const auto& [key, value] : kv->items()) {
      if (Status s = ValidateKvKey(key); !s.ok()) {
        return Status::InvalidArgument(fmt::format("{}: {}", who, s.message()));
      }
      record.kv.emplace(key, value);
    }
  }
  vigy_lines_.emplace(name, line_);
  vigies_.push_back(std::move(record));
  return Status::Ok();
}

Status ExportReader::ReadRun(const json& j) {
  if (vigies_.empty())
    return Status::InvalidArgument("a run before any vigy (a run follows its vigy)");
  JsonFields f(j, "run line");
  const json* run_json = f.Object(kRunKey);
  if (!f.status().ok()) return f.status();
  Result<RunRecord> run = RunRecordFromJson(*run_json);
  if (!run.ok()) return run.status();
  VigyImport& record = vigies_.back();
  const Vigy& vigy = record.vigy;
  if (!IsRunId(run->id)) {
    return Status::InvalidArgument(
        fmt::format("run id '{}' is not 1-64 of A-Z a-z 0-9 . _ -", run->id));
  }
  if (run->vigy_id != vigy.id || run->vigy_name != vigy.name) {
    return Status::InvalidArgument(
        fmt::format("run {} is a run of vigy '{}' ({}), but follows vigy '{}' ({})", run->id,
                    run->vigy_name, run->vigy_id, vigy.name, vigy.id));
  }
  if (auto seen = run_lines_.find(run->id); seen != run_lines_.end()) {
    return Status::InvalidArgument(
        fmt::format("run {} is there twice (also on line {})", run->id, seen->second));
  }
  if (run->tick < 1) {
    return Status::InvalidArgument(
        fmt::format("run {}: tick {} (ticks count from 1)", run->id, run->tick));
  }
  if (!record.runs.empty() && run->tick <= record.runs.back().tick) {
    return Status::InvalidArgument(
        fmt::format("run {}: tick {} does not follow tick {} (runs go oldest first)", run->id,
                    run->tick, record.runs.back().tick));
  }
  if (run->tick > record.runtime.tick_count) {
    return Status::InvalidArgument(fmt::format("run {}: tick {} is past vigy '{}''s tick count {}",
                                               run->id, run->tick, vigy.name,
                                               record.runtime.tick_count));
  }
  run_lines_.emplace(run->id, line_);
  record.runs.push_back(std::move(run).value());
  ++runs_;
  return Status::Ok();
}

Status ExportReader::ReadEnd(const json& j) {
  JsonFields f(j, "end line");
  const json* counts = f.Object(kEndKey);
  if (!f.status().ok()) return f.status();
  JsonFields c(*counts, "end line");
  int64_t vigies = 0;
  int64_t runs = 0;
  c.Int("vigies", vigies);
  c.Int("runs", runs);
  if (!c.status().ok()) return c.status();
  const int64_t read = static_cast<int64_t>(vigies_.size());
  if (vigies != read || runs != runs_) {
    return Status::InvalidArgument(
        fmt::format("the end line counts {} vigies and {} runs, but {} and {} came before it",
                    vigies, runs, read, runs_));
  }
  stage_ = Stage::kEnded;
  return Status::Ok();
}

Result<std::vector<VigyImport>> ExportReader::Finish() {
  if (!status_.ok()) return status_;
  if (stage_ == Stage::kHeader) {
    ++line_;
    return Problem("the input is empty: not a vigy export");
  }
  if (stage_ == Stage::kBody) {
    ++line_;
    return Problem(fmt::format(
        "the export ends before its end line {{\"{}\": ...}}: it was cut short", kEndKey));
  }
  return std::move(vigies_);
}

// ---- import ----

Result<ImportSummary> ImportVigies(Store& store, const std::vector<VigyImport>& vigies,
                                   bool replace) {
  // Every vigy is looked for first, so that a refusal writes nothing.
  std::vector<bool> exists(vigies.size(), false);
  std::vector<std::string> taken;
  for (size_t i = 0; i < vigies.size(); ++i) {
    const Vigy& vigy = vigies[i].vigy;
    Result<Vigy> existing = store.GetVigy(vigy.id);
    if (!existing.ok()) {
      if (existing.status().code() != Status::Code::kNotFound) return existing.status();
      continue;
    }
    if (existing->name != vigy.name) {
      return Status::Conflict(
          fmt::format("vigy '{}' would have the same id ({}) as vigy '{}'; nothing was imported",
                      vigy.name, vigy.id, existing->name));
    }
    exists[i] = true;
    taken.push_back(vigy.name);
  }
  if (!replace && !taken.empty()) {
    return Status::Conflict(
        taken.size() == 1
            ? fmt::format("vigy {} already exists (use --replace to overwrite it); nothing was "
                          "imported",
                          QuotedNames(taken))
            : fmt::format("vigies {} already exist (use --replace to overwrite them); nothing "
                          "was imported",
                          QuotedNames(taken)));
  }

  ImportSummary summary;
  for (size_t i = 0; i < vigies.size(); ++i) {
    const VigyImport& record = vigies[i];
    if (Status s = store.ImportVigy(record, replace); !s.ok()) {
      std::string outcome =
          summary.imported.empty()
              ? "; nothing was imported"
              : fmt::format("; {} vigies were imported before it ({}), the rest were not",
                            summary.imported.size(), QuotedNames(summary.imported));
      if (summary.imported.size() == 1) {
        outcome = fmt::format("; vigy {} was imported before it, the rest were not",
                              QuotedNames(summary.imported));
      }
      return WithMore(s, outcome);
    }
    summary.imported.push_back(record.vigy.name);
    if (exists[i]) summary.replaced.push_back(record.vigy.name);
    summary.runs += static_cast<int64_t>(record.runs.size());
  }
  return summary;
}

}  // namespace vigy::core
