#include "storage/pg_conn.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <regex>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace vigy::storage {

using core::Result;
using core::Status;

namespace {

constexpr std::string_view kUriScheme = "postgresql://";
constexpr std::string_view kShortUriScheme = "postgres://";
constexpr std::string_view kKeywordPrefix = "postgresql:";

bool IsUri(std::string_view location) {
  return location.starts_with(kUriScheme) || location.starts_with(kShortUriScheme);
}

// The first line of a libpq message, without its trailing newline.
std::string FirstLine(const char* message) {
  std::string_view text = message == nullptr ? "" : message;
  text = text.substr(0, text.find('\n'));
  return std::string(text.empty() ? "unknown error" : text);
}

void DiscardNotice(void* /*arg*/, const char* /*message*/) {}

// SQLSTATE classes and codes (PostgreSQL's errcodes.txt).
bool IsConflict(std::string_view state) {
  return state == "40001" || state == "40P01" || state == "55P03" || state == "57014";
}
bool IsDataRefused(std::string_view state) {
  return state.starts_with("22") || state.starts_with("23");
}

// The password `location` holds, as written: in the URI's user part, a
// password URI parameter or a password keyword; empty when none.
std::string PasswordIn(std::string_view location) {
  std::string masked = MaskStoreLocation(location);
  // Where masking starts, both strings agree; the password is what the mask
  // replaced.
  size_t start = masked.find("****");
  if (start == std::string::npos) return "";
  size_t after = masked.size() - start - 4;  // the text after the mask
  if (location.size() < start + after) return "";
  std::string password(location.substr(start, location.size() - start - after));
  return password.size() >= 2 && password.front() == '\'' ? password.substr(1, password.size() - 2)
                                                          : password;
}

// `message` (libpq's, which may quote pieces of a location it could not
// parse) with the location's password masked, and every piece of it (split
// at the characters that end a URI part) of two or more characters.
std::string ScrubPassword(std::string message, std::string_view location) {
  std::string password = PasswordIn(location);
  if (password.empty()) return message;
  std::vector<std::string> pieces = {password};
  size_t from = 0;
  for (size_t i = 0; i <= password.size(); ++i) {
    if (i == password.size() || std::string_view("/@:?&=").find(password[i]) != std::string::npos) {
      if (i - from >= 2) pieces.push_back(password.substr(from, i - from));
      from = i + 1;
    }
  }
  // Whole pieces only, not inside words: "ss" is masked in "ss@h", not in
  // "address".
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (const std::string& piece : pieces) {
    for (size_t at = message.find(piece); at != std::string::npos; at = message.find(piece, at)) {
      const size_t end = at + piece.size();
      if ((at > 0 && is_word(message[at - 1])) || (end < message.size() && is_word(message[end]))) {
        at = end;
        continue;
      }
      message.replace(at, piece.size(), "****");
      at += 4;
    }
  }
  return message;
}

}  // namespace

bool IsPostgresLocation(std::string_view location) {
  return IsUri(location) || location.starts_with(kKeywordPrefix);
}

std::string PostgresConninfo(std::string_view location) {
  if (IsUri(location)) return std::string(location);
  return std::string(location.substr(kKeywordPrefix.size()));
}

std::string MaskStoreLocation(std::string_view location) {
  std::string shown(location);
  if (IsUri(location)) {
    // scheme://user:password@host...: the userinfo ends at the last '@'
    // before the query (a password may hold '/' or '@' unescaped).
    size_t start = location.find("://") + 3;
    size_t query = location.find('?', start);
    size_t at = location.substr(0, query).rfind('@');
    if (at != std::string_view::npos && at > start) {
      size_t colon = location.substr(start, at - start).find(':');
      if (colon != std::string_view::npos) {
        shown = fmt::format("{}****{}", location.substr(0, start + colon + 1), location.substr(at));
      }
    }
    // libpq decodes percent-encoded parameter names: pass%77ord is password.
    static const std::regex password_param(
        R"(([?&](?:%70|p)(?:%61|a)(?:%73|s)(?:%73|s)(?:%77|w)(?:%6f|o)(?:%72|r)(?:%64|d)=)[^&]*)",
        std::regex::icase);
    return std::regex_replace(shown, password_param, "$1****");
  }
  // A quoted value may lack its closing quote (a typo libpq refuses): then
  // the rest of the string is masked.
  static const std::regex password_keyword(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s']+))",
                                           std::regex::icase);
  return std::regex_replace(shown, password_keyword, "$1****");
}

void PgArray::Separate() {
  if (size_++ > 0) literal_ += ',';
}

void PgArray::Add(std::string_view text) {
  Separate();
  literal_ += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') literal_ += '\\';
    literal_ += c;
  }
  literal_ += '"';
}

void PgArray::Add(int64_t number) {
  Separate();
  literal_ += std::to_string(number);
}

void PgArray::AddNull() {
  Separate();
  literal_ += "NULL";
}

std::string PgTextArray(const std::vector<std::string>& values) {
  PgArray array;
  for (const std::string& value : values) array.Add(std::string_view(value));
  return array.literal();
}

// ---- PgRow, PgRows ----

bool PgRow::IsNull(int column) const { return PQgetisnull(result_, row_, column) != 0; }

int64_t PgRow::Int(int column) const { return OptInt(column).value_or(0); }

std::string PgRow::Text(int column) const {
  if (IsNull(column)) return "";
  return std::string(PQgetvalue(result_, row_, column),
                     static_cast<size_t>(PQgetlength(result_, row_, column)));
}

std::optional<int64_t> PgRow::OptInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  const char* text = PQgetvalue(result_, row_, column);
  const char* end = text + PQgetlength(result_, row_, column);
  int64_t value = 0;
  std::from_chars(text, end, value);
  return value;
}

std::optional<std::string> PgRow::OptText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

PgRows::PgRows(pg_result* result) : result_(result) {}
PgRows::PgRows(PgRows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
PgRows& PgRows::operator=(PgRows&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}
PgRows::~PgRows() { PQclear(result_); }

int PgRows::size() const { return result_ == nullptr ? 0 : PQntuples(result_); }

int64_t PgRows::affected() const {
  if (result_ == nullptr) return 0;
  std::string_view count = PQcmdTuples(result_);
  int64_t value = 0;
  std::from_chars(count.data(), count.data() + count.size(), value);
  return value;
}

// ---- PgConn ----

Result<std::unique_ptr<PgConn>> PgConn::Connect(std::string_view location) {
  std::string conninfo = PostgresConninfo(location);
  // Defaults first: what the location says overrides them (libpq takes the
  // last value given for a keyword, the expanded dbname's in its place).
  std::array<const char*, 9> keywords = {
      "connect_timeout",     "keepalives",       "keepalives_idle",
      "keepalives_interval", "keepalives_count", "tcp_user_timeout",
      "application_name",    "dbname",           nullptr};
  std::array<const char*, 9> values = {
      "10", "1", "5", "2", "3", "10000", "vigy", conninfo.c_str(), nullptr};
  pg_conn* handle = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  std::string where = MaskStoreLocation(location);
  if (handle == nullptr) {
    return Status::StoreUnusable(fmt::format("cannot connect to store '{}': out of memory", where));
  }
  if (PQstatus(handle) != CONNECTION_OK) {
    std::string why = ScrubPassword(FirstLine(PQerrorMessage(handle)), location);
    PQfinish(handle);
    return Status::StoreUnusable(fmt::format("cannot connect to store '{}': {}", where, why));
  }
  auto conn = std::unique_ptr<PgConn>(new PgConn(handle, std::string(location)));
  if (Status s = conn->SetUpSession(); !s.ok()) return s;
  return conn;
}

PgConn::PgConn(pg_conn* handle, std::string location)
    : handle_(handle), location_(std::move(location)), where_(MaskStoreLocation(location_)) {}

PgConn::~PgConn() { PQfinish(handle_); }

Status PgConn::SetUpSession() {
  PQsetNoticeProcessor(handle_, DiscardNotice, nullptr);
  // Nonblocking, so that sending never waits on a server that does not
  // read: AwaitResult bounds every wait instead.
  if (PQsetnonblocking(handle_, 1) != 0) return Error(nullptr);
  const std::string sql =
      fmt::format("SET lock_timeout = {}; SET client_min_messages = warning; SET TIME ZONE 'UTC'",
                  kLockTimeoutMs);
  pg_result* result = PQsendQuery(handle_, sql.c_str()) != 0 ? AwaitResult() : nullptr;
  const bool ok = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
  Status status = ok ? Status::Ok() : Error(result);
  PQclear(result);
  return status;
}

void PgConn::ResetIfBroken() {
  if (PQstatus(handle_) == CONNECTION_OK) return;
  prepared_.clear();
  ++generation_;
  PQreset(handle_);
  if (PQstatus(handle_) == CONNECTION_OK) (void)SetUpSession();
}

Status PgConn::Error(const pg_result* result) {
  if (answer_timed_out_) {
    answer_timed_out_ = false;
    last_error_store_failure_ = true;
    return Status::StoreUnusable(fmt::format("store '{}': no answer from the server for {} s",
                                             where_, kAnswerTimeoutMs / 1000));
  }
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  if (state == nullptr || PQstatus(handle_) != CONNECTION_OK) {
    last_error_store_failure_ = true;
    return Status::StoreUnusable(
        fmt::format("store '{}': {}", where_, FirstLine(PQerrorMessage(handle_))));
  }
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = FirstLine(primary != nullptr ? primary : PQresultErrorMessage(result));
  last_error_store_failure_ = !IsDataRefused(state);
  if (IsConflict(state)) {
    return Status::Conflict(fmt::format("store '{}' is busy: {}", where_, message));
  }
  return Status::StoreUnusable(fmt::format("store '{}': {}", where_, message));
}

Result<PgRows> PgConn::Query(std::string_view sql, const std::vector<PgParam>& params) {
  ResetIfBroken();
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& param : params) {
    if (param.text && param.text->find('\0') != std::string::npos) {
      last_error_store_failure_ = false;
      return Status::StoreUnusable(
          fmt::format("store '{}': text with a NUL character cannot be stored", where_));
    }
    values.push_back(param.text ? param.text->c_str() : nullptr);
  }
  auto [it, inserted] = prepared_.try_emplace(std::string(sql));
  if (inserted) {
    it->second = fmt::format("vigy_{}", prepared_.size());
    pg_result* prepared = PQsendPrepare(handle_, it->second.c_str(), it->first.c_str(),
                                        static_cast<int>(params.size()), nullptr) != 0
                              ? AwaitResult()
                              : nullptr;
    if (prepared == nullptr || PQresultStatus(prepared) != PGRES_COMMAND_OK) {
      Status s = Error(prepared);
      PQclear(prepared);
      prepared_.erase(it);
      return s;
    }
    PQclear(prepared);
  }
  pg_result* result =
      PQsendQueryPrepared(handle_, it->second.c_str(), static_cast<int>(values.size()),
                          values.data(), nullptr, nullptr, 0) != 0
          ? AwaitResult()
          : nullptr;
  ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Status s = Error(result);
    PQclear(result);
    return s;
  }
  return PgRows(result);
}

Result<std::string> PgConn::ExecForTag(std::string_view sql) {
  ResetIfBroken();
  std::string text(sql);
  pg_result* result = PQsendQuery(handle_, text.c_str()) != 0 ? AwaitResult() : nullptr;
  ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Status s = Error(result);
    PQclear(result);
    return s;
  }
  std::string tag = PQcmdStatus(result);
  PQclear(result);
  return tag;
}

Status PgConn::Exec(std::string_view sql) { return ExecForTag(sql).status(); }

Result<int64_t> PgConn::QueryInt(std::string_view sql, const std::vector<PgParam>& params) {
  Result<PgRows> rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || (*rows)[0].IsNull(0)) {
    return Status::StoreUnusable(fmt::format("store '{}': a query returned no value", where_));
  }
  return (*rows)[0].Int(0);
}

// ---- notifications ----

using core::SteadyNowMs;

namespace {

// Waits for `fd` to be ready for `events` until `deadline_ms`; whether it is.
bool PollUntil(int fd, short events, int64_t deadline_ms) {
  for (;;) {
    const int64_t left = deadline_ms - SteadyNowMs();
    if (left <= 0) return false;
    pollfd entry{fd, events, 0};
    int ready = ::poll(&entry, 1, static_cast<int>(std::min<int64_t>(left, 1'000'000)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

}  // namespace

pg_result* PgConn::AwaitResult() {
  const int fd = PQsocket(handle_);
  // Whether the server said something within the bound; if not, the
  // connection is shut so that libpq sees it end (PQstatus turns bad, any
  // result still awaited is dropped) and the next call reconnects.
  auto heard_within_bound = [&](short events) {
    if (PollUntil(fd, events, SteadyNowMs() + kAnswerTimeoutMs)) return true;
    ::shutdown(fd, SHUT_RDWR);
    (void)PQconsumeInput(handle_);
    while (pg_result* dropped = PQgetResult(handle_)) PQclear(dropped);
    answer_timed_out_ = true;
    return false;
  };
  // Send what libpq holds; read meanwhile, as the server may answer first.
  for (int unsent = PQflush(handle_); unsent != 0; unsent = PQflush(handle_)) {
    if (unsent < 0) break;  // failed: PQgetResult says why
    if (!heard_within_bound(POLLIN | POLLOUT)) return nullptr;
    if (PQconsumeInput(handle_) == 0) break;
  }
  // Every result (one per statement of a multi-statement Exec), keeping the
  // last, as PQexec does: after a failed statement none follow.
  pg_result* kept = nullptr;
  for (;;) {
    while (PQisBusy(handle_) != 0) {
      if (!heard_within_bound(POLLIN)) {
        PQclear(kept);
        return nullptr;
      }
      if (PQconsumeInput(handle_) == 0) break;  // failed: PQgetResult says why
    }
    pg_result* next = PQgetResult(handle_);
    if (next == nullptr) return kept;
    PQclear(kept);
    kept = next;
  }
}

bool PgConn::ResetBy(int64_t deadline_ms) {
  prepared_.clear();
  ++generation_;
  if (PQresetStart(handle_) == 0) return false;
  for (;;) {
    PostgresPollingStatusType state = PQresetPoll(handle_);
    if (state == PGRES_POLLING_OK) break;
    if (state == PGRES_POLLING_FAILED) return false;
    const short events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    if (!PollUntil(PQsocket(handle_), events, deadline_ms)) return false;
  }
  (void)SetUpSession();
  return PQstatus(handle_) == CONNECTION_OK;
}

void PgConn::TakeNotifications(std::vector<Notification>& out) {
  while (PGnotify* notify = PQnotifies(handle_)) {
    out.push_back({notify->relname != nullptr ? notify->relname : "",
                   notify->extra != nullptr ? notify->extra : ""});
    PQfreemem(notify);
  }
}

Result<std::vector<PgConn::Notification>> PgConn::WaitForNotifications(int64_t timeout_ms) {
  const int64_t deadline = SteadyNowMs() + timeout_ms;
  std::vector<Notification> heard;
  bool up = PQstatus(handle_) == CONNECTION_OK;
  while (up) {
    TakeNotifications(heard);
    if (!heard.empty() || !PollUntil(PQsocket(handle_), POLLIN, deadline)) return heard;
    // Readable: notifications, or the end of the connection.
    up = PQconsumeInput(handle_) != 0 && PQstatus(handle_) == CONNECTION_OK;
  }
  // Restarted: return at once, so the caller listens again (generation()).
  if (ResetBy(deadline)) return heard;
  // Unreachable: wait out the time, so callers that loop do not spin.
  const int64_t left = deadline - SteadyNowMs();
  if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(left));
  return Status::StoreUnusable(
      fmt::format("store '{}': {}", where_, FirstLine(PQerrorMessage(handle_))));
}

// ---- PgTransaction ----

Result<PgTransaction> PgTransaction::Begin(PgConn& conn) {
  if (Status s = conn.Exec("BEGIN"); !s.ok()) return s;
  PgTransaction tx(conn);
  tx.generation_ = conn.generation_;
  return tx;
}

PgTransaction::~PgTransaction() {
  if (open_ && conn_->generation_ == generation_) (void)conn_->Exec("ROLLBACK");
}

Status PgTransaction::Commit() {
  open_ = false;
  // After a reconnect the transaction is gone, and COMMIT on the new
  // connection would only warn: the work it held was lost.
  if (conn_->generation_ != generation_) {
    return Status::StoreUnusable(
        fmt::format("store '{}': the connection was lost; nothing was written", conn_->where()));
  }
  Result<std::string> tag = conn_->ExecForTag("COMMIT");
  if (!tag.ok()) return tag.status();
  if (*tag != "COMMIT") {
    return Status::StoreUnusable(fmt::format(
        "store '{}': the transaction was aborted by an earlier error; nothing was written",
        conn_->where()));
  }
  return Status::Ok();
}

}  // namespace vigy::storage
