// The tool catalog of `vigy mcp`: the original vigy's seven tools
// (vigy_register, vigy_list, vigy_inspect, vigy_tick, vigy_enable,
// vigy_disable, vigy_delete, with their names and input fields) and vigy's
// own (vigy_runs, vigy_kv_get, vigy_kv_set, vigy_check, vigy_run). Each tool
// reads its arguments, calls the operation of core/operations.h that the
// command of the same purpose calls, and returns its JSON; no rule of its
// own decides anything.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/status.h"
#include "core/store.h"

namespace vigy::cli {

// Opens the store for one tool call (kCreate for the tools that add vigies).
using McpStoreOpener =
    std::function<core::Result<std::unique_ptr<core::Store>>(core::OpenMode mode)>;

// What a tool call returns: an object (sent as structuredContent, and as
// the JSON text of the result's content) and whether it reports a failure.
// A failure's object is {"error": {"code", "message", "exit_code",
// "errors"?}}: code names the failure's kind (invalid_argument, not_found,
// conflict, store_unusable, failed, interrupted), exit_code is what the
// command line exits with for it, errors lists every compile error as
// {line, col, message}.
struct McpToolResult {
  nlohmann::json structured = nlohmann::json::object();
  bool is_error = false;
};

class McpTools {
 public:
  explicit McpTools(McpStoreOpener open_store);

  // The catalog as tools/list returns it: [{name, title, description,
  // inputSchema}], the original's tools first.
  nlohmann::json List() const;

  bool Has(std::string_view name) const;

  // Runs the tool `name` with `arguments` (an object). An unknown tool, an
  // unknown or mistyped argument and anything the operation refuses are
  // failure results. Never throws.
  McpToolResult Call(std::string_view name, const nlohmann::json& arguments) const;

 private:
  McpStoreOpener open_store_;
};

}  // namespace vigy::cli
