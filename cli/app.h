// The vigy command line: builds the command tree, runs the chosen command and
// maps its Status to the process exit code (the only place that does).
#pragma once

namespace vigy::cli {

int Main(int argc, char** argv);

}  // namespace vigy::cli
