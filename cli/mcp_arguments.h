// A tool call's arguments, read by name and type for `vigy mcp`'s tools.
// Each reader returns the value (or an empty one) and remembers the first
// problem met: a missing required argument, a mistyped one, or one the tool
// does not declare (so a misspelt field is an error, never silently
// ignored). A tool reads all it needs, then asks status() once.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/vigy.h"
#include "core/vigy_settings.h"

namespace vigy::cli {

class McpArguments {
 public:
  // `arguments` must outlive this; `declared` names every field the tool
  // takes.
  McpArguments(const nlohmann::json& arguments, const std::vector<std::string>& declared);

  // ok, or kInvalidArgument naming the first problem met so far.
  const core::Status& status() const { return status_; }

  // A required string.
  std::string String(const std::string& name);
  std::optional<std::string> OptionalString(const std::string& name);
  std::optional<int64_t> OptionalInteger(const std::string& name);
  // An integer of milliseconds, as a setting's duration.
  std::optional<core::GivenMs> OptionalMs(const std::string& name);
  std::optional<bool> OptionalBool(const std::string& name);
  // An object of string values.
  core::Labels Labels(const std::string& name);
  // An object of any values (a kv to start from).
  core::Kv Kv(const std::string& name);
  // Any JSON value, null included; required.
  nlohmann::json Value(const std::string& name);

 private:
  // The value of `name` when given and not null; records `type` as expected
  // when `is_type` says it is not.
  const nlohmann::json* Find(const std::string& name, bool (nlohmann::json::*is_type)() const,
                             std::string_view type);
  void Fail(std::string message);

  const nlohmann::json& args_;
  core::Status status_;
};

}  // namespace vigy::cli
