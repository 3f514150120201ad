// What only the PostgreSQL store does: it shares a database with whatever
// else is there (and refuses one that holds something else), numbers the
// runs of many processes' commits, hides passwords, and refuses the text
// PostgreSQL cannot hold. The port's behaviour is tested on both stores by
// the "store" suite (tests/storage/store_helpers.h).
#include "storage/pg_store.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/store.h"
#include "storage/pg_conn.h"
#include "storage/pg_schema.h"
#include "storage/store_open.h"
#include "tests/storage/store_helpers.h"
#include "tests/support/pg_server.h"

namespace vigy::storage {
namespace {

using core::RunRecord;
using core::Status;
using testing::Add;
using testing::kT0;
using testing::SampleVigy;
using vigy::testing::PgTestDatabase;

std::unique_ptr<core::Store> OpenPg(const std::string& location,
                                    OpenMode mode = OpenMode::kCreate) {
  core::Result<std::unique_ptr<core::Store>> store = OpenStore(location, mode);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

Status OpenPgFails(const std::string& location, OpenMode mode) {
  core::Result<std::unique_ptr<core::Store>> store = OpenStore(location, mode);
  REQUIRE_FALSE(store.ok());
  return store.status();
}

// Relations of every kind (tables, indexes, sequences, views...) in the
// database's public schema, where the store keeps its tables.
int64_t Relations(const PgTestDatabase& db) {
  return db.QueryInt(
      "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
      "ON n.oid = c.relnamespace WHERE n.nspname = 'public'");
}

// A number that changes when any row of `table` is written, even with the
// same values (each row's xmin is the transaction that wrote it).
int64_t Fingerprint(const PgTestDatabase& db, std::string_view table) {
  return db.QueryInt(fmt::format(
      "SELECT ('x' || substr(md5(coalesce(string_agg(t::text || ':' || t.xmin::text, ',' "
      "ORDER BY t::text), '')), 1, 15))::bit(60)::bigint FROM {} t",
      table));
}

TEST_CASE("a new PostgreSQL store has the tables of SCHEMA.md and its schema version") {
  PgTestDatabase db;
  auto store = OpenPg(db.uri());
  CHECK_FALSE(store->missing());
  CHECK(dynamic_cast<PgStore*>(store.get()) != nullptr);
  for (const char* table :
       {"meta", "vigies", "programs", "runtime", "runs", "actions", "state", "kv", "serve"}) {
    CAPTURE(table);
    CHECK(db.QueryInt(fmt::format("SELECT count(*) FROM pg_catalog.pg_tables WHERE "
                                  "schemaname = 'public' AND tablename = '{}'",
                                  table)) == 1);
  }
  CHECK(db.QueryInt("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'") == 9);
  CHECK(db.QueryInt("SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = 'public' AND "
                    "indexname IN ('runs_by_vigy_tick', 'actions_by_vigy_kind_at')") == 2);
  CHECK(db.QueryInt("SELECT value FROM meta WHERE key = 'schema_version'") == kPgSchemaVersion);
  CHECK(db.QueryInt("SELECT value FROM meta WHERE key = 'run_seq'") == 0);
  CHECK(db.QueryInt("SELECT value FROM meta WHERE key = 'change_stamp'") == 0);

  // Opening it again, either way, changes nothing.
  const int64_t meta = Fingerprint(db, "meta");
  OpenPg(db.uri(), OpenMode::kExisting).reset();
  OpenPg(db.uri(), OpenMode::kCreate).reset();
  CHECK(Fingerprint(db, "meta") == meta);
  CHECK(db.QueryInt("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'") == 9);
}

TEST_CASE("a PostgreSQL database holding other tables is refused, and nothing is created in it") {
  PgTestDatabase db;
  SUBCASE("a table of another program") {
    db.Exec("CREATE TABLE songs (title text); INSERT INTO songs VALUES ('one')");
  }
  SUBCASE("a meta table that is not a vigy store's") {
    db.Exec(
        "CREATE TABLE meta (key text PRIMARY KEY, value bigint); "
        "INSERT INTO meta VALUES ('version', 7)");
  }
  SUBCASE("a view alone") { db.Exec("CREATE VIEW songs AS SELECT 'one'::text AS title"); }
  const int64_t relations = Relations(db);
  REQUIRE(relations >= 1);

  for (OpenMode mode : {OpenMode::kCreate, OpenMode::kExisting}) {
    for (const std::string& location : {db.uri(), "postgresql:" + db.keyword_conninfo()}) {
      CAPTURE(location);
      Status s = OpenPgFails(location, mode);
      CHECK(s.code() == Status::Code::kStoreUnusable);
      CHECK(s.message() == fmt::format("store '{}': schema 'public' holds tables that are not a "
                                       "vigy store; refusing to touch it",
                                       location));
    }
  }
  CHECK(Relations(db) == relations);
}

TEST_CASE("a PostgreSQL store written by a newer vigy is refused and left untouched") {
  PgTestDatabase db;
  {
    auto store = OpenPg(db.uri());
    Add(*store, SampleVigy("backup"));
    REQUIRE(store->KvSet(core::VigyIdFromName("backup"), "k", 1).ok());
  }
  // A newer vigy may have added tables of its own, too.
  db.Exec(
      fmt::format("UPDATE meta SET value = {} WHERE key = 'schema_version'; "
                  "CREATE TABLE future_things (x bigint)",
                  kPgSchemaVersion + 1));
  const int64_t relations = Relations(db);
  std::vector<int64_t> before;
  const std::vector<std::string_view> tables = {"meta", "vigies", "programs", "runtime", "kv"};
  for (std::string_view table : tables) before.push_back(Fingerprint(db, table));

  for (OpenMode mode : {OpenMode::kCreate, OpenMode::kExisting}) {
    Status s = OpenPgFails(db.uri(), mode);
    CHECK(s.code() == Status::Code::kStoreUnusable);
    CHECK(s.message() == fmt::format("store '{}' was written by a newer vigy (schema {}, this vigy "
                                     "knows {}); upgrade vigy to use it",
                                     db.uri(), kPgSchemaVersion + 1, kPgSchemaVersion));
  }
  CHECK(Relations(db) == relations);
  for (size_t i = 0; i < tables.size(); ++i) {
    CAPTURE(tables[i]);
    CHECK(Fingerprint(db, tables[i]) == before[i]);
  }
  CHECK(db.QueryInt("SELECT value FROM meta WHERE key = 'schema_version'") == kPgSchemaVersion + 1);
}

TEST_CASE("an empty PostgreSQL database opened without creating is a stand-in, and stays empty") {
  PgTestDatabase db;
  for (const std::string& location : {db.uri(), "postgresql:" + db.keyword_conninfo()}) {
    CAPTURE(location);
    auto store = OpenPg(location, OpenMode::kExisting);
    CHECK(store->missing());
    CHECK(store->path() == location);
    CHECK(store->location() == location);
    CHECK(store->ListVigies()->empty());
    CHECK(*store->LatestRunSeq() == 0);
    Status add = store->InsertVigy(SampleVigy("backup"));
    CHECK(add.code() == Status::Code::kStoreUnusable);
    CHECK(add.message() ==
          fmt::format("store '{}' does not exist and was opened without creating it", location));
    CHECK(store->KvSet(core::VigyIdFromName("backup"), "k", 1).code() == Status::Code::kNotFound);
    auto again = store->NewConnection();
    REQUIRE(again.ok());
    CHECK((*again)->missing());
  }
  CHECK(Relations(db) == 0);

  // Created meanwhile: the stand-in's next connection is the store.
  auto stand_in = OpenPg(db.uri(), OpenMode::kExisting);
  Add(*OpenPg(db.uri()), SampleVigy("backup"));
  auto store = stand_in->NewConnection();
  REQUIRE(store.ok());
  CHECK_FALSE((*store)->missing());
  CHECK((*store)->FindVigy("backup").ok());
}

TEST_CASE("connections of many processes committing batches at once get unique consecutive seqs") {
  PgTestDatabase db;
  constexpr int kWorkers = 4;
  constexpr int kVigiesEach = 3;
  constexpr int kBatchesEach = 25;
  auto main_store = OpenPg(db.uri());
  for (int i = 0; i < kWorkers * kVigiesEach; ++i) {
    Add(*main_store, SampleVigy(fmt::format("v{}", i)));
  }
  // Half the workers open the store themselves, half get a NewConnection.
  std::vector<std::unique_ptr<core::Store>> given(kWorkers);
  for (int w = 1; w < kWorkers; w += 2) {
    core::Result<std::unique_ptr<core::Store>> conn = main_store->NewConnection();
    REQUIRE(conn.ok());
    REQUIRE_FALSE((*conn)->missing());
    given[static_cast<size_t>(w)] = std::move(conn).value();
  }

  // Each worker's batches, in the order it committed them: their run ids.
  std::vector<std::vector<std::vector<std::string>>> batches(kWorkers);
  std::vector<std::string> failures(kWorkers);
  auto worker = [&](int w) {
    std::unique_ptr<core::Store> store = std::move(given[static_cast<size_t>(w)]);
    if (!store) {
      core::Result<std::unique_ptr<core::Store>> opened = OpenStore(db.uri(), OpenMode::kExisting);
      if (!opened.ok()) {
        failures[static_cast<size_t>(w)] = opened.status().ToString();
        return;
      }
      store = std::move(opened).value();
    }
    std::vector<std::string> ids;
    for (int i = 0; i < kVigiesEach; ++i) {
      ids.push_back(core::VigyIdFromName(fmt::format("v{}", w * kVigiesEach + i)));
    }
    for (int batch = 0; batch < kBatchesEach; ++batch) {
      core::Result<std::vector<LeaseAttempt>> attempts = store->TryAcquireTickLeases(
          ids, [](const core::Vigy&) { return int64_t{60000}; }, SystemNowMs());
      if (!attempts.ok()) {
        failures[static_cast<size_t>(w)] = attempts.status().ToString();
        return;
      }
      std::vector<TickCommit> commits;
      for (const LeaseAttempt& attempt : *attempts) {
        if (!attempt.acquired()) {
          failures[static_cast<size_t>(w)] = "a lease was busy";
          return;
        }
        commits.push_back(testing::NextTick(*attempt.lease, SystemNowMs()));
      }
      core::Result<std::vector<Status>> statuses = store->CommitTicks(commits);
      if (!statuses.ok()) {
        failures[static_cast<size_t>(w)] = statuses.status().ToString();
        return;
      }
      for (const Status& s : *statuses) {
        if (!s.ok()) {
          failures[static_cast<size_t>(w)] = s.ToString();
          return;
        }
      }
      std::vector<std::string>& run_ids = batches[static_cast<size_t>(w)].emplace_back();
      for (const TickCommit& commit : commits) run_ids.push_back(commit.run.id);
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) threads.emplace_back(worker, w);
  for (std::thread& t : threads) t.join();
  for (const std::string& failure : failures) CHECK(failure == "");

  constexpr int kTotal = kWorkers * kVigiesEach * kBatchesEach;
  std::vector<RunRecord> runs = *main_store->ListRunsCommittedAfter(0, {}, false, 0);
  REQUIRE(runs.size() == kTotal);
  for (int i = 0; i < kTotal; ++i) CHECK(runs[static_cast<size_t>(i)].seq == i + 1);
  CHECK(*main_store->LatestRunSeq() == kTotal);
  CHECK(db.QueryInt("SELECT value FROM meta WHERE key = 'run_seq'") == kTotal);

  // A batch is one commit: its runs have consecutive seqs, and a worker's
  // later batches have higher ones.
  for (int w = 0; w < kWorkers; ++w) {
    CAPTURE(w);
    int64_t previous = 0;
    for (const std::vector<std::string>& batch : batches[static_cast<size_t>(w)]) {
      std::vector<int64_t> seqs;
      for (const std::string& id : batch) seqs.push_back(main_store->GetRun(id)->seq);
      std::sort(seqs.begin(), seqs.end());
      CHECK(seqs.front() > previous);
      CHECK(seqs.back() - seqs.front() == static_cast<int64_t>(seqs.size()) - 1);
      previous = seqs.back();
    }
  }
}

TEST_CASE("a password in a PostgreSQL location is masked") {
  struct Case {
    std::string location;
    std::string shown;
  };
  const std::vector<Case> cases = {
      {"postgresql://u:secret@127.0.0.1:1/db", "postgresql://u:****@127.0.0.1:1/db"},
      {"postgres://u:secret@db1/vigy?sslmode=require",
       "postgres://u:****@db1/vigy?sslmode=require"},
      {"postgresql://:secret@db1/vigy", "postgresql://:****@db1/vigy"},
      {"postgresql://u:se%40cret@db1:5432,db2:5433/vigy",
       "postgresql://u:****@db1:5432,db2:5433/vigy"},
      {"postgresql://u:secret@/vigy?host=/run/postgresql",
       "postgresql://u:****@/vigy?host=/run/postgresql"},
      {"postgresql://u@db1/vigy?password=secret", "postgresql://u@db1/vigy?password=****"},
      {"postgresql://u@db1/vigy?sslmode=require&password=secret&application_name=x",
       "postgresql://u@db1/vigy?sslmode=require&password=****&application_name=x"},
      {"postgresql:host=db1 password=secret dbname=vigy",
       "postgresql:host=db1 password=**** dbname=vigy"},
      {"postgresql:host=db1 password = secret", "postgresql:host=db1 password = ****"},
      {"postgresql:password='sec ret\\' secret' host=db1", "postgresql:password=**** host=db1"},
      {"postgresql:host=db1 dbname=vigy", "postgresql:host=db1 dbname=vigy"},
      {"postgresql:///vigy?host=/run/postgresql", "postgresql:///vigy?host=/run/postgresql"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.location);
    const std::string shown = MaskStoreLocation(c.location);
    CHECK(shown == c.shown);
    CHECK(shown.find("secret") == std::string::npos);
    CHECK(shown.find("sec ret") == std::string::npos);
  }
  // Other ways to write a password that libpq reads as one: a URI
  // parameter's name is percent-decoded too (pass%77ord is password), and a
  // keyword string with a quote left open still names the password, which
  // the message then shows when libpq refuses the string.
  for (const std::string location : {"postgresql://u@db1/vigy?pass%77ord=secret",
                                     "postgresql://u@db1/vigy?%70assword=secret&sslmode=require",
                                     "postgresql:host=db1 password='secret"}) {
    CAPTURE(location);
    const std::string shown = MaskStoreLocation(location);
    CHECK(shown.find("secret") == std::string::npos);
    CHECK(shown.find("db1") != std::string::npos);
  }
}

// `status` failed and shows no password: nothing of "secret".
void CheckNoPassword(const Status& status) {
  INFO(status.ToString());
  CHECK_FALSE(status.ok());
  CHECK(status.message().find("secret") == std::string::npos);
  CHECK(status.message().find("s3cr") == std::string::npos);
}

TEST_CASE("no message of the PostgreSQL store shows the password of its location") {
  SUBCASE("a server that cannot be reached") {
    for (const std::string& location :
         {std::string("postgresql://u:secret@127.0.0.1:1/db?connect_timeout=5"),
          std::string("postgresql://u@127.0.0.1:1/db?password=secret&connect_timeout=5"),
          std::string("postgresql:host=127.0.0.1 port=1 user=u password=secret dbname=db "
                      "connect_timeout=5"),
          std::string("postgresql://u@127.0.0.1:1/db?pass%77ord=secret&connect_timeout=5")}) {
      CAPTURE(location);
      for (OpenMode mode : {OpenMode::kCreate, OpenMode::kExisting}) {
        Status s = OpenPgFails(location, mode);
        CHECK(s.code() == Status::Code::kStoreUnusable);
        CHECK(s.message().starts_with(
            fmt::format("cannot connect to store '{}': ", MaskStoreLocation(location))));
        CheckNoPassword(s);
      }
    }
  }
  SUBCASE("a location libpq cannot parse") {
    // libpq's own message for these quotes the whole location.
    for (const std::string& location :
         {std::string("postgresql://u:secret@[::1/db"),
          std::string("postgresql://u:s3cr%zzet@127.0.0.1:1/db"),
          std::string("postgresql://u:secret@127.0.0.1:1/db?connect_timeout=5&bogus=1"),
          std::string("postgresql:host=127.0.0.1 port=1 password='secret")}) {
      CAPTURE(location);
      Status s = OpenPgFails(location, OpenMode::kCreate);
      CHECK(s.code() == Status::Code::kStoreUnusable);
      CheckNoPassword(s);
    }
  }
  SUBCASE("a reachable server") {
    // The test cluster trusts its socket: the password is ignored, but it
    // is part of the location, as a real one would be.
    for (bool uri : {true, false}) {
      PgTestDatabase db;
      const std::string location = uri ? db.uri() + "&password=secret"
                                       : "postgresql:" + db.keyword_conninfo() + " password=secret";
      CAPTURE(location);
      const std::string shown = MaskStoreLocation(location);
      CHECK(shown.find("secret") == std::string::npos);
      {
        auto stand_in = OpenPg(location, OpenMode::kExisting);
        REQUIRE(stand_in->missing());
        CHECK(stand_in->path() == shown);
        CHECK(stand_in->location() == location);
        CheckNoPassword(stand_in->InsertVigy(SampleVigy("backup")));
      }
      auto store = OpenPg(location);
      CHECK(store->path() == shown);
      CHECK(store->location() == location);
      core::Vigy vigy = SampleVigy("backup");
      Add(*store, vigy);
      CheckNoPassword(store->InsertVigy(vigy));
      CheckNoPassword(store->KvSet(vigy.id, std::string("a\0b", 3), 1));
      core::Result<TickLease> lease = store->AcquireTickLease(vigy.id, NewLeaseToken(), 60000, 0);
      REQUIRE(lease.ok());
      TickCommit commit = testing::NextTick(*lease, kT0);
      commit.run.result = "exploded";  // refused by the runs table
      CheckNoPassword(store->CommitTick(commit));

      db.Exec(fmt::format("UPDATE meta SET value = {} WHERE key = 'schema_version'",
                          kPgSchemaVersion + 1));
      CheckNoPassword(OpenPgFails(location, OpenMode::kExisting));
      CheckNoPassword(store->NewConnection().status());
    }
    PgTestDatabase other;
    other.Exec("CREATE TABLE songs (title text)");
    CheckNoPassword(OpenPgFails(other.uri() + "&password=secret", OpenMode::kCreate));
  }
}

TEST_CASE("text with a NUL byte is refused by the PostgreSQL store, and nothing is written") {
  PgTestDatabase db;
  auto store = OpenPg(db.uri());
  const std::string nul("a\0b", 3);
  const std::string refused =
      fmt::format("store '{}': text with a NUL character cannot be stored", db.uri());
  core::Vigy vigy = SampleVigy("backup");
  Add(*store, vigy);
  REQUIRE(store->KvSet(vigy.id, "k", "v").ok());
  testing::TickOnce(*store, vigy.id, kT0);
  const int64_t stamp = *store->ChangeStamp();
  const std::vector<std::string_view> tables = {"meta", "vigies", "programs", "runtime",
                                                "runs", "state",  "kv"};
  std::vector<int64_t> before;
  auto snapshot = [&] {
    before.clear();
    for (std::string_view table : tables) before.push_back(Fingerprint(db, table));
  };
  snapshot();
  auto unchanged = [&] {
    for (size_t i = 0; i < tables.size(); ++i) {
      CAPTURE(tables[i]);
      CHECK(Fingerprint(db, tables[i]) == before[i]);
    }
    CHECK(*store->ChangeStamp() == stamp);
  };

  SUBCASE("a kv key") {
    CHECK(store->KvSet(vigy.id, nul, 1) == Status::StoreUnusable(refused));
    unchanged();
    CHECK(store->KvList(vigy.id).value() == core::Kv{{"k", "v"}, {"n", 1}});
  }
  SUBCASE("a program, of a new vigy") {
    core::Vigy bad = SampleVigy("bad");
    bad.program = "(vigy-log \"a" + nul + "\")";
    bad.revision = core::Revision(bad.program);
    CHECK(store->InsertVigy(bad) == Status::StoreUnusable(refused));
    unchanged();
    CHECK(store->FindVigy("bad").status().code() == Status::Code::kNotFound);
  }
  SUBCASE("a program, replacing a vigy") {
    core::Vigy bad = SampleVigy("backup");
    bad.program = "(vigy-log \"a" + nul + "\")";
    bad.revision = core::Revision(bad.program);
    CHECK(store->ReplaceVigy(bad) == Status::StoreUnusable(refused));
    unchanged();
    CHECK(*store->FindVigy("backup") == vigy);
  }
  SUBCASE("a program, updating a vigy") {
    core::Vigy bad = vigy;
    bad.program = "(vigy-log \"a" + nul + "\")";
    bad.revision = core::Revision(bad.program);
    CHECK(store->UpdateVigy(bad) == Status::StoreUnusable(refused));
    unchanged();
    CHECK(*store->GetVigy(vigy.id) == vigy);
  }
  SUBCASE("a kv write of a tick, which keeps its lease") {
    core::Result<TickLease> lease = store->AcquireTickLease(vigy.id, "me", 60000, 0);
    REQUIRE(lease.ok());
    snapshot();  // the lease is in runtime
    TickCommit commit = testing::NextTick(*lease, kT0 + 1000);
    commit.kv_writes[nul] = 1;
    CHECK(store->CommitTick(commit) == Status::StoreUnusable(refused));
    unchanged();
    CHECK(store->TryAcquireTickLease(vigy.id, "other", 1000, 0)->holder == "me");

    // In a batch, it is refused alone.
    core::Vigy other = SampleVigy("other");
    Add(*store, other);
    core::Result<TickLease> other_lease = store->AcquireTickLease(other.id, "me", 60000, 0);
    REQUIRE(other_lease.ok());
    std::vector<Status> statuses =
        store->CommitTicks({commit, testing::NextTick(*other_lease, kT0 + 1000)}).value();
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0] == Status::StoreUnusable(refused));
    CHECK(statuses[1].ok());
    CHECK(store->GetRuntime(vigy.id)->tick_count == 1);
    CHECK(store->GetRuntime(other.id)->tick_count == 1);

    commit.kv_writes.erase(nul);
    REQUIRE(store->CommitTick(commit).ok());
    CHECK(store->KvGet(vigy.id, "n")->value() == 2);
  }
}

}  // namespace
}  // namespace vigy::storage
