#include "cli/duration.h"

#include <fmt/format.h>

namespace vigy::cli {

core::Result<int64_t> ParseDurationOption(std::string_view option, std::string_view text,
                                          int64_t min_ms) {
  core::Result<std::chrono::milliseconds> ms = ParseDuration(text);
  if (!ms.ok()) {
    return core::Status::InvalidArgument(fmt::format("{}: {}", option, ms.status().message()));
  }
  if (ms->count() < min_ms) {
    return core::Status::InvalidArgument(
        fmt::format("bad {} '{}': at least {}", option, text,
                    FormatDuration(std::chrono::milliseconds(min_ms))));
  }
  return static_cast<int64_t>(ms->count());
}

}  // namespace vigy::cli
