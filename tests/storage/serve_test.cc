#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "core/store.h"
#include "storage/serve_lock.h"
#include "storage/sqlite_store.h"
#include "tests/storage/store_helpers.h"

namespace vigy::storage {
namespace {

using core::Status;
using testing::kT0;
using testing::OpenStore;
using testing::TempDir;
using testing::TestStore;

std::string ThisHost() {
  char name[HOST_NAME_MAX + 1] = {};
  REQUIRE(::gethostname(name, sizeof name - 1) == 0);
  return name;
}

ServeRecord SampleServe(int64_t pid = ::getpid()) {
  ServeRecord serve;
  serve.pid = pid;
  serve.host = ThisHost();
  serve.lease_prefix = LeaseTokenPrefix();
  serve.selector = "app=web";
  serve.version = "0.1.0";
  serve.started_at_ms = kT0;
  serve.heartbeat_at_ms = kT0;
  return serve;
}

// The pid of a child that has exited and been reaped: no process has it now.
int64_t DeadPid() {
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  return child;
}

TEST_SUITE("store") {
  TEST_CASE("the serve row round-trips through start, heartbeat and stop") {
    TestStore test_store;
    auto store = test_store.Open();
    CHECK_FALSE(store->ReadServe()->has_value());
    CHECK(store->ListServes()->empty());

    ServeRecord serve = SampleServe(100);
    REQUIRE(store->RecordServeStart(serve).ok());
    CHECK(store->ReadServe()->value() == serve);
    CHECK(*store->ListServes() == std::vector<ServeRecord>{serve});

    REQUIRE(store->RecordServeHeartbeat(100, kT0 + 1000).ok());
    serve.heartbeat_at_ms = kT0 + 1000;
    CHECK(store->ReadServe()->value() == serve);

    REQUIRE(store->RecordServeStop(100, kT0 + 9000).ok());
    serve.heartbeat_at_ms = kT0 + 9000;
    serve.stopped_at_ms = kT0 + 9000;
    CHECK(store->ReadServe()->value() == serve);

    auto other = test_store.Open(OpenMode::kExisting);
    CHECK(other->ReadServe()->value() == serve);
    CHECK(*other->ListServes() == std::vector<ServeRecord>{serve});
  }

  TEST_CASE("the next serve replaces the serve row, or adds its own where serves share the store") {
    TestStore test_store;
    auto store = test_store.Open();
    ServeRecord first = SampleServe(100);
    REQUIRE(store->RecordServeStart(first).ok());
    REQUIRE(store->RecordServeHeartbeat(100, kT0 + 1000).ok());
    first.heartbeat_at_ms = kT0 + 1000;

    ServeRecord second = SampleServe(200);
    second.selector = "";
    second.started_at_ms = kT0 + 5000;
    second.heartbeat_at_ms = kT0 + 5000;
    REQUIRE(store->RecordServeStart(second).ok());
    CHECK(store->ReadServe()->value() == second);

    if (!store->SharedByServes()) {
      CHECK(*store->ListServes() == std::vector<ServeRecord>{second});
      Status s = store->RecordServeHeartbeat(100, kT0 + 6000);
      CHECK(s == Status::Conflict(fmt::format("store '{}' is now served by process 200 on {}",
                                              store->path(), ThisHost())));
      CHECK(store->RecordServeStop(100, kT0 + 6000).code() == Status::Code::kConflict);
      CHECK(*store->ListServes() == std::vector<ServeRecord>{second});
      return;
    }
    // Shared: each serve keeps its own row, the latest heard from first.
    CHECK(*store->ListServes() == std::vector<ServeRecord>{second, first});
    REQUIRE(store->RecordServeHeartbeat(100, kT0 + 6000).ok());
    first.heartbeat_at_ms = kT0 + 6000;
    CHECK(*store->ListServes() == std::vector<ServeRecord>{first, second});
    // A stopped serve comes after the running ones, however recent.
    REQUIRE(store->RecordServeStop(100, kT0 + 7000).ok());
    first.heartbeat_at_ms = kT0 + 7000;
    first.stopped_at_ms = kT0 + 7000;
    CHECK(*store->ListServes() == std::vector<ServeRecord>{second, first});
    CHECK(store->ReadServe()->value() == second);
    // The same process starting again replaces its own row.
    ServeRecord again = SampleServe(100);
    again.started_at_ms = kT0 + 8000;
    again.heartbeat_at_ms = kT0 + 8000;
    REQUIRE(store->RecordServeStart(again).ok());
    CHECK(*store->ListServes() == std::vector<ServeRecord>{again, second});
  }

  TEST_CASE("a serve with no serve row cannot heartbeat or stop, and changes nothing trying") {
    TestStore test_store;
    auto store = test_store.Open();
    CHECK(store->RecordServeHeartbeat(100, kT0).code() == Status::Code::kConflict);
    CHECK(store->RecordServeStop(100, kT0).code() == Status::Code::kConflict);
    CHECK(store->ListServes()->empty());

    ServeRecord serve = SampleServe(200);
    REQUIRE(store->RecordServeStart(serve).ok());
    CHECK(store->RecordServeHeartbeat(100, kT0 + 1000).code() == Status::Code::kConflict);
    CHECK(store->RecordServeStop(100, kT0 + 1000).code() == Status::Code::kConflict);
    CHECK(*store->ListServes() == std::vector<ServeRecord>{serve});
  }
}

TEST_CASE("a serve is live while it heartbeats, has not stopped and its process exists") {
  const int64_t now = kT0 + 10000;
  ServeRecord serve = SampleServe();
  serve.heartbeat_at_ms = now - 1000;
  CHECK(ServeIsLive(serve, now));

  SUBCASE("a heartbeat just inside the limit is live; older is stale") {
    serve.heartbeat_at_ms = now - kServeStaleMs;
    CHECK(ServeIsLive(serve, now));
    serve.heartbeat_at_ms = now - kServeStaleMs - 1;
    CHECK_FALSE(ServeIsLive(serve, now));
  }
  SUBCASE("a serve that stopped is not live") {
    serve.stopped_at_ms = now - 500;
    CHECK_FALSE(ServeIsLive(serve, now));
  }
  SUBCASE("a serve on this host whose process is gone is not live") {
    serve.pid = DeadPid();
    CHECK_FALSE(ServeIsLive(serve, now));
  }
  SUBCASE("a serve on another host is trusted by its heartbeat alone") {
    serve.pid = DeadPid();
    serve.host = ThisHost() + "-elsewhere";
    CHECK(ServeIsLive(serve, now));
  }
  SUBCASE("a process of another user still counts as existing") {
    serve.pid = 1;  // init: kill(1, 0) fails with EPERM unless root, never ESRCH
    CHECK(ServeIsLive(serve, now));
  }
}

TEST_CASE("a second serve lock on the same file is refused until the first is gone") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  OpenStore(path).reset();

  core::Result<std::unique_ptr<ServeLock>> first = ServeLock::Acquire(path);
  REQUIRE(first.ok());
  core::Result<std::unique_ptr<ServeLock>> second = ServeLock::Acquire(path);
  CHECK(second.status() == Status::Conflict(fmt::format(
                               "store '{}' is already being served by another process", path)));

  // Another process is refused too.
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0)
    ::_exit(ServeLock::Acquire(path).status().code() == Status::Code::kConflict ? 0 : 1);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  // The store stays usable by other connections while locked.
  auto store = OpenStore(path, OpenMode::kExisting);
  testing::Add(*store, testing::SampleVigy("backup"));

  first->reset();
  core::Result<std::unique_ptr<ServeLock>> third = ServeLock::Acquire(path);
  CHECK(third.ok());
}

TEST_CASE("a serve lock waits, when asked to, for a holder that lets go") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  OpenStore(path).reset();

  // Another process holds the lock for 300 ms, then exits.
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto held = ServeLock::Acquire(path);
    char ok = held.ok() ? 1 : 0;
    if (::write(ready[1], &ok, 1) != 1) ::_exit(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::_exit(0);
  }
  ::close(ready[1]);
  char held = 0;
  REQUIRE(::read(ready[0], &held, 1) == 1);
  ::close(ready[0]);
  REQUIRE(held == 1);

  CHECK(ServeLock::Acquire(path).status().code() == Status::Code::kConflict);
  core::Result<std::unique_ptr<ServeLock>> patient =
      ServeLock::Acquire(path, std::chrono::seconds(30));
  CHECK(patient.ok());
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
}

TEST_CASE("a serve lock on a file that cannot be opened is refused") {
  TempDir dir;
  core::Result<std::unique_ptr<ServeLock>> lock = ServeLock::Acquire(dir.File("absent.db"));
  CHECK(lock.status().code() == Status::Code::kStoreUnusable);
  CHECK(lock.status().message().starts_with(
      fmt::format("cannot open store '{}' to lock it: ", dir.File("absent.db"))));
}

TEST_CASE("a serve lock notices when its path stops naming the locked file") {
  TempDir dir;
  std::string path = dir.File("vigy.db");
  OpenStore(path).reset();

  SUBCASE("still the same file") {
    auto lock = ServeLock::Acquire(path);
    REQUIRE(lock.ok());
    CHECK((*lock)->StillNamesLockedFile());
  }
  SUBCASE("unlinked") {
    auto lock = ServeLock::Acquire(path);
    REQUIRE(lock.ok());
    REQUIRE(std::remove(path.c_str()) == 0);
    CHECK_FALSE((*lock)->StillNamesLockedFile());
  }
  SUBCASE("replaced by another file renamed over it") {
    auto lock = ServeLock::Acquire(path);
    REQUIRE(lock.ok());
    std::string other = dir.File("other.db");
    std::ofstream(other) << "x";
    REQUIRE(std::rename(other.c_str(), path.c_str()) == 0);
    CHECK_FALSE((*lock)->StillNamesLockedFile());
  }
}

}  // namespace
}  // namespace vigy::storage
