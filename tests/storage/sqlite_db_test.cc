// The connection wrapper's statement helpers: Query and Execute bind their
// arguments to ?1, ?2, ... by type.
#include "storage/sqlite_db.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace vigy::storage {
namespace {

using core::Result;
using core::Status;

std::unique_ptr<Db> MemoryDb() {
  Result<std::unique_ptr<Db>> db = Db::Open(":memory:", 1000);
  REQUIRE(db.ok());
  REQUIRE((*db)->Exec("CREATE TABLE t (i INTEGER, s TEXT, oi INTEGER, os TEXT)").ok());
  return std::move(db).value();
}

TEST_CASE("Execute binds integers, bools, text and optionals to ?1, ?2, ... in order") {
  std::unique_ptr<Db> db = MemoryDb();
  const std::string text = "it's \"quoted\"";
  REQUIRE(db->Execute("INSERT INTO t VALUES (?1, ?2, ?3, ?4)", int64_t{-7}, text,
                      std::optional<int64_t>(42), std::optional<std::string>("x"))
              .ok());
  REQUIRE(db->Execute("INSERT INTO t VALUES (?1, ?2, ?3, ?4)", true, std::string_view("sv"),
                      std::optional<int64_t>(), std::optional<std::string>())
              .ok());
  CHECK(db->Changes() == 1);

  Result<Statement> rows =
      db->Query("SELECT i, s, oi, os, typeof(oi), typeof(os) FROM t WHERE i <= ?1 ORDER BY i", 1);
  REQUIRE(rows.ok());
  REQUIRE(*rows->Step());
  CHECK(rows->Int(0) == -7);
  CHECK(rows->Text(1) == text);
  CHECK(rows->OptInt(2) == 42);
  CHECK(rows->OptText(3) == "x");
  REQUIRE(*rows->Step());
  CHECK(rows->Int(0) == 1);
  CHECK(rows->Text(1) == "sv");
  CHECK(rows->Text(4) == "null");
  CHECK(rows->Text(5) == "null");
  CHECK_FALSE(*rows->Step());
}

TEST_CASE("a statement SQLite refuses comes back as a status, naming the store") {
  std::unique_ptr<Db> db = MemoryDb();
  Status bad = db->Execute("INSERT INTO missing VALUES (?1)", 1);
  CHECK_FALSE(bad.ok());
  CHECK(bad.message().find(":memory:") != std::string::npos);
  CHECK_FALSE(db->Query("SELEC nothing").ok());
}

}  // namespace
}  // namespace vigy::storage
