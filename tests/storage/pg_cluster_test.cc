// The PostgreSQL test harness (tests/support/pg_server.h): each
// PgTestDatabase is a database of its own, reachable through its URI and its
// keyword string, gone once the object is; and the cluster has no TCP
// listener.
#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>

#include "tests/support/pg_server.h"

namespace vigy::testing {
namespace {

// current_database() over a connection made from `conninfo` (a URI or a
// keyword string).
std::string CurrentDatabase(const std::string& conninfo) {
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(conninfo.c_str()), PQfinish);
  INFO(conninfo, ": ", PQerrorMessage(conn.get()));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  std::unique_ptr<PGresult, void (*)(PGresult*)> result(
      PQexec(conn.get(), "SELECT current_database()"), PQclear);
  REQUIRE(PQresultStatus(result.get()) == PGRES_TUPLES_OK);
  return PQgetvalue(result.get(), 0, 0);
}

TEST_CASE("the PostgreSQL test cluster gives each PgTestDatabase a database of its own") {
  PgTestDatabase first;
  PgTestDatabase second;
  CHECK(first.name() != second.name());
  CHECK(CurrentDatabase(first.uri()) == first.name());
  CHECK(CurrentDatabase(first.keyword_conninfo()) == first.name());
  CHECK(CurrentDatabase(second.uri()) == second.name());

  first.Exec("CREATE TABLE t (i bigint); INSERT INTO t VALUES (41), (1)");
  CHECK(first.QueryInt("SELECT sum(i) FROM t") == 42);
  CHECK(first.QueryInt("SELECT count(*) FROM pg_tables WHERE tablename = 't'") == 1);
  CHECK(second.QueryInt("SELECT count(*) FROM pg_tables WHERE tablename = 't'") == 0);
}

TEST_CASE("the PostgreSQL test cluster drops a PgTestDatabase's database with the object") {
  PgTestDatabase observer;
  std::optional<PgTestDatabase> database;
  database.emplace();
  const std::string exists =
      "SELECT count(*) FROM pg_database WHERE datname = '" + database->name() + "'";
  CHECK(observer.QueryInt(exists) == 1);
  // Even with a connection still open to it.
  std::unique_ptr<PGconn, void (*)(PGconn*)> open(PQconnectdb(database->uri().c_str()), PQfinish);
  REQUIRE(PQstatus(open.get()) == CONNECTION_OK);
  database.reset();
  CHECK(observer.QueryInt(exists) == 0);
}

TEST_CASE("the PostgreSQL test cluster listens on its Unix socket only") {
  PgTestDatabase database;
  CHECK(database.QueryInt("SELECT (current_setting('listen_addresses') = '')::int") == 1);
  CHECK(database.QueryInt("SELECT (inet_server_port() IS NULL)::int") == 1);
}

}  // namespace
}  // namespace vigy::testing
