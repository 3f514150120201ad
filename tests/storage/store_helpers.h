// Shared by the store tests: sample vigies, a raw connection for looking at
// the file the way an operator's sqlite3 would, and a helper that commits one
// tick. A fresh private directory per test and whole-file reads come from
// tests/support.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/model.h"
#include "core/vigy.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

namespace vigy::storage::testing {

inline constexpr int64_t kT0 = 1795674600000;  // 2026-11-26T06:30:00Z

using vigy::testing::ReadFile;
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

inline void Add(SqliteStore& store, const core::Vigy& vigy) {
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
inline void Commit(SqliteStore& store, TickCommit& commit) {
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
inline core::RunRecord TickOnce(SqliteStore& store, const std::string& id, int64_t tick_ms,
                                bool ok = true) {
  core::Result<TickLease> lease = store.AcquireTickLease(id, NewLeaseToken(), 60000, 1000);
  INFO(lease.status().ToString());
  REQUIRE(lease.ok());
  TickCommit commit = NextTick(*lease, tick_ms, ok);
  Commit(store, commit);
  return commit.run;
}

}  // namespace vigy::storage::testing
