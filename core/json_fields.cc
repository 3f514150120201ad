#include "core/json_fields.h"

#include <fmt/format.h>

#include "core/time_format.h"

namespace vigy::core {

using nlohmann::json;

std::optional<int64_t> JsonInt64(const json& value) {
  if (!value.is_number_integer()) return std::nullopt;
  if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX}) {
    return std::nullopt;
  }
  return value.get<int64_t>();
}

JsonFields::JsonFields(const json& object, std::string_view what) : object_(object), what_(what) {
  if (!object.is_object()) Problem(fmt::format("{} must be a JSON object", what_));
}

const json* JsonFields::Find(const char* key, bool required) {
  const json* v = Value(key);
  if (v && !v->is_null()) return v;
  if (required && status_.ok()) Problem(fmt::format("{}: missing field '{}'", what_, key));
  return nullptr;
}

const json* JsonFields::Value(const char* key) {
  if (!status_.ok()) return nullptr;
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

const json* JsonFields::Required(const char* key) { return Find(key, true); }

void JsonFields::String(const char* key, std::string& out) {
  const json* v = Find(key, true);
  if (!v) return;
  if (!v->is_string()) return Mistyped(key, "a string");
  out = v->get<std::string>();
}

void JsonFields::OptString(const char* key, std::optional<std::string>& out) {
  const json* v = Find(key, false);
  if (!v) return;
  if (!v->is_string()) return Mistyped(key, "a string");
  out = v->get<std::string>();
}

namespace {

void ReadInt(JsonFields& fields, const char* key, const json* v, int64_t& out) {
  if (!v) return;
  std::optional<int64_t> i = JsonInt64(*v);
  if (!i) return fields.Mistyped(key, "an integer");
  out = *i;
}

}  // namespace

void JsonFields::Int(const char* key, int64_t& out) { ReadInt(*this, key, Find(key, true), out); }

void JsonFields::IntOr(const char* key, int64_t& out) {
  ReadInt(*this, key, Find(key, false), out);
}

void JsonFields::OptInt(const char* key, std::optional<int64_t>& out) {
  const json* v = Find(key, false);
  if (!v) return;
  int64_t value = 0;
  ReadInt(*this, key, v, value);
  if (status_.ok()) out = value;
}

void JsonFields::Bool(const char* key, bool& out) {
  const json* v = Find(key, true);
  if (!v) return;
  if (!v->is_boolean()) return Mistyped(key, "a boolean");
  out = v->get<bool>();
}

namespace {

std::optional<int64_t> TimeOf(const json& v) {
  if (!v.is_string()) return std::nullopt;
  return ParseRfc3339Ms(v.get<std::string>());
}

}  // namespace

void JsonFields::Time(const char* key, int64_t& out) {
  const json* v = Find(key, true);
  if (!v) return;
  std::optional<int64_t> ms = TimeOf(*v);
  if (!ms) return Mistyped(key, "an RFC 3339 timestamp");
  out = *ms;
}

void JsonFields::OptTime(const char* key, std::optional<int64_t>& out) {
  const json* v = Find(key, false);
  if (!v) return;
  std::optional<int64_t> ms = TimeOf(*v);
  if (!ms) return Mistyped(key, "an RFC 3339 timestamp");
  out = *ms;
}

const json* JsonFields::Array(const char* key) {
  const json* v = Find(key, true);
  if (v && !v->is_array()) {
    Mistyped(key, "an array");
    return nullptr;
  }
  return v;
}

const json* JsonFields::Object(const char* key) {
  const json* v = Find(key, true);
  if (v && !v->is_object()) {
    Mistyped(key, "an object");
    return nullptr;
  }
  return v;
}

void JsonFields::Problem(std::string message) {
  if (status_.ok()) status_ = Status::InvalidArgument(std::move(message));
}

void JsonFields::Mistyped(const char* key, const char* expected) {
  Problem(fmt::format("{}: field '{}' must be {}", what_, key, expected));
}

}  // namespace vigy::core
