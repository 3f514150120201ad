// Thin RAII wrappers over one SQLite connection: the connection itself, a
// cache of prepared statements reused across calls, statements that reset
// themselves when done, and transactions that roll back unless committed.
// Every SQLite error becomes a core::Status here, in one place.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace vigy::storage {

class Db;

// A prepared statement borrowed from its connection's cache. Binding indexes
// and column indexes are those of SQLite (binds from 1, columns from 0). On
// destruction it is reset and its bindings cleared, ready for reuse. Must not
// outlive its Db.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Binding errors are remembered and returned by the next Step() or Run().
  Statement& BindInt(int index, int64_t value);
  Statement& BindText(int index, std::string_view value);
  Statement& BindNull(int index);
  Statement& BindOptInt(int index, const std::optional<int64_t>& value);
  Statement& BindOptText(int index, const std::optional<std::string>& value);
  // Binds `args` to ?1, ?2, ... in order, each by its type: integers and
  // bools as integers, strings as text, an optional integer or string as
  // its value or NULL.
  template <typename... Args>
  Statement& BindAll(const Args&... args) {
    int index = 0;
    (BindOne(++index, args), ...);
    return *this;
  }

  // Advances: true when a row is ready to read, false when done.
  core::Result<bool> Step();
  // Steps until done, ignoring any rows.
  core::Status Run();

  // Columns of the current row.
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string Text(int column) const;  // "" for NULL
  std::optional<int64_t> OptInt(int column) const;
  std::optional<std::string> OptText(int column) const;

 private:
  friend class Db;
  // `in_use` is the cache entry's flag, or null for a statement outside the
  // cache (prepared because the cached one was in use), finalized when done.
  Statement(Db* db, sqlite3_stmt* stmt, bool* in_use) : db_(db), stmt_(stmt), in_use_(in_use) {}
  void Remember(int rc);
  template <typename T>
  void BindOne(int index, const T& value) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, char>) {
      BindInt(index, static_cast<int64_t>(value));
    } else if constexpr (std::is_same_v<T, std::optional<int64_t>>) {
      BindOptInt(index, value);
    } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
      BindOptText(index, value);
    } else {
      BindText(index, std::string_view(value));
    }
  }

  Db* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
  int bind_error_ = 0;
};

class Db {
 public:
  // Opens `path` for reading and writing; the file must exist unless `path`
  // is ":memory:". Sets the busy timeout. Nothing is read or written yet.
  // Error messages name the store `name` (default: `path`).
  static core::Result<std::unique_ptr<Db>> Open(const std::string& path, int busy_timeout_ms,
                                                const std::string& name = "");

  // Closing connections do not checkpoint the log (a short-lived command
  // then pays one sync, not several), and the next process to open the store
  // alone rebuilds its index of the log by reading all of it, forgetting what
  // was already copied into the database. Left alone, a store written only
  // by short-lived commands grows its log forever and every command slows in
  // proportion; so a connection that closes with more than this much log
  // copies it back and empties it.
  static constexpr int64_t kWalBoundBytes = int64_t{1} << 20;
  static constexpr int kCloseCheckpointWaitMs = 100;

  // Closes the connection. If the write-ahead log it leaves is larger than
  // kWalBoundBytes, checkpoints it and truncates it first (waiting at most
  // kCloseCheckpointWaitMs for other connections): see kWalBoundBytes.
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // The cached statement for `sql` (one statement), preparing it on first use.
  core::Result<Statement> Prepare(std::string_view sql);
  // The cached statement for `sql` with `args` bound to ?1, ?2, ... (see
  // Statement::BindAll), ready to Step().
  template <typename... Args>
  core::Result<Statement> Query(std::string_view sql, const Args&... args) {
    core::Result<Statement> stmt = Prepare(sql);
    if (stmt.ok()) stmt->BindAll(args...);
    return stmt;
  }
  // Runs the cached statement for `sql` with `args` bound to ?1, ?2, ...
  // to completion, ignoring any rows (an INSERT, UPDATE or DELETE).
  template <typename... Args>
  core::Status Execute(std::string_view sql, const Args&... args) {
    core::Result<Statement> stmt = Query(sql, args...);
    if (!stmt.ok()) return stmt.status();
    return stmt->Run();
  }
  // Runs `sql` (any number of statements) without caching: for schema
  // changes and pragmas.
  core::Status Exec(const std::string& sql);
  // A passive checkpoint: copies the log's pages that no reader still needs
  // into the database file and syncs it, waiting for nobody.
  core::Status CheckpointPassive();
  // SQLite's automatic checkpoint runs in the commit that takes the log to
  // this many pages.
  static constexpr int kAutoCheckpointPages = 1000;
  // Replaces SQLite's automatic checkpoint on this connection: after each
  // commit, `committed` is called on the committing thread with the size of
  // the log in pages, and when it returns true, the connection runs a
  // passive checkpoint, as SQLite's own does from kAutoCheckpointPages on.
  // An empty function gives SQLite's own back.
  void OnCommit(std::function<bool(int log_pages)> committed);
  // The single integer a query such as "PRAGMA user_version" returns.
  core::Result<int64_t> QueryInt(std::string_view sql);

  // Rows changed by the latest INSERT, UPDATE or DELETE (not counting
  // foreign-key cascades).
  int64_t Changes() const;

  // Whether the latest error Error() turned into a Status since
  // ForgetLastError() came from the store itself: the disk is full, an I/O
  // error, the file is locked, read-only or corrupt, memory ran out, or
  // SQLite rolled the open transaction back. False when there was no such
  // error, or when a statement or its data was refused (a constraint, a
  // value too big), which leaves the store fine for other writes.
  bool LastErrorWasStoreFailure() const;
  void ForgetLastError() { last_error_rc_ = 0; }

  // The Status for SQLite result code `rc` on this connection: busy or
  // locked is kConflict, everything else kStoreUnusable, each naming the file.
  core::Status Error(int rc) const;

  // How many statements were compiled so far (cache misses), for tests that
  // check statements are reused.
  int64_t prepare_count() const { return prepare_count_; }
  const std::string& path() const { return path_; }  // the name in messages
  // The file this connection has open; empty for a database in memory.
  std::string file() const;

 private:
  friend class Statement;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  Db(sqlite3* handle, std::string path) : handle_(handle), path_(std::move(path)) {}
  // The checkpoint ~Db runs when the log is over kWalBoundBytes.
  void CheckpointLargeWal();

  sqlite3* handle_;
  std::string path_;
  std::function<bool(int)> on_commit_;  // see OnCommit
  mutable int last_error_rc_ = 0;       // the latest rc given to Error()
  // Elements of an unordered_map keep their address, so statements can
  // point at their entry's in_use flag.
  std::unordered_map<std::string, Cached> cache_;
  int64_t prepare_count_ = 0;
};

// A transaction that rolls back when destroyed uncommitted. Write
// transactions begin IMMEDIATE: they take the write lock up front (waiting up
// to the busy timeout), so they never fail half-way for lack of it.
class Transaction {
 public:
  enum class Kind { kRead, kWrite };

  static core::Result<Transaction> Begin(Db& db, Kind kind);

  Transaction(Transaction&& other) noexcept : db_(other.db_), open_(other.open_) {
    other.open_ = false;
  }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  core::Status Commit();

 private:
  explicit Transaction(Db& db) : db_(&db), open_(true) {}

  Db* db_;
  bool open_;
};

}  // namespace vigy::storage
