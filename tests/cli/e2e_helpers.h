// Small helpers shared by the end-to-end tests of the command line.
#pragma once

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "tests/cli/run_binary.h"

namespace vigy::testing {

// `text` with the measured parts of a human-readable run (its duration)
// replaced by a fixed placeholder, so whole outputs can be compared.
inline std::string WithoutTimings(const std::string& text) {
  static const std::regex duration(R"(duration    \d+ms)");
  return std::regex_replace(text, duration, "duration    Nms");
}

// The parsed stdout, or a JSON string saying it did not parse (which then
// fails the comparison it is used in, showing the text).
inline nlohmann::json JsonOut(const BinaryResult& r) {
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded()) return nlohmann::json("not JSON: " + r.out);
  return j;
}

}  // namespace vigy::testing
