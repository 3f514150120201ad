// The test cluster (started by tests/support/pg_cluster.sh) and databases
// on it, through libpq.
#include "tests/support/pg_server.h"

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <system_error>

#include "tests/support/process.h"
#include "tests/support/shell_quote.h"

namespace vigy::testing {
namespace {

namespace fs = std::filesystem;

const std::string kScript = std::string(VIGY_SOURCE_DIR) + "/tests/support/pg_cluster.sh";

// `pg_cluster.sh COMMAND DIR`: its exit code and output.
CommandResult RunScript(const std::string& command, const std::string& dir) {
  return RunShellCommand(ShellQuote(kScript) + " " + command + " " + ShellQuote(dir),
                         std::chrono::seconds(120));
}

// The cluster this process started itself, when not under ctest.
struct OwnCluster {
  std::mutex mutex;
  bool tried = false;
  std::string dir;    // set once started
  std::string error;  // set if the start failed
  pid_t owner = 0;    // the process that started it (not a forked child)
};

OwnCluster& Own() {
  static OwnCluster* own = new OwnCluster;  // never destroyed: used at exit
  return *own;
}

void StopOwnCluster() {
  OwnCluster& own = Own();
  if (own.dir.empty() || ::getpid() != own.owner) return;
  const std::string command =
      ShellQuote(kScript) + " stop " + ShellQuote(own.dir) + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "pg_server: could not stop the test cluster in %s\n", own.dir.c_str());
  }
}

// Starts this process's cluster on the first call; its socket directory, or
// an error saying why there is none.
void StartOwnCluster(std::string& dir, std::string& error) {
  OwnCluster& own = Own();
  std::lock_guard<std::mutex> lock(own.mutex);
  if (!own.tried) {
    own.tried = true;
    std::string pattern = (fs::temp_directory_path() / "vigy-pg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      own.error = "cannot make a temporary directory " + pattern;
    } else {
      CommandResult started = RunScript("start", pattern);
      if (started.exit_code == 0) {
        own.dir = pattern;
        own.owner = ::getpid();
        std::atexit(StopOwnCluster);
      } else {
        std::string& why = started.output;
        while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back()))) why.pop_back();
        own.error = "cannot start the PostgreSQL test cluster: " + why;
        RunScript("stop", pattern);
        std::error_code ignored;
        fs::remove(pattern, ignored);
      }
    }
  }
  dir = own.dir;
  error = own.error;
}

struct ConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConn = std::unique_ptr<PGconn, ConnCloser>;
using PgResult = std::unique_ptr<PGresult, ResultClearer>;

void IgnoreNotice(void*, const char*) {}

// A connection as vigy_test to `dbname` on the cluster in `socket_dir`;
// null with `error` set if it fails.
PgConn Connect(const std::string& socket_dir, const std::string& dbname, std::string& error) {
  const char* keywords[] = {"host", "dbname", "user", "connect_timeout", nullptr};
  const char* values[] = {socket_dir.c_str(), dbname.c_str(), "vigy_test", "10", nullptr};
  PgConn conn(PQconnectdbParams(keywords, values, 0));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    error = "cannot connect to database " + dbname + " in " + socket_dir + ": " +
            (conn ? PQerrorMessage(conn.get()) : "out of memory");
    return nullptr;
  }
  PQsetNoticeProcessor(conn.get(), IgnoreNotice, nullptr);
  return conn;
}

PgConn RequireConnection(const std::string& socket_dir, const std::string& dbname) {
  std::string error;
  PgConn conn = Connect(socket_dir, dbname, error);
  INFO(error);
  REQUIRE(conn != nullptr);
  return conn;
}

// Runs `sql` on `conn`; empty if it succeeded, else the error.
std::string Run(PGconn* conn, const std::string& sql, PgResult* result = nullptr) {
  PgResult ran(PQexec(conn, sql.c_str()));
  const ExecStatusType status = ran ? PQresultStatus(ran.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return sql + ": " + PQerrorMessage(conn);
  }
  if (result != nullptr) *result = std::move(ran);
  return "";
}

// A value in a libpq keyword string, single-quoted when it has to be.
std::string KeywordValue(std::string_view value) {
  if (!value.empty() && value.find_first_of(" \t\n\r\f\v'\\") == std::string_view::npos) {
    return std::string(value);
  }
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

std::string UniqueDatabaseName() {
  static std::atomic<int> counter{0};
  static std::mutex mutex;
  static std::mt19937 random{std::random_device{}()};
  unsigned salt;
  {
    std::lock_guard<std::mutex> lock(mutex);
    salt = static_cast<unsigned>(random());
  }
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", salt);
  return "vigy_t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" + hex;
}

}  // namespace

std::string PgSocketDir() {
  if (const char* dir = std::getenv("VIGY_TEST_PG_SOCKET"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  std::string dir;
  std::string error;
  StartOwnCluster(dir, error);
  if (dir.empty()) FAIL(error);
  return dir;
}

void PgStopCluster() {
  const std::string dir = PgSocketDir();
  CommandResult halted = RunScript("halt", dir);
  INFO(halted.output);
  REQUIRE(halted.exit_code == 0);
}

void PgStartCluster() {
  const std::string dir = PgSocketDir();
  CommandResult started = RunScript("start", dir);
  INFO(started.output);
  REQUIRE(started.exit_code == 0);
}

PgTestDatabase::PgTestDatabase() : socket_dir_(PgSocketDir()), name_(UniqueDatabaseName()) {
  PgConn conn = RequireConnection(socket_dir_, "postgres");
  // FILE_COPY (PostgreSQL 15+) copies the small template faster than the
  // default WAL_LOG; its checkpoints are cheap with fsync off.
  const char* strategy = PQserverVersion(conn.get()) >= 150000 ? " STRATEGY FILE_COPY" : "";
  const std::string error = Run(conn.get(), "CREATE DATABASE " + name_ + strategy);
  INFO(error);
  REQUIRE(error.empty());
  uri_ = "postgresql:///" + name_ + "?host=" + PgPercentEncode(socket_dir_) + "&user=vigy_test";
}

PgTestDatabase::~PgTestDatabase() {
  std::string error;
  PgConn conn = Connect(socket_dir_, "postgres", error);
  if (conn != nullptr) {
    error = Run(conn.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  if (!error.empty()) {
    const std::string message = "cannot drop test database " + name_ + ": " + error;
    FAIL_CHECK(message);
  }
}

std::string PgTestDatabase::keyword_conninfo() const {
  return "host=" + KeywordValue(socket_dir_) + " dbname=" + name_ + " user=vigy_test";
}

void PgTestDatabase::Exec(std::string_view sql) const {
  PgConn conn = RequireConnection(socket_dir_, name_);
  const std::string error = Run(conn.get(), std::string(sql));
  INFO(error);
  REQUIRE(error.empty());
}

int64_t PgTestDatabase::QueryInt(std::string_view sql) const {
  PgConn conn = RequireConnection(socket_dir_, name_);
  PgResult result;
  const std::string error = Run(conn.get(), std::string(sql), &result);
  INFO(error);
  REQUIRE(error.empty());
  INFO(sql);
  REQUIRE(PQresultStatus(result.get()) == PGRES_TUPLES_OK);
  REQUIRE(PQntuples(result.get()) == 1);
  REQUIRE(PQnfields(result.get()) == 1);
  REQUIRE_FALSE(PQgetisnull(result.get(), 0, 0));
  const std::string_view text = PQgetvalue(result.get(), 0, 0);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  INFO("value: ", text);
  REQUIRE((ec == std::errc() && end == text.data() + text.size()));
  return value;
}

std::string PgPercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

std::vector<PgTextRow> PgQueryRows(const std::string& conninfo, const std::string& sql) {
  PgConn conn(PQconnectdb(conninfo.c_str()));
  INFO("connecting with ", conninfo, ": ", PQerrorMessage(conn.get()));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  PgResult result(PQexec(conn.get(), sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  INFO(sql, ": ", PQerrorMessage(conn.get()));
  REQUIRE((status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK));
  std::vector<PgTextRow> rows;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    PgTextRow row;
    for (int c = 0; c < PQnfields(result.get()); ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        row.push_back(std::nullopt);
      } else {
        row.push_back(std::string(PQgetvalue(result.get(), r, c)));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// ---- PrivatePgCluster ----

PrivatePgCluster::PrivatePgCluster() {
  std::string pattern = (fs::temp_directory_path() / "vigy-pgown-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  dir_ = pattern;
  CommandResult started = RunScript("start", dir_);
  if (started.exit_code != 0) RunScript("stop", dir_);  // the destructor will not run
  INFO("pg_cluster.sh start ", dir_, ": ", started.output);
  REQUIRE(started.exit_code == 0);
}

PrivatePgCluster::~PrivatePgCluster() {
  CommandResult stopped = RunScript("stop", dir_);
  if (stopped.exit_code != 0) {
    const std::string message =
        "cannot stop the private cluster in " + dir_ + ": " + stopped.output;
    FAIL_CHECK(message);
  }
}

void PrivatePgCluster::Halt() {
  CommandResult halted = RunScript("halt", dir_);
  INFO(halted.output);
  REQUIRE(halted.exit_code == 0);
}

void PrivatePgCluster::Start() {
  CommandResult started = RunScript("start", dir_);
  INFO(started.output);
  REQUIRE(started.exit_code == 0);
}

std::string PrivatePgCluster::Uri(const std::string& database, const std::string& user,
                                  const std::string& extra) const {
  return "postgresql:///" + database + "?host=" + PgPercentEncode(dir_) + "&user=" + user + extra;
}

}  // namespace vigy::testing
