#include "tests/support/store_invariants.h"

#include <doctest/doctest.h>

#include <memory>

#include "storage/sqlite_db.h"

namespace vigy::testing {
namespace {

std::unique_ptr<storage::Db> OpenFile(const std::string& path) {
  core::Result<std::unique_ptr<storage::Db>> db = storage::Db::Open(path, 5000);
  INFO(path, ": ", db.status().ToString());
  REQUIRE(db.ok());
  return std::move(db).value();
}

}  // namespace

std::map<std::string, TickNumbering> ReadTickNumbering(const std::string& path) {
  std::unique_ptr<storage::Db> db = OpenFile(path);
  auto stmt = db->Prepare(
      "SELECT v.name, coalesce(r.tick_count, 0), "
      "  (SELECT count(*) FROM runs WHERE vigy_id = v.id), "
      "  (SELECT count(DISTINCT tick) FROM runs WHERE vigy_id = v.id), "
      "  (SELECT coalesce(min(tick), 0) FROM runs WHERE vigy_id = v.id), "
      "  (SELECT coalesce(max(tick), 0) FROM runs WHERE vigy_id = v.id) "
      "FROM vigies v LEFT JOIN runtime r ON r.vigy_id = v.id");
  INFO(stmt.status().ToString());
  REQUIRE(stmt.ok());
  std::map<std::string, TickNumbering> numbering;
  for (;;) {
    auto row = stmt->Step();
    INFO(row.status().ToString());
    REQUIRE(row.ok());
    if (!*row) break;
    TickNumbering& n = numbering[stmt->Text(0)];
    n.tick_count = stmt->Int(1);
    n.runs = stmt->Int(2);
    n.distinct = stmt->Int(3);
    n.min_tick = stmt->Int(4);
    n.max_tick = stmt->Int(5);
  }
  return numbering;
}

std::map<std::string, TickNumbering> CheckStoreInvariants(const std::string& path) {
  {
    std::unique_ptr<storage::Db> db = OpenFile(path);
    auto integrity = db->Prepare("PRAGMA integrity_check");
    REQUIRE(integrity.ok());
    auto row = integrity->Step();
    REQUIRE(row.ok());
    REQUIRE(*row);
    CHECK(integrity->Text(0) == "ok");
    auto dangling = db->QueryInt("SELECT count(*) FROM pragma_foreign_key_check");
    REQUIRE(dangling.ok());
    CHECK(*dangling == 0);
    // Every vigy has its program (the foreign key check above already finds
    // a program without its vigy).
    auto without_program = db->QueryInt(
        "SELECT count(*) FROM vigies v WHERE NOT EXISTS "
        "(SELECT 1 FROM programs p WHERE p.vigy_id = v.id)");
    REQUIRE(without_program.ok());
    CHECK(*without_program == 0);
  }
  std::map<std::string, TickNumbering> numbering = ReadTickNumbering(path);
  for (const auto& [name, n] : numbering) {
    const std::string& vigy_name = name;  // a lambda inside CAPTURE cannot name a binding
    CAPTURE(vigy_name);
    // Every tick counted is recorded, once, numbered 1..n.
    CHECK(n.runs == n.tick_count);
    CHECK(n.distinct == n.runs);
    CHECK(n.max_tick == n.runs);
    if (n.runs > 0) CHECK(n.min_tick == 1);
  }
  return numbering;
}

}  // namespace vigy::testing
