#include "cli/limit_options.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>

#include "cli/arg_parsers.h"
#include "cli/duration.h"

namespace vigy::cli {

void AddLimitOptions(CLI::App& app, LimitOptions& options) {
  const lisp::Limits defaults;
  app.add_option("--timeout", options.timeout,
                 fmt::format("wall-clock limit, e.g. 500ms, 30s, 2m (default {})",
                             FormatDuration(defaults.timeout)))
      ->type_name("D");
  app.add_option("--max-steps", options.max_steps,
                 fmt::format("evaluation step budget (default {})", defaults.max_steps))
      ->type_name("N");
  app.add_option("--max-depth", options.max_depth,
                 fmt::format("non-tail call depth limit (default {})", defaults.max_depth))
      ->type_name("N");
  app.add_option("--max-memory", options.max_memory,
                 fmt::format("memory cap, e.g. 64M, 1G (default {}M)",
                             defaults.max_memory / (size_t{1024} * 1024)))
      ->type_name("SIZE");
}

core::Result<lisp::Limits> ToLimits(const LimitOptions& options) {
  lisp::Limits limits;
  if (!options.timeout.empty()) {
    auto timeout = ParseDurationOption("--timeout", options.timeout, 1);
    if (!timeout.ok()) return timeout.status();
    limits.timeout = std::chrono::milliseconds(*timeout);
  }
  if (!options.max_steps.empty()) {
    auto steps =
        ParseCount("--max-steps", options.max_steps, std::numeric_limits<uint64_t>::max() / 2);
    if (!steps.ok()) return steps.status();
    limits.max_steps = *steps;
  }
  if (!options.max_depth.empty()) {
    auto depth = ParseCount("--max-depth", options.max_depth, 1'000'000);
    if (!depth.ok()) return depth.status();
    limits.max_depth = static_cast<uint32_t>(*depth);
  }
  if (!options.max_memory.empty()) {
    auto bytes = ParseByteSize("--max-memory", options.max_memory);
    if (!bytes.ok()) return bytes.status();
    if (*bytes > std::numeric_limits<size_t>::max()) {
      return core::Status::InvalidArgument(
          fmt::format("bad --max-memory '{}': too large", options.max_memory));
    }
    limits.max_memory = static_cast<size_t>(*bytes);
  }
  return limits;
}

}  // namespace vigy::cli
