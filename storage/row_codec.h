// How model values are written into the store's JSON text columns and read
// back. The encodings are the store's own (documented in SCHEMA.md): times
// are integer epoch milliseconds, like every other time column, rather than
// the RFC 3339 text of the public JSON.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/vigy.h"

namespace vigy::storage {

// Compact JSON text; invalid UTF-8 in strings is replaced, never an error.
std::string DumpJson(const nlohmann::json& value);

// The JSON in `text`, or kStoreUnusable saying that `what` (e.g. "kv value
// 'k' of vigy 0123...") is not valid JSON.
core::Result<nlohmann::json> ParseJsonColumn(std::string_view text, std::string_view what);

// {"key": "value", ...}
std::string EncodeLabels(const core::Labels& labels);
core::Result<core::Labels> DecodeLabels(std::string_view text, std::string_view what);

// [{"name", "status", "reason"?, "message"?, "last_transition": ms}, ...]
std::string EncodeConditions(const std::vector<core::Condition>& conditions);
core::Result<std::vector<core::Condition>> DecodeConditions(std::string_view text,
                                                            std::string_view what);

// [{"level", "message"}, ...]
std::string EncodeLog(const std::vector<core::LogEntry>& log);
core::Result<std::vector<core::LogEntry>> DecodeLog(std::string_view text, std::string_view what);

// [{"kind", "message"}, ...]
std::string EncodeEvents(const std::vector<core::EventRecord>& events);
core::Result<std::vector<core::EventRecord>> DecodeEvents(std::string_view text,
                                                          std::string_view what);

// {"name": value, ...} (metrics and trace)
std::string EncodeObject(const std::map<std::string, nlohmann::json>& values);
core::Result<std::map<std::string, nlohmann::json>> DecodeObject(std::string_view text,
                                                                 std::string_view what);

}  // namespace vigy::storage
