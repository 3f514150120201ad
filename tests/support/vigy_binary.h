// Runs the real vigy binary the way a user or a script would: in a fresh
// temporary directory (a Sandbox) holding its store, with the given
// arguments, files and stdin, capturing stdout, stderr and the exit code;
// in the background (serve, watch) to be signalled and read while it runs;
// or as several copies released at the same instant.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/pg_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace vigy::testing {

struct BinaryResult {
  int exit_code = -1;  // 128 + signal number if the binary was killed by one
  std::string out;
  std::string err;
};

// A temporary directory that the binary runs in, removed on destruction,
// and the store the binary uses (VIGY_DB), of the kind under test
// (tests/support/store_kind.h): the file vigy.db in the directory, or a
// fresh database on the PostgreSQL test cluster, dropped on destruction.
class Sandbox {
 public:
  Sandbox();
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const std::filesystem::path& dir() const { return dir_.dir(); }

  // Writes `text` to `name` (relative to the sandbox), creating directories.
  void Write(const std::string& name, std::string_view text) const { dir_.Write(name, text); }

  // Runs `vigy args...` in the sandbox with `stdin_text` as its stdin. The
  // store defaults to a file inside the sandbox, colour is never forced, and
  // a binary that runs longer than `timeout` is killed.
  BinaryResult Run(const std::vector<std::string>& args, std::string_view stdin_text = "",
                   std::chrono::seconds timeout = std::chrono::seconds(60)) const;

  // This process's environment, minus what would change vigy's output or
  // reach outside the sandbox, plus a store inside it.
  std::vector<std::string> Environment() const;

  // `vigy args...` to run in the sandbox with its environment; the caller
  // sets the redirections.
  ProcessSpec Spec(const std::vector<std::string>& args) const;

  // Where the store is: the path of vigy.db, or the database's URI.
  std::string store_location() const;
  bool holds_postgresql_store() const { return database_ != nullptr; }
  // Whether a command has created the store: the file exists, or the
  // database has a table.
  bool store_exists() const;

 private:
  TempDir dir_;
  std::unique_ptr<PgTestDatabase> database_;  // null for an SQLite store
};

// Checks that the store the binary wrote in `sandbox` is of the kind under
// test (tests/support/store_kind.h), and holds `vigies` vigies: a
// PostgreSQL run must not quietly test a file. Prints
// "store-under-test=KIND", which ctest's "postgresql:" runs refuse when it
// says sqlite (tests/CMakeLists.txt).
void CheckStoreUnderTest(const Sandbox& sandbox, int64_t vigies);

// One-off: a fresh sandbox holding `files` (name, text), then the run.
BinaryResult RunVigy(const std::vector<std::string>& args, std::string_view stdin_text = "",
                     std::initializer_list<std::pair<std::string, std::string>> files = {});

// A vigy binary left running in the background of a test (serve, watch):
// started in a sandbox like Sandbox::Run, it can be signalled, waited for,
// and read while it runs. Its process group is killed and reaped on
// destruction.
class BackgroundVigy {
 public:
  // Starts `vigy args...` in the sandbox's directory with its store, stdin
  // from /dev/null; stdout and stderr go to files named after `tag`.
  BackgroundVigy(const Sandbox& sandbox, const std::vector<std::string>& args,
                 const std::string& tag = "background");

  pid_t pid() const { return process_.pid(); }
  void Signal(int signal) const { process_.Signal(signal); }

  // The exit code (128 + N when killed by signal N) once it has ended;
  // nullopt if it is still running after `timeout`.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout) { return process_.Wait(timeout); }

  std::string Out() const;
  std::string Err() const;

  // Polls `condition` until it holds (true) or `timeout` passes (false).
  static bool WaitUntil(const std::function<bool()>& condition,
                        std::chrono::milliseconds timeout = std::chrono::seconds(15));

 private:
  static ProcessSpec WithOutputs(ProcessSpec spec, std::string out, std::string err);

  std::string out_path_;
  std::string err_path_;
  Process process_;
};

// Starts `count` copies of `vigy args...` in the sandbox's directory, with its
// store, released together once all exist, and waits for every one.
std::vector<BinaryResult> RunTogether(const Sandbox& sandbox, const std::vector<std::string>& args,
                                      int count);

}  // namespace vigy::testing
