#include "storage/row_codec.h"

#include <fmt/format.h>

namespace vigy::storage {

using core::Result;
using core::Status;
using nlohmann::json;

namespace {

Status Malformed(std::string_view what, std::string_view why) {
  return Status::StoreUnusable(fmt::format("{} is malformed ({})", what, why));
}

// Runs `decode` on the parsed column, turning a JSON type error (a field of
// the wrong type or a missing one) into kStoreUnusable.
template <typename T, typename Decode>
Result<T> DecodeColumn(std::string_view text, std::string_view what, Decode decode) {
  Result<json> j = ParseJsonColumn(text, what);
  if (!j.ok()) return j.status();
  try {
    return decode(*j);
  } catch (const json::exception& e) {
    return Malformed(what, e.what());
  }
}

std::optional<std::string> OptString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::string DumpJson(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<json> ParseJsonColumn(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Malformed(what, "not valid JSON");
  return j;
}

std::string EncodeLabels(const core::Labels& labels) { return DumpJson(json(labels)); }

Result<core::Labels> DecodeLabels(std::string_view text, std::string_view what) {
  if (text == "{}") return core::Labels();  // most vigies: skip the parser in listings
  return DecodeColumn<core::Labels>(text, what, [&](const json& j) -> Result<core::Labels> {
    if (!j.is_object()) return Malformed(what, "not an object");
    return j.get<core::Labels>();
  });
}

std::string EncodeConditions(const std::vector<core::Condition>& conditions) {
  json list = json::array();
  for (const core::Condition& c : conditions) {
    json j = {{"name", c.name}, {"status", c.status}, {"last_transition", c.last_transition_ms}};
    if (c.reason) j["reason"] = *c.reason;
    if (c.message) j["message"] = *c.message;
    list.push_back(std::move(j));
  }
  return DumpJson(list);
}

Result<std::vector<core::Condition>> DecodeConditions(std::string_view text,
                                                      std::string_view what) {
  using Conditions = std::vector<core::Condition>;
  return DecodeColumn<Conditions>(text, what, [&](const json& list) -> Result<Conditions> {
    if (!list.is_array()) return Malformed(what, "not an array");
    Conditions conditions;
    for (const json& j : list) {
      core::Condition c;
      c.name = j.at("name").get<std::string>();
      c.status = j.at("status").get<std::string>();
      c.reason = OptString(j, "reason");
      c.message = OptString(j, "message");
      c.last_transition_ms = j.at("last_transition").get<int64_t>();
      conditions.push_back(std::move(c));
    }
    return conditions;
  });
}

std::string EncodeLog(const std::vector<core::LogEntry>& log) {
  json list = json::array();
  for (const core::LogEntry& e : log) list.push_back({{"level", e.level}, {"message", e.message}});
  return DumpJson(list);
}

Result<std::vector<core::LogEntry>> DecodeLog(std::string_view text, std::string_view what) {
  using Log = std::vector<core::LogEntry>;
  return DecodeColumn<Log>(text, what, [&](const json& list) -> Result<Log> {
    if (!list.is_array()) return Malformed(what, "not an array");
    Log log;
    for (const json& j : list) {
      log.push_back({j.at("level").get<std::string>(), j.at("message").get<std::string>()});
    }
    return log;
  });
}

std::string EncodeEvents(const std::vector<core::EventRecord>& events) {
  json list = json::array();
  for (const core::EventRecord& e : events) {
    list.push_back({{"kind", e.kind}, {"message", e.message}});
  }
  return DumpJson(list);
}

Result<std::vector<core::EventRecord>> DecodeEvents(std::string_view text, std::string_view what) {
  using Events = std::vector<core::EventRecord>;
  return DecodeColumn<Events>(text, what, [&](const json& list) -> Result<Events> {
    if (!list.is_array()) return Malformed(what, "not an array");
    Events events;
    for (const json& j : list) {
      events.push_back({j.at("kind").get<std::string>(), j.at("message").get<std::string>()});
    }
    return events;
  });
}

std::string EncodeObject(const std::map<std::string, json>& values) {
  json object = json::object();
  for (const auto& [key, value] : values) object[key] = value;
  return DumpJson(object);
}

Result<std::map<std::string, json>> DecodeObject(std::string_view text, std::string_view what) {
  using Object = std::map<std::string, json>;
  return DecodeColumn<Object>(text, what, [&](const json& j) -> Result<Object> {
    if (!j.is_object()) return Malformed(what, "not an object");
    Object values;
    for (const auto& [key, value] : j.items()) values[key] = value;
    return values;
  });
}

}  // namespace vigy::storage
