// End to end: the status page of a real `vigy serve --http`, loaded in
// headless Chromium (Debian's chromium, driven by tests/http/
// status_page_check.js over the DevTools protocol), lists a vigy and then
// shows a run that another process commits, without a reload.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/http/http_serve.h"
#include "tests/support/process.h"
#include "tests/support/shell_quote.h"

namespace vigy::testing {
namespace {

using nlohmann::json;

TEST_CASE("the status page shows a vigy, then its new run without a reload, in headless Chromium") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  auto added =
      serve.Post("/v1/vigies",
                 json{{"name", "hello"}, {"program", "(vigy-noop)"}, {"cron", "0 0 1 1 *"}}.dump());
  REQUIRE(added);
  REQUIRE(added->status == 201);
  const std::string command =
      fmt::format("VIGY_DB={} node {} /usr/bin/chromium {} hello -- {} tick hello --json",
                  ShellQuote((sandbox.dir() / "vigy.db").string()),
                  ShellQuote(std::string(VIGY_SOURCE_DIR) + "/tests/http/status_page_check.js"),
                  ShellQuote(serve.Url("/#token=" + serve.token())), ShellQuote(VIGY_BINARY));
  CommandResult result = RunShellCommand(command);
  INFO(result.output);
  CHECK(result.exit_code == 0);
  // The report is the last line the script prints.
  std::string output = result.output;
  while (!output.empty() && output.back() == '\n') output.pop_back();
  json report = json::parse(output.substr(output.rfind('\n') + 1), nullptr, false);
  REQUIRE(report.is_object());
  CHECK(report["listed"] == true);
  CHECK(report["shown"] == true);
  CHECK(report["reloaded"] == false);
  json runs = json::parse(sandbox.Run({"runs", "hello", "--json"}).out);
  REQUIRE(runs.size() == 1);
  CHECK(report["run"] == runs[0]["id"]);
}

}  // namespace
}  // namespace vigy::testing
