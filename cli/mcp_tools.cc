#include "cli/mcp_tools.h"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "cli/mcp_arguments.h"
#include "core/clock.h"
#include "core/model_json.h"
#include "core/operations.h"
#include "core/tick_pipeline.h"
#include "core/time_format.h"

namespace vigy::cli {
namespace {

using core::Status;
using nlohmann::json;

// ---- results ----

json ErrorsJson(const std::vector<lisp::Diagnostic>& diagnostics) {
  json errors = json::array();
  for (const lisp::Diagnostic& d : diagnostics) {
    errors.push_back({{"line", d.pos.line}, {"col", d.pos.col}, {"message", d.message}});
  }
  return errors;
}

McpToolResult Failure(const Status& status, const std::vector<lisp::Diagnostic>& diagnostics = {}) {
  json error = {{"code", core::CodeName(status.code())},
                {"message", status.message()},
                {"exit_code", core::ExitCode(status)}};
  if (!diagnostics.empty()) {
    error["errors"] = ErrorsJson(diagnostics);
    // Every error in the message too, for clients that show only the text.
    std::string message = status.message();
    for (const lisp::Diagnostic& d : diagnostics) message += "; " + d.Format();
    error["message"] = std::move(message);
  }
  return McpToolResult{{{"error", std::move(error)}}, true};
}

McpToolResult Success(json structured) { return McpToolResult{std::move(structured), false}; }

// The store for one call, opened on first use.
class StoreOnDemand {
 public:
  explicit StoreOnDemand(const McpStoreOpener& open) : open_(open) {}

  core::Result<core::Store*> Get(core::OpenMode mode) {
    if (!store_) {
      auto opened = open_(mode);
      if (!opened.ok()) return opened.status();
      store_ = std::move(opened).value();
    }
    return store_.get();
  }

 private:
  const McpStoreOpener& open_;
  std::unique_ptr<core::Store> store_;
};

using Handler = McpToolResult (*)(StoreOnDemand& store, McpArguments& args);

// ---- the tools ----

McpToolResult Register(StoreOnDemand& store, McpArguments& args) {
  core::RegisterRequest request;
  request.name = args.String("name");
  request.program = args.String("program");
  request.replace = true;  // the original registers, or updates the vigy of that name
  core::VigySettings& s = request.settings;
  s.cron = args.OptionalString("cron");
  s.every = args.OptionalMs("tick_interval_ms");
  if (!s.every && !s.cron) s.every = core::GivenMs{1000, "1000ms"};  // the original's default
  s.jitter = args.OptionalMs("jitter_ms");
  s.labels = args.Labels("labels");
  s.timeout = args.OptionalMs("timeout_ms");
  s.max_steps = args.OptionalInteger("max_steps");
  s.handler = args.OptionalString("handler");
  s.enabled = args.OptionalBool("enabled");
  if (!args.status().ok()) return Failure(args.status());
  std::vector<lisp::Diagnostic> diagnostics;
  core::Result<core::Vigy> vigy = core::NewVigy(request, core::SystemNowMs(), &diagnostics);
  if (!vigy.ok()) return Failure(vigy.status(), diagnostics);
  auto opened = store.Get(core::OpenMode::kCreate);
  if (!opened.ok()) return Failure(opened.status());
  auto registered = core::StoreNewVigy(**opened, std::move(vigy).value(), request.replace);
  if (!registered.ok()) return Failure(registered.status());
  json j = core::ToJson(registered->vigy);
  j["replaced"] = registered->replaced;
  return Success(std::move(j));
}

McpToolResult List(StoreOnDemand& store, McpArguments& args) {
  core::ListRequest request;
  request.selector = args.OptionalString("label_selector");
  request.limit = args.OptionalInteger("limit");
  if (!args.status().ok()) return Failure(args.status());
  if (Status s = core::CheckListRequest(request); !s.ok()) return Failure(s);
  auto opened = store.Get(core::OpenMode::kExisting);
  if (!opened.ok()) return Failure(opened.status());
  auto list = core::ListVigies(**opened, request);
  if (!list.ok()) return Failure(list.status());
  json vigies = json::array();
  for (const core::VigyListing& listing : list->vigies) vigies.push_back(core::ToJson(listing));
  return Success({{"vigies", std::move(vigies)}, {"serve_live", list->serve_live}});
}

McpToolResult Inspect(StoreOnDemand& store, McpArguments& args) {
  std::string id = args.String("id");
  if (!args.status().ok()) return Failure(args.status());
  auto opened = store.Get(core::OpenMode::kExisting);
  if (!opened.ok()) return Failure(opened.status());
  auto detail = core::ShowVigy(**opened, id);
  if (!detail.ok()) return Failure(detail.status());
  json j = core::ToJson(*detail);
  j["recent_runs"] = std::move(j["runs"]);  // the original's name
  j.erase("runs");
  return Success(std::move(j));
}

McpToolResult Tick(StoreOnDemand& store, McpArguments& args) {
  std::string id = args.String("id");
  bool dry_run = args.OptionalBool("dry_run").value_or(false);
  if (!args.status().ok()) return Failure(args.status());
  auto opened = store.Get(core::OpenMode::kExisting);
  if (!opened.ok()) return Failure(opened.status());
  auto run = core::TickVigy(**opened, id, dry_run);
  if (!run.ok()) return Failure(run.status());
  return Success(core::ToJson(*run));
}

McpToolResult SetEnabled(StoreOnDemand& store, McpArguments& args, bool enabled) {
  std::string id = args.String("id");
  if (!args.status().ok()) return Failure(args.status());
  auto opened = store.Get(core::OpenMode::kExisting);
  if (!opened.ok()) return Failure(opened.status());
  auto changes = core::SetVigiesEnabled(**opened, {id}, enabled);
  if (!changes.ok()) return Failure(changes.status());
  json j = core::ToJson(changes->front().vigy);
  j["changed"] = changes->front().changed;
  return Success(std::move(j));
}

McpToolResult Enable(StoreOnDemand& store, McpArguments& args) {
  return SetEnabled(store, args, true);
}

McpToolResult Disable(StoreOnDemand& store, McpArguments& args) {
  return SetEnabled(store, args, false);
}

McpToolResult Delete(StoreOnDemand& store, McpArguments& args) {
  std::string id = args.String("id");
  if (!args.status().ok()) return Failure(args.status());
  auto opened = store.Get(core::OpenMode::kExisting);
  if (!opened.ok()) return Failure(opened.status());
  auto deleted = core::DeleteVigies(**opened, {id});
  if (!deleted.ok()) return Failure(deleted.status());
  const core::Vigy& vigy = deleted->front();
  return Success({{"deleted", true}, {"id", vigy.id}, {"name", vigy.name}});
}

McpToolResult Runs(StoreOnDemand& store, McpArguments& args) {
  core::RunsRequest request;
  request.ref = args.OptionalString("id");
  request.limit = args.OptionalInteger("limit").value_or(core::kDefaultRunsLimit);
  request.failed_only = args.OptionalBool("failed").value_or(false);
  std::optional<std::string> since = args.OptionalString("since");
  if (!args.status().ok()) return Failure(args.status());
  if (since) {
    request.since_ms = core::ParseRfc3339Ms(*since);
    if (!request.since_ms) {
      return Failure(Status::InvalidArgument(
          fmt::format("bad since '{}': expected an RFC 3339 time", *since)));
    }
  }
  auto opened = store.Get(core::OpenMode::kExisting);
  if (!opened.ok()) return Failure(opened.status());
  auto runs = core::ListRuns(**opened, request);
  if (!runs.ok()) return Failure(runs.status());
  json list = json::array();
  for (const core::RunRecord& run : *runs) list.push_back(core::ToJson(run));
  return Success({{"runs", std::move(list)}});
}

McpToolResult KvGet(StoreOnDemand& store, McpArguments& args) {
  std::string id = args.String("id");
  std::optional<std::string> key = args.OptionalString("key");
  if (!args.status().ok()) return Failure(args.status());
  auto opened = store.Get(core::OpenMode::kExisting);
  if (!opened.ok()) return Failure(opened.status());
  if (!key) {
    auto kv = core::ListKv(**opened, id);
    if (!kv.ok()) return Failure(kv.status());
    return Success({{"kv", core::KvToJson(*kv, /*include_reserved=*/true)}});
  }
  auto value = core::GetKv(**opened, id, *key);
  if (!value.ok()) return Failure(value.status());
  return Success({{"key", *key}, {"value", *value}});
}

McpToolResult KvSet(StoreOnDemand& store, McpArguments& args) {
  std::string id = args.String("id");
  std::string key = args.String("key");
  json value = args.Value("value");
  if (!args.status().ok()) return Failure(args.status());
  // The key's rules first: a reserved key is refused before any store is read.
  if (Status s = core::ValidateWritableKvKey(key); !s.ok()) return Failure(s);
  auto opened = store.Get(core::OpenMode::kExisting);
  if (!opened.ok()) return Failure(opened.status());
  if (Status s = core::SetKv(**opened, id, key, value); !s.ok()) return Failure(s);
  return Success({{"key", key}, {"value", std::move(value)}});
}

McpToolResult Check(StoreOnDemand&, McpArguments& args) {
  std::string program = args.String("program");
  std::string file = args.OptionalString("file").value_or("<program>");
  if (!args.status().ok()) return Failure(args.status());
  // What register refuses, check refuses: a program that does not compile,
  // or one with no form.
  std::vector<lisp::Diagnostic> diagnostics;
  Status storable = core::CheckStorableProgram(program, file, &diagnostics);
  json errors = ErrorsJson(diagnostics);
  if (!storable.ok() && diagnostics.empty()) {
    errors.push_back({{"line", 0}, {"col", 0}, {"message", storable.message()}});
  }
  return Success({{"ok", storable.ok()}, {"errors", std::move(errors)}});
}

McpToolResult Run(StoreOnDemand&, McpArguments& args) {
  core::RunRequest request;
  request.source = args.String("program");
  request.vigy_name = args.OptionalString("name").value_or("run");
  request.file = request.vigy_name;
  request.kv = args.Kv("kv");
  // The per-tick limits a registered vigy may set, by the same rules.
  core::VigySettings limits;
  limits.timeout = args.OptionalMs("timeout_ms");
  limits.max_steps = args.OptionalInteger("max_steps");
  if (!args.status().ok()) return Failure(args.status());
  core::Vigy scratch;
  if (Status s = core::ApplyVigySettings(limits, scratch); !s.ok()) return Failure(s);
  request.limits = core::LimitsFor(scratch);
  std::vector<lisp::Diagnostic> diagnostics;
  auto outcome = core::RunProgram(request, &diagnostics);
  if (!outcome.ok()) return Failure(outcome.status(), diagnostics);
  return Success(core::ToJson(*outcome));
}

// ---- the catalog ----

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  json input_schema;
  std::vector<std::string> fields;  // every property of input_schema
  Handler handler;
};

json Object(json properties, const std::vector<std::string>& required = {}) {
  json schema = {
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

json Described(std::string_view type, std::string_view description) {
  return {{"type", type}, {"description", description}};
}

json VigyRef() {
  return Described("string",
                   "the vigy's name, its id, or a unique prefix of its id (4 characters or more)");
}

json IdOnly() { return Object({{"id", VigyRef()}}, {"id"}); }

std::vector<Tool> MakeCatalog() {
  std::vector<Tool> tools;
  auto add = [&tools](std::string name, std::string title, std::string description, json schema,
                      Handler handler) {
    std::vector<std::string> fields;
    for (const auto& [key, value] : schema["properties"].items()) fields.push_back(key);
    tools.push_back(Tool{std::move(name), std::move(title), std::move(description),
                         std::move(schema), std::move(fields), handler});
  };
  const json string = {{"type", "string"}};
  const json count = {{"type", "integer"}, {"minimum", 0}};
  add("vigy_register", "Register a vigy",
      "Register a tatara-lisp reconciler (vigy), or update the vigy of the same name in place "
      "(its kv, state and run history are kept). The program is compiled first: one that does "
      "not compile is refused with every error as line:col, and nothing is written. Ticks "
      "every tick_interval_ms (default 1000), or on a cron expression instead.",
      Object({{"name", string},
              {"program", Described("string", "tatara-lisp source")},
              {"tick_interval_ms", {{"type", "integer"}, {"minimum", 100}, {"default", 1000}}},
              {"enabled", {{"type", "boolean"}, {"default", true}}},
              {"labels", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
              {"cron", Described("string",
                                 "a cron schedule instead of tick_interval_ms: 5 fields, 6 with "
                                 "seconds first, or a macro such as @daily")},
              {"jitter_ms", count},
              {"timeout_ms", {{"type", "integer"}, {"minimum", 1}}},
              {"max_steps", {{"type", "integer"}, {"minimum", 1}}},
              {"handler", Described("string",
                                    "a shell command run once per action, with the action as "
                                    "JSON on its stdin")}},
             {"name", "program"}),
      Register);
  add("vigy_list", "List vigies",
      "List registered vigies by name, each with its counters and latest run. Optional label "
      "selector (k=v, k!=v or k, joined by commas) and limit.",
      Object({{"label_selector", string}, {"limit", count}}), List);
  add("vigy_inspect", "Inspect a vigy",
      "Inspect a single vigy: its record, counters, latest state, kv and its 5 most recent "
      "runs (recent_runs).",
      IdOnly(), Inspect);
  add("vigy_tick", "Tick a vigy now",
      "Force-tick a vigy now (even a disabled one) and return the resulting run: actions "
      "emitted, result, error if any. A run whose program failed is still a run (result "
      "\"failed\", with its error), not a tool error.",
      Object({{"id", VigyRef()},
              {"dry_run", Described("boolean", "evaluate only: run no handler, record nothing")}},
             {"id"}),
      Tick);
  add("vigy_enable", "Enable a vigy", "Enable a vigy so serve resumes ticking it.", IdOnly(),
      Enable);
  add("vigy_disable", "Disable a vigy",
      "Disable a vigy. serve stops ticking it, but it remains registered.", IdOnly(), Disable);
  add("vigy_delete", "Delete a vigy",
      "Delete a vigy permanently, with its kv, state and run history.", IdOnly(), Delete);
  add("vigy_runs", "List runs",
      "Run history, newest first: of every vigy or of one (id); at most limit runs (default "
      "20, 0 for all); only failed runs; only runs started at or after an RFC 3339 time.",
      Object({{"id", VigyRef()},
              {"limit", count},
              {"failed", {{"type", "boolean"}}},
              {"since", {{"type", "string"}, {"format", "date-time"}}}}),
      Runs);
  add("vigy_kv_get", "Read a vigy's kv",
      "Read one key of a vigy's kv, or the whole kv when no key is given (the runtime's \"__\" "
      "keys included).",
      Object({{"id", VigyRef()}, {"key", string}}, {"id"}), KvGet);
  add("vigy_kv_set", "Set a key of a vigy's kv",
      "Set one key of a vigy's kv to any JSON value. Keys starting with \"__\" belong to the "
      "runtime and are refused.",
      Object({{"id", VigyRef()}, {"key", string}, {"value", {{"description", "any JSON value"}}}},
             {"id", "key", "value"}),
      KvSet);
  add("vigy_check", "Check a program",
      "Parse and compile a program without registering it: ok, or every error with its line "
      "and col. Refuses what vigy_register refuses.",
      Object({{"program", string}, {"file", Described("string", "names it in messages")}},
             {"program"}),
      Check);
  add("vigy_run", "Run a program once",
      "Evaluate a program once, as a tick would, without a store: returns the run plus the kv "
      "and state it leaves. Starts from the given kv (no \"__\" keys).",
      Object({{"program", string},
              {"name", Described("string", "what (vigy-name) returns; default \"run\"")},
              {"kv", {{"type", "object"}}},
              {"timeout_ms", {{"type", "integer"}, {"minimum", 1}}},
              {"max_steps", {{"type", "integer"}, {"minimum", 1}}}},
             {"program"}),
      Run);
  return tools;
}

const std::vector<Tool>& Catalog() {
  static const std::vector<Tool> tools = MakeCatalog();
  return tools;
}

const Tool* FindTool(std::string_view name) {
  for (const Tool& tool : Catalog()) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

}  // namespace

McpTools::McpTools(McpStoreOpener open_store) : open_store_(std::move(open_store)) {}

json McpTools::List() const {
  json list = json::array();
  for (const Tool& tool : Catalog()) {
    list.push_back({{"name", tool.name},
                    {"title", tool.title},
                    {"description", tool.description},
                    {"inputSchema", tool.input_schema}});
  }
  return list;
}

bool McpTools::Has(std::string_view name) const { return FindTool(name) != nullptr; }

McpToolResult McpTools::Call(std::string_view name, const json& arguments) const {
  const Tool* tool = FindTool(name);
  if (!tool) return Failure(Status::InvalidArgument(fmt::format("no tool '{}'", name)));
  McpArguments args(arguments, tool->fields);
  StoreOnDemand store(open_store_);
  try {
    return tool->handler(store, args);
  } catch (const std::exception& e) {
    return Failure(Status::Failed(fmt::format("{}: internal error: {}", name, e.what())));
  }
}

}  // namespace vigy::cli
