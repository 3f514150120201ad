#include "cli/app.h"

#include <CLI/CLI.hpp>

namespace vigy::cli {

int Main(int argc, char** argv) {
  CLI::App app{"vigy: reconcilers in a small Lisp, ticked from one SQLite file"};
  app.set_version_flag("--version", VIGY_VERSION);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace vigy::cli
