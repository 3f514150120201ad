// Parsers for the values of command-line options that CLI11 cannot check with
// a message worth showing: sizes, counts and `--kv KEY=JSON` seeds. Each
// returns kInvalidArgument with one line naming the option and the problem.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace vigy::cli {

// Bytes: a whole number, optionally followed by K, M or G (powers of 1024;
// "KiB", "MiB", "GiB" and a trailing "B" are accepted too, in any case).
// `option` names the option in errors, e.g. "--max-memory".
core::Result<uint64_t> ParseByteSize(std::string_view option, std::string_view text);

// A whole number from 1 to `max`.
core::Result<uint64_t> ParseCount(std::string_view option, std::string_view text, uint64_t max);

// A JSON value given on the command line (`kv set`, `--kv`), read within
// the JSON bounds (lisp/json.h). kInvalidArgument "PROBLEM: TEXT is not JSON
// (why, and where)", TEXT cut short when long; a bare word instead gets the
// hint that a string needs quotes.
core::Result<nlohmann::json> ParseJsonArgument(std::string_view problem, std::string_view text);

// "KEY=JSON" as given to --kv: the key (a valid kv key, not starting with
// "__", which is the runtime's) and the parsed JSON value.
core::Result<std::pair<std::string, nlohmann::json>> ParseKvSeed(std::string_view text);

}  // namespace vigy::cli
