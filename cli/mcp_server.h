// The Model Context Protocol over stdio, for `vigy mcp`: JSON-RPC 2.0, one
// message per line. Answers initialize (with protocol version negotiation),
// ping, tools/list and tools/call (mcp_tools.h); never answers a
// notification or a response; answers a malformed message with the
// JSON-RPC error codes: -32700 (not JSON, nested too deep, not UTF-8),
// -32600 (not a request, an empty batch or one over kMaxMcpBatch, a line
// over kMaxMcpLineBytes),
// -32601 (unknown method), -32602 (bad params, an unknown tool). A batch
// (a JSON array of messages) gets an array of answers. Every line read is
// bounded, and parsed only by the bounded JSON reader (lisp/json.h), so no
// message can exhaust memory or the stack. Only protocol messages are
// written to the output stream.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "cli/mcp_tools.h"

namespace vigy::cli {

// The protocol versions spoken, newest first.
inline constexpr std::string_view kMcpProtocolVersions[] = {"2025-11-25", "2025-06-18",
                                                            "2025-03-26", "2024-11-05"};

// The longest message line read; a longer one is read to its end without
// being kept, and answered with -32600. (1 MiB, as HTTP request bodies: a
// line of JSON takes a few dozen times its size once parsed.)
inline constexpr size_t kMaxMcpLineBytes = size_t{1} << 20;

// The most messages a batch may hold; a larger batch is answered with one
// -32600, so that no line can ask for more answers than this.
inline constexpr size_t kMaxMcpBatch = 100;

// Told one line for each tool call (its tool and outcome) and each error
// answered, for a log on stderr.
using McpLog = std::function<void(std::string_view line)>;

class McpServer {
 public:
  // `log` may be null: nothing is logged.
  McpServer(McpTools tools, std::string version, McpLog log = nullptr);

  // The answer to one message line; nothing for a notification, a response,
  // or a batch of those.
  std::optional<nlohmann::json> Handle(std::string_view line);

  // Reads lines from `in` until it ends (a last line without a newline
  // counts) or `out` fails, writing each answer as one line to `out`,
  // flushed. Blank lines are skipped.
  void Serve(std::istream& in, std::ostream& out);

 private:
  std::optional<nlohmann::json> HandleMessage(const nlohmann::json& message);
  nlohmann::json Dispatch(const std::string& method, const nlohmann::json& params,
                          const nlohmann::json& id);

  void Log(std::string_view line) const;

  McpTools tools_;
  std::string version_;
  McpLog log_;
};

}  // namespace vigy::cli
