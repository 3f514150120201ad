#include "core/shell.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace vigy::core {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A process is gone when it no longer exists or is only a zombie waiting for
// whoever adopted it.
bool ProcessGone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return ::kill(pid, 0) != 0;
  std::string line;
  std::getline(stat, line);
  size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

bool GoneWithin(pid_t pid, milliseconds limit) {
  auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (ProcessGone(pid)) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return ProcessGone(pid);
}

int64_t ElapsedMs(Clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

TEST_CASE("a command's exit status, stdout and stderr are captured separately") {
  ShellResult r = RunShell("echo out; echo err >&2; exit 3", milliseconds(5000));
  CHECK(r.exit == 3);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  CHECK_FALSE(r.timed_out);
  CHECK_FALSE(r.out_truncated);
  CHECK_FALSE(r.err_truncated);
}

TEST_CASE("a command killed by a signal exits with 128 plus the signal") {
  ShellResult r = RunShell("kill -TERM $$", milliseconds(5000));
  CHECK(r.exit == 128 + SIGTERM);
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("a command that is not found reports the shell's exit 127") {
  ShellResult r = RunShell("no-such-command-vigy-test", milliseconds(5000));
  CHECK(r.exit == 127);
  CHECK(r.err.find("not found") != std::string::npos);
}

TEST_CASE("stdin is /dev/null unless input is given") {
  ShellResult r = RunShell("cat", milliseconds(5000));
  CHECK(r.exit == 0);
  CHECK(r.out.empty());

  ShellOptions options;
  options.stdin_data = "{\"kind\":\"pull\"}";
  r = RunShell("cat", options);
  CHECK(r.out == "{\"kind\":\"pull\"}");
}

TEST_CASE("input a command does not read does not block or fail the run") {
  ShellOptions options;
  std::string big(1 << 20, 'x');
  options.stdin_data = big;
  ShellResult r = RunShell("exit 0", options);
  CHECK(r.exit == 0);
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("output past the cap is cut and marked, and the command still finishes") {
  ShellResult r =
      RunShell("head -c 3000000 /dev/zero; echo tail >&2", milliseconds(10000), 1 << 20);
  CHECK(r.exit == 0);
  CHECK(r.out.size() == size_t{1} << 20);
  CHECK(r.out_truncated);
  CHECK(r.err == "tail\n");
  CHECK_FALSE(r.err_truncated);
}

TEST_CASE("large output on both stdout and stderr does not deadlock") {
  ShellResult r = RunShell("head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2; echo done",
                           milliseconds(10000));
  CHECK(r.exit == 0);
  CHECK(r.out.size() == 300005);
  CHECK(r.err.size() == 300000);
}

TEST_CASE("a command past its timeout is killed with its whole process group") {
  auto start = Clock::now();
  ShellResult r = RunShell("sleep 100 & echo $!; sleep 100", milliseconds(300));
  CHECK(r.timed_out);
  CHECK(r.exit == 124);
  CHECK(ElapsedMs(start) < 3000);
  pid_t background = static_cast<pid_t>(std::stol(r.out));
  CHECK(GoneWithin(background, milliseconds(2000)));
}

TEST_CASE("a shell that exits leaves no background child behind") {
  auto start = Clock::now();
  ShellResult r = RunShell("sleep 100 & echo $!", milliseconds(10000));
  CHECK(r.exit == 0);
  CHECK_FALSE(r.timed_out);
  CHECK(ElapsedMs(start) < 3000);
  pid_t background = static_cast<pid_t>(std::stol(r.out));
  CHECK(GoneWithin(background, milliseconds(2000)));
}

TEST_CASE("a zero timeout kills the command at once") {
  ShellResult r = RunShell("sleep 100", milliseconds(0));
  CHECK(r.timed_out);
  CHECK(r.exit == 124);
}

TEST_CASE("commands run from two threads at once, each with its own output") {
  ShellResult a, b;
  auto start = Clock::now();
  std::thread ta([&] { a = RunShell("sleep 1; echo a", milliseconds(5000)); });
  std::thread tb([&] { b = RunShell("sleep 1; echo b >&2; exit 4", milliseconds(5000)); });
  ta.join();
  tb.join();
  CHECK(a.exit == 0);
  CHECK(a.out == "a\n");
  CHECK(a.err.empty());
  CHECK(b.exit == 4);
  CHECK(b.out.empty());
  CHECK(b.err == "b\n");
  CHECK(ElapsedMs(start) < 1900);  // in parallel: one after the other takes 2 s
}

TEST_CASE(
    "variables given to a command are added to its environment, replacing any of the same name") {
  ::setenv("VIGY_SHELL_TEST_KEPT", "kept", 1);
  ::setenv("VIGY_SHELL_TEST_REPLACED", "old", 1);
  ShellOptions options;
  options.env = {"VIGY_SHELL_TEST_REPLACED=new value", "VIGY_SHELL_TEST_ADDED=a=b"};
  ShellResult r = RunShell(
      "printf '%s|%s|%s' \"$VIGY_SHELL_TEST_KEPT\" \"$VIGY_SHELL_TEST_REPLACED\" "
      "\"$VIGY_SHELL_TEST_ADDED\"; env | grep -c '^VIGY_SHELL_TEST_REPLACED=' >&2",
      options);
  CHECK(r.exit == 0);
  CHECK(r.out == "kept|new value|a=b");
  CHECK(r.err == "1\n");  // replaced, not listed twice
  ::unsetenv("VIGY_SHELL_TEST_KEPT");
  ::unsetenv("VIGY_SHELL_TEST_REPLACED");
}

}  // namespace
}  // namespace vigy::core
