// Every subcommand of the binary: its options and its setup and run
// functions (one cmd_<name>.cc each), and the table that names and describes
// them all once. To add a command: declare it here, write cmd_<name>.cc, add
// a row to Commands() in commands.cc.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/limit_options.h"

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

}  // namespace vigy::cli
