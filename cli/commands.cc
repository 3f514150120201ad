#include "cli/commands.h"

namespace vigy::cli {

std::vector<Command> Commands() {
  return {
      MakeCommand("run", "evaluate a program once, without a store, and print the run", true,
                  SetupRun, RunRun),
      MakeCommand("check", "parse and compile programs; report every error with file:line:col",
                  true, SetupCheck, RunCheck),
      MakeCommand("eval", "run an expression and print its value", true, SetupEval, RunEval),
      MakeCommand("repl", "read, evaluate and print, one form at a time", false, SetupRepl,
                  RunRepl),
  };
}

}  // namespace vigy::cli
