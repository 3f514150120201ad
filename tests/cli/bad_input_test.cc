// End to end: one row per bad input, across the commands (vigy(1), EXIT
// STATUS). Every row runs the real binary and checks the exit code, that stdout
// is empty, that stderr is one line "vigy: ..." naming the problem, and that
// the store is byte for byte what it was (the file and its -wal; no file
// appears or disappears): a bad input never writes anything.
//
// Two shapes add to the one line: a program that does not compile is shown
// first as its diagnostic (vigy-lang(7), ERRORS: "file:line:col: message", the line
// and a caret), and a command line that does not parse is followed by the
// hint "run 'vigy [COMMAND ]--help' for usage".
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/vigy.h"
#include "storage/serve_lock.h"
#include "storage/sqlite_db.h"
#include "tests/cli/store_e2e.h"

namespace vigy::testing {
namespace {

namespace fs = std::filesystem;

// The store a row starts from.
enum class Store {
  kNone,             // no store file yet
  kVigies,           // a real store: web (ticked once, with kv and a run) and
                     // two vigies whose ids share their first 4 hex digits
  kRandomBytes,      // vigy.db is 8 KiB of random bytes
  kRandomPages,      // the SQLite header, then random bytes
  kTruncated,        // the real store, checkpointed, cut after its second page
  kNewerSchema,      // the real store with PRAGMA user_version = 99
  kOpenToOthers,     // the real store, chmod 666
  kDirOpenToOthers,  // the real store in a directory anyone can write
  kDirectory,        // vigy.db is a directory
  kServed,           // the real store, locked as a running serve locks it
};

enum class Shape {
  kOneLine,     // "vigy: ..." alone
  kDiagnostic,  // the program's diagnostic (3 lines), then "vigy: ..."
  kUsage,       // "vigy: ...", then the --help hint
};

struct Row {
  std::string what;
  Store store;
  std::vector<std::string> args;
  int exit_code;
  // Must appear in the "vigy: " line.
  std::string names;
  Shape shape = Shape::kOneLine;
  // For kDiagnostic: what the diagnostic's first line says.
  std::string diagnostic = "";
};

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every file in the sandbox (recursively) with a hash of its bytes. Left
// out: the runner's stdio files, the -shm index (rewritten by any reader) and
// an empty -wal (SQLite creates one when it opens a WAL store; it holds
// nothing).
std::map<std::string, size_t> Snapshot(const Sandbox& s) {
  std::map<std::string, size_t> files;
  for (const auto& entry : fs::recursive_directory_iterator(s.dir())) {
    std::string name = fs::relative(entry.path(), s.dir()).string();
    if (name.ends_with("-shm") || name.starts_with(".std")) continue;
    if (name.ends_with("-wal") && entry.is_regular_file() && entry.file_size() == 0) continue;
    files[name] = entry.is_regular_file() ? std::hash<std::string>{}(Slurp(entry.path())) : 0;
  }
  return files;
}

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(n, '\0');
  for (char& b : bytes) b = static_cast<char>(random() & 0xff);
  return bytes;
}

// The real store, built once: its file and -wal, copied into each row's sandbox.
struct StoreTemplate {
  std::string db;
  std::string wal;
  std::string prefix;  // the id prefix two of its vigies share
};

const StoreTemplate& RealStore() {
  static const StoreTemplate store = [] {
    Sandbox s;
    AddVigy(s, "web", kCounter, {"--every", "1m", "--label", "team=web"});
    auto [first, second] = NamesSharingIdPrefix();
    AddVigy(s, first, kCounter);
    AddVigy(s, second, kCounter);
    Must(s, {"tick", "web"});
    Must(s, {"kv", "web", "set", "mode", "\"fast\""});
    StoreTemplate t;
    t.db = Slurp(s.dir() / "vigy.db");
    t.wal = Slurp(s.dir() / "vigy.db-wal");
    t.prefix = core::VigyIdFromName(first).substr(0, 4);
    return t;
  }();
  return store;
}

void WriteRealStore(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream(dir / "vigy.db", std::ios::binary) << RealStore().db;
  std::ofstream(dir / "vigy.db-wal", std::ios::binary) << RealStore().wal;
  fs::permissions(dir / "vigy.db", fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(dir / "vigy.db-wal", fs::perms::owner_read | fs::perms::owner_write);
}

void ExecOnStore(const fs::path& db, const std::string& sql) {
  auto opened = storage::Db::Open(db.string(), 1000);
  REQUIRE(opened.ok());
  REQUIRE((*opened)->Exec(sql).ok());
}

// Programs and paths the rows name, then the store.
void Prepare(const Sandbox& s, Store store) {
  s.Write("web.vigy", kCounter);
  s.Write("other.vigy", "(vigy-noop)\n");
  s.Write("latin1.vigy", "(vigy-log \"info\" \"caf\xe9\")\n");
  s.Write("empty.vigy", "");
  s.Write("comments.vigy", "; nothing here yet\n\n");
  s.Write("nul.vigy", std::string("(vigy-noop)\n(vigy-log \"info\" \"a") + '\0' + "b\")\n");
  s.Write("bom-inside.vigy", "(vigy-noop)\n\xEF\xBB\xBF(vigy-noop)\n");
  s.Write("binary.vigy",
          "\x7f"
          "ELF" +
              RandomBytes(4096, 7));
  s.Write("big.vigy", "(vigy-noop)\n" + std::string(core::kMaxProgramBytes, ';'));
  REQUIRE(mkfifo((s.dir() / "pipe.vigy").c_str(), 0600) == 0);
  fs::create_directories(s.dir() / "programs");
  const fs::path db = s.dir() / "vigy.db";
  switch (store) {
    case Store::kNone:
      break;
    case Store::kVigies:
      WriteRealStore(s.dir());
      break;
    case Store::kRandomBytes:
      s.Write("vigy.db", RandomBytes(8192, 6));
      fs::permissions(db, fs::perms::owner_read | fs::perms::owner_write);
      break;
    case Store::kRandomPages:
      s.Write("vigy.db", std::string("SQLite format 3\0", 16) + RandomBytes(8192 - 16, 6));
      fs::permissions(db, fs::perms::owner_read | fs::perms::owner_write);
      break;
    case Store::kTruncated:
      WriteRealStore(s.dir());
      ExecOnStore(db, "PRAGMA wal_checkpoint(TRUNCATE)");
      fs::remove(s.dir() / "vigy.db-wal");
      fs::remove(s.dir() / "vigy.db-shm");
      REQUIRE(fs::file_size(db) > 3 * 4096);
      fs::resize_file(db, 2 * 4096);
      break;
    case Store::kNewerSchema:
      WriteRealStore(s.dir());
      ExecOnStore(db, "PRAGMA user_version = 99");
      break;
    case Store::kOpenToOthers:
      WriteRealStore(s.dir());
      REQUIRE(chmod(db.c_str(), 0666) == 0);
      break;
    case Store::kDirOpenToOthers:
      WriteRealStore(s.dir() / "shared");
      REQUIRE(chmod((s.dir() / "shared").c_str(), 0777) == 0);
      break;
    case Store::kDirectory:
      fs::create_directories(db);
      break;
    case Store::kServed: {
      WriteRealStore(s.dir());
      // Taken here rather than by a real serve, which would write as it ran;
      // held until the next row is prepared.
      static std::unique_ptr<storage::ServeLock> held;
      held.reset();
      auto lock = storage::ServeLock::Acquire(db.string());
      REQUIRE(lock.ok());
      held = std::move(lock).value();
      break;
    }
  }
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::vector<Row> Rows() {
  const std::string prefix = RealStore().prefix;
  const std::string deep = std::string(50'000, '[') + std::string(50'000, ']');
  const std::string just_too_deep = std::string(1001, '[') + std::string(1001, ']');
  const std::string max_int64 = "9223372036854775807";
  const std::string nope = "no such vigy 'nope'";
  // clang-format off
  std::vector<Row> rows = {
      // ---- unknown vigy ----
      {"unknown vigy", Store::kVigies, {"show", "nope"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"tick", "nope"}, 3, nope},
      {"unknown vigy among known ones", Store::kVigies, {"tick", "web", "nope"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"rm", "nope"}, 3, nope},
      {"unknown vigy among known ones", Store::kVigies, {"rm", "web", "nope"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"kv", "nope"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"kv", "nope", "get", "mode"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"kv", "nope", "set", "mode", "1"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"kv", "nope", "rm", "mode"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"update", "nope", "--every", "5m"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"update", "nope", "web.vigy"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"enable", "nope"}, 3, nope},
      {"unknown vigy among known ones", Store::kVigies, {"disable", "web", "nope"}, 3, nope},
      {"unknown vigy", Store::kVigies, {"runs", "nope"}, 3, nope},
      {"unknown vigy, no store yet", Store::kNone, {"show", "nope"}, 3, nope},
      {"unknown vigy, no store yet", Store::kNone, {"kv", "nope", "set", "k", "1"}, 3, nope},
      {"id prefix too short", Store::kVigies, {"show", prefix.substr(0, 2)}, 3,
       "an id prefix needs at least 4 characters"},

      // ---- ambiguous id prefix ----
      {"ambiguous id prefix", Store::kVigies, {"show", prefix}, 2, "is ambiguous"},
      {"ambiguous id prefix", Store::kVigies, {"tick", prefix}, 2, "is ambiguous"},
      {"ambiguous id prefix", Store::kVigies, {"rm", "web", prefix}, 2, "is ambiguous"},
      {"ambiguous id prefix", Store::kVigies, {"kv", prefix, "set", "k", "1"}, 2, "is ambiguous"},
      {"ambiguous id prefix", Store::kVigies, {"update", prefix, "--every", "5m"}, 2,
       "is ambiguous"},

      // ---- durations ----
      {"unknown unit", Store::kVigies, {"add", "other.vigy", "--every", "5 parsecs"}, 2,
       "--every: bad duration '5 parsecs'"},
      {"negative timeout", Store::kVigies, {"add", "other.vigy", "--timeout", "-1"}, 2,
       "--timeout: bad duration '-1'"},
      {"interval below the minimum", Store::kVigies, {"add", "other.vigy", "--every", "10ms"}, 2,
       "the shortest interval is 100ms"},
      {"unknown unit", Store::kVigies, {"update", "web", "--every", "5 parsecs"}, 2,
       "--every: bad duration '5 parsecs'"},
      {"negative timeout", Store::kVigies, {"update", "web", "--timeout", "-1"}, 2,
       "--timeout: bad duration '-1'"},
      {"interval below the minimum", Store::kVigies, {"update", "web", "--every", "10ms"}, 2,
       "the shortest interval is 100ms"},
      {"unknown unit", Store::kVigies, {"runs", "--since", "5 parsecs"}, 2,
       "bad --since '5 parsecs'"},
      {"negative timeout", Store::kNone, {"run", "other.vigy", "--timeout", "-1"}, 2,
       "--timeout: bad duration '-1'"},

      {"interval that overflows the clock", Store::kVigies,
       {"add", "other.vigy", "--every", max_int64}, 2,
       "--every: bad duration '9223372036854775807': longer than 365d"},
      {"interval longer than 365 days", Store::kVigies, {"update", "web", "--every", "366d"}, 2,
       "--every: bad duration '366d': longer than 365d"},
      {"jitter that overflows the clock", Store::kVigies,
       {"add", "other.vigy", "--every", "1s", "--jitter", max_int64}, 2,
       "--jitter: bad duration '9223372036854775807': longer than 365d"},
      {"jitter longer than the interval", Store::kVigies,
       {"add", "other.vigy", "--every", "1s", "--jitter", "2s"}, 2,
       "--jitter 2s is longer than the interval --every 1s"},
      {"jitter longer than a shortened interval", Store::kVigies,
       {"update", "web", "--jitter", "30s", "--every", "10s"}, 2,
       "--jitter 30s is longer than the interval --every 10s"},
      {"timeout longer than 365 days", Store::kVigies, {"add", "other.vigy", "--timeout", "400d"},
       2, "--timeout: bad duration '400d': longer than 365d"},
      {"timeout longer than 365 days", Store::kNone, {"run", "other.vigy", "--timeout", "400d"},
       2, "--timeout: bad duration '400d': longer than 365d"},
      {"stale-after longer than 365 days", Store::kVigies, {"health", "--stale-after", "400d"},
       2, "--stale-after: bad duration '400d': longer than 365d"},
      {"since further back than 365 days", Store::kVigies, {"runs", "--since", "400d"}, 2,
       "bad --since '400d': longer than 365d"},

      // ---- cron ----
      {"minute out of range", Store::kVigies, {"add", "other.vigy", "--cron", "61 * * * *"}, 2,
       "bad cron '61 * * * *'"},
      {"too few fields", Store::kVigies, {"update", "web", "--cron", "* * *"}, 2,
       "bad cron '* * *'"},
      {"unknown macro", Store::kVigies, {"add", "other.vigy", "--cron", "@fortnightly"}, 2,
       "bad cron '@fortnightly'"},

      // ---- labels and selectors ----
      {"space in a label key", Store::kVigies, {"add", "other.vigy", "--label", "bad key=x"}, 2,
       "bad label 'bad key=x'"},
      {"label without a key", Store::kVigies, {"update", "web", "--label", "=x"}, 2,
       "bad label '=x'"},
      {"empty selector clause", Store::kVigies, {"list", "--selector", "=,,"}, 2,
       "bad selector '=,,'"},
      {"empty selector", Store::kVigies, {"tick", "--selector", " "}, 2, "bad selector"},

      // ---- kv values ----
      {"value that is not JSON", Store::kVigies, {"kv", "web", "set", "mode", "{bad"}, 2,
       "{bad is not JSON"},
      {"seed that is not JSON", Store::kNone, {"run", "other.vigy", "--kv", "k={bad"}, 2,
       "bad --kv value for key 'k': {bad is not JSON"},

      {"value nested 50,000 deep", Store::kVigies, {"kv", "web", "set", "d", deep}, 2,
       "nested deeper than 1000 levels (at line 1, column 1001)"},
      {"value nested 1001 deep", Store::kVigies, {"kv", "web", "set", "d", just_too_deep}, 2,
       "nested deeper than 1000 levels (at line 1, column 1001)"},
      {"seed nested 50,000 deep", Store::kNone, {"run", "other.vigy", "--kv", "x=" + deep}, 2,
       "bad --kv value for key 'x': [[[[[[[[[["},
      {"number out of range is valid JSON, too large", Store::kVigies,
       {"kv", "web", "set", "n", "1e400"}, 2, "number out of range at line 1, column 1: 1e400"},
      {"unfinished array gets no quoting hint", Store::kVigies,
       {"kv", "web", "set", "n", "[1,2"}, 2, "[1,2 is not JSON (parse error at line 1, column 5"},
      {"bare word gets the quoting hint", Store::kVigies, {"kv", "web", "set", "n", "hello"}, 2,
       "a string needs quotes: '\"hello\"'"},
      {"lone surrogate gets no quoting hint", Store::kVigies,
       {"kv", "web", "set", "n", "\"\\ud800\""}, 2, "is not JSON (parse error"},
      {"kv key with a newline", Store::kVigies, {"kv", "web", "set", "a\nb", "1"}, 2,
       "kv key has byte 0x0a at byte 2"},
      {"kv key with an escape", Store::kVigies, {"kv", "web", "set", "a\x1b[31m", "1"}, 2,
       "control characters are not allowed in keys"},
      {"seed key with an escape", Store::kNone, {"run", "other.vigy", "--kv", "a\x1b=1"}, 2,
       "control characters are not allowed in keys"},

      // ---- program files ----
      {"program that is not UTF-8", Store::kVigies, {"add", "latin1.vigy"}, 1,
       "latin1.vigy does not compile; nothing was added", Shape::kDiagnostic,
       "latin1.vigy:1:22: invalid UTF-8 (byte 0xe9)"},
      {"program that is not UTF-8", Store::kVigies, {"update", "web", "latin1.vigy"}, 1,
       "latin1.vigy does not compile; nothing was changed", Shape::kDiagnostic,
       "latin1.vigy:1:22: invalid UTF-8 (byte 0xe9)"},
      {"empty program", Store::kVigies, {"add", "empty.vigy"}, 1, "empty.vigy is empty"},
      {"empty program", Store::kVigies, {"update", "web", "empty.vigy"}, 1,
       "empty.vigy is empty"},
      {"program of only comments", Store::kVigies, {"add", "comments.vigy"}, 1,
       "comments.vigy is empty"},
      {"empty program on stdin", Store::kVigies, {"add", "-", "--name", "piped"}, 1,
       "<stdin> is empty"},
      {"missing file", Store::kVigies, {"add", "missing.vigy"}, 2,
       "cannot read 'missing.vigy': No such file or directory"},
      {"missing file", Store::kVigies, {"update", "web", "missing.vigy"}, 2,
       "cannot read 'missing.vigy'"},
      {"missing file", Store::kNone, {"run", "missing.vigy"}, 2, "cannot read 'missing.vigy'"},
      // check reports an unreadable file as that file's check failing.
      {"missing file", Store::kNone, {"check", "missing.vigy"}, 1, "cannot read 'missing.vigy'"},
      {"directory instead of a file", Store::kVigies, {"add", "programs"}, 2,
       "cannot read 'programs': is a directory"},
      {"directory instead of a file", Store::kVigies, {"update", "web", "programs"}, 2,
       "cannot read 'programs': is a directory"},
      {"directory instead of a file", Store::kNone, {"run", "programs"}, 2,
       "cannot read 'programs': is a directory"},

      {"device instead of a file", Store::kVigies, {"add", "/dev/zero", "--name", "z"}, 2,
       "cannot read '/dev/zero': not a regular file"},
      {"device instead of a file", Store::kNone, {"run", "/dev/zero"}, 2,
       "cannot read '/dev/zero': not a regular file"},
      {"device instead of a file", Store::kNone, {"check", "/dev/urandom"}, 1,
       "cannot read '/dev/urandom': not a regular file"},
      {"FIFO with no writer", Store::kVigies, {"add", "pipe.vigy"}, 2,
       "cannot read 'pipe.vigy': not a regular file"},
      {"program over 1 MiB", Store::kVigies, {"add", "big.vigy"}, 2,
       "cannot read 'big.vigy': larger than 1 MiB"},
      {"program over 1 MiB", Store::kNone, {"check", "big.vigy"}, 1,
       "cannot read 'big.vigy': larger than 1 MiB"},
      {"empty program", Store::kNone, {"check", "empty.vigy"}, 1, "empty.vigy is empty"},
      {"program of only comments", Store::kNone, {"check", "comments.vigy"}, 1,
       "comments.vigy is empty"},
      {"NUL byte in a program", Store::kVigies, {"add", "nul.vigy"}, 1,
       "nul.vigy does not compile", Shape::kDiagnostic,
       "nul.vigy:2:20: control character U+0000 (NUL): programs are text"},
      {"byte-order mark inside a program", Store::kVigies, {"add", "bom-inside.vigy"}, 1,
       "bom-inside.vigy does not compile", Shape::kDiagnostic,
       "bom-inside.vigy:2:1: a byte-order mark (U+FEFF) inside the program"},
      {"binary file", Store::kVigies, {"add", "binary.vigy"}, 1, "binary.vigy does not compile",
       Shape::kDiagnostic, "binary.vigy:"},

      // ---- store files ----
      {"store of random bytes", Store::kRandomBytes, {"list"}, 5, "not an SQLite database"},
      {"store of random bytes", Store::kRandomBytes, {"add", "web.vigy"}, 5,
       "not an SQLite database"},
      {"store of random bytes", Store::kRandomBytes, {"tick", "--all"}, 5,
       "not an SQLite database"},
      {"store of random bytes", Store::kRandomBytes, {"kv", "web", "set", "k", "1"}, 5,
       "not an SQLite database"},
      {"random pages behind an SQLite header", Store::kRandomPages, {"list"}, 5, "vigy.db"},
      {"random pages behind an SQLite header", Store::kRandomPages, {"add", "web.vigy"}, 5,
       "vigy.db"},
      {"truncated store", Store::kTruncated, {"list"}, 5, "is corrupt"},
      {"truncated store", Store::kTruncated, {"show", "web"}, 5, "is corrupt"},
      {"truncated store", Store::kTruncated, {"tick", "--all"}, 5, "is corrupt"},
      {"truncated store", Store::kTruncated, {"add", "other.vigy"}, 5, "is corrupt"},
      {"store from a newer vigy", Store::kNewerSchema, {"list"}, 5, "newer vigy"},
      {"store from a newer vigy", Store::kNewerSchema, {"tick", "--all"}, 5, "newer vigy"},
      {"store from a newer vigy", Store::kNewerSchema, {"add", "other.vigy"}, 5, "newer vigy"},
      {"store others can write", Store::kOpenToOthers, {"list"}, 5, "chmod 600"},
      {"store others can write", Store::kOpenToOthers, {"tick", "--all"}, 5, "chmod 600"},
      {"store others can write", Store::kOpenToOthers, {"show", "web"}, 5, "chmod 600"},
      {"store directory others can write", Store::kDirOpenToOthers,
       {"--db", "shared/vigy.db", "list"}, 5, "chmod"},
      {"store that is a directory", Store::kDirectory, {"list"}, 5, "vigy.db"},
      {"store that is a directory", Store::kDirectory, {"add", "web.vigy"}, 5, "vigy.db"},

      // ---- where the store is ----
      {"empty --db", Store::kVigies, {"--db", "", "add", "other.vigy", "--name", "x"}, 2,
       "--db needs a path, got an empty one"},
      {"empty --db", Store::kVigies, {"--db", "", "rm", "web"}, 2,
       "--db needs a path, got an empty one"},

      // ---- the command line itself ----
      {"unknown command", Store::kVigies, {"frobnicate"}, 2, "unknown command 'frobnicate'",
       Shape::kUsage},
      {"unknown option", Store::kVigies, {"list", "--bogus"}, 2, "unknown option '--bogus'",
       Shape::kUsage},
      {"missing argument", Store::kVigies, {"show"}, 2, "VIGY is required", Shape::kUsage},
      {"unknown option alone", Store::kVigies, {"rm", "--bogus"}, 2, "unknown option '--bogus'",
       Shape::kUsage},
      {"unknown option alone", Store::kVigies, {"disable", "--all"}, 2, "unknown option '--all'",
       Shape::kUsage},
      {"unknown option alone", Store::kVigies, {"show", "--x"}, 2, "unknown option '--x'",
       Shape::kUsage},
      {"unknown option alone", Store::kVigies, {"kv", "--x"}, 2, "unknown option '--x'",
       Shape::kUsage},
      {"vigy name that looks like an option", Store::kVigies, {"rm", "-dash"}, 2,
       "unknown option '-dash' (a vigy named '-dash' goes after '--'", Shape::kUsage},
      {"option given twice", Store::kVigies, {"--db", "a.db", "--db", "b.db", "list"}, 2,
       "--db was given more than once", Shape::kUsage},
      {"option given twice", Store::kVigies, {"add", "other.vigy", "--name", "a", "--name", "b"},
       2, "--name was given more than once", Shape::kUsage},
      {"counted flag given a value", Store::kVigies,
       {"--verbose=18446744073709551616", "list"}, 2,
       "--verbose takes no value (repeat it to count)", Shape::kUsage},
      {"counted flag given a value", Store::kVigies, {"list", "--quiet=2"}, 2,
       "--quiet takes no value (repeat it to count)", Shape::kUsage},
      {"option as an option's value", Store::kVigies, {"serve", "--selector", "--once"}, 2,
       "--selector needs a value, got the option '--once'", Shape::kUsage},
      {"empty --name", Store::kVigies, {"add", "other.vigy", "--name", ""}, 2,
       "bad --name: vigy name is empty"},
      {"unknown help topic", Store::kVigies, {"help", "frobnicate"}, 2,
       "unknown command 'frobnicate'", Shape::kUsage},
      {"extra argument", Store::kVigies, {"show", "web", "extra"}, 2,
       "unexpected argument 'extra'", Shape::kUsage},
      {"extra argument", Store::kVigies, {"kv", "web", "get", "a", "b"}, 2,
       "'get' takes 1 argument, got 2"},
      {"bad count", Store::kVigies, {"runs", "--limit", "-3"}, 2, "bad --limit '-3'"},
      {"nothing to tick", Store::kVigies, {"tick"}, 2, "name the vigies to tick"},
      {"vigies and --all", Store::kVigies, {"tick", "web", "--all"}, 2,
       "name the vigies to tick"},

      // ---- serve ----
      {"store locked by serve", Store::kServed, {"serve"}, 4, "is already being served"},
  };
  // clang-format on
  return rows;
}

TEST_CASE("every bad input is one line on stderr, its exit code, and no write") {
  for (const Row& row : Rows()) {
    std::string command;
    for (const std::string& arg : row.args) command += " " + arg;
    CAPTURE(row.what);
    CAPTURE(command);
    Sandbox s;
    Prepare(s, row.store);
    std::map<std::string, size_t> before = Snapshot(s);

    BinaryResult r = s.Run(row.args);

    CHECK(r.exit_code == row.exit_code);
    CHECK(r.out == "");
    CAPTURE(r.err);
    REQUIRE_FALSE(r.err.empty());
    CHECK(r.err.back() == '\n');
    std::vector<std::string> lines = Lines(r.err);
    // No line echoes a hostile input whole (a binary file, a huge value).
    for (const std::string& line : lines) CHECK(line.size() < 400);
    std::string ours = lines.front();
    switch (row.shape) {
      case Shape::kOneLine:
        CHECK(lines.size() == 1);
        break;
      case Shape::kDiagnostic:
        // "file:line:col: message", the source line, the caret, then ours.
        REQUIRE(lines.size() == 4);
        CHECK(lines[0].starts_with(row.diagnostic));
        CHECK(lines[2].ends_with("^"));
        ours = lines[3];
        break;
      case Shape::kUsage:
        REQUIRE(lines.size() == 2);
        CHECK(lines[1].starts_with("run 'vigy "));
        CHECK(lines[1].ends_with("--help' for usage"));
        break;
    }
    CHECK(ours.starts_with("vigy: "));
    CHECK(ours.find(row.names) != std::string::npos);
    CHECK(Snapshot(s) == before);
  }
}

TEST_CASE(
    "a set but empty VIGY_DB is exit 2, and neither the default store nor any other is touched") {
  Sandbox s;
  Prepare(s, Store::kVigies);
  std::map<std::string, size_t> before = Snapshot(s);
  for (const char* command : {"add other.vigy --name x", "rm web", "list"}) {
    CAPTURE(command);
    // HOME inside the sandbox: the default store, were it used, would show.
    CommandResult r =
        RunShellCommand(fmt::format("cd '{}' && env VIGY_DB= XDG_DATA_HOME= HOME='{}/home' '{}' {}",
                                    s.dir().string(), s.dir().string(), VIGY_BINARY, command));
    CHECK(r.exit_code == 2);
    CHECK(r.output.starts_with("vigy: VIGY_DB is set but empty"));
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
    CHECK(Snapshot(s) == before);
  }
}

}  // namespace
}  // namespace vigy::testing
