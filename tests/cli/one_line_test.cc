// Every log line and every error is one line: what a program or a user
// wrote into a message (newlines, escape sequences) is escaped in text and
// encoded in JSON, in serve's log, in the runs tick and run print, and in
// errors.
#include "cli/one_line.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/store_e2e.h"

namespace vigy::testing {
namespace {

using cli::OneLine;

// Raises an error whose message holds a newline and a terminal colour code.
constexpr const char* kMultiLineError = "(throw (error \"a\\nb \\u001b[31mRED\"))\n";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

TEST_CASE("OneLine escapes newlines and control characters and keeps the rest") {
  CHECK(OneLine("plain text, ünïcode ✓") == "plain text, ünïcode ✓");
  CHECK(OneLine("a\nb\r\tc") == "a\\nb\\r\\tc");
  CHECK(OneLine("\x1b[31mRED\x1b[0m") == "\\x1b[31mRED\\x1b[0m");
  CHECK(OneLine(std::string("nul\0end", 7)) == "nul\\x00end");
  CHECK(OneLine("del\x7f") == "del\\x7f");
  CHECK(OneLine("csi\xc2\x9b"
                "31m") == "csi\\u009b31m");            // C1 control U+009B
  CHECK(OneLine("\xc2\xa9 kept") == "\xc2\xa9 kept");  // U+00A9 is not a control
  CHECK(OneLine("bad \xff byte") == "bad \xff byte");
}

TEST_CASE("serve's text log keeps a multi-line error with escape codes on one line") {
  Sandbox sandbox;
  AddVigy(sandbox, "m", kMultiLineError, {"--every", "1h"});
  BinaryResult r = sandbox.Run({"serve", "--once"});
  CHECK(r.exit_code == 1);
  INFO(r.err);
  CHECK(r.err.find('\x1b') == std::string::npos);
  CHECK(r.err.find("m: tick 1 failed: 1:1: a\\nb \\x1b[31mRED; next try in ") != std::string::npos);
  for (const std::string& line : Lines(r.err)) {
    CAPTURE(line);
    CHECK((line.starts_with("20") || line.starts_with("vigy: ")));
  }
}

TEST_CASE("serve's JSON log encodes a multi-line error inside one JSON line") {
  Sandbox sandbox;
  AddVigy(sandbox, "m", kMultiLineError, {"--every", "1h"});
  BinaryResult r = sandbox.Run({"serve", "--once", "--log-format", "json"});
  CHECK(r.exit_code == 1);
  bool found = false;
  for (const std::string& line : Lines(r.err)) {
    if (line.starts_with("vigy: ")) continue;
    CAPTURE(line);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    if (j["event"] == "tick_failed") {
      CHECK(j["error"] == "1:1: a\nb \x1b[31mRED");
      found = true;
    }
  }
  CHECK(found);
}

TEST_CASE("tick and run print a multi-line error on one line without escape codes") {
  Sandbox sandbox;
  AddVigy(sandbox, "m", kMultiLineError);
  sandbox.Write("m2.vigy", kMultiLineError);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"tick", "m"}, std::vector<std::string>{"run", "m2.vigy"}}) {
    CAPTURE(args[0]);
    BinaryResult r = sandbox.Run(args);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(r.err.find('\x1b') == std::string::npos);
    CHECK(r.out.find("error       " + args[1] + ":1:1: a\\nb \\x1b[31mRED\n") != std::string::npos);
  }
}

TEST_CASE("a program's log line with a newline and escape codes prints as one line") {
  BinaryResult r = RunVigy({"run", "p.vigy"}, "",
                           {{"p.vigy", "(vigy-log \"warn\" \"one\\ntwo \\u001b[2J\")\n"}});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("log         warn  one\\ntwo \\x1b[2J\n") != std::string::npos);
  CHECK(r.out.find('\x1b') == std::string::npos);
}

TEST_CASE("an error quoting what the user typed stays one line") {
  Sandbox sandbox;
  AddVigy(sandbox, "x", "(vigy-noop)\n");
  BinaryResult r = sandbox.Run({"rm", "no\nsuch\x1b[31m"});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "vigy: no such vigy 'no\\nsuch\\x1b[31m'\n");
}

TEST_CASE("eval prints an error whose message has a newline on one line") {
  BinaryResult r = RunVigy({"eval", "(throw (error \"x\\ny\"))"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with("vigy: <eval>:1:1: x\\ny\n"));
}

}  // namespace
}  // namespace vigy::testing
