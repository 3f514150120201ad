// A vigy binary left running in the background of a test (serve, watch):
// started in a sandbox like Sandbox::Run, it can be signalled, waited for,
// and read while it runs. Killed and reaped on destruction if still running.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/run_binary.h"

namespace vigy::testing {

class BackgroundVigy {
 public:
  // Starts `vigy args...` in the sandbox's directory with its store; stdout
  // and stderr go to files named after `tag`.
  BackgroundVigy(const Sandbox& sandbox, const std::vector<std::string>& args,
                 const std::string& tag = "background")
      : out_path_((sandbox.dir() / ("." + tag + "-out")).string()),
        err_path_((sandbox.dir() / ("." + tag + "-err")).string()) {
    ExecLine line(args, sandbox.Environment());
    const std::string dir = sandbox.dir().string();
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      if (chdir(dir.c_str()) != 0) _exit(126);
      int in = open("/dev/null", O_RDONLY);
      int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in < 0 || out < 0 || err < 0) _exit(126);
      dup2(in, STDIN_FILENO);
      dup2(out, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      execve(line.argv()[0], line.argv(), line.envp());
      _exit(127);
    }
  }
  ~BackgroundVigy() {
    if (!exit_code_) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  BackgroundVigy(const BackgroundVigy&) = delete;
  BackgroundVigy& operator=(const BackgroundVigy&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signal) const { kill(pid_, signal); }

  // The exit code (128 + N when killed by signal N) once it has ended;
  // nullopt if it is still running after `timeout`.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
      int status = 0;
      pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return exit_code_;
  }

  std::string Out() const { return Slurp(out_path_); }
  std::string Err() const { return Slurp(err_path_); }

  // Polls `condition` until it holds (true) or `timeout` passes (false).
  static bool WaitUntil(const std::function<bool()>& condition,
                        std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

 private:
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  std::string out_path_;
  std::string err_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace vigy::testing
