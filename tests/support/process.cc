#include "tests/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace vigy::testing {

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

std::vector<std::string> CurrentEnvironment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  return env;
}

StartGate::StartGate() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  read_fd_ = fds[0];
  write_fd_ = fds[1];
}

StartGate::~StartGate() { Release(); }

void StartGate::Release() {
  for (int* fd : {&read_fd_, &write_fd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

namespace {

// A file descriptor closed on destruction.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int OpenOrThrow(const std::string& path, int flags) {
  int fd = ::open(path.empty() ? "/dev/null" : path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + (path.empty() ? "/dev/null" : path));
  return fd;
}

// NUL-terminated pointers into `strings`, for execve.
std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

ExecVectors::ExecVectors(std::vector<std::string> argv, std::vector<std::string> environment)
    : argv_(std::move(argv)),
      environment_(std::move(environment)),
      argv_pointers_(Pointers(argv_)),
      envp_pointers_(Pointers(environment_)) {}

pid_t ForkForExec() {
  sigset_t all;
  sigset_t previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::fork();
  if (pid == 0) {
    struct sigaction by_default {};
    by_default.sa_handler = SIG_DFL;
    ::sigemptyset(&by_default.sa_mask);
    // As execve would: caught signals go back to their default, ignored
    // ones stay ignored.
    for (int signal = 1; signal < NSIG; ++signal) {
      struct sigaction current {};
      if (::sigaction(signal, nullptr, &current) != 0) continue;
      if (current.sa_handler != SIG_IGN && current.sa_handler != SIG_DFL) {
        ::sigaction(signal, &by_default, nullptr);
      }
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return pid;
}

Process::Process(const ProcessSpec& spec, StartGate* gate) {
  if (spec.argv.empty()) throw std::runtime_error("no program to run");
  // Everything the child needs is made before fork(): only async-signal-safe
  // calls may follow it.
  const ExecVectors exec(spec.argv, spec.environment);
  const int write_flags = O_WRONLY | O_CREAT | O_TRUNC;
  Fd in(OpenOrThrow(spec.stdin_path, O_RDONLY));
  Fd out(OpenOrThrow(spec.stdout_path, write_flags));
  const bool merged = !spec.stdout_path.empty() && spec.stderr_path == spec.stdout_path;
  Fd err(merged ? -1 : OpenOrThrow(spec.stderr_path, write_flags));
  const int err_fd = merged ? out.get() : err.get();
  const int gate_read = gate ? gate->read_fd_ : -1;
  const int gate_write = gate ? gate->write_fd_ : -1;
  if (gate && gate_read < 0) throw std::runtime_error("start gate already released");

  pid_ = ForkForExec();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::setpgid(0, 0);
    if (gate_read >= 0) {
      ::close(gate_write);
      // Blocks until every write end is closed: the gate's Release().
      for (;;) {
        char byte;
        ssize_t n = ::read(gate_read, &byte, 1);
        if (n == 0 || (n < 0 && errno != EINTR)) break;
      }
    }
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) ::_exit(126);
    // dup2 clears O_CLOEXEC on the copies, which are all the child keeps.
    if (::dup2(in.get(), STDIN_FILENO) < 0 || ::dup2(out.get(), STDOUT_FILENO) < 0 ||
        ::dup2(err_fd, STDERR_FILENO) < 0) {
      ::_exit(126);
    }
    ::execve(exec.argv()[0], exec.argv(), exec.envp());
    ::_exit(127);
  }
  // Also here, so that the group exists before anyone signals it.
  ::setpgid(pid_, pid_);
}

Process::~Process() {
  KillGroup(SIGKILL);
  if (!exit_code_) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void Process::Signal(int signal) const { ::kill(pid_, signal); }

void Process::KillGroup(int signal) const { ::kill(-pid_, signal); }

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = ExitCodeOf(status);
      break;
    }
    if (done < 0 && errno != EINTR) {
      exit_code_ = -1;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return exit_code_;
}

int Process::WaitOrKill(std::chrono::milliseconds timeout) {
  if (std::optional<int> code = Wait(timeout)) return *code;
  KillGroup(SIGKILL);
  return *Wait(std::chrono::hours(1));
}

ProcessResult RunProcess(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
  if (spec.stdout_path.empty() || spec.stderr_path.empty()) {
    throw std::runtime_error("RunProcess needs files for stdout and stderr");
  }
  ProcessResult result;
  {
    Process process(spec);
    result.exit_code = process.WaitOrKill(timeout);
  }
  result.out = ReadFile(spec.stdout_path);
  result.err = spec.stderr_path == spec.stdout_path ? result.out : ReadFile(spec.stderr_path);
  return result;
}

CommandResult RunShellCommand(const std::string& command, std::chrono::milliseconds timeout) {
  TempDir dir("vigy-sh");
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", command};
  spec.stdout_path = dir.File("output");
  spec.stderr_path = spec.stdout_path;
  ProcessResult ran = RunProcess(spec, timeout);
  return CommandResult{ran.exit_code, std::move(ran.out)};
}

}  // namespace vigy::testing
