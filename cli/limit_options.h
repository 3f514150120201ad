// The evaluation limits as command-line options (--timeout, --max-steps,
// --max-depth, --max-memory), shared by every command that evaluates code so
// they are spelled and checked the same way everywhere.
#pragma once

#include <string>

#include "core/status.h"
#include "lisp/machine.h"

namespace CLI {
class App;
}  // namespace CLI

namespace vigy::cli {

// As typed; empty means "the default".
struct LimitOptions {
  std::string timeout;
  std::string max_steps;
  std::string max_depth;
  std::string max_memory;
};

void AddLimitOptions(CLI::App& app, LimitOptions& options);

// The language's default limits with the given overrides, or
// kInvalidArgument naming the bad option.
core::Result<lisp::Limits> ToLimits(const LimitOptions& options);

}  // namespace vigy::cli
