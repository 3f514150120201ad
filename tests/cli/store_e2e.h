// Shared by the end-to-end tests of the store commands: sample programs, a
// sandbox with vigies already added, JSON key sets and names whose ids share
// a prefix. (Several binaries started at the same instant: RunTogether, in
// tests/support/vigy_binary.h.)
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "tests/cli/e2e_helpers.h"

namespace vigy::testing {

// Counts its ticks in the kv and logs a line.
inline constexpr const char* kCounter =
    "(define n (vigy-incr \"runs\"))\n"
    "(vigy-log \"info\" (str \"run \" n))\n"
    "(vigy-metric \"runs\" n)\n"
    "(vigy-noop)\n";

// Writes to its kv, then fails on line 2.
inline constexpr const char* kFailing = "(vigy-set \"a\" 1)\n(car (list))\n";

// Declares state and a condition.
inline constexpr const char* kDeclaring =
    "(vigy-desired \"replicas\" 3)\n"
    "(vigy-observed \"replicas\" 1)\n"
    "(vigy-condition \"Ready\" \"false\" \"ScalingUp\" \"1 of 3\")\n"
    "(vigy-create (hash-map \"replica\" 2))\n";

// Unbound name on line 2, wrong arity on line 3.
inline constexpr const char* kNotCompiling =
    "(define x 1)\n(vigy-log \"info\" (undefined-fn x))\n(car 1 2 3)\n";

inline std::set<std::string> Keys(const nlohmann::json& object) {
  std::set<std::string> keys;
  if (!object.is_object()) return keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// Runs `args` and checks it exits 0, showing stderr if not.
inline BinaryResult Must(const Sandbox& sandbox, const std::vector<std::string>& args,
                         std::string_view stdin_text = "") {
  BinaryResult r = sandbox.Run(args, stdin_text);
  INFO("vigy ", args.empty() ? "" : args[0], ": ", r.err);
  CHECK(r.exit_code == 0);
  return r;
}

// Writes NAME.vigy holding `program` and adds it with `extra` arguments.
inline void AddVigy(const Sandbox& sandbox, const std::string& name, const std::string& program,
                    std::vector<std::string> extra = {}) {
  sandbox.Write(name + ".vigy", program);
  std::vector<std::string> args{"add", name + ".vigy"};
  args.insert(args.end(), extra.begin(), extra.end());
  Must(sandbox, args);
}

// Two distinct vigy names whose ids start with the same 4 hex digits.
inline std::pair<std::string, std::string> NamesSharingIdPrefix() {
  std::vector<std::string> seen(65536);
  for (int i = 0;; ++i) {
    std::string name = "v" + std::to_string(i);
    std::string id = core::VigyIdFromName(name);
    unsigned bucket = std::stoul(id.substr(0, 4), nullptr, 16);
    if (!seen[bucket].empty()) return {seen[bucket], name};
    seen[bucket] = name;
  }
}

}  // namespace vigy::testing
