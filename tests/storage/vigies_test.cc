#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>

#include "core/ids.h"
#include "core/store.h"
#include "storage/sqlite_store.h"
#include "tests/storage/store_helpers.h"

namespace vigy::storage {
namespace {

using core::Status;
using core::Vigy;
using testing::Add;
using testing::OpenStore;
using testing::SampleVigy;
using testing::TempDir;
using testing::TestStore;

// Two names whose ids share their first four hex digits.
std::pair<std::string, std::string> NamesSharingIdPrefix() {
  std::map<std::string, std::string> seen;  // id prefix -> name
  for (int i = 0;; ++i) {
    std::string name = fmt::format("v{}", i);
    std::string prefix = core::VigyIdFromName(name).substr(0, 4);
    auto [it, added] = seen.emplace(prefix, name);
    if (!added) return {it->second, name};
  }
}

Vigy FullVigy() {
  Vigy vigy = SampleVigy("full");
  vigy.program = "(vigy-set-desired \"a\" 1)\n";
  vigy.revision = core::Revision(vigy.program);
  vigy.schedule = core::Schedule{core::ScheduleKind::kCron, 0, "*/5 * * * *", 1500};
  vigy.enabled = false;
  vigy.labels = {{"app", "web"}, {"team/owner", ""}};
  vigy.timeout_ms = 2500;
  vigy.max_steps = 100000;
  vigy.handler = "./apply.sh --dry";
  vigy.updated_at_ms = testing::kT0 + 99;
  return vigy;
}

TEST_SUITE("store") {
  TEST_CASE("a vigy round-trips every field") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, FullVigy());
    Add(*store, SampleVigy("plain"));
    Vigy none = SampleVigy("manual");
    none.schedule = core::Schedule{};
    Add(*store, none);
    CHECK(*store->FindVigy("full") == FullVigy());
    CHECK(*store->FindVigy("plain") == SampleVigy("plain"));
    CHECK(*store->FindVigy("manual") == none);
    CHECK(*store->GetVigy(core::VigyIdFromName("full")) == FullVigy());
  }

  TEST_CASE("adding a name that exists is a conflict and changes nothing") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, SampleVigy("backup"));
    int64_t stamp = *store->ChangeStamp();
    Vigy again = SampleVigy("backup");
    again.program = "(vigy-log \"other\")";
    CHECK(store->InsertVigy(again) == Status::Conflict("vigy 'backup' already exists"));
    CHECK(store->FindVigy("backup")->program == "(vigy-noop)");
    CHECK(*store->ChangeStamp() == stamp);
  }

  TEST_CASE("a vigy is found by name, full id, or a unique id prefix of four or more") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, SampleVigy("backup"));
    Add(*store, SampleVigy("web"));
    std::string id = core::VigyIdFromName("backup");
    CHECK(store->FindVigy("backup")->name == "backup");
    CHECK(store->FindVigy(id)->name == "backup");
    CHECK(store->FindVigy(id.substr(0, 4))->name == "backup");
    CHECK(store->FindVigy(id.substr(0, 9))->name == "backup");
    std::string upper = id.substr(0, 6);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(store->FindVigy(upper)->name == "backup");
  }

  TEST_CASE("a short, unknown or overlong reference is not found, with a reason for short ones") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, SampleVigy("backup"));
    std::string id = core::VigyIdFromName("backup");
    CHECK(store->FindVigy(id.substr(0, 3)).status() ==
          Status::NotFound(fmt::format(
              "no such vigy '{}' (an id prefix needs at least 4 characters)", id.substr(0, 3))));
    CHECK(store->FindVigy("nothing").status() == Status::NotFound("no such vigy 'nothing'"));
    CHECK(store->FindVigy(id + "0").status() ==
          Status::NotFound(fmt::format("no such vigy '{}0'", id)));
    CHECK(store->FindVigy("").status().code() == Status::Code::kNotFound);
  }

  TEST_CASE("an ambiguous id prefix is an error listing the candidates") {
    TestStore test_store;
    auto store = test_store.Open();
    auto [first, second] = NamesSharingIdPrefix();
    Add(*store, SampleVigy(first));
    Add(*store, SampleVigy(second));
    std::string a = core::VigyIdFromName(first);
    std::string b = core::VigyIdFromName(second);
    if (b < a) {
      std::swap(a, b);
      std::swap(first, second);
    }
    std::string prefix = a.substr(0, 4);
    CHECK(
        store->FindVigy(prefix).status() ==
        Status::InvalidArgument(fmt::format("vigy id prefix '{}' is ambiguous: it matches {} ({}), "
                                            "{} ({})",
                                            prefix, a, first, b, second)));
    CHECK(store->FindVigy(a)->name == first);
  }

  TEST_CASE("a name wins over an id that looks the same") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, SampleVigy("backup"));
    std::string id = core::VigyIdFromName("backup");
    Add(*store, SampleVigy(id.substr(0, 6)));
    CHECK(store->FindVigy(id.substr(0, 6))->name == id.substr(0, 6));
    CHECK(store->FindVigy(id.substr(0, 5))->name == "backup");
  }

  TEST_CASE("updating a vigy keeps its kv, runs and creation time") {
    TestStore test_store;
    auto store = test_store.Open();
    Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    REQUIRE(store->KvSet(vigy.id, "seed", "x").ok());
    testing::TickOnce(*store, vigy.id, testing::kT0 + 1000);

    Vigy changed = FullVigy();
    changed.id = vigy.id;
    changed.name = vigy.name;
    changed.created_at_ms = 1;  // ignored: creation time is kept
    REQUIRE(store->UpdateVigy(changed).ok());

    Vigy expected = changed;
    expected.created_at_ms = vigy.created_at_ms;
    CHECK(*store->GetVigy(vigy.id) == expected);
    CHECK(store->KvGet(vigy.id, "seed")->value() == "x");
    CHECK(store->ListRuns({vigy.id})->size() == 1);
    CHECK(store->GetRuntime(vigy.id)->tick_count == 1);

    Vigy ghost = SampleVigy("ghost");
    CHECK(store->UpdateVigy(ghost) == Status::NotFound("no such vigy 'ghost'"));
  }

  TEST_CASE("updating a vigy's schedule clears its planned next tick, and other changes keep it") {
    TestStore test_store;
    auto store = test_store.Open();
    Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    const int64_t due = testing::kT0 + 5000;
    auto planned = [&] { return store->GetRuntime(vigy.id)->next_due_ms; };

    REQUIRE(store->SetNextDue(vigy.id, due).ok());
    Vigy edited = vigy;
    edited.program = "(vigy-log \"v2\")";
    edited.revision = core::Revision(edited.program);
    edited.labels = {{"app", "web"}};
    edited.enabled = false;
    edited.timeout_ms = 2000;
    REQUIRE(store->UpdateVigy(edited).ok());
    CHECK(planned() == due);

    auto changes_schedule = [&](const core::Schedule& schedule) {
      REQUIRE(store->SetNextDue(vigy.id, due).ok());
      Vigy changed = edited;
      changed.schedule = schedule;
      REQUIRE(store->UpdateVigy(changed).ok());
      edited = changed;
      return !planned().has_value();
    };
    CHECK(changes_schedule({core::ScheduleKind::kEvery, 6000, "", 0}));
    CHECK(changes_schedule({core::ScheduleKind::kEvery, 6000, "", 250}));
    CHECK(changes_schedule({core::ScheduleKind::kCron, 0, "*/5 * * * *", 250}));
    CHECK(changes_schedule({core::ScheduleKind::kCron, 0, "*/10 * * * *", 250}));
    CHECK(changes_schedule({core::ScheduleKind::kNone, 0, "", 250}));
    CHECK_FALSE(changes_schedule({core::ScheduleKind::kNone, 0, "", 250}));
    // Fields a schedule kind does not use are not stored, so they change nothing.
    CHECK_FALSE(changes_schedule({core::ScheduleKind::kNone, 1234, "", 250}));
  }

  TEST_CASE("replacing a vigy starts it afresh, and adds one that is new") {
    TestStore test_store;
    auto store = test_store.Open();
    Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    REQUIRE(store->KvSet(vigy.id, "seed", "x").ok());
    testing::TickOnce(*store, vigy.id, testing::kT0 + 1000);

    Vigy replacement = SampleVigy("backup", testing::kT0 + 5000);
    replacement.program = "(vigy-log \"v2\")";
    REQUIRE(store->ReplaceVigy(replacement).ok());
    CHECK(*store->FindVigy("backup") == replacement);
    CHECK(store->KvList(vigy.id)->empty());
    CHECK(store->ListRuns({vigy.id})->empty());
    CHECK(*store->GetRuntime(vigy.id) == core::VigyRuntime{});
    CHECK_FALSE(store->GetState(vigy.id)->has_value());

    REQUIRE(store->ReplaceVigy(SampleVigy("fresh")).ok());
    CHECK(store->FindVigy("fresh").ok());
  }

  TEST_CASE("removing a vigy removes everything that belongs to it") {
    TestStore test_store;
    auto store = test_store.Open();
    Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    Add(*store, SampleVigy("web"));
    REQUIRE(store->KvSet(vigy.id, "seed", "x").ok());
    core::RunRecord run = testing::TickOnce(*store, vigy.id, testing::kT0 + 1000);
    REQUIRE(store->DeleteVigy(vigy.id).ok());

    CHECK(store->FindVigy("backup").status().code() == Status::Code::kNotFound);
    CHECK(store->GetRun(run.id).status() ==
          Status::NotFound(fmt::format("no such run '{}'", run.id)));
    for (const char* table : {"programs", "runtime", "runs", "actions", "state", "kv"}) {
      CAPTURE(table);
      CHECK(test_store.QueryInt(
                fmt::format("SELECT count(*) FROM {} WHERE vigy_id = '{}'", table, vigy.id)) == 0);
    }
    CHECK(store->FindVigy("web").ok());
    CHECK(store->DeleteVigy(vigy.id) ==
          Status::NotFound(fmt::format("no such vigy '{}'", vigy.id)));
  }

  TEST_CASE("enabling and disabling a vigy sets its flag and update time") {
    TestStore test_store;
    auto store = test_store.Open();
    Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    REQUIRE(store->SetEnabled(vigy.id, false, testing::kT0 + 7).ok());
    CHECK_FALSE(store->GetVigy(vigy.id)->enabled);
    CHECK(store->GetVigy(vigy.id)->updated_at_ms == testing::kT0 + 7);
    REQUIRE(store->SetEnabled(vigy.id, true, testing::kT0 + 8).ok());
    CHECK(store->GetVigy(vigy.id)->enabled);
    CHECK(store->SetEnabled("0000000000000000", true, 0).code() == Status::Code::kNotFound);
  }

  TEST_CASE("every change from outside a tick moves the change stamp, seen by other connections") {
    TestStore test_store;
    auto store = test_store.Open();
    auto watcher = test_store.Open();
    Vigy vigy = SampleVigy("backup");
    int64_t stamp = *watcher->ChangeStamp();
    auto moved = [&] {
      int64_t now = *watcher->ChangeStamp();
      bool changed = now > stamp;
      stamp = now;
      return changed;
    };
    Add(*store, vigy);
    CHECK(moved());
    REQUIRE(store->UpdateVigy(vigy).ok());
    CHECK(moved());
    REQUIRE(store->SetEnabled(vigy.id, false, 1).ok());
    CHECK(moved());
    REQUIRE(store->KvSet(vigy.id, "k", 1).ok());
    CHECK(moved());
    REQUIRE(*store->KvDelete(vigy.id, "k"));
    CHECK(moved());
    testing::TickOnce(*store, vigy.id, testing::kT0);
    CHECK_FALSE(moved());
    REQUIRE(store->ReplaceVigy(vigy).ok());
    CHECK(moved());
    REQUIRE(store->DeleteVigy(vigy.id).ok());
    CHECK(moved());
  }

  TEST_CASE("listing shows each vigy with its counters and latest run, by name") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, SampleVigy("web"));
    Add(*store, SampleVigy("backup"));
    std::string id = core::VigyIdFromName("web");
    testing::TickOnce(*store, id, testing::kT0 + 1000);
    core::RunRecord last = testing::TickOnce(*store, id, testing::kT0 + 2000, false);

    core::Result<std::vector<VigyListing>> listing = store->ListVigies();
    REQUIRE(listing.ok());
    REQUIRE(listing->size() == 2);
    const VigyListing& backup = (*listing)[0];
    const VigyListing& web = (*listing)[1];
    CHECK(backup.vigy.name == "backup");
    CHECK(backup.vigy.program.empty());
    CHECK(backup.vigy.revision == SampleVigy("backup").revision);
    CHECK(backup.runtime == core::VigyRuntime{});
    CHECK_FALSE(backup.last_run);

    CHECK(web.runtime.tick_count == 2);
    CHECK(web.runtime.consecutive_failures == 1);
    CHECK(web.runtime.last_result == "failed");
    CHECK(web.runtime.last_run_at_ms == last.ended_at_ms);
    REQUIRE(web.last_run);
    CHECK(*web.last_run == RunSummary{last.id, 2, "failed", "1:1: boom", last.started_at_ms,
                                      last.ended_at_ms, last.duration_ms});
    CHECK(store->ListVigies(true)->at(0).vigy.program == "(vigy-noop)");
  }

  TEST_CASE("a listing of ten thousand vigies is complete and in name order") {
    TestStore test_store;
    auto store = test_store.Open();
    constexpr int kCount = 10000;
    for (int i = 0; i < kCount; ++i) {
      Vigy vigy = SampleVigy(fmt::format("vigy-{:05}", i));
      vigy.labels = {{"shard", fmt::format("{}", i % 7)}};
      Add(*store, vigy);
    }
    core::Result<std::vector<VigyListing>> listing = store->ListVigies();
    REQUIRE(listing.ok());
    REQUIRE(listing->size() == kCount);
    CHECK(listing->front().vigy.name == "vigy-00000");
    CHECK(listing->back().vigy.name == "vigy-09999");
    CHECK(listing->at(1234).vigy.labels.at("shard") == "2");
  }

  TEST_CASE("the scheduler's next due time is kept with the counters") {
    TestStore test_store;
    auto store = test_store.Open();
    Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    REQUIRE(store->SetNextDue(vigy.id, testing::kT0 + 5000).ok());
    CHECK(store->GetRuntime(vigy.id)->next_due_ms == testing::kT0 + 5000);
    REQUIRE(store->SetNextDue(vigy.id, std::nullopt).ok());
    CHECK_FALSE(store->GetRuntime(vigy.id)->next_due_ms);
    CHECK(store->SetNextDue("0000000000000000", 1).code() == Status::Code::kNotFound);
  }
}

TEST_CASE("prepared statements are compiled once and reused") {
  TempDir dir;
  auto store = OpenStore(dir.File("vigy.db"));
  Vigy vigy = SampleVigy("backup");
  Add(*store, vigy);
  auto round = [&](int i) {
    REQUIRE(store->KvSet(vigy.id, "k", i).ok());
    REQUIRE(store->FindVigy("backup").ok());
    REQUIRE(store->FindVigy(vigy.id.substr(0, 5)).ok());
    REQUIRE(store->ListVigies()->size() == 1);
    testing::TickOnce(*store, vigy.id, testing::kT0 + i);
    REQUIRE(store->ListRuns({vigy.id, 5})->size() >= 1);
  };
  round(0);
  int64_t warm = store->prepare_count();
  for (int i = 1; i <= 50; ++i) round(i);
  CHECK(store->prepare_count() == warm);
}

}  // namespace
}  // namespace vigy::storage
