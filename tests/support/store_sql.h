// Reads a store with SQL, whichever kind its location names: an SQLite file
// (a path) or a PostgreSQL database (a postgresql:// location, as --db takes
// it). For checks that hold of both stores: the SQL must mean the same in
// both dialects (no booleans as numbers: CASE WHEN ... THEN 1 ELSE 0 END).
// A fresh connection per query; fails the test (REQUIRE) on any error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigy::testing {

class StoreSql {
 public:
  explicit StoreSql(std::string location);

  const std::string& location() const { return location_; }
  bool postgresql() const { return postgresql_; }

  // Every row `sql` returns, its first `columns` values as text ("" for
  // NULL).
  std::vector<std::vector<std::string>> Rows(const std::string& sql, int columns) const;
  // The one integer `sql` returns (one row, one column).
  int64_t QueryInt(const std::string& sql) const;

 private:
  std::string location_;
  bool postgresql_;
};

}  // namespace vigy::testing
