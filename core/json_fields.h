// Reading the fields of one JSON object into model types, with one set of
// rules for every reader in core (vigies, schedules, runs, actions, state):
//
//  - The object itself must be a JSON object, else "WHAT must be a JSON object".
//  - A field that is absent or null is missing: a required one is a problem
//    ("WHAT: missing field 'KEY'"), an optional one is left unset. The one
//    exception is Value(), for fields whose value may be any JSON: there a
//    null is a value, and only an absent field is missing.
//  - An integer is a JSON integer that fits in int64: no fractions (2.0 is
//    refused), nothing above INT64_MAX.
//  - A time is an RFC 3339 string, read to milliseconds.
//  - A field of the wrong kind is a problem: "WHAT: field 'KEY' must be KIND".
//
// The reader keeps the first problem and ignores every later call, so a
// parser reads all its fields and checks status() once at the end.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigy::core {

// The JSON value as an int64, if it is an integer that fits.
std::optional<int64_t> JsonInt64(const nlohmann::json& value);

class JsonFields {
 public:
  // `what` names the object in messages ("vigy", "run", "action", ...).
  // `object` is read in place and must outlive this reader.
  JsonFields(const nlohmann::json& object, std::string_view what);
  JsonFields(nlohmann::json&& object, std::string_view what) = delete;

  void String(const char* key, std::string& out);
  void OptString(const char* key, std::optional<std::string>& out);
  void Int(const char* key, int64_t& out);
  // Leaves `out` as it is when the field is missing.
  void IntOr(const char* key, int64_t& out);
  void OptInt(const char* key, std::optional<int64_t>& out);
  void Bool(const char* key, bool& out);
  void Time(const char* key, int64_t& out);
  void OptTime(const char* key, std::optional<int64_t>& out);

  // The required field if it is an array / object, else nullptr (and a problem).
  const nlohmann::json* Array(const char* key);
  const nlohmann::json* Object(const char* key);
  // The required field, of any kind but null, else nullptr (and a problem).
  const nlohmann::json* Required(const char* key);
  // The field of any kind, null included; nullptr when absent.
  const nlohmann::json* Value(const char* key);

  // Records a problem found by the caller (kept only if it is the first).
  void Problem(std::string message);
  void Mistyped(const char* key, const char* expected);
  // Ok, or kInvalidArgument with the first problem.
  const Status& status() const { return status_; }

 private:
  // The field's value if present and not null; a problem if required.
  const nlohmann::json* Find(const char* key, bool required);

  const nlohmann::json& object_;
  std::string_view what_;
  Status status_;
};

}  // namespace vigy::core
