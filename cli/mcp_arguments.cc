#include "cli/mcp_arguments.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>

namespace vigy::cli {

using nlohmann::json;

McpArguments::McpArguments(const json& arguments, const std::vector<std::string>& declared)
    : args_(arguments) {
  if (!args_.is_object()) {
    Fail("arguments must be an object");
    return;
  }
  for (const auto& [key, value] : args_.items()) {
    if (std::find(declared.begin(), declared.end(), key) != declared.end()) continue;
    Fail(fmt::format(
        "unknown argument '{}' (this tool takes: {})", key,
        declared.empty() ? std::string("none") : fmt::format("{}", fmt::join(declared, ", "))));
    return;
  }
}

void McpArguments::Fail(std::string message) {
  if (status_.ok()) status_ = core::Status::InvalidArgument(std::move(message));
}

const json* McpArguments::Find(const std::string& name, bool (json::*is_type)() const,
                               std::string_view type) {
  if (!args_.is_object()) return nullptr;
  auto it = args_.find(name);
  if (it == args_.end() || it->is_null()) return nullptr;
  if (!((*it).*is_type)()) {
    Fail(fmt::format("argument '{}' must be {}", name, type));
    return nullptr;
  }
  return &*it;
}

std::string McpArguments::String(const std::string& name) {
  std::optional<std::string> value = OptionalString(name);
  if (!value && status_.ok()) Fail(fmt::format("missing argument '{}'", name));
  return value.value_or("");
}

std::optional<std::string> McpArguments::OptionalString(const std::string& name) {
  const json* v = Find(name, &json::is_string, "a string");
  if (!v) return std::nullopt;
  return v->get<std::string>();
}

std::optional<int64_t> McpArguments::OptionalInteger(const std::string& name) {
  const json* v = Find(name, &json::is_number_integer, "an integer");
  if (!v) return std::nullopt;
  if (v->is_number_unsigned() &&
      v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    Fail(fmt::format("argument '{}' is too large", name));
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::optional<core::GivenMs> McpArguments::OptionalMs(const std::string& name) {
  std::optional<int64_t> ms = OptionalInteger(name);
  if (!ms) return std::nullopt;
  return core::GivenMs{*ms, fmt::format("{}ms", *ms)};
}

std::optional<bool> McpArguments::OptionalBool(const std::string& name) {
  const json* v = Find(name, &json::is_boolean, "a boolean");
  if (!v) return std::nullopt;
  return v->get<bool>();
}

core::Labels McpArguments::Labels(const std::string& name) {
  core::Labels labels;
  const json* v = Find(name, &json::is_object, "an object");
  if (!v) return labels;
  for (const auto& [key, value] : v->items()) {
    if (!value.is_string()) {
      Fail(fmt::format("argument '{}': label '{}' must have a string value", name, key));
      return {};
    }
    labels[key] = value.get<std::string>();
  }
  return labels;
}

core::Kv McpArguments::Kv(const std::string& name) {
  core::Kv kv;
  const json* v = Find(name, &json::is_object, "an object");
  if (!v) return kv;
  for (const auto& [key, value] : v->items()) kv[key] = value;
  return kv;
}

json McpArguments::Value(const std::string& name) {
  if (!args_.is_object() || !args_.contains(name)) {
    Fail(fmt::format("missing argument '{}'", name));
    return nullptr;
  }
  return args_.at(name);
}

}  // namespace vigy::cli
