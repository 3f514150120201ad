// Thin RAII wrappers over one libpq connection to a PostgreSQL store: the
// connection with its statements prepared once and reused, result rows read
// by column, and transactions that roll back unless committed. Every libpq
// and server error becomes a core::Status here, in one place, naming the
// store by its location with any password masked (MaskStoreLocation).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "core/status.h"

struct pg_conn;
struct pg_result;

namespace vigy::storage {

// Whether `location` (a --db value) names a PostgreSQL store:
// "postgresql://...", "postgres://..." (libpq URIs) or "postgresql:" followed
// by a libpq keyword string ("postgresql:host=db1 dbname=vigy").
bool IsPostgresLocation(std::string_view location);
// `location` as libpq takes it: the URI itself, or the keyword string after
// "postgresql:".
std::string PostgresConninfo(std::string_view location);
// `location` as messages may show it: a password in the URI's user part, in
// a "password" URI parameter or in a password= keyword is replaced by "****".
std::string MaskStoreLocation(std::string_view location);

// A PostgreSQL array literal built one element at a time (text, integers,
// NULL), for a parameter such as "id = ANY($1::text[])" or
// "unnest($1::bigint[])".
class PgArray {
 public:
  void Add(std::string_view text);
  void Add(const std::string& text) { Add(std::string_view(text)); }
  void Add(int64_t number);
  void AddNull();
  void Add(const std::optional<std::string>& text) { text ? Add(*text) : AddNull(); }
  void Add(const std::optional<int64_t>& number) { number ? Add(*number) : AddNull(); }
  size_t size() const { return size_; }
  // The literal, "{...}".
  std::string literal() const { return literal_ + '}'; }

 private:
  void Separate();

  std::string literal_ = "{";
  size_t size_ = 0;
};

// `values` as a PostgreSQL text[] literal.
std::string PgTextArray(const std::vector<std::string>& values);

// One parameter of a statement, in PostgreSQL's text format; unset is NULL.
struct PgParam {
  std::optional<std::string> text;

  PgParam(std::nullopt_t) {}  // NOLINT(google-explicit-constructor): NULL
  template <typename T>
  requires std::is_integral_v<T> PgParam(T value)
      : text(std::to_string(static_cast<int64_t>(value))) {}         // NOLINT
  PgParam(bool value) : text(value ? "1" : "0") {}                   // NOLINT
  PgParam(std::string_view value) : text(std::string(value)) {}      // NOLINT
  PgParam(const std::string& value) : text(value) {}                 // NOLINT
  PgParam(const char* value) : text(std::string(value)) {}           // NOLINT
  PgParam(const std::optional<std::string>& value) : text(value) {}  // NOLINT
  PgParam(const std::optional<int64_t>& value) {                     // NOLINT
    if (value) text = std::to_string(*value);
  }
};

// One row of a PgRows, read by column from 0. The accessors have the names
// and meaning of storage::Statement's, so the row readers of row_readers.h
// take either. Must not outlive its PgRows.
class PgRow {
 public:
  PgRow(const pg_result* result, int row) : result_(result), row_(row) {}
  bool IsNull(int column) const;
  int64_t Int(int column) const;       // 0 for NULL
  std::string Text(int column) const;  // "" for NULL
  std::optional<int64_t> OptInt(int column) const;
  std::optional<std::string> OptText(int column) const;

 private:
  const pg_result* result_;
  int row_;
};

// The rows a statement returned, and how many it changed.
class PgRows {
 public:
  explicit PgRows(pg_result* result);
  PgRows(PgRows&&) noexcept;
  PgRows& operator=(PgRows&&) noexcept;
  ~PgRows();

  int size() const;
  bool empty() const { return size() == 0; }
  PgRow operator[](int row) const { return PgRow(result_, row); }
  // Rows inserted, updated or deleted by an INSERT, UPDATE or DELETE.
  int64_t affected() const;

 private:
  pg_result* result_;
};

class PgConn {
 public:
  // How long a statement waits for a lock held by another transaction
  // before giving up with kConflict (SQLite's busy timeout, here).
  static constexpr int kLockTimeoutMs = 5000;
  // How long a statement waits for the server's next byte before the server
  // is taken for lost (stopped, or stuck, with its connection still up, so
  // that neither the TCP timeouts nor a Unix socket notice): the connection
  // is closed, the call fails with kStoreUnusable, and the next one
  // reconnects.
  static constexpr int64_t kAnswerTimeoutMs = 30'000;

  // Connects to the PostgreSQL store at `location` (see IsPostgresLocation).
  // Fills in what the location leaves out: a connect timeout, TCP
  // keepalives and a user timeout so a vanished server is noticed within
  // seconds, and application_name. kStoreUnusable naming the masked
  // location and libpq's reason when the server cannot be reached or
  // refuses the login.
  static core::Result<std::unique_ptr<PgConn>> Connect(std::string_view location);

  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs `sql` (one statement, parameters $1, $2, ...) with `params`,
  // preparing it on this connection on first use.
  core::Result<PgRows> Query(std::string_view sql, const std::vector<PgParam>& params = {});
  template <typename... Args>
  core::Result<PgRows> Run(std::string_view sql, const Args&... args) {
    return Query(sql, std::vector<PgParam>{PgParam(args)...});
  }
  // Runs `sql` (any number of statements, no parameters) without preparing
  // it: for schema changes and session settings.
  core::Status Exec(std::string_view sql);
  // The single integer the first column of the first row holds.
  core::Result<int64_t> QueryInt(std::string_view sql, const std::vector<PgParam>& params = {});

  // One NOTIFY heard on a channel this connection LISTENs to.
  struct Notification {
    std::string channel;
    std::string payload;
  };
  // Waits at most `timeout_ms` for notifications and returns those that
  // came (none when the time ran out). A broken connection is restarted
  // within the same time, never blocking past it; while that fails,
  // kStoreUnusable once the time is out. After a restart the channels
  // listened to are forgotten (generation() moved): LISTEN again.
  core::Result<std::vector<Notification>> WaitForNotifications(int64_t timeout_ms);
  // Moves with every reconnect.
  int64_t generation() const { return generation_; }

  // Whether the latest error since ForgetLastError() came from the store
  // itself (the connection broke, the server is out of disk or memory, a
  // lock or serialization conflict aborted the transaction) rather than from
  // a statement's data (a constraint, an invalid value), which leaves the
  // store fine for other writes. See storage::Db::LastErrorWasStoreFailure.
  bool LastErrorWasStoreFailure() const { return last_error_store_failure_; }
  void ForgetLastError() { last_error_store_failure_ = false; }

  // The store's location with any password masked: the name in messages.
  const std::string& where() const { return where_; }
  // The location as given, for opening another connection.
  const std::string& location() const { return location_; }

 private:
  friend class PgTransaction;

  PgConn(pg_conn* handle, std::string location);
  // The Status for a failed result (or a null one: the connection failed).
  core::Status Error(const pg_result* result);
  // Exec, returning the command tag of the last statement ("COMMIT",
  // or "ROLLBACK" for a COMMIT of a transaction an error had aborted).
  core::Result<std::string> ExecForTag(std::string_view sql);
  // The session's settings (lock timeout, no notices, UTC) and a
  // nonblocking connection, on a new or restarted connection.
  core::Status SetUpSession();
  // The result of the statement just sent (the last one's, of several),
  // null when the connection failed, or when the server sent nothing
  // for kAnswerTimeoutMs (then the connection is closed and Error() says so).
  pg_result* AwaitResult();
  // Whether the connection is gone; then it tries once to reconnect, so the
  // next call can work again (prepared statements are forgotten).
  void ResetIfBroken();
  // Restarts the connection without blocking past `deadline_ms` (a
  // steady-clock time in ms); whether it is up.
  bool ResetBy(int64_t deadline_ms);
  // Moves the notifications libpq has read into `out`.
  void TakeNotifications(std::vector<Notification>& out);

  pg_conn* handle_;
  std::string location_;
  std::string where_;
  // Statement text -> the name it was prepared under on this connection.
  std::unordered_map<std::string, std::string> prepared_;
  bool last_error_store_failure_ = false;
  bool answer_timed_out_ = false;  // since the last Error()
  // Grows with every reconnect, so a transaction can tell it was lost.
  int64_t generation_ = 0;
};

// A transaction that rolls back when destroyed uncommitted.
class PgTransaction {
 public:
  static core::Result<PgTransaction> Begin(PgConn& conn);
  PgTransaction(PgTransaction&& other) noexcept
      : conn_(other.conn_), open_(other.open_), generation_(other.generation_) {
    other.open_ = false;
  }
  PgTransaction& operator=(PgTransaction&&) = delete;
  ~PgTransaction();

  // kStoreUnusable when the transaction was lost (the connection broke) or
  // aborted by an earlier error: then nothing it held was written.
  core::Status Commit();

 private:
  explicit PgTransaction(PgConn& conn) : conn_(&conn), open_(true) {}

  PgConn* conn_;
  bool open_;
  int64_t generation_ = 0;  // the connection's when it began
};

}  // namespace vigy::storage
