// Which store the doctest suite "store" runs against: the environment
// variable VIGY_TEST_STORE, "postgresql" for the PostgreSQL store, unset (or
// "sqlite") for an SQLite file. ctest runs that suite twice, the second time
// as "postgresql: ..." with the variable set (tests/CMakeLists.txt). The
// store tests' TestStore (tests/storage/store_helpers.h) and the end-to-end
// tests' Sandbox (tests/support/vigy_binary.h) both follow it.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace vigy::testing {

enum class StoreKind { kSqlite, kPostgresql };

// Anything but the two names fails the test, so that a misspelt name does
// not quietly test SQLite twice.
inline StoreKind StoreKindUnderTest() {
  const char* value = std::getenv("VIGY_TEST_STORE");
  const std::string_view kind = value == nullptr ? "" : value;
  if (kind.empty() || kind == "sqlite") return StoreKind::kSqlite;
  if (kind == "postgresql") return StoreKind::kPostgresql;
  FAIL("VIGY_TEST_STORE is '", std::string(kind), "'; expected 'sqlite' or 'postgresql'");
  return StoreKind::kSqlite;
}

}  // namespace vigy::testing
