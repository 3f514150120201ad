// Resource faults under a running serve (vigy(1), RELIABILITY): a full
// disk, a store made read-only, a store deleted or replaced, a store others
// can write, and programs that try to exhaust memory, the stack, or the
// output pipe. serve must report what went wrong, lose nothing it
// committed, and either carry on (resuming once the fault is gone) or stop
// with one clear line.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite_db.h"
#include "tests/cli/background_vigy.h"
#include "tests/cli/store_e2e.h"
#include "tests/storage/store_helpers.h"

namespace vigy::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string StorePath(const Sandbox& sandbox) { return (sandbox.dir() / "vigy.db").string(); }

int64_t Count(const Sandbox& sandbox, const std::string& sql) {
  return storage::testing::QueryInt(StorePath(sandbox), sql);
}

int64_t Runs(const Sandbox& sandbox) { return Count(sandbox, "SELECT count(*) FROM runs"); }

std::set<std::string> RunIds(const Sandbox& sandbox) {
  std::unique_ptr<storage::Db> db = storage::testing::OpenRaw(StorePath(sandbox));
  std::set<std::string> ids;
  auto stmt = db->Prepare("SELECT id FROM runs");
  REQUIRE(stmt.ok());
  for (;;) {
    auto row = stmt->Step();
    REQUIRE(row.ok());
    if (!*row) break;
    ids.insert(stmt->Text(0));
  }
  return ids;
}

size_t CountOf(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

std::string LastLine(const std::string& text) {
  std::string trimmed = text.ends_with('\n') ? text.substr(0, text.size() - 1) : text;
  return trimmed.substr(trimmed.rfind('\n') == std::string::npos ? 0 : trimmed.rfind('\n') + 1);
}

// The store is intact and every vigy's runs are ticks 1..n, as many as its
// counter says, with "n" in its kv counting the ok ones (for kCounter-style
// programs that keep "n").
void CheckConsistent(const Sandbox& sandbox) {
  std::unique_ptr<storage::Db> db = storage::testing::OpenRaw(StorePath(sandbox));
  {
    auto check = db->Prepare("PRAGMA integrity_check");
    REQUIRE(check.ok());
    REQUIRE(*check->Step());
    CHECK(check->Text(0) == "ok");
  }
  auto count = [&](const std::string& sql) {
    auto value = db->QueryInt(sql);
    INFO(sql);
    REQUIRE(value.ok());
    return *value;
  };
  CHECK(count("SELECT count(*) FROM runtime r WHERE tick_count != "
              "(SELECT count(*) FROM runs WHERE vigy_id = r.vigy_id)") == 0);
  CHECK(count("SELECT count(*) FROM runtime r WHERE tick_count != "
              "(SELECT count(DISTINCT tick) FROM runs WHERE vigy_id = r.vigy_id)") == 0);
  CHECK(count("SELECT count(*) FROM runtime r WHERE tick_count != "
              "(SELECT coalesce(max(tick), 0) FROM runs WHERE vigy_id = r.vigy_id)") == 0);
  CHECK(count("SELECT count(*) FROM kv k WHERE key = 'n' AND CAST(value AS INTEGER) != "
              "(SELECT count(*) FROM runs WHERE vigy_id = k.vigy_id AND result = 'ok')") == 0);
}

// Starts `vigy args...` with a file-size limit (RLIMIT_FSIZE) of `bytes` as
// its soft limit, so that once the store's files reach it every write past
// it fails (EFBIG; SIGXFSZ is ignored, so the write fails instead of killing
// the process), as on a full disk. The limit is raised again from outside
// with prlimit(2), without restarting the process. Both settings are
// inherited across fork and exec; this process gets its own back at once.
std::unique_ptr<BackgroundVigy> StartWithFileSizeLimit(const Sandbox& sandbox,
                                                       const std::vector<std::string>& args,
                                                       rlim_t bytes) {
  struct rlimit own;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &own) == 0);
  struct rlimit limited = own;
  limited.rlim_cur = bytes;
  auto previous = std::signal(SIGXFSZ, SIG_IGN);
  REQUIRE(setrlimit(RLIMIT_FSIZE, &limited) == 0);
  auto started = std::make_unique<BackgroundVigy>(sandbox, args, "serve");
  REQUIRE(setrlimit(RLIMIT_FSIZE, &own) == 0);
  std::signal(SIGXFSZ, previous);
  return started;
}

void RaiseFileSizeLimit(pid_t pid) {
  struct rlimit own;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &own) == 0);
  REQUIRE(prlimit(pid, RLIMIT_FSIZE, &own, nullptr) == 0);
}

// A program that keeps "n" and adds 40 KB of kv under a new key each tick:
// the store grows quickly, and by commits much larger than anything else
// serve writes, so the first write that no longer fits is a commit (its
// ticks stay in flight). It only grows: once the database file is at the
// limit, no checkpoint (serve's run beside its commits) can copy the log
// into it and let the log start over, so nothing more fits until the limit
// is raised.
constexpr const char* kBulky =
    "(vigy-incr \"n\")\n"
    "(vigy-set (str \"pad\" (vigy-tick-count)) "
    "(string-join (map (lambda (i) \"0123456789\") (range 4000)) \"\"))\n";

TEST_CASE("disk full: serve reports it, keeps running, resumes when space returns, loses nothing") {
  Sandbox sandbox;
  AddVigy(sandbox, "bulky", kBulky, {"--every", "100ms"});
  AddVigy(sandbox, "steady", kCounter, {"--every", "100ms"});
  // Room for a few dozen commits past what the store holds now.
  const rlim_t room = fs::file_size(sandbox.dir() / "vigy.db-wal") + 256 * 1024;
  REQUIRE(fs::file_size(sandbox.dir() / "vigy.db") < room);
  std::unique_ptr<BackgroundVigy> serve = StartWithFileSizeLimit(sandbox, {"serve"}, room);

  // Ticks commit until the store's WAL reaches the limit; then every commit fails.
  bool reported = BackgroundVigy::WaitUntil(
      [&] { return serve->Err().find("store error") != std::string::npos; }, seconds(60));
  INFO(serve->Err());
  REQUIRE(reported);
  // SQLite reports a write past the limit as an I/O error (a full disk,
  // ENOSPC, as "database or disk is full"); both are store failures.
  CHECK(serve->Err().find("disk I/O error") != std::string::npos);
  // A smaller transaction may still have fitted just after the first one
  // failed; then nothing more does.
  std::this_thread::sleep_for(milliseconds(1000));
  const int64_t before_fault = Runs(sandbox);
  CHECK(before_fault > 0);
  const std::set<std::string> committed = RunIds(sandbox);

  // serve keeps running, commits nothing while the disk is full, and says so once.
  std::this_thread::sleep_for(milliseconds(2000));
  CHECK(serve->WaitExit(milliseconds(0)) == std::nullopt);
  CHECK(Runs(sandbox) == before_fault);
  CHECK(CountOf(serve->Err(), "store error") == 1);

  // Space returns: the ticks that waited are committed, and ticking goes on.
  RaiseFileSizeLimit(serve->pid());
  CHECK(BackgroundVigy::WaitUntil([&] {
    return serve->Err().find("store works again") != std::string::npos &&
           Runs(sandbox) >= before_fault + 10;
  }));
  serve->Signal(SIGTERM);
  CHECK(serve->WaitExit(seconds(20)) == 0);

  std::set<std::string> after = RunIds(sandbox);
  for (const std::string& id : committed) CHECK(after.contains(id));
  CheckConsistent(sandbox);
}

TEST_CASE("disk full at SIGTERM: serve gives up the ticks it cannot record and exits 5") {
  Sandbox sandbox;
  AddVigy(sandbox, "bulky", kBulky, {"--every", "100ms"});
  AddVigy(sandbox, "steady", kCounter, {"--every", "100ms"});
  const rlim_t room = fs::file_size(sandbox.dir() / "vigy.db-wal") + 256 * 1024;
  std::unique_ptr<BackgroundVigy> serve = StartWithFileSizeLimit(sandbox, {"serve"}, room);
  REQUIRE(BackgroundVigy::WaitUntil(
      [&] { return serve->Err().find("store error") != std::string::npos; }, seconds(60)));
  std::this_thread::sleep_for(milliseconds(1000));
  const std::set<std::string> committed = RunIds(sandbox);

  // Ticks whose commit keeps failing do not hold up the stop for ever.
  serve->Signal(SIGTERM);
  const std::optional<int> code = serve->WaitExit(seconds(30));
  INFO(serve->Err());
  REQUIRE(code.has_value());
  CHECK(*code == 5);
  CHECK(CountOf(serve->Err(), "vigy: ") == 1);
  CHECK(LastLine(serve->Err()).find("disk I/O error") != std::string::npos);
  CHECK(RunIds(sandbox) == committed);
  CheckConsistent(sandbox);

  // As after a kill: what was not recorded is lost entirely, and the next
  // serve (with room) ticks on from the last recorded tick.
  const int64_t before = Runs(sandbox);
  BackgroundVigy next(sandbox, {"serve"}, "next");
  CHECK(BackgroundVigy::WaitUntil([&] { return Runs(sandbox) >= before + 10; }));
  next.Signal(SIGTERM);
  CHECK(next.WaitExit(seconds(20)) == 0);
  CheckConsistent(sandbox);
}

// Runs `start` as nobody when this process is root (root writes read-only
// files anyway), so that what it starts meets file permissions as an
// ordinary user does; the sandbox is handed to that user first. The real
// and effective user ids both change, so what is started runs wholly as
// nobody, not as a half-privileged set-user-ID process (which, among other
// things, LeakSanitizer cannot inspect at exit); root stays the saved user
// id, to come back to.
void AsOrdinaryUser(const Sandbox& sandbox, const std::function<void()>& start) {
  if (geteuid() != 0) {
    start();
    return;
  }
  constexpr uid_t kNobody = 65534;
  for (const auto& entry : fs::recursive_directory_iterator(sandbox.dir())) {
    REQUIRE(lchown(entry.path().c_str(), kNobody, static_cast<gid_t>(-1)) == 0);
  }
  REQUIRE(chown(sandbox.dir().c_str(), kNobody, static_cast<gid_t>(-1)) == 0);
  REQUIRE(setresuid(kNobody, kNobody, 0) == 0);
  start();
  REQUIRE(setresuid(0, 0, 0) == 0);
}

TEST_CASE("store made read-only: serve reports it, writes nothing, and resumes once writable") {
  Sandbox sandbox;
  AddVigy(sandbox, "steady", kCounter, {"--every", "100ms"});
  const std::string path = StorePath(sandbox);
  Must(sandbox, {"tick", "steady"});  // the store's -wal and -shm exist from here on
  std::unique_ptr<BackgroundVigy> serve;
  AsOrdinaryUser(sandbox, [&] {
    serve = std::make_unique<BackgroundVigy>(sandbox, std::vector<std::string>{"serve"}, "serve");
  });
  REQUIRE(BackgroundVigy::WaitUntil([&] { return Runs(sandbox) >= 5; }));

  REQUIRE(chmod(path.c_str(), 0400) == 0);
  bool reported = BackgroundVigy::WaitUntil(
      [&] { return serve->Err().find("store error") != std::string::npos; }, seconds(10));
  INFO(serve->Err());
  REQUIRE(reported);
  CHECK(serve->Err().find("read-only") != std::string::npos);
  CHECK(serve->Err().find("chmod 600") != std::string::npos);
  // Nothing is written while it stays read-only (a tick in flight when
  // it happened may still have been committed before the next check).
  std::this_thread::sleep_for(milliseconds(300));
  const int64_t frozen = Runs(sandbox);
  std::this_thread::sleep_for(milliseconds(2000));
  CHECK(Runs(sandbox) == frozen);
  CHECK(serve->WaitExit(milliseconds(0)) == std::nullopt);

  REQUIRE(chmod(path.c_str(), 0600) == 0);
  CHECK(BackgroundVigy::WaitUntil([&] {
    return serve->Err().find("store works again") != std::string::npos &&
           Runs(sandbox) >= frozen + 5;
  }));
  serve->Signal(SIGTERM);
  CHECK(serve->WaitExit(seconds(20)) == 0);
  CheckConsistent(sandbox);
}

// A second store, checkpointed into one self-contained file, holding vigy
// "intruder"; returns its bytes.
std::string MakeOtherStore(const Sandbox& sandbox, const std::string& name) {
  sandbox.Write("intruder.vigy", "(vigy-noop)\n");
  Must(sandbox, {"--db", name, "add", "intruder.vigy"});
  {
    std::unique_ptr<storage::Db> db = storage::testing::OpenRaw((sandbox.dir() / name).string());
    REQUIRE(db->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  }
  fs::remove(sandbox.dir() / (name + "-wal"));
  fs::remove(sandbox.dir() / (name + "-shm"));
  return storage::testing::ReadFile((sandbox.dir() / name).string());
}

// The names `vigy list --json` shows.
std::set<std::string> Listed(const Sandbox& sandbox) {
  BinaryResult list = Must(sandbox, {"list", "--json"});
  std::set<std::string> names;
  for (const nlohmann::json& vigy : nlohmann::json::parse(list.out)) {
    names.insert(vigy["name"].get<std::string>());
  }
  return names;
}

TEST_CASE("a store replaced under serve: exit 5, one line, the new file left as it is") {
  Sandbox sandbox;
  AddVigy(sandbox, "steady", kCounter, {"--every", "100ms"});
  const std::string other = MakeOtherStore(sandbox, "other.db");
  BackgroundVigy serve(sandbox, {"serve"}, "serve");
  REQUIRE(BackgroundVigy::WaitUntil([&] { return Runs(sandbox) >= 5; }));

  fs::rename(sandbox.dir() / "other.db", sandbox.dir() / "vigy.db");
  REQUIRE(serve.WaitExit(seconds(10)) == 5);
  const std::string err = serve.Err();
  INFO(err);
  CHECK(CountOf(err, "vigy: ") == 1);
  CHECK(LastLine(err) == "vigy: store '" + StorePath(sandbox) +
                             "' was deleted or replaced while serve was running; stopping");
  CHECK(storage::testing::ReadFile(StorePath(sandbox)) == other);
  // What serve left beside the new file does not show through it.
  CHECK(Listed(sandbox) == std::set<std::string>{"intruder"});
  Must(sandbox, {"tick", "intruder"});
  CHECK(Listed(sandbox) == std::set<std::string>{"intruder"});
  CheckConsistent(sandbox);
}

TEST_CASE("a store deleted under serve: exit 5, one line, a new store there starts empty") {
  Sandbox sandbox;
  AddVigy(sandbox, "steady", kCounter, {"--every", "100ms"});
  BackgroundVigy serve(sandbox, {"serve"}, "serve");
  REQUIRE(BackgroundVigy::WaitUntil([&] { return Runs(sandbox) >= 5; }));

  fs::remove(sandbox.dir() / "vigy.db");
  REQUIRE(serve.WaitExit(seconds(10)) == 5);
  const std::string err = serve.Err();
  INFO(err);
  CHECK(CountOf(err, "vigy: ") == 1);
  CHECK(LastLine(err).find("was deleted or replaced while serve was running") != std::string::npos);
  CHECK_FALSE(fs::exists(sandbox.dir() / "vigy.db"));
  // A store made afresh at the same path holds only what is added to it.
  AddVigy(sandbox, "fresh", kCounter);
  CHECK(Listed(sandbox) == std::set<std::string>{"fresh"});
  CHECK(Count(sandbox, "SELECT count(*) FROM runs") == 0);
  CheckConsistent(sandbox);
}

TEST_CASE("serve refuses a store others can write, with exit 5 and how to fix it") {
  SUBCASE("the file") {
    Sandbox sandbox;
    AddVigy(sandbox, "steady", kCounter, {"--every", "100ms"});
    REQUIRE(chmod(StorePath(sandbox).c_str(), 0666) == 0);
    const std::string before = storage::testing::ReadFile(StorePath(sandbox));
    BinaryResult r = sandbox.Run({"serve"}, "", seconds(20));
    CHECK(r.exit_code == 5);
    CHECK(CountOf(r.err, "\n") == 1);
    CHECK(r.err.find("chmod 600 '" + StorePath(sandbox) + "'") != std::string::npos);
    CHECK(storage::testing::ReadFile(StorePath(sandbox)) == before);
  }
  SUBCASE("its directory") {
    Sandbox sandbox;
    sandbox.Write("steady.vigy", kCounter);
    Must(sandbox, {"--db", "shared/vigy.db", "add", "steady.vigy", "--every", "100ms"});
    REQUIRE(chmod((sandbox.dir() / "shared").c_str(), 0777) == 0);
    BinaryResult r = sandbox.Run({"--db", "shared/vigy.db", "serve"}, "", seconds(20));
    CHECK(r.exit_code == 5);
    CHECK(CountOf(r.err, "\n") == 1);
    CHECK(r.err.find("chmod 700") != std::string::npos);
    CHECK(storage::testing::QueryInt((sandbox.dir() / "shared/vigy.db").string(),
                                     "SELECT count(*) FROM runs") == 0);
  }
}

TEST_CASE("hostile programs fail their ticks within the limits while serve stays healthy") {
  Sandbox sandbox;
  AddVigy(sandbox, "steady", kCounter, {"--every", "100ms"});
  // Allocates without bound.
  AddVigy(sandbox, "hog", "(define (hog acc) (hog (cons (range 10000) acc)))\n(hog nil)\n",
          {"--every", "100ms"});
  // Recurses without end.
  AddVigy(sandbox, "deep", "(define (f n) (+ 1 (f n)))\n(f 0)\n", {"--every", "100ms"});
  // Builds an ever larger string.
  AddVigy(sandbox, "huge", "(define (g s) (g (str s s)))\n(g \"x\")\n", {"--every", "100ms"});
  // A command that floods stdout without end, and one that floods 100 MB.
  AddVigy(sandbox, "flood", "(sh \"yes\")\n", {"--every", "100ms", "--timeout", "2s"});
  AddVigy(sandbox, "burst",
          "(define r (sh \"yes | head -c 100000000\"))\n"
          "(vigy-set \"len\" (string-length (get r \"out\")))\n"
          "(vigy-set \"truncated\" (get r \"truncated\"))\n",
          {"--every", "100ms"});

  // More workers than hostile vigies: a hostile tick holds only its own worker,
  // so one is always free for steady.
  BackgroundVigy serve(sandbox, {"serve", "--workers", "8"}, "serve");
  auto runs_of = [&](const std::string& name) {
    return Count(sandbox, "SELECT count(*) FROM runs WHERE vigy_name = '" + name + "'");
  };
  // Failing vigies back off (1 s, 2 s, ...): two runs each take a few seconds.
  bool all_twice = BackgroundVigy::WaitUntil(
      [&] {
        for (const char* name : {"hog", "deep", "huge", "flood", "burst"}) {
          if (runs_of(name) < 2) return false;
        }
        return true;
      },
      seconds(90));
  INFO(serve.Err());
  CHECK(all_twice);
  // Others keep their cadence (30 runs in 3 s at best). The bound leaves room
  // for a loaded machine, yet a scheduler that waited on the hostile ticks
  // (flood alone holds a worker 2 s at a time) would tick steady 2 or 3 times.
  const int64_t steady_before = runs_of("steady");
  std::this_thread::sleep_for(milliseconds(3000));
  CHECK(runs_of("steady") >= steady_before + 10);
  CHECK(serve.WaitExit(milliseconds(0)) == std::nullopt);
  serve.Signal(SIGTERM);
  REQUIRE(serve.WaitExit(seconds(30)) == 0);

  auto errors_of = [&](const std::string& name) {
    BinaryResult runs = Must(sandbox, {"runs", name, "--json"});
    std::vector<nlohmann::json> list;
    for (const nlohmann::json& run : nlohmann::json::parse(runs.out)) list.push_back(run);
    return list;
  };
  const std::vector<std::pair<std::string, std::string>> limits = {
      {"hog", "memory limit exceeded"},
      {"deep", "call depth limit exceeded"},
      {"huge", "memory limit exceeded"},
      {"flood", "timeout"},
  };
  for (const auto& [name, message] : limits) {
    const std::string& vigy_name = name;  // a lambda inside CAPTURE cannot name a binding
    CAPTURE(vigy_name);
    for (const nlohmann::json& run : errors_of(name)) {
      CHECK(run["result"] == "failed");
      CHECK(run["error"].get<std::string>().find(message) != std::string::npos);
      CHECK(run["duration_ms"].get<int64_t>() < 15000);
    }
  }
  // A burst the size of the output cap is cut there, not buffered whole.
  for (const nlohmann::json& run : errors_of("burst")) CHECK(run["result"] == "ok");
  CHECK(Must(sandbox, {"kv", "burst", "get", "len"}).out == "1048576\n");
  CHECK(Must(sandbox, {"kv", "burst", "get", "truncated"}).out == "true\n");
  for (const nlohmann::json& run : errors_of("steady")) CHECK(run["result"] == "ok");
  CheckConsistent(sandbox);
}

}  // namespace
}  // namespace vigy::testing
