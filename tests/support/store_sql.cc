#include "tests/support/store_sql.h"

#include <doctest/doctest.h>

#include <memory>

#include "storage/pg_conn.h"
#include "storage/sqlite_db.h"
#include "tests/support/pg_server.h"

namespace vigy::testing {

StoreSql::StoreSql(std::string location)
    : location_(std::move(location)), postgresql_(storage::IsPostgresLocation(location_)) {}

std::vector<std::vector<std::string>> StoreSql::Rows(const std::string& sql, int columns) const {
  std::vector<std::vector<std::string>> rows;
  if (postgresql_) {
    for (const PgTextRow& found : PgQueryRows(storage::PostgresConninfo(location_), sql)) {
      INFO(sql);
      REQUIRE(static_cast<int>(found.size()) >= columns);
      std::vector<std::string>& row = rows.emplace_back();
      for (int c = 0; c < columns; ++c) row.push_back(found[c].value_or(""));
    }
    return rows;
  }
  core::Result<std::unique_ptr<storage::Db>> db = storage::Db::Open(location_, 5000);
  INFO(location_, ": ", db.status().ToString());
  REQUIRE(db.ok());
  auto stmt = (*db)->Prepare(sql);
  INFO(sql, ": ", stmt.status().ToString());
  REQUIRE(stmt.ok());
  for (;;) {
    auto step = stmt->Step();
    INFO(step.status().ToString());
    REQUIRE(step.ok());
    if (!*step) break;
    std::vector<std::string>& row = rows.emplace_back();
    for (int c = 0; c < columns; ++c) row.push_back(stmt->Text(c));
  }
  return rows;
}

int64_t StoreSql::QueryInt(const std::string& sql) const {
  std::vector<std::vector<std::string>> rows = Rows(sql, 1);
  INFO(sql);
  REQUIRE(rows.size() == 1);
  return std::stoll(rows[0][0]);
}

}  // namespace vigy::testing
