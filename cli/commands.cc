#include "cli/commands.h"

namespace vigy::cli {

std::vector<Command> Commands() {
  return {
      MakeCommand("run", "evaluate a program once, without a store, and print the run", true,
                  SetupRun, RunRun),
      MakeCommand("check", "parse and compile programs; report every error with file:line:col",
                  true, SetupCheck, RunCheck),
      MakeCommand("add", "register a vigy; its program is checked first; prints its id", true,
                  SetupAdd, RunAdd),
      MakeCommand("update", "change a vigy's program or settings in place", true, SetupUpdate,
                  RunUpdate),
      MakeCommand("list", "list vigies: state, schedule, last and next tick", true, SetupList,
                  RunList),
      MakeCommand("show", "show a vigy: record, state, kv and recent runs", true, SetupShow,
                  RunShow),
      MakeCommand("rm", "remove vigies with their kv, state and runs", false, SetupRm, RunRm),
      MakeCommand("enable", "let serve tick vigies again", false, SetupEnable, RunEnable),
      MakeCommand("disable", "stop serve from ticking vigies", false, SetupDisable, RunDisable),
      MakeCommand("tick", "tick vigies now and print their runs", true, SetupTick, RunTick),
      MakeCommand("runs", "run history, newest first; --prune trims it", true, SetupRuns, RunRuns),
      MakeCommand("watch", "print runs as they are committed, by any process", true, SetupWatch,
                  RunWatch),
      MakeCommand("kv", "read or seed a vigy's kv", true, SetupKv, RunKv),
      MakeCommand("export", "write the store as JSON lines, to move it or back it up", false,
                  SetupExport, RunExport),
      MakeCommand("import", "read what export wrote into the store", true, SetupImport, RunImport),
      MakeCommand("serve", "the scheduler: tick vigies when due, in the foreground", false,
                  SetupServe, RunServe),
      MakeCommand("health", "exit 0 only if serve is live and no vigy is failing or late", true,
                  SetupHealth, RunHealth),
      MakeCommand("mcp", "a Model Context Protocol server on stdin and stdout", false, SetupMcp,
                  RunMcp),
      MakeCommand("eval", "run an expression and print its value", true, SetupEval, RunEval),
      MakeCommand("repl", "read, evaluate and print, one form at a time", false, SetupRepl,
                  RunRepl),
      MakeCommand("completions", "print the completion script for bash, zsh or fish", false,
                  SetupCompletions, RunCompletions),
      // The first vigy's command names (see cmd_compat.cc).
      Hidden(MakeCommand("register", "add or replace a vigy (as add --replace; --every in ms)",
                         true, SetupRegister, RunRegister)),
      Hidden(MakeCommand("inspect", "show a vigy (as show)", true, SetupShow, RunShow)),
      Hidden(MakeCommand("delete", "remove vigies (as rm)", false, SetupRm, RunRm)),
      Hidden(MakeCommand("tail", "print runs as JSON lines as they are committed (as watch --json)",
                         false, SetupTail, RunTail)),
      Hidden(MakeCommand("__complete-vigies", "print vigy names, for shell completion", false,
                         SetupCompleteVigies, RunCompleteVigies)),
  };
}

}  // namespace vigy::cli
