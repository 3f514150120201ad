// What must hold of a store whenever no serve is writing to it, however the
// processes that wrote it ended (stopped, killed -9, racing each other):
// checked by the crash torture and concurrency storm tests alike. A store is
// named by its location, as --db takes it: an SQLite file's path, or a
// PostgreSQL database (tests/support/store_sql.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace vigy::testing {

// How one vigy's ticks are recorded.
struct TickNumbering {
  int64_t tick_count = 0;  // the runtime's counter (0 before the first tick)
  int64_t runs = 0;        // runs recorded
  int64_t distinct = 0;    // distinct tick numbers among them
  int64_t min_tick = 0;    // 0 when there are no runs
  int64_t max_tick = 0;
};

// The numbering of every vigy in the store at `location`, by vigy name.
std::map<std::string, TickNumbering> ReadTickNumbering(const std::string& location);

// Checks (as failing test assertions) that an SQLite store's file is intact
// with no foreign key dangling (a PostgreSQL server enforces its keys
// itself), every vigy has its program row, and every vigy's counted ticks
// are recorded once each, numbered 1..n. Returns the numbering, for further
// checks.
std::map<std::string, TickNumbering> CheckStoreInvariants(const std::string& location);

}  // namespace vigy::testing
