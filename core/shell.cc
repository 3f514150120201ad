#include "core/shell.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <string>

extern char** environ;

namespace vigy::core {
namespace {

using Clock = std::chrono::steady_clock;

// After the shell has exited (or been killed), how long to keep reading for
// output still in flight before giving up on a writer that escaped the kill.
constexpr std::chrono::milliseconds kDrainGrace{250};
// How often to look for the shell's exit when the kernel has no pidfd.
constexpr int kExitPollMs = 10;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

void SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// A pipe whose both ends close on exec; the child gets its end via dup2,
// which clears the flag on the copy only.
bool MakePipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.Reset(fds[0]);
  write_end.Reset(fds[1]);
  return true;
}

int OpenPidFd(pid_t pid) {
#ifdef SYS_pidfd_open
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
#else
  (void)pid;
  return -1;
#endif
}

// True once the shell has exited. Leaves it a zombie (WNOWAIT), so its pid,
// which is also its process group id, cannot be reused before we kill the
// group and reap it.
bool HasExited(pid_t pid) {
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno != EINTR) return true;  // not our child any more: nothing to wait for
  }
  return info.si_pid == pid;
}

int Reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Reads what is available on `fd` into `out` (up to `cap` bytes in total,
// discarding the rest). Closes `fd` at end of file or on an error.
void ReadAvailable(Fd& fd, std::string& out, size_t cap, bool& truncated) {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      size_t room = out.size() < cap ? cap - out.size() : 0;
      size_t keep = std::min(room, static_cast<size_t>(n));
      out.append(buf, keep);
      if (keep < static_cast<size_t>(n)) truncated = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd.Close();
    return;
  }
}

// Writes as much of the remaining input as the socket takes. Closes it when
// everything was written or the reader went away (no SIGPIPE: MSG_NOSIGNAL).
void WriteAvailable(Fd& fd, std::string_view& remaining) {
  while (!remaining.empty()) {
    ssize_t n = ::send(fd.get(), remaining.data(), remaining.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      remaining.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    break;
  }
  fd.Close();
}

int MillisUntil(Clock::time_point when) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(when - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 60'000));
}

// The process groups of the shells running now, for KillRunningShells. A
// group is listed from its shell's spawn until RunShell returns, which is at
// most the output drain grace after the shell was reaped.
std::mutex running_mutex;
std::set<pid_t>& RunningGroups() {
  static std::set<pid_t> groups;
  return groups;
}
// Set by KillRunningShells: the process is ending, so no shell may start.
bool shells_refused = false;  // guarded by running_mutex

// Keeps `pid`'s group in RunningGroups() while it lives. It is listed under
// the same lock as it is spawned (see RunShell), so KillRunningShells finds
// every shell; one spawned after KillRunningShells ran is killed at once.
class RunningGroup {
 public:
  RunningGroup(pid_t pid, const std::lock_guard<std::mutex>& /*running_mutex held*/) : pid_(pid) {
    RunningGroups().insert(pid_);
    if (shells_refused) ::kill(-pid_, SIGKILL);
  }
  ~RunningGroup() {
    std::lock_guard lock(running_mutex);
    RunningGroups().erase(pid_);
  }
  RunningGroup(const RunningGroup&) = delete;
  RunningGroup& operator=(const RunningGroup&) = delete;

 private:
  pid_t pid_;
};

// Spawns /bin/sh -c command in a new process group, with default signal
// dispositions and an empty signal mask whatever the caller has set.
int Spawn(std::string_view command, char* const* envp, int stdin_fd, int stdout_fd, int stderr_fd,
          pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);

  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaddset(&defaults, sig);
  }
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::string text(command);
  char sh[] = "sh";
  char dash_c[] = "-c";
  char* argv[] = {sh, dash_c, text.data(), nullptr};
  int rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp);

  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

// This process's environment with `extra` ("NAME=VALUE") added, each
// replacing a variable of the same name. Empty `extra`: nothing is copied.
class Environment {
 public:
  explicit Environment(const std::vector<std::string>& extra) : extra_(extra) {
    if (extra_.empty()) return;
    auto name_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string_view name = name_of(*entry);
      bool replaced = false;
      for (const std::string& added : extra_) replaced = replaced || name_of(added) == name;
      if (!replaced) pointers_.push_back(*entry);
    }
    for (std::string& added : extra_) pointers_.push_back(added.data());
    pointers_.push_back(nullptr);
  }
  char* const* get() const { return extra_.empty() ? environ : pointers_.data(); }

 private:
  std::vector<std::string> extra_;
  std::vector<char*> pointers_;
};

}  // namespace

ShellResult RunShell(std::string_view command, const ShellOptions& options) {
  ShellResult result;
  Fd out_read, out_write, err_read, err_write, in_parent, in_child;
  bool has_input = !options.stdin_data.empty();
  bool ok = MakePipe(out_read, out_write) && MakePipe(err_read, err_write);
  if (ok && has_input) {
    int fds[2];
    ok = ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0;
    if (ok) {
      in_parent.Reset(fds[0]);
      in_child.Reset(fds[1]);
      ::shutdown(fds[0], SHUT_RD);
    }
  }
  pid_t pid = -1;
  const Environment environment(options.env);
  std::optional<RunningGroup> registered;
  int spawn_error = ok ? 0 : errno;
  if (ok) {
    // Spawned and listed under one lock: a process ending on a signal kills
    // every shell it started, even one started a moment before.
    std::lock_guard lock(running_mutex);
    spawn_error =
        Spawn(command, environment.get(), in_child.get(), out_write.get(), err_write.get(), pid);
    if (spawn_error == 0) registered.emplace(pid, lock);
  }
  out_write.Close();
  err_write.Close();
  in_child.Close();
  if (spawn_error != 0) {
    result.exit = 127;
    result.err = std::string("vigy: cannot run /bin/sh: ") + std::strerror(spawn_error);
    return result;
  }

  SetNonBlocking(out_read.get());
  SetNonBlocking(err_read.get());
  std::string_view input = options.stdin_data;
  Fd pidfd(OpenPidFd(pid));

  const auto deadline = Clock::now() + std::max(options.timeout, std::chrono::milliseconds{0});
  bool running = true;
  Clock::time_point drain_deadline{};

  for (;;) {
    if (running) {
      bool exited = HasExited(pid);
      if (!exited && Clock::now() >= deadline) result.timed_out = true;
      if (exited || result.timed_out) {
        // Kill the group first: the shell's pid stays reserved until it is
        // reaped, so the group id cannot name anyone else yet.
        ::kill(-pid, SIGKILL);
        int status = Reap(pid);
        result.exit = result.timed_out ? 124 : status;
        running = false;
        pidfd.Close();
        in_parent.Close();
        drain_deadline = Clock::now() + kDrainGrace;
      }
    }
    if (!running && ((!out_read.open() && !err_read.open()) || Clock::now() >= drain_deadline)) {
      break;
    }

    pollfd fds[4];
    int nfds = 0;
    auto watch = [&](const Fd& fd, short events) {
      if (fd.open()) fds[nfds++] = pollfd{fd.get(), events, 0};
    };
    watch(out_read, POLLIN);
    watch(err_read, POLLIN);
    if (running) {
      watch(in_parent, POLLOUT);
      watch(pidfd, POLLIN);
    }
    int wait_ms = MillisUntil(running ? deadline : drain_deadline);
    if (running && !pidfd.open()) wait_ms = std::min(wait_ms, kExitPollMs);
    // With nothing to read, a pidfd-less wait still wakes up to check the exit.
    int n = ::poll(fds, static_cast<nfds_t>(nfds), wait_ms);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;

    if (out_read.open()) ReadAvailable(out_read, result.out, options.cap, result.out_truncated);
    if (err_read.open()) ReadAvailable(err_read, result.err, options.cap, result.err_truncated);
    if (in_parent.open()) WriteAvailable(in_parent, input);
  }
  if (running) {  // only if poll itself failed: never leave the shell behind
    ::kill(-pid, SIGKILL);
    result.exit = Reap(pid);
  }
  return result;
}

void KillRunningShells() {
  std::lock_guard lock(running_mutex);
  shells_refused = true;
  for (pid_t group : RunningGroups()) ::kill(-group, SIGKILL);
}

}  // namespace vigy::core
