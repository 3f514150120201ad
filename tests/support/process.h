// Running real processes from tests: fork and execve with the standard
// streams redirected to files, in a process group of their own, the wait
// status decoded to one exit code, and the whole group killed and reaped
// when the test is done with it, so that no test leaves a process behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace vigy::testing {

// The exit code a shell would report for a waitpid(2) status: the code when
// the process exited, 128 + N when signal N ended it, -1 otherwise.
int ExitCodeOf(int wait_status);

// fork(2) for a child that goes on to execve: signals are blocked across the
// fork, and the child resets every handler to its default before unblocking,
// so a signal sent to the child before its execve acts as it would on the
// program (ignored signals stay ignored), instead of running the test framework's handlers in a
// copy of the test. Returns what fork returns.
pid_t ForkForExec();

// The argument and environment vectors for execve(2), built before fork()
// (only async-signal-safe calls may follow it) and valid while this lives.
class ExecVectors {
 public:
  ExecVectors(std::vector<std::string> argv, std::vector<std::string> environment);
  ExecVectors(const ExecVectors&) = delete;
  ExecVectors& operator=(const ExecVectors&) = delete;

  char* const* argv() const { return argv_pointers_.data(); }
  char* const* envp() const { return envp_pointers_.data(); }

 private:
  std::vector<std::string> argv_;
  std::vector<std::string> environment_;
  std::vector<char*> argv_pointers_;
  std::vector<char*> envp_pointers_;
};

// This process's environment as "NAME=value" entries.
std::vector<std::string> CurrentEnvironment();

// What to start.
struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is the program's path; PATH is not searched
  std::vector<std::string> environment = CurrentEnvironment();
  std::string cwd;          // empty: the test's own
  std::string stdin_path;   // empty: /dev/null
  std::string stdout_path;  // empty: /dev/null; created or truncated
  std::string stderr_path;  // empty: /dev/null; the same as stdout_path: both into one file
};

// Holds processes back until Release(), so that several start at the same
// instant: each blocks before its execve until the gate opens.
class StartGate {
 public:
  StartGate();
  ~StartGate();
  StartGate(const StartGate&) = delete;
  StartGate& operator=(const StartGate&) = delete;

  // Lets every process started through this gate go on to its execve.
  void Release();

 private:
  friend class Process;
  int read_fd_ = -1;
  int write_fd_ = -1;
};

// One started process (the leader of a new process group).
class Process {
 public:
  // Starts `spec`; behind `gate` if given. Throws std::runtime_error if the
  // fork or a redirection's file fails; an execve that fails exits 127.
  explicit Process(const ProcessSpec& spec, StartGate* gate = nullptr);
  // Kills the process group with SIGKILL and reaps the process.
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `signal` to the process itself (not its group).
  void Signal(int signal) const;
  // The exit code (see ExitCodeOf) once it has ended; nullopt if it still
  // runs after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Waits up to `timeout`, then kills the group; the exit code either way.
  int WaitOrKill(std::chrono::milliseconds timeout);
  // Kills the whole process group with `signal`.
  void KillGroup(int signal) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// How a process that ran to its end finished, and what it printed.
struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `spec` to its end, killed after `timeout`, and reads back the files
// its stdout and stderr went to (which `spec` must name).
ProcessResult RunProcess(const ProcessSpec& spec, std::chrono::milliseconds timeout);

// The output (stdout and stderr together) and exit code of a /bin/sh
// command line, for tests that drive other tools (groff, bash -n, shells).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunShellCommand(const std::string& command,
                              std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace vigy::testing
