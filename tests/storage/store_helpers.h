// Shared by the store tests: the store under test (an SQLite file, or a
// PostgreSQL database when VIGY_TEST_STORE=postgresql), sample vigies, a raw
// connection for looking at an SQLite file the way an operator's sqlite3
// would, and helpers that commit ticks through the store port. A fresh
// private directory per test and whole-file reads come from tests/support.
//
// The tests of the port's behaviour sit in the doctest suite "store" and use
// TestStore, so the same body runs against either store: ctest runs that
// suite twice, the second time as "postgresql: ..." with VIGY_TEST_STORE
// set (tests/CMakeLists.txt). By hand:
//   VIGY_TEST_STORE=postgresql build/tests/vigy_tests -ts=store
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/model.h"
#include "core/store.h"
#include "core/vigy.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"
#include "storage/store_open.h"
#include "tests/support/files.h"
#include "tests/support/pg_server.h"
#include "tests/support/store_kind.h"
#include "tests/support/temp_dir.h"

namespace vigy::storage::testing {

inline constexpr int64_t kT0 = 1795674600000;  // 2026-11-26T06:30:00Z

using vigy::testing::ReadFile;
using vigy::testing::StoreKind;
using vigy::testing::StoreKindUnderTest;
using vigy::testing::TempDir;

inline std::unique_ptr<SqliteStore> OpenStore(const std::string& path,
                                              OpenMode mode = OpenMode::kCreate) {
  core::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path, mode);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

// A raw connection to an existing file, bypassing every check of Open.
inline std::unique_ptr<Db> OpenRaw(const std::string& path) {
  if (!std::filesystem::exists(path)) std::ofstream(path).flush();
  core::Result<std::unique_ptr<Db>> db = Db::Open(path, 5000);
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return std::move(db).value();
}

inline int64_t QueryInt(const std::string& path, std::string_view sql) {
  std::unique_ptr<Db> db = OpenRaw(path);
  core::Result<int64_t> value = db->QueryInt(sql);
  INFO(value.status().ToString());
  REQUIRE(value.ok());
  return *value;
}

// A fresh, empty store location for one test, of the kind under test: a
// path in a private directory (no file there yet), or a new database on the
// PostgreSQL test cluster (no tables yet), removed with the object.
class TestStore {
 public:
  TestStore() : TestStore(StoreKindUnderTest()) {}
  explicit TestStore(StoreKind kind) : kind_(kind) {
    if (kind_ == StoreKind::kPostgresql) {
      database_.emplace();
      location_ = database_->uri();
    } else {
      dir_.emplace();
      location_ = dir_->File("vigy.db");
    }
  }
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  StoreKind kind() const { return kind_; }
  bool postgresql() const { return kind_ == StoreKind::kPostgresql; }
  // The location as storage::OpenStore takes it (--db).
  const std::string& location() const { return location_; }

  // storage::OpenStore on the location, for threads (which must not
  // REQUIRE) and for tests of what opening refuses.
  core::Result<std::unique_ptr<core::Store>> TryOpen(OpenMode mode = OpenMode::kCreate) const {
    return storage::OpenStore(location_, mode);
  }
  // The same, requiring success.
  std::unique_ptr<core::Store> Open(OpenMode mode = OpenMode::kCreate) const {
    core::Result<std::unique_ptr<core::Store>> store = TryOpen(mode);
    INFO(store.status().ToString());
    REQUIRE(store.ok());
    return std::move(store).value();
  }

  // Runs SQL on the store's tables directly, as an operator's sqlite3 or
  // psql would: write SQL both engines accept. QueryInt takes one statement
  // giving one integer; Exec one or more statements. For SQLite this opens
  // (and so creates) the file.
  int64_t QueryInt(std::string_view sql) const {
    if (database_) return database_->QueryInt(sql);
    return testing::QueryInt(location_, sql);
  }
  void Exec(std::string_view sql) const {
    if (database_) {
      database_->Exec(sql);
      return;
    }
    core::Status s = OpenRaw(location_)->Exec(std::string(sql));
    INFO(sql, ": ", s.ToString());
    REQUIRE(s.ok());
  }
  // How many tables the store holds: 0 while nothing was created (for
  // SQLite also when there is no file, which this does not create).
  int64_t TableCount() const {
    if (database_) {
      return database_->QueryInt(
          "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()");
    }
    if (!std::filesystem::exists(location_)) return 0;
    return testing::QueryInt(location_, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  }

 private:
  StoreKind kind_;
  std::optional<TempDir> dir_;
  std::optional<vigy::testing::PgTestDatabase> database_;
  std::string location_;
};

inline core::Vigy SampleVigy(const std::string& name, int64_t now_ms = kT0) {
  core::Vigy vigy;
  vigy.name = name;
  vigy.id = core::VigyIdFromName(name);
  vigy.program = "(vigy-noop)";
  vigy.revision = core::Revision(vigy.program);
  vigy.schedule.kind = core::ScheduleKind::kEvery;
  vigy.schedule.every_ms = 5000;
  vigy.created_at_ms = now_ms;
  vigy.updated_at_ms = now_ms;
  return vigy;
}

inline void Add(core::Store& store, const core::Vigy& vigy) {
  core::Status s = store.InsertVigy(vigy);
  INFO(s.ToString());
  REQUIRE(s.ok());
}

// What a tick of the vigy leased in `lease` at `tick_ms` commits: the next
// tick number, the counters advanced, and the kv counter "n" incremented
// when ok.
inline TickCommit NextTick(const TickLease& lease, int64_t tick_ms, bool ok = true) {
  TickCommit commit;
  commit.vigy_id = lease.vigy.id;
  commit.lease_token = lease.token;
  core::RunRecord& run = commit.run;
  run.id = core::NewRunId(tick_ms);
  run.vigy_id = lease.vigy.id;
  run.vigy_name = lease.vigy.name;
  run.revision = lease.vigy.revision;
  run.tick = lease.runtime.tick_count + 1;
  run.started_at_ms = tick_ms;
  run.duration_ms = 3;
  run.ended_at_ms = tick_ms + 3;
  run.result = std::string(ok ? core::kResultOk : core::kResultFailed);
  if (!ok) run.error = "1:1: boom";
  commit.runtime = lease.runtime;
  commit.runtime.tick_count = run.tick;
  commit.runtime.last_tick_ms = tick_ms;
  commit.runtime.consecutive_failures = ok ? 0 : lease.runtime.consecutive_failures + 1;
  if (ok) {
    auto it = lease.kv.find("n");
    int64_t n = it == lease.kv.end() ? 0 : it->second.get<int64_t>();
    commit.kv_writes["n"] = nlohmann::json(n + 1);
    commit.state = core::VigyState{};
    commit.state->desired["n"] = n + 1;
  }
  return commit;
}

// Commits `commit` and sets its run's seq to the number the commit was given
// (the store's newest; this connection must be the only one committing).
inline void Commit(core::Store& store, TickCommit& commit) {
  core::Result<int64_t> before = store.LatestRunSeq();
  REQUIRE(before.ok());
  core::Status s = store.CommitTick(commit);
  INFO(s.ToString());
  REQUIRE(s.ok());
  core::Result<int64_t> after = store.LatestRunSeq();
  REQUIRE(after.ok());
  REQUIRE(*after == *before + 1);
  commit.run.seq = *after;
}

// Leases, ticks and commits the vigy once; returns the committed run (with
// its seq).
inline core::RunRecord TickOnce(core::Store& store, const std::string& id, int64_t tick_ms,
                                bool ok = true) {
  core::Result<TickLease> lease = store.AcquireTickLease(id, NewLeaseToken(), 60000, 1000);
  INFO(lease.status().ToString());
  REQUIRE(lease.ok());
  TickCommit commit = NextTick(*lease, tick_ms, ok);
  Commit(store, commit);
  return commit.run;
}

}  // namespace vigy::storage::testing
