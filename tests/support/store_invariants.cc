#include "tests/support/store_invariants.h"

#include <doctest/doctest.h>

#include <vector>

#include "tests/support/store_sql.h"

namespace vigy::testing {

std::map<std::string, TickNumbering> ReadTickNumbering(const std::string& location) {
  std::vector<std::vector<std::string>> rows = StoreSql(location).Rows(
      "SELECT v.name, coalesce(r.tick_count, 0), "
      "  (SELECT count(*) FROM runs WHERE vigy_id = v.id), "
      "  (SELECT count(DISTINCT tick) FROM runs WHERE vigy_id = v.id), "
      "  (SELECT coalesce(min(tick), 0) FROM runs WHERE vigy_id = v.id), "
      "  (SELECT coalesce(max(tick), 0) FROM runs WHERE vigy_id = v.id) "
      "FROM vigies v LEFT JOIN runtime r ON r.vigy_id = v.id",
      6);
  std::map<std::string, TickNumbering> numbering;
  for (const std::vector<std::string>& row : rows) {
    TickNumbering& n = numbering[row[0]];
    n.tick_count = std::stoll(row[1]);
    n.runs = std::stoll(row[2]);
    n.distinct = std::stoll(row[3]);
    n.min_tick = std::stoll(row[4]);
    n.max_tick = std::stoll(row[5]);
  }
  return numbering;
}

std::map<std::string, TickNumbering> CheckStoreInvariants(const std::string& location) {
  const StoreSql sql(location);
  if (!sql.postgresql()) {
    std::vector<std::vector<std::string>> integrity = sql.Rows("PRAGMA integrity_check", 1);
    REQUIRE(!integrity.empty());
    CHECK(integrity[0][0] == "ok");
    CHECK(sql.QueryInt("SELECT count(*) FROM pragma_foreign_key_check") == 0);
  }
  // Every vigy has its program (the foreign keys already refuse a program
  // without its vigy).
  CHECK(sql.QueryInt("SELECT count(*) FROM vigies v WHERE NOT EXISTS "
                     "(SELECT 1 FROM programs p WHERE p.vigy_id = v.id)") == 0);
  std::map<std::string, TickNumbering> numbering = ReadTickNumbering(location);
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
