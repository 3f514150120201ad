// The raw-SQLite baseline for the persisted tick path (bench/README.md).
//
// Opens an existing vigy store (made by `vigy add`, so the schema is vigy's
// own) with the pragmas vigy uses, and "ticks" its first N vigies by name,
// once each, the way `vigy tick --all` would: for every vigy, one write
// transaction that inserts the run row and its action row, upserts the state
// row and the kv rows, and updates the runtime row. The rows have the shape
// and content a first tick of the shared bench's reconcile.vigy commits
// (a create action, want/have, the "__" runtime keys, a ScalingUp
// condition); nothing is evaluated. Prints ticks per second.
//
// Every run is numbered from meta's run_seq (runs.seq) in the transaction
// that commits it, as vigy numbers its runs.
//
// With --lease it also does what vigy does around each commit: a short
// transaction that takes the vigy's tick lease and reads its record,
// counters, kv and state, and the lease check at the start of the commit.
// That is informative only; the target compares against the plain mode.
//
// With --batch N it groups the ticks the way `vigy serve` does under load:
// N ticks share one commit transaction (and, with --lease, one lease
// transaction before it). With --scheduled the rows are those of a serve
// tick rather than a `vigy tick`: the run records when it was due
// (scheduled_at: the baseline's start, as if every vigy came due at once)
// and the runtime row the next due time (that plus the vigy's --every).
//
// Build: the vigy_tick_baseline target of bench/CMakeLists.txt, or
//   g++ -O2 -std=c++20 bench/tick_baseline.cc -lsqlite3 -o vigy_tick_baseline
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int64_t kApplicationId = 0x76696779;  // "vigy", as every vigy store has
constexpr int kBusyTimeoutMs = 5000;            // what vigy waits for a locked store

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "vigy_tick_baseline: %s\n", message.c_str());
  std::exit(1);
}

void Check(sqlite3* db, int rc, std::string_view what) {
  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
    Fail(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// A prepared statement compiled once and reset after every use.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    Check(db_, sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr), sql);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Int(int index, int64_t value) {
    Check(db_, sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
  }
  Stmt& Text(int index, std::string_view value) {
    Check(db_,
          sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8),
          "bind");
    return *this;
  }
  Stmt& Null(int index) {
    Check(db_, sqlite3_bind_null(stmt_, index), "bind");
    return *this;
  }
  // Steps once; true while there is a row.
  bool Step() {
    int rc = sqlite3_step(stmt_);
    Check(db_, rc, sqlite3_sql(stmt_));
    return rc == SQLITE_ROW;
  }
  // Steps through every row (reading each column, as a caller would), then resets.
  void Run() {
    while (Step()) {
      for (int i = 0, n = sqlite3_column_count(stmt_); i < n; ++i) {
        (void)sqlite3_column_text(stmt_, i);
      }
    }
    Reset();
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string ColumnText(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

struct Target {
  std::string id;
  std::string name;
  std::string revision;
  int64_t tick_count = 0;
  int64_t every_ms = 0;  // 0 when the vigy has no --every
};

struct Options {
  std::string db;
  int64_t count = 2000;
  int64_t batch = 1;
  bool lease = false;
  bool scheduled = false;
};

void Usage(int status) {
  std::fprintf(status == 0 ? stdout : stderr,
               "usage: vigy_tick_baseline --db STORE [--count N] [--batch B] [--lease] "
               "[--scheduled]\n"
               "  Ticks the first N vigies (by name) of an existing vigy store once each,\n"
               "  writing the rows of a reconcile.vigy tick with raw SQLite, B ticks per\n"
               "  transaction; prints ticks per second. N defaults to 2000, B to 1.\n"
               "  --lease also takes and checks the tick lease as vigy does (one lease\n"
               "  transaction per B ticks).\n"
               "  --scheduled writes the rows of a serve tick: scheduled_at (this run's\n"
               "  start, as if all were due at once) and the runtime's next_due_at.\n");
  std::exit(status);
}

Options ParseArgs(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(2);
      return argv[++i];
    };
    if (arg == "--db") {
      options.db = value();
    } else if (arg == "--count") {
      std::string text = value();
      char* end = nullptr;
      options.count = std::strtoll(text.c_str(), &end, 10);
      if (end == text.c_str() || *end != '\0' || options.count < 1) Usage(2);
    } else if (arg == "--batch") {
      std::string text = value();
      char* end = nullptr;
      options.batch = std::strtoll(text.c_str(), &end, 10);
      if (end == text.c_str() || *end != '\0' || options.batch < 1) Usage(2);
    } else if (arg == "--lease") {
      options.lease = true;
    } else if (arg == "--scheduled") {
      options.scheduled = true;
    } else if (arg == "-h" || arg == "--help") {
      Usage(0);
    } else {
      Usage(2);
    }
  }
  if (options.db.empty()) Usage(2);
  return options;
}

// What vigy does on every open: foreign keys, synchronous=NORMAL, WAL, and a
// busy timeout.
sqlite3* OpenStore(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) Fail("cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : "?"));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  Check(db,
        sqlite3_exec(db,
                     "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                     "PRAGMA journal_mode = WAL;",
                     nullptr, nullptr, nullptr),
        "pragmas");
  Stmt id(db, "PRAGMA application_id");
  if (!id.Step() || id.ColumnInt(0) != kApplicationId) {
    Fail(path + " is not a vigy store (make it with `vigy add` first)");
  }
  return db;
}

std::vector<Target> ReadTargets(sqlite3* db, int64_t count) {
  Stmt list(db,
            "SELECT v.id, v.name, v.revision, r.tick_count, coalesce(v.every_ms, 0) "
            "FROM vigies v JOIN runtime r ON r.vigy_id = v.id ORDER BY v.name LIMIT ?1");
  list.Int(1, count);
  std::vector<Target> targets;
  while (list.Step()) {
    targets.push_back({list.ColumnText(0), list.ColumnText(1), list.ColumnText(2),
                       list.ColumnInt(3), list.ColumnInt(4)});
  }
  if (static_cast<int64_t>(targets.size()) < count) {
    Fail("the store has " + std::to_string(targets.size()) + " vigies, fewer than " +
         std::to_string(count));
  }
  return targets;
}

// Run ids as vigy makes them: 12 hex digits of epoch ms, then 8 of a
// counter that starts at a random point.
class RunIds {
 public:
  RunIds() : counter_(static_cast<uint32_t>(std::random_device{}())) {}
  std::string Next(int64_t ms) {
    char id[32];
    std::snprintf(id, sizeof id, "%012" PRIx64 "%08" PRIx32, static_cast<uint64_t>(ms), counter_++);
    return id;
  }

 private:
  uint32_t counter_;
};

class Ticker {
 public:
  Ticker(sqlite3* db, const Options& options)
      : options_(options),
        begin_(db, "BEGIN IMMEDIATE"),
        commit_(db, "COMMIT"),
        lease_holder_(db,
                      "SELECT v.name, r.lease_owner, r.lease_until FROM vigies v "
                      "LEFT JOIN runtime r ON r.vigy_id = v.id WHERE v.id = ?1"),
        lease_take_(db,
                    "INSERT INTO runtime (vigy_id, lease_owner, lease_until) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (vigy_id) DO UPDATE SET lease_owner = excluded.lease_owner, "
                    "lease_until = excluded.lease_until"),
        read_vigy_(db, "SELECT * FROM vigies WHERE id = ?1"),
        read_runtime_(db, "SELECT * FROM runtime WHERE vigy_id = ?1"),
        read_kv_(db, "SELECT key, value FROM kv WHERE vigy_id = ?1 ORDER BY key"),
        read_state_(db, "SELECT * FROM state WHERE vigy_id = ?1"),
        lease_check_(db, "SELECT lease_owner FROM runtime WHERE vigy_id = ?1"),
        read_seq_(db, "SELECT value FROM meta WHERE key = 'run_seq'"),
        write_seq_(db, "UPDATE meta SET value = ?1 WHERE key = 'run_seq'"),
        kv_(db,
            "INSERT INTO kv (vigy_id, key, value) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (vigy_id, key) DO UPDATE SET value = excluded.value"),
        state_(db,
               "INSERT INTO state (vigy_id, desired, observed, conditions, updated_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (vigy_id) DO UPDATE SET "
               "desired = excluded.desired, observed = excluded.observed, "
               "conditions = excluded.conditions, updated_at = excluded.updated_at"),
        run_(db,
             "INSERT INTO runs (id, vigy_id, vigy_name, revision, tick, scheduled_at, "
             "started_at, ended_at, duration_ms, result, error, log, events, metrics, trace, "
             "seq) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"),
        action_(db,
                "INSERT INTO actions (run_id, seq, vigy_id, kind, payload, result, message, at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        runtime_(db,
                 "UPDATE runtime SET tick_count = ?2, last_tick_at = ?3, "
                 "consecutive_failures = 0, backoff_until = 0, next_due_at = ?6, "
                 "last_result = 'ok', last_run_at = ?4, last_run_id = ?5, lease_owner = NULL, "
                 "lease_until = NULL WHERE vigy_id = ?1") {}

  // Ticks `batch` vigies: their leases in one transaction (with --lease),
  // then their commits in another.
  void TickBatch(std::span<const Target> batch, int64_t due) {
    const int64_t now = NowMs();
    std::vector<std::string> tokens;
    tokens.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      tokens.push_back("baseline-" + std::to_string(now) + "-" + std::to_string(i));
    }
    if (options_.lease) {
      Transaction([&] {
        for (size_t i = 0; i < batch.size(); ++i) TakeLease(batch[i], tokens[i], now);
      });
    }
    Transaction([&] {
      if (!read_seq_.Step()) Fail("the store has no run_seq (not a schema 2 store)");
      int64_t seq = read_seq_.ColumnInt(0);
      read_seq_.Reset();
      for (size_t i = 0; i < batch.size(); ++i) WriteTick(batch[i], tokens[i], ++seq, due);
      write_seq_.Int(1, seq).Run();
    });
  }

 private:
  template <typename Body>
  void Transaction(Body body) {
    begin_.Run();
    body();
    commit_.Run();
  }

  // A lease as vigy takes it: check the holder, take it, and read everything
  // the tick starts from, inside the caller's write transaction.
  void TakeLease(const Target& vigy, const std::string& token, int64_t now) {
    lease_holder_.Text(1, vigy.id);
    if (!lease_holder_.Step()) Fail("no vigy " + vigy.id);
    if (lease_holder_.ColumnText(1) != "" && lease_holder_.ColumnInt(2) > now) {
      Fail("vigy " + vigy.name + " is being ticked by someone else");
    }
    lease_holder_.Reset();
    lease_take_.Text(1, vigy.id).Text(2, token).Int(3, now + 50'000).Run();
    read_vigy_.Text(1, vigy.id).Run();
    read_runtime_.Text(1, vigy.id).Run();
    read_kv_.Text(1, vigy.id).Run();
    read_state_.Text(1, vigy.id).Run();
  }

  // The rows of one first tick of reconcile.vigy, run number `seq`.
  void WriteTick(const Target& vigy, const std::string& token, int64_t seq, int64_t due) {
    const int64_t started = NowMs();
    const int64_t tick = vigy.tick_count + 1;
    const std::string run_id = ids_.Next(started);
    const std::string ms = std::to_string(started);
    const int64_t ended = NowMs();

    if (options_.lease) {
      lease_check_.Text(1, vigy.id);
      if (!lease_check_.Step() || lease_check_.ColumnText(0) != token) {
        Fail("lost the lease of " + vigy.name);
      }
      lease_check_.Reset();
    }
    const std::pair<const char*, std::string> kv[] = {
        {"__failures", "0"}, {"__last_tick_ms", ms},
        {"__once/init", ms}, {"__tick_count", std::to_string(tick)},
        {"have", "1"},       {"want", "3"},
    };
    for (const auto& [key, value] : kv) {
      kv_.Text(1, vigy.id).Text(2, key).Text(3, value).Run();
    }
    state_.Text(1, vigy.id)
        .Text(2, R"({"replicas":3})")
        .Text(3, R"({"replicas":0})")
        .Text(4, R"([{"last_transition":)" + ms +
                     R"(,"message":"0 of 3","name":"Ready","reason":"ScalingUp",)"
                     R"("status":"false"}])")
        .Int(5, started)
        .Run();
    run_.Text(1, run_id).Text(2, vigy.id).Text(3, vigy.name).Text(4, vigy.revision).Int(5, tick);
    if (options_.scheduled) {
      run_.Int(6, due);
    } else {
      run_.Null(6);
    }
    run_.Int(7, started)
        .Int(8, ended)
        .Int(9, ended - started)
        .Text(10, "ok")
        .Null(11)
        .Text(12, "[]")
        .Text(13, "[]")
        .Text(14, R"({"gap":3})")
        .Text(15, R"({"tick":)" + std::to_string(tick) + "}")
        .Int(16, seq)
        .Run();
    action_.Text(1, run_id)
        .Int(2, 0)
        .Text(3, vigy.id)
        .Text(4, "create")
        .Text(5, R"({"replica":1})")
        .Null(6)
        .Null(7)
        .Int(8, started)
        .Run();
    runtime_.Text(1, vigy.id).Int(2, tick).Int(3, started).Int(4, ended).Text(5, run_id);
    if (options_.scheduled && vigy.every_ms > 0) {
      runtime_.Int(6, due + vigy.every_ms);
    } else {
      runtime_.Null(6);
    }
    runtime_.Run();
  }

  const Options& options_;
  RunIds ids_;
  Stmt begin_, commit_;
  Stmt lease_holder_, lease_take_, read_vigy_, read_runtime_, read_kv_, read_state_, lease_check_;
  Stmt read_seq_, write_seq_;
  Stmt kv_, state_, run_, action_, runtime_;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);
  const auto start = std::chrono::steady_clock::now();
  const int64_t due = NowMs();
  sqlite3* db = OpenStore(options.db);
  const std::vector<Target> targets = ReadTargets(db, options.count);
  {
    Ticker ticker(db, options);
    const std::span<const Target> all(targets);
    for (size_t first = 0; first < all.size(); first += static_cast<size_t>(options.batch)) {
      ticker.TickBatch(all.subspan(first, std::min<size_t>(options.batch, all.size() - first)),
                       due);
    }
  }
  Check(db, sqlite3_close(db), "close");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("ticked %zu vigies in %.3f s: %.0f ticks/s (%" PRId64 " per transaction%s)\n",
              targets.size(), seconds, static_cast<double>(targets.size()) / seconds, options.batch,
              options.lease ? ", with lease" : "");
  return 0;
}
