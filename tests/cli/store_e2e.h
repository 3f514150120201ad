// Shared by the end-to-end tests of the store commands: sample programs, a
// sandbox with vigies already added, JSON key sets, names whose ids share a
// prefix, and several binaries started at the same instant.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
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

// Starts `count` copies of `vigy args...` in the sandbox's directory, with its
// store, released together once all exist, and waits for every one.
inline std::vector<BinaryResult> RunTogether(const Sandbox& sandbox,
                                             const std::vector<std::string>& args, int count) {
  ExecLine line(args, sandbox.Environment());
  int gate[2];
  REQUIRE(pipe(gate) == 0);
  std::vector<pid_t> pids;
  std::vector<std::string> outs, errs;
  for (int i = 0; i < count; ++i) {
    outs.push_back((sandbox.dir() / (".together-out-" + std::to_string(i))).string());
    errs.push_back((sandbox.dir() / (".together-err-" + std::to_string(i))).string());
  }
  for (int i = 0; i < count; ++i) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(gate[1]);
      char byte;
      // Blocks until the parent closes its end: every child is released at once.
      while (read(gate[0], &byte, 1) > 0) {
      }
      if (chdir(sandbox.dir().c_str()) != 0) _exit(126);
      int out = open(outs[i].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = open(errs[i].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (out < 0 || err < 0) _exit(126);
      dup2(out, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      execve(line.argv()[0], line.argv(), line.envp());
      _exit(127);
    }
    pids.push_back(pid);
  }
  close(gate[0]);
  close(gate[1]);
  std::vector<BinaryResult> results;
  for (int i = 0; i < count; ++i) {
    int status = 0;
    waitpid(pids[i], &status, 0);
    BinaryResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::ifstream out(outs[i]), err(errs[i]);
    r.out.assign(std::istreambuf_iterator<char>(out), std::istreambuf_iterator<char>());
    r.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace vigy::testing
