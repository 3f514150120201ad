// The PostgreSQL store's announcements (LISTEN/NOTIFY): a feed hears every
// change of its topic committed through any connection, and nothing else:
// not the other topic, not a transaction that rolled back, not a store in
// another schema of the same database; after the server went away and came
// back it says so, and hears what is committed from then on.
#include "storage/pg_change_feed.h"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/store.h"
#include "storage/store_open.h"
#include "tests/storage/store_helpers.h"
#include "tests/support/pg_server.h"

namespace vigy::storage {
namespace {

using core::ChangeFeed;
using core::ChangeTopic;
using testing::Add;
using testing::kT0;
using testing::SampleVigy;
using testing::TickOnce;
using vigy::testing::PgTestDatabase;
using vigy::testing::PrivatePgCluster;

// Long enough for an announcement to arrive; a wait that ends by it is
// over much sooner.
constexpr int64_t kHeardWithinMs = 10'000;
// How long a test waits for what must not come.
constexpr int64_t kQuietMs = 300;

std::unique_ptr<core::Store> Open(const std::string& location) {
  core::Result<std::unique_ptr<core::Store>> store = OpenStore(location, OpenMode::kCreate);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

std::unique_ptr<ChangeFeed> Listen(core::Store& store, ChangeTopic topic) {
  core::Result<std::unique_ptr<ChangeFeed>> feed = store.ListenForChanges(topic);
  INFO(feed.status().ToString());
  REQUIRE(feed.ok());
  REQUIRE(*feed != nullptr);
  return std::move(feed).value();
}

bool Heard(ChangeFeed& feed, int64_t within_ms = kHeardWithinMs) {
  core::Result<bool> heard = feed.Wait(within_ms);
  INFO(heard.status().ToString());
  REQUIRE(heard.ok());
  return *heard;
}

TEST_CASE("a PostgreSQL feed hears each committed change of its topic, from any connection") {
  PgTestDatabase db;
  auto listening = Open(db.uri());
  auto vigies = Listen(*listening, ChangeTopic::kVigies);
  auto runs = Listen(*listening, ChangeTopic::kRuns);
  CHECK_FALSE(Heard(*vigies, kQuietMs));
  CHECK_FALSE(Heard(*runs, kQuietMs));

  auto other = Open(db.uri());
  core::Vigy vigy = SampleVigy("pulse");
  Add(*other, vigy);
  CHECK(Heard(*vigies));
  CHECK_FALSE(Heard(*vigies, kQuietMs));  // once per commit
  CHECK_FALSE(Heard(*runs, kQuietMs));    // an add commits no run

  REQUIRE(other->KvSet(vigy.id, "k", nlohmann::json(1)).ok());
  CHECK(Heard(*vigies));
  REQUIRE(other->SetEnabled(vigy.id, false, kT0).ok());
  CHECK(Heard(*vigies));
  REQUIRE(other->SetEnabled(vigy.id, true, kT0).ok());
  CHECK(Heard(*vigies));

  // A tick commits a run and leaves the change stamp alone.
  TickOnce(*other, vigy.id, kT0);
  CHECK(Heard(*runs));
  CHECK_FALSE(Heard(*vigies, kQuietMs));

  // A batch of ticks committed as one transaction: one announcement.
  core::Vigy second = SampleVigy("second");
  Add(*other, second);
  CHECK(Heard(*vigies));
  core::Result<std::vector<LeaseAttempt>> leases = other->TryAcquireTickLeases(
      {vigy.id, second.id}, [](const core::Vigy&) { return int64_t{60'000}; }, kT0);
  REQUIRE(leases.ok());
  std::vector<TickCommit> commits;
  for (const LeaseAttempt& attempt : *leases) {
    REQUIRE(attempt.acquired());
    commits.push_back(testing::NextTick(*attempt.lease, kT0 + 1000));
  }
  REQUIRE(other->CommitTicks(commits).ok());
  CHECK(Heard(*runs));
  CHECK_FALSE(Heard(*runs, kQuietMs));

  // The listening connection's own changes are announced too.
  REQUIRE(listening->DeleteVigy(second.id).ok());
  CHECK(Heard(*vigies));
}

TEST_CASE("a PostgreSQL feed hears nothing of a change that was refused and rolled back") {
  PgTestDatabase db;
  auto listening = Open(db.uri());
  auto vigies = Listen(*listening, ChangeTopic::kVigies);
  auto other = Open(db.uri());
  Add(*other, SampleVigy("taken"));
  CHECK(Heard(*vigies));
  // The same name again: refused, after the insert began.
  CHECK(other->InsertVigy(SampleVigy("taken")).code() == core::Status::Code::kConflict);
  CHECK_FALSE(Heard(*vigies, kQuietMs));
}

TEST_CASE("a PostgreSQL feed hears only the store in its own schema") {
  PgTestDatabase db;
  db.Exec("CREATE SCHEMA second");
  const std::string second_location = db.uri() + "&options=-csearch_path%3Dsecond";
  auto first = Open(db.uri());
  auto second = Open(second_location);
  auto first_feed = Listen(*first, ChangeTopic::kVigies);
  auto second_feed = Listen(*second, ChangeTopic::kVigies);

  Add(*second, SampleVigy("over-there"));
  CHECK(Heard(*second_feed));
  CHECK_FALSE(Heard(*first_feed, kQuietMs));
  REQUIRE(db.QueryInt("SELECT count(*) FROM second.vigies") == 1);
  REQUIRE(db.QueryInt("SELECT count(*) FROM public.vigies") == 0);

  Add(*first, SampleVigy("here"));
  CHECK(Heard(*first_feed));
  CHECK_FALSE(Heard(*second_feed, kQuietMs));
}

TEST_CASE("a PostgreSQL feed rides out its server going away: it says so once back, and hears on") {
  PrivatePgCluster cluster;
  const std::string location = cluster.Uri("postgres");
  auto listening = Open(location);
  auto feed = Listen(*listening, ChangeTopic::kRuns);
  core::Vigy vigy = SampleVigy("pulse");
  Add(*listening, vigy);

  cluster.Halt();
  // Down: each wait takes its time (no spinning) and reports the store.
  const auto before = std::chrono::steady_clock::now();
  core::Result<bool> down = feed->Wait(kQuietMs);
  const auto waited = std::chrono::steady_clock::now() - before;
  CHECK(waited >= std::chrono::milliseconds(kQuietMs - 50));
  CHECK_FALSE((down.ok() && *down));

  cluster.Start();
  // Back: the feed reconnects and says changes may have been missed.
  bool reconnected = false;
  for (int i = 0; i < 20 && !reconnected; ++i) {
    core::Result<bool> heard = feed->Wait(500);
    reconnected = heard.ok() && *heard;
  }
  REQUIRE(reconnected);
  CHECK_FALSE(Heard(*feed, kQuietMs));

  // And it listens again: a run committed now is heard.
  auto other = Open(location);
  TickOnce(*other, vigy.id, kT0);
  CHECK(Heard(*feed));
}

}  // namespace
}  // namespace vigy::storage
