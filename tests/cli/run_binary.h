// Runs the real vigy binary the way a user or a script would: in a fresh
// temporary directory, with the given arguments, files and stdin, capturing
// stdout, stderr and the exit code. The end-to-end tests compare those.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace vigy::testing {

struct BinaryResult {
  int exit_code = -1;  // 128 + signal number if the binary was killed by one
  std::string out;
  std::string err;
};

// The argument and environment vectors for execve(2) of `vigy args...`,
// built before fork() (only async-signal-safe calls may follow it) and kept
// alive for as long as this object lives.
class ExecLine {
 public:
  ExecLine(const std::vector<std::string>& args, std::vector<std::string> environment)
      : args_{VIGY_BINARY}, environment_(std::move(environment)) {
    args_.insert(args_.end(), args.begin(), args.end());
    for (std::string& arg : args_) argv_.push_back(arg.data());
    argv_.push_back(nullptr);
    for (std::string& entry : environment_) envp_.push_back(entry.data());
    envp_.push_back(nullptr);
  }
  ExecLine(const ExecLine&) = delete;
  ExecLine& operator=(const ExecLine&) = delete;

  char* const* argv() const { return argv_.data(); }
  char* const* envp() const { return envp_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<std::string> environment_;
  std::vector<char*> argv_;
  std::vector<char*> envp_;
};

// A temporary directory that the binary runs in; removed on destruction.
class Sandbox {
 public:
  Sandbox() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigy-e2e-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  ~Sandbox() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

  // Writes `text` to `name` (relative to the sandbox), creating directories.
  void Write(const std::string& name, std::string_view text) const {
    std::filesystem::path path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  // Runs `vigy args...` in the sandbox with `stdin_text` as its stdin. The
  // store defaults to a file inside the sandbox, colour is never forced, and
  // a binary that runs longer than `timeout` is killed.
  BinaryResult Run(const std::vector<std::string>& args, std::string_view stdin_text = "",
                   std::chrono::seconds timeout = std::chrono::seconds(60)) const {
    Write(".stdin", stdin_text);
    const std::string in_path = (dir_ / ".stdin").string();
    const std::string out_path = (dir_ / ".stdout").string();
    const std::string err_path = (dir_ / ".stderr").string();

    ExecLine line(args, Environment());

    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      // Only async-signal-safe calls from here on.
      if (chdir(dir_.c_str()) != 0) _exit(126);
      int in = open(in_path.c_str(), O_RDONLY);
      int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in < 0 || out < 0 || err < 0) _exit(126);
      dup2(in, STDIN_FILENO);
      dup2(out, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      execve(line.argv()[0], line.argv(), line.envp());
      _exit(127);
    }

    BinaryResult result;
    result.exit_code = Wait(pid, timeout);
    result.out = Slurp(out_path);
    result.err = Slurp(err_path);
    return result;
  }

  // This process's environment, minus what would change vigy's output or
  // reach outside the sandbox, plus a store inside it.
  std::vector<std::string> Environment() const {
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      std::string_view text(*entry);
      if (text.starts_with("NO_COLOR=") || text.starts_with("VIGY_DB=")) continue;
      env.emplace_back(text);
    }
    env.push_back("VIGY_DB=" + (dir_ / "vigy.db").string());
    return env;
  }

 private:
  static int Wait(pid_t pid, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (true) {
      pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (done < 0) return -1;
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  std::filesystem::path dir_;
};

// One-off: a fresh sandbox holding `files` (name, text), then the run.
inline BinaryResult RunVigy(const std::vector<std::string>& args, std::string_view stdin_text = "",
                            std::initializer_list<std::pair<std::string, std::string>> files = {}) {
  Sandbox sandbox;
  for (const auto& [name, text] : files) sandbox.Write(name, text);
  return sandbox.Run(args, stdin_text);
}

// The output (stdout and stderr together) and exit status of a /bin/sh
// command line, for tests that drive other tools (groff, bash -n).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

inline CommandResult RunShellCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace vigy::testing
