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
      MakeCommand("kv", "read or seed a vigy's kv", true, SetupKv, RunKv),
      MakeCommand("eval", "run an expression and print its value", true, SetupEval, RunEval),
      MakeCommand("repl", "read, evaluate and print, one form at a time", false, SetupRepl,
                  RunRepl),
  };
}

}  // namespace vigy::cli
