// vigy mcp: a Model Context Protocol server on stdin and stdout
// (mcp_server.h, mcp_tools.h).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "cli/commands.h"
#include "cli/mcp_server.h"
#include "cli/output.h"
#include "cli/stop_signals.h"
#include "cli/store_access.h"

namespace vigy::cli {

void SetupMcp(CLI::App& sub, McpOptions&) {
  sub.footer(
      "Speaks MCP (JSON-RPC 2.0, one message per line) on stdin and stdout until stdin ends,\n"
      "then exits 0. Tools: vigy_register, vigy_list, vigy_inspect, vigy_tick, vigy_enable,\n"
      "vigy_disable, vigy_delete, vigy_runs, vigy_kv_get, vigy_kv_set, vigy_check, vigy_run.\n"
      "The store is --db (else $VIGY_DB, else the default), opened for each tool call.\n"
      "stdout carries protocol messages only; with -v, each tool call and each error is\n"
      "logged on stderr. Whoever writes to its stdin can run commands as you (a program may\n"
      "call sh): serve only a client you trust.");
}

core::Status RunMcp(const Invocation& inv, const McpOptions&) {
  // A signal ends the server through the one cleanup path: the commands a
  // tick in progress started are killed and its lease given back (exit 130).
  StopSignals signals(EndInterrupted);
  // A client that went away shows up as a write error, not a killed process.
  std::signal(SIGPIPE, SIG_IGN);
  GlobalOptions global = inv.global;
  McpTools tools([global](core::OpenMode mode) { return OpenStore(global, mode); });
  McpLog log = nullptr;
  if (inv.global.verbosity > 0) {
    log = [&inv](std::string_view line) {
      inv.out.PrintError(fmt::format("vigy mcp: {}\n", line));
    };
  }
  McpServer server(std::move(tools), VIGY_VERSION, std::move(log));
  std::ios::sync_with_stdio(false);
  server.Serve(std::cin, std::cout);
  return core::Status::Ok();
}

}  // namespace vigy::cli
