// How success and failure cross module boundaries: every call that can fail
// returns a Status (or a Result<T> carrying a value on success), and the
// command line turns the code into an exit code in exactly one place,
// ExitCode() below. The library never calls exit().
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace vigy::core {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,  // usage error or bad input (bad duration, bad label, bad program)
    kNotFound,         // no such vigy
    kConflict,         // name taken, store locked by another serve
    kStoreUnusable,    // unreadable, corrupt, newer schema, unsafe permissions
    kFailed,           // a tick, run or check failed
    kInterrupted,      // stopped by a signal
  };

  Status() = default;  // ok

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) {
    return Status(Code::kInvalidArgument, std::move(message));
  }
  static Status NotFound(std::string message) {
    return Status(Code::kNotFound, std::move(message));
  }
  static Status Conflict(std::string message) {
    return Status(Code::kConflict, std::move(message));
  }
  static Status StoreUnusable(std::string message) {
    return Status(Code::kStoreUnusable, std::move(message));
  }
  static Status Failed(std::string message) { return Status(Code::kFailed, std::move(message)); }
  static Status Interrupted(std::string message) {
    return Status(Code::kInterrupted, std::move(message));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // One line naming the problem (and where it is); empty when ok.
  const std::string& message() const { return message_; }

  // The code's name ("invalid argument", "not found", ...) then the message.
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// The code's name as machine-readable output spells it ("ok",
// "invalid_argument", "not_found", "conflict", "store_unusable", "failed",
// "interrupted"): the "code" of a JSON error over HTTP and MCP.
inline std::string_view CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kInvalidArgument:
      return "invalid_argument";
    case Status::Code::kNotFound:
      return "not_found";
    case Status::Code::kConflict:
      return "conflict";
    case Status::Code::kStoreUnusable:
      return "store_unusable";
    case Status::Code::kFailed:
      return "failed";
    case Status::Code::kInterrupted:
      return "interrupted";
  }
  return "failed";
}

inline std::string Status::ToString() const {
  std::string name(CodeName(code_));
  for (char& c : name) {
    if (c == '_') c = ' ';
  }
  return message_.empty() ? name : name + ": " + message_;
}

// The process exit code for a Status, as documented in vigy(1):
//   0   ok
//   1   a tick, run or check failed        (kFailed)
//   2   usage error, bad input             (kInvalidArgument)
//   3   no such vigy                       (kNotFound)
//   4   conflict: name taken, store locked (kConflict)
//   5   store unusable                     (kStoreUnusable)
//   130 interrupted                        (kInterrupted)
inline int ExitCode(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
      return 0;
    case Status::Code::kFailed:
      return 1;
    case Status::Code::kInvalidArgument:
      return 2;
    case Status::Code::kNotFound:
      return 3;
    case Status::Code::kConflict:
      return 4;
    case Status::Code::kStoreUnusable:
      return 5;
    case Status::Code::kInterrupted:
      return 130;
  }
  return 1;
}

// A value or the Status saying why there is none. A Result built from a
// Status must be built from a failing one.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "a Result without a value needs a failing Status");
    if (status_.ok()) status_ = Status::Failed("internal error: result without a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // Only valid when ok().
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace vigy::core
