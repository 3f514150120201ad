// The shell completion scripts in completions/, built into the binary (the
// build generates their definition from those files), so that
// `vigy completions SHELL` prints exactly what is installed.
#pragma once

#include <span>
#include <string_view>

namespace vigy::cli {

struct CompletionScript {
  std::string_view shell;  // "bash", "zsh" or "fish"
  std::string_view text;   // the file's bytes, unchanged
};

// bash, zsh and fish, in that order.
std::span<const CompletionScript> CompletionScripts();

}  // namespace vigy::cli
