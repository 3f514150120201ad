// Running a shell command for a program, safely: bounded in time and output,
// and leaving nothing behind. Used by the `sh` host function and by action
// handlers; knows nothing of the language.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vigy::core {

struct ShellResult {
  // The shell's exit status; 128+N when it was killed by signal N; 124 when
  // it was killed because the timeout passed (as timeout(1) reports it);
  // 127 when /bin/sh could not be started at all (the reason is in `err`).
  int exit = 0;
  std::string out;
  std::string err;
  bool timed_out = false;
  bool out_truncated = false;  // `out` holds only the first `cap` bytes
  bool err_truncated = false;
};

struct ShellOptions {
  std::chrono::milliseconds timeout{10'000};
  size_t cap = size_t{1} << 20;  // bytes kept of stdout, and of stderr
  std::string_view stdin_data;   // written to the command's stdin; empty: /dev/null
  // "NAME=VALUE" entries added to the command's environment (replacing a
  // variable of the same name); the rest is this process's environment.
  std::vector<std::string> env;
};

// Runs `/bin/sh -c command` and waits for it.
//  - stdin is /dev/null (or a pipe fed with stdin_data); stdout and stderr are
//    captured separately, each up to `cap` bytes. Output past the cap is read
//    and thrown away, so the command never blocks on a full pipe.
//  - The shell runs in its own process group with default signal handling.
//    When the timeout passes, the whole group is killed (SIGKILL). When the
//    shell exits, whatever it left running in its group (`cmd &`) is killed
//    too, so a run never leaves a process behind (a process that moved itself
//    to another group or session is out of reach).
//  - The shell is always reaped; no zombie is left.
// Thread-safe: any number of threads may call it at once. It does not touch
// SIGCHLD handling; a SIGCHLD handler that reaps every child would break it.
ShellResult RunShell(std::string_view command, const ShellOptions& options);

// Kills (SIGKILL) the process group of every RunShell command still running
// in this process, and every one started afterwards as soon as it is
// spawned. For a process about to end (a ticking command stopped by a
// signal, serve on a second signal), so that no command it started outlives
// it. Thread-safe; the RunShell calls concerned return as if their commands
// had been killed (exit 137).
void KillRunningShells();

inline ShellResult RunShell(std::string_view command, std::chrono::milliseconds timeout,
                            size_t cap = size_t{1} << 20) {
  ShellOptions options;
  options.timeout = timeout;
  options.cap = cap;
  return RunShell(command, options);
}

}  // namespace vigy::core
