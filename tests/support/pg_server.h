// The PostgreSQL server the tests use: a private cluster listening only on a
// Unix socket (tests/support/pg_cluster.sh), and a fresh database on it for
// each test that wants one, dropped when the test is done with it.
//
// Under ctest the cluster is a fixture ("postgresql"), started before the
// first test and stopped after the last; its socket directory comes in
// VIGY_TEST_PG_SOCKET. A test binary run directly starts one of its own the
// first time a test asks, and stops it when the process exits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigy::testing {

// The directory holding the cluster's socket (.s.PGSQL.5432): the
// environment variable VIGY_TEST_PG_SOCKET when set; otherwise a cluster
// started once per process in a private temporary directory, stopped and
// removed at exit. Fails the calling test (doctest FAIL, naming why) if the
// cluster cannot be started; a failed start is not retried.
std::string PgSocketDir();

// Stops the cluster (pg_ctl stop -m fast, keeping its files) and starts it
// again on the same directory with the same settings, for tests of what
// happens when the database goes away. Every test using the cluster at that
// moment sees it go: the tests calling these must not run beside other
// database tests (ctest runs tests one at a time unless given -j). Fail the
// test if the script fails. Call PgStartCluster before any PgTestDatabase
// is destroyed.
void PgStopCluster();
void PgStartCluster();

// One row of text values; a NULL is nullopt.
using PgTextRow = std::vector<std::optional<std::string>>;

// The rows `sql` returns over a fresh connection made from `conninfo` (a
// libpq URI or keyword string). Fails the test (REQUIRE) if it cannot
// connect or the statement fails.
std::vector<PgTextRow> PgQueryRows(const std::string& conninfo, const std::string& sql);

// A fresh, empty database on the test cluster (named
// vigy_t_<pid>_<counter>_<random>, owned by the superuser vigy_test), made
// by the constructor and dropped WITH (FORCE) by the destructor, closing any
// connection still open to it. The constructor fails the test if it cannot
// make it; a failed drop is reported as a test failure but does not throw.
// `text` percent-encoded for a URI's query value (a socket directory).
std::string PgPercentEncode(std::string_view text);

class PgTestDatabase {
 public:
  PgTestDatabase();
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // A libpq URI for the database:
  // postgresql:///NAME?host=<percent-encoded socket dir>&user=vigy_test
  const std::string& uri() const { return uri_; }
  // The same as a libpq keyword string: host=DIR dbname=NAME user=vigy_test
  // (values single-quoted where libpq needs it).
  std::string keyword_conninfo() const;

  // Run `sql` on a fresh connection to the database, requiring success
  // (REQUIRE). Exec takes one or more statements; QueryInt one statement
  // giving one row with one non-null integer column, which it returns.
  void Exec(std::string_view sql) const;
  int64_t QueryInt(std::string_view sql) const;

 private:
  std::string socket_dir_;
  std::string name_;
  std::string uri_;
};

// A PostgreSQL cluster for one test alone (tests/support/pg_cluster.sh on a
// private temporary directory), so that the test may stop and restart it or
// change how it authenticates without any other test seeing it. Started by
// the constructor (failing the test if it cannot be), stopped and removed by
// the destructor. About a second to start.
class PrivatePgCluster {
 public:
  PrivatePgCluster();
  ~PrivatePgCluster();
  PrivatePgCluster(const PrivatePgCluster&) = delete;
  PrivatePgCluster& operator=(const PrivatePgCluster&) = delete;

  // The socket directory.
  const std::string& dir() const { return dir_; }

  // pg_ctl stop -m fast (every connection is closed), keeping the files.
  void Halt();
  // Starts it again after Halt, and waits until it accepts connections.
  void Start();

  // A libpq URI for `database` as `user`, `extra` appended to its query.
  std::string Uri(const std::string& database, const std::string& user = "vigy_test",
                  const std::string& extra = "") const;
  // A connection string for the superuser vigy_test, for the test's own SQL.
  std::string Admin(const std::string& database = "postgres") const { return Uri(database); }

  // The cluster's pg_hba.conf.
  std::string HbaPath() const { return dir_ + "/data/pg_hba.conf"; }

 private:
  std::string dir_;
};

}  // namespace vigy::testing
