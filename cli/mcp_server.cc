#include "cli/mcp_server.h"

#include <fmt/format.h>

#include <utility>

#include "lisp/json.h"

namespace vigy::cli {
namespace {

using nlohmann::json;

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;

json ErrorResponse(const json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json ResultResponse(const json& id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

// Reads one line of at most `max` bytes (without its '\n') into `line`; the
// rest of a longer line is read and dropped, and `too_long` set. False at
// the end of input, when nothing was read.
bool ReadBoundedLine(std::streambuf& in, std::string& line, size_t max, bool& too_long) {
  line.clear();
  too_long = false;
  bool any = false;
  for (;;) {
    int c = in.sbumpc();
    if (c == std::char_traits<char>::eof()) return any;
    any = true;
    if (c == '\n') return true;
    if (line.size() < max) {
      line.push_back(static_cast<char>(c));
    } else {
      too_long = true;
    }
  }
}

}  // namespace

McpServer::McpServer(McpTools tools, std::string version, McpLog log)
    : tools_(std::move(tools)), version_(std::move(version)), log_(std::move(log)) {}

void McpServer::Log(std::string_view line) const {
  if (log_) log_(line);
}

std::optional<json> McpServer::Handle(std::string_view line) {
  json message;
  std::string why;
  if (!lisp::ParseJson(line, &message, &why)) {
    return ErrorResponse(nullptr, kParseError, "parse error: " + why);
  }
  if (!message.is_array()) return HandleMessage(message);
  if (message.empty()) {
    return ErrorResponse(nullptr, kInvalidRequest, "invalid request: empty batch");
  }
  if (message.size() > kMaxMcpBatch) {
    return ErrorResponse(nullptr, kInvalidRequest,
                         fmt::format("invalid request: a batch holds at most {} messages, not {}",
                                     kMaxMcpBatch, message.size()));
  }
  json answers = json::array();
  for (const json& each : message) {
    if (std::optional<json> answer = HandleMessage(each)) answers.push_back(std::move(*answer));
  }
  if (answers.empty()) return std::nullopt;
  return answers;
}

std::optional<json> McpServer::HandleMessage(const json& message) {
  if (!message.is_object()) {
    return ErrorResponse(nullptr, kInvalidRequest, "invalid request: a message is a JSON object");
  }
  auto id_it = message.find("id");
  const bool has_id = id_it != message.end();
  const bool id_ok = has_id && (id_it->is_string() || id_it->is_number_integer());
  const json reply_id = id_ok ? *id_it : json();
  auto method = message.find("method");
  if (method == message.end()) {
    // A response to a request (this server sends none): never answered.
    if (has_id && (message.contains("result") || message.contains("error"))) return std::nullopt;
    return ErrorResponse(reply_id, kInvalidRequest, "invalid request: no method");
  }
  if (message.value("jsonrpc", json()) != "2.0") {
    return ErrorResponse(reply_id, kInvalidRequest, "invalid request: jsonrpc must be \"2.0\"");
  }
  if (!method->is_string()) {
    return ErrorResponse(reply_id, kInvalidRequest, "invalid request: method must be a string");
  }
  if (!has_id) return std::nullopt;  // a notification: never answered
  if (!id_ok) {
    return ErrorResponse(nullptr, kInvalidRequest,
                         "invalid request: id must be a string or an integer");
  }
  json params = message.value("params", json::object());
  if (!params.is_object()) {
    return ErrorResponse(reply_id, kInvalidParams, "invalid params: params must be an object");
  }
  try {
    return Dispatch(method->get<std::string>(), params, reply_id);
  } catch (const std::exception& e) {
    return ErrorResponse(reply_id, kInternalError, fmt::format("internal error: {}", e.what()));
  }
}

json McpServer::Dispatch(const std::string& method, const json& params, const json& id) {
  if (method == "initialize") {
    const json requested = params.value("protocolVersion", json());
    if (!requested.is_string()) {
      return ErrorResponse(id, kInvalidParams, "invalid params: protocolVersion must be a string");
    }
    // The client's version when it is spoken here, else the newest.
    std::string_view version = kMcpProtocolVersions[0];
    for (std::string_view known : kMcpProtocolVersions) {
      if (requested.get<std::string>() == known) version = known;
    }
    return ResultResponse(
        id, {{"protocolVersion", version},
             {"capabilities", {{"tools", {{"listChanged", false}}}}},
             {"serverInfo", {{"name", "vigy"}, {"version", version_}}},
             {"instructions",
              "vigy keeps small reconcilers (vigies) written in tatara-lisp in one store. Check "
              "a program with vigy_check, try it with vigy_run, register it with vigy_register, "
              "tick it with vigy_tick and read its history with vigy_runs."}});
  }
  if (method == "ping") return ResultResponse(id, json::object());
  if (method == "tools/list") return ResultResponse(id, {{"tools", tools_.List()}});
  if (method == "tools/call") {
    const json name = params.value("name", json());
    if (!name.is_string()) {
      return ErrorResponse(id, kInvalidParams, "invalid params: name must be a string");
    }
    if (!tools_.Has(name.get<std::string>())) {
      return ErrorResponse(id, kInvalidParams,
                           fmt::format("invalid params: no tool '{}'", name.get<std::string>()));
    }
    const json arguments = params.value("arguments", json::object());
    if (!arguments.is_object()) {
      return ErrorResponse(id, kInvalidParams, "invalid params: arguments must be an object");
    }
    McpToolResult result = tools_.Call(name.get<std::string>(), arguments);
    Log(result.is_error ? fmt::format("{}: {}", name.get<std::string>(),
                                      result.structured["error"]["message"].get<std::string>())
                        : fmt::format("{}: ok", name.get<std::string>()));
    std::string text = result.structured.dump(-1, ' ', false, json::error_handler_t::replace);
    return ResultResponse(id, {{"content", json::array({{{"type", "text"}, {"text", text}}})},
                               {"structuredContent", std::move(result.structured)},
                               {"isError", result.is_error}});
  }
  return ErrorResponse(id, kMethodNotFound, fmt::format("method not found: {}", method));
}

void McpServer::Serve(std::istream& in, std::ostream& out) {
  std::streambuf* buffer = in.rdbuf();
  if (!buffer) return;
  std::string line;
  bool too_long = false;
  while (out && ReadBoundedLine(*buffer, line, kMaxMcpLineBytes, too_long)) {
    std::optional<json> answer;
    if (too_long) {
      answer = ErrorResponse(
          nullptr, kInvalidRequest,
          fmt::format("invalid request: a message line is longer than {} bytes", kMaxMcpLineBytes));
    } else {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      answer = Handle(line);
    }
    if (!answer) continue;
    if (answer->contains("error")) Log((*answer)["error"]["message"].get<std::string>());
    out << answer->dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    out.flush();
  }
}

}  // namespace vigy::cli
