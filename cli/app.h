// The vigy command line: builds the command tree from the table of commands
// (commands.h), parses, runs the chosen command, prints its failure as one
// line on stderr and maps its Status to the process exit code (the only place
// that does).
#pragma once

#include "cli/command.h"

namespace vigy::cli {

// Adds the options every command takes (--db, -v, -q, --json, --no-color)
// to `app`, the top of the command tree.
void AddGlobalOptions(CLI::App& app, GlobalOptions& global, int& verbose, int& quiet);

// Runs the command line `argv` and returns the process exit code.
int Main(int argc, char** argv);

}  // namespace vigy::cli
