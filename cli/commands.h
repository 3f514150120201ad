// Every subcommand of the binary: its options and its setup and run
// functions (one cmd_<name>.cc each), and the table that names and describes
// them all once. To add a command: declare it here, write cmd_<name>.cc, add
// a row to Commands() in commands.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/limit_options.h"
#include "cli/vigy_options.h"

namespace vigy::cli {

// Every command, in the order `vigy --help` lists them. A fresh table per
// call: each row holds its own option storage once set up.
std::vector<Command> Commands();

// vigy run FILE [--kv k=JSON]... [limits]
struct RunOptions {
  std::string file;
  std::vector<std::string> kv;
  LimitOptions limits;
};
void SetupRun(CLI::App& sub, RunOptions& options);
core::Status RunRun(const Invocation& inv, const RunOptions& options);

// vigy check FILE...
struct CheckOptions {
  std::vector<std::string> files;
};
void SetupCheck(CLI::App& sub, CheckOptions& options);
core::Status RunCheck(const Invocation& inv, const CheckOptions& options);

// vigy eval EXPR [limits]
struct EvalOptions {
  std::string expr;
  LimitOptions limits;
};
void SetupEval(CLI::App& sub, EvalOptions& options);
core::Status RunEval(const Invocation& inv, const EvalOptions& options);

// vigy repl [limits]
struct ReplOptions {
  LimitOptions limits;
};
void SetupRepl(CLI::App& sub, ReplOptions& options);
core::Status RunRepl(const Invocation& inv, const ReplOptions& options);

// vigy add FILE|- [--name N] [settings] [--replace]
struct AddOptions {
  std::string file;
  std::optional<std::string> name;  // unset: from the file name
  bool replace = false;
  VigyOptions settings;
};
void SetupAdd(CLI::App& sub, AddOptions& options);
core::Status RunAdd(const Invocation& inv, const AddOptions& options);

// vigy update VIGY [FILE|-] [settings]
struct UpdateOptions {
  std::string vigy;
  std::string file;  // empty: keep the program
  VigyOptions settings;
};
void SetupUpdate(CLI::App& sub, UpdateOptions& options);
core::Status RunUpdate(const Invocation& inv, const UpdateOptions& options);

// vigy list|ls [--selector S]
struct ListOptions {
  std::optional<std::string> selector;
};
void SetupList(CLI::App& sub, ListOptions& options);
core::Status RunList(const Invocation& inv, const ListOptions& options);

// vigy show VIGY
struct ShowOptions {
  std::string vigy;
};
void SetupShow(CLI::App& sub, ShowOptions& options);
core::Status RunShow(const Invocation& inv, const ShowOptions& options);

// vigy rm VIGY...
struct RmOptions {
  std::vector<std::string> vigies;
};
void SetupRm(CLI::App& sub, RmOptions& options);
core::Status RunRm(const Invocation& inv, const RmOptions& options);

// vigy enable VIGY... and vigy disable VIGY... (both in cmd_enable.cc)
struct EnableOptions {
  std::vector<std::string> vigies;
};
void SetupEnable(CLI::App& sub, EnableOptions& options);
core::Status RunEnable(const Invocation& inv, const EnableOptions& options);
void SetupDisable(CLI::App& sub, EnableOptions& options);
core::Status RunDisable(const Invocation& inv, const EnableOptions& options);

// vigy tick VIGY... | --all | --selector S [--dry-run]
struct TickCommandOptions {
  std::vector<std::string> vigies;
  bool all = false;
  std::optional<std::string> selector;
  bool dry_run = false;
};
void SetupTick(CLI::App& sub, TickCommandOptions& options);
core::Status RunTick(const Invocation& inv, const TickCommandOptions& options);

// vigy runs [VIGY] [--limit N] [--failed] [--since D] [--prune [--keep N]]
struct RunsOptions {
  std::string vigy;
  std::string limit;
  bool failed = false;
  std::string since;
  bool prune = false;
  std::string keep;
};
void SetupRuns(CLI::App& sub, RunsOptions& options);
core::Status RunRuns(const Invocation& inv, const RunsOptions& options);

// vigy watch [VIGY...] [--failed]
struct WatchOptions {
  std::vector<std::string> vigies;
  bool failed = false;
};
void SetupWatch(CLI::App& sub, WatchOptions& options);
core::Status RunWatch(const Invocation& inv, const WatchOptions& options);

// vigy kv VIGY [get K | set K JSON | rm K | list]
struct KvOptions {
  std::string vigy;
  // The action and its arguments, as given (each a single value, so that
  // JSON such as [1,2] reaches the command untouched).
  std::optional<std::string> action;
  std::optional<std::string> key;
  std::optional<std::string> value;
};
void SetupKv(CLI::App& sub, KvOptions& options);
core::Status RunKv(const Invocation& inv, const KvOptions& options);

// vigy export [--runs] [--selector S] [-o FILE] (cmd_export.cc)
struct ExportOptions {
  bool runs = false;
  std::optional<std::string> selector;
  std::optional<std::string> output;  // unset: stdout
};
void SetupExport(CLI::App& sub, ExportOptions& options);
core::Status RunExport(const Invocation& inv, const ExportOptions& options);

// vigy import [FILE|-] [--replace] (cmd_import.cc)
struct ImportOptions {
  std::string file = "-";
  bool replace = false;
};
void SetupImport(CLI::App& sub, ImportOptions& options);
core::Status RunImport(const Invocation& inv, const ImportOptions& options);

// vigy completions SHELL
struct CompletionsOptions {
  std::string shell;
};
void SetupCompletions(CLI::App& sub, CompletionsOptions& options);
core::Status RunCompletions(const Invocation& inv, const CompletionsOptions& options);

// vigy __complete-vigies (hidden; for the completion scripts)
struct CompleteVigiesOptions {};
void SetupCompleteVigies(CLI::App& sub, CompleteVigiesOptions& options);
core::Status RunCompleteVigies(const Invocation& inv, const CompleteVigiesOptions& options);

// vigy serve [--selector S] [--once] [--keep-runs N] [--log-format F] [--workers N]
//            [--http ADDR [--http-token-file FILE]]
struct ServeOptions {
  std::optional<std::string> selector;
  bool once = false;
  std::string keep_runs = "1000";
  std::string log_format = "text";
  std::string workers;                         // empty: the default for this machine
  std::optional<std::string> http;             // listen address; unset: no HTTP
  std::optional<std::string> http_token_file;  // unset: STORE.http-token
  std::optional<std::string> notify;           // a command told of failures; unset: none
  std::optional<std::string> notify_timeout;   // unset: 30s
};
void SetupServe(CLI::App& sub, ServeOptions& options);
core::Status RunServe(const Invocation& inv, const ServeOptions& options);

// The first vigy's names (cmd_compat.cc): vigy register FILE --name N
// [--every MS] [--label K=V]... [--disabled], as add --replace.
struct RegisterOptions {
  std::string file;
  std::string name;
  std::string every_ms = "1000";
  std::vector<std::string> labels;
  bool disabled = false;
};
void SetupRegister(CLI::App& sub, RegisterOptions& options);
core::Status RunRegister(const Invocation& inv, const RegisterOptions& options);

// vigy tail [--id VIGY], as watch --json.
struct TailOptions {
  std::optional<std::string> id;
};
void SetupTail(CLI::App& sub, TailOptions& options);
core::Status RunTail(const Invocation& inv, const TailOptions& options);

// vigy health [--stale-after D]
struct HealthOptions {
  std::string stale_after = "1m";
};
void SetupHealth(CLI::App& sub, HealthOptions& options);
core::Status RunHealth(const Invocation& inv, const HealthOptions& options);

// vigy mcp
struct McpOptions {};
void SetupMcp(CLI::App& sub, McpOptions& options);
core::Status RunMcp(const Invocation& inv, const McpOptions& options);

}  // namespace vigy::cli
