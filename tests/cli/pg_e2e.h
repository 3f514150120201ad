// Shared by the end-to-end tests of the binary on a PostgreSQL store
// (pg_store_e2e_test.cc, pg_fleet_test.cc): running vigy with a location and
// an environment of the test's choosing, and reading the store back with
// SQL. A cluster of a test's own is tests/support/pg_server.h's
// PrivatePgCluster.
#pragma once

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/files.h"
#include "tests/support/pg_server.h"
#include "tests/support/process.h"
#include "tests/support/shell_quote.h"
#include "tests/support/vigy_binary.h"

namespace vigy::testing {

// ---- SQL, through libpq ----

// The single value (one row, one column, not NULL) `sql` returns.
inline std::string PgQueryText(const std::string& conninfo, const std::string& sql) {
  std::vector<PgTextRow> rows = PgQueryRows(conninfo, sql);
  INFO(sql);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].size() == 1);
  REQUIRE(rows[0][0].has_value());
  return *rows[0][0];
}

inline int64_t PgQueryInt64(const std::string& conninfo, const std::string& sql) {
  return std::stoll(PgQueryText(conninfo, sql));
}

// ---- running vigy on a PostgreSQL store ----

// The sandbox's environment without any of libpq's variables (PGHOST,
// PGPASSWORD, PGSERVICE, ...), so that only the location a test gives
// decides where vigy connects and with what credentials. VIGY_DB is the
// sandbox's SQLite file, as Sandbox::Environment sets it.
inline std::vector<std::string> PgTestEnvironment(const Sandbox& sandbox) {
  std::vector<std::string> env;
  for (std::string& entry : sandbox.Environment()) {
    if (entry.starts_with("PG")) continue;
    env.push_back(std::move(entry));
  }
  return env;
}

// `env` with VIGY_DB set to `location` (or unset, when empty).
inline std::vector<std::string> WithVigyDb(std::vector<std::string> env,
                                           const std::string& location) {
  std::erase_if(env, [](const std::string& entry) { return entry.starts_with("VIGY_DB="); });
  if (!location.empty()) env.push_back("VIGY_DB=" + location);
  return env;
}

// Runs `vigy args...` in the sandbox with the environment `env`.
inline BinaryResult RunVigyEnv(const Sandbox& sandbox, const std::vector<std::string>& args,
                               const std::vector<std::string>& env,
                               std::chrono::seconds timeout = std::chrono::seconds(60)) {
  ProcessSpec spec = sandbox.Spec(args);
  spec.environment = env;
  spec.stdout_path = (sandbox.dir() / ".pg-stdout").string();
  spec.stderr_path = (sandbox.dir() / ".pg-stderr").string();
  ProcessResult ran = RunProcess(spec, timeout);
  return BinaryResult{ran.exit_code, std::move(ran.out), std::move(ran.err)};
}

// Runs `vigy --db location args...` in the sandbox, without libpq's
// variables in its environment.
inline BinaryResult RunOnPg(const Sandbox& sandbox, const std::string& location,
                            std::vector<std::string> args,
                            std::chrono::seconds timeout = std::chrono::seconds(60)) {
  args.insert(args.begin(), {"--db", location});
  return RunVigyEnv(sandbox, args, PgTestEnvironment(sandbox), timeout);
}

// RunOnPg, requiring exit 0 (showing stderr if not).
inline BinaryResult MustOnPg(const Sandbox& sandbox, const std::string& location,
                             const std::vector<std::string>& args) {
  BinaryResult r = RunOnPg(sandbox, location, args);
  INFO("vigy ", args.empty() ? "" : args[0], " exited ", r.exit_code, ": ", r.err);
  CHECK(r.exit_code == 0);
  return r;
}

// A `vigy --db location args...` left running (serve): signalled, waited
// for and read while it runs; its process group is killed and reaped when
// the object goes.
class PgBackgroundVigy {
 public:
  PgBackgroundVigy(const Sandbox& sandbox, const std::string& location,
                   std::vector<std::string> args, const std::string& tag)
      : out_path_((sandbox.dir() / ("." + tag + "-out")).string()),
        err_path_((sandbox.dir() / ("." + tag + "-err")).string()) {
    args.insert(args.begin(), {"--db", location});
    ProcessSpec spec = sandbox.Spec(args);
    spec.environment = PgTestEnvironment(sandbox);
    spec.stdout_path = out_path_;
    spec.stderr_path = err_path_;
    process_ = std::make_unique<Process>(spec);
  }

  pid_t pid() const { return process_->pid(); }
  void Signal(int signal) const { process_->Signal(signal); }
  std::optional<int> WaitExit(std::chrono::milliseconds timeout) { return process_->Wait(timeout); }
  std::string Out() const { return ReadFile(out_path_); }
  std::string Err() const { return ReadFile(err_path_); }

 private:
  std::string out_path_;
  std::string err_path_;
  std::unique_ptr<Process> process_;
};

// How many ticks serve's log says it committed ("stopped after N ticks"),
// or nullopt if it never said.
inline std::optional<int64_t> StoppedAfterTicks(const std::string& log) {
  static const std::regex stopped(R"(stopped after (\d+) ticks?)");
  std::smatch match;
  if (!std::regex_search(log, match, stopped)) return std::nullopt;
  return std::stoll(match[1].str());
}

// Whether `text` is exactly one line (one newline, at its end).
inline bool IsOneLine(const std::string& text) {
  return !text.empty() && text.back() == '\n' && std::count(text.begin(), text.end(), '\n') == 1;
}

}  // namespace vigy::testing
