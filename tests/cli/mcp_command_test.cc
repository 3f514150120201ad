// vigy mcp end to end: the real binary, JSON-RPC messages on its stdin, one
// answer per line on its stdout, a real store in a sandbox.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/store_e2e.h"
#include "tests/support/files.h"
#include "tests/support/process.h"

namespace vigy::testing {
namespace {

using nlohmann::json;

// Every answer `vigy mcp` writes for `input`; each stdout line must be one
// JSON message, and stderr must stay quiet.
std::vector<json> Answers(const Sandbox& sandbox, const std::string& input,
                          std::vector<std::string> args = {"mcp"}) {
  BinaryResult r = sandbox.Run(args, input);
  INFO("stderr: ", r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  std::vector<json> answers;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) {
    INFO("stdout line: ", line);
    json answer = json::parse(line, nullptr, false);
    REQUIRE_FALSE(answer.is_discarded());
    answers.push_back(std::move(answer));
  }
  return answers;
}

std::vector<json> Exchange(const Sandbox& sandbox, const std::vector<std::string>& lines) {
  std::string input;
  for (const std::string& line : lines) input += line + "\n";
  return Answers(sandbox, input);
}

std::string CallLine(int id, const std::string& tool, const json& arguments) {
  return json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "tools/call"},
              {"params", {{"name", tool}, {"arguments", arguments}}}}
      .dump();
}

// The result of one tools/call, whose text content must be its structured
// content.
json Call(const Sandbox& sandbox, const std::string& tool, const json& arguments) {
  std::vector<json> answers = Exchange(sandbox, {CallLine(1, tool, arguments)});
  REQUIRE(answers.size() == 1);
  INFO(answers[0].dump());
  REQUIRE(answers[0].contains("result"));
  const json& result = answers[0]["result"];
  REQUIRE(result["content"].size() == 1);
  CHECK(result["content"][0]["type"] == "text");
  CHECK(json::parse(result["content"][0]["text"].get<std::string>()) ==
        result["structuredContent"]);
  return result;
}

int ErrorCode(const json& answer) { return answer.at("error").at("code").get<int>(); }

// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("mcp negotiates the protocol version, answers ping and never answers a notification") {
  Sandbox sandbox;
  std::vector<json> answers = Exchange(
      sandbox,
      {R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
       R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
       R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})",
       R"({"jsonrpc":"2.0","id":"two","method":"initialize","params":{"protocolVersion":"1999-01-01"}})",
       R"({"jsonrpc":"2.0","id":3,"method":"ping"})", R"({"jsonrpc":"2.0","id":9,"result":{}})"});
  REQUIRE(answers.size() == 3);
  CHECK(answers[0]["id"] == 1);
  CHECK(answers[0]["jsonrpc"] == "2.0");
  CHECK(answers[0]["result"]["protocolVersion"] == "2025-06-18");
  CHECK(answers[0]["result"]["serverInfo"]["name"] == "vigy");
  CHECK(answers[0]["result"]["capabilities"].contains("tools"));
  CHECK(answers[1]["id"] == "two");
  CHECK(answers[1]["result"]["protocolVersion"] == "2025-11-25");
  CHECK(answers[2] == json{{"jsonrpc", "2.0"}, {"id", 3}, {"result", json::object()}});
}

TEST_CASE("mcp answers malformed JSON-RPC with the specification's error codes and goes on") {
  Sandbox sandbox;
  std::vector<json> answers = Exchange(
      sandbox,
      {"{not json", R"({"jsonrpc":"1.0","id":2,"method":"ping"})", R"({"id":3})",
       R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})",
       R"({"jsonrpc":"2.0","id":5,"method":7})", R"({"jsonrpc":"2.0","id":6,"method":"nope"})",
       R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":[1]})",
       R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"nope"}})",
       R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{}})",
       R"({"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"vigy_list","arguments":[]}})",
       R"({"jsonrpc":"2.0","id":11,"method":"initialize","params":{}})", "[]", "42",
       R"({"jsonrpc":"2.0","id":12,"method":"ping"})"});
  REQUIRE(answers.size() == 14);
  CHECK(ErrorCode(answers[0]) == -32700);
  CHECK(answers[0]["id"].is_null());
  CHECK(ErrorCode(answers[1]) == -32600);
  CHECK(answers[1]["id"] == 2);
  CHECK(ErrorCode(answers[2]) == -32600);
  CHECK(answers[2]["id"] == 3);
  CHECK(ErrorCode(answers[3]) == -32600);
  CHECK(answers[3]["id"].is_null());
  CHECK(ErrorCode(answers[4]) == -32600);
  CHECK(ErrorCode(answers[5]) == -32601);
  CHECK(answers[5]["id"] == 6);
  CHECK(answers[5]["error"]["message"] == "method not found: nope");
  CHECK(ErrorCode(answers[6]) == -32602);
  CHECK(ErrorCode(answers[7]) == -32602);
  CHECK(answers[7]["error"]["message"] == "invalid params: no tool 'nope'");
  CHECK(ErrorCode(answers[8]) == -32602);
  CHECK(ErrorCode(answers[9]) == -32602);
  CHECK(ErrorCode(answers[10]) == -32602);
  CHECK(ErrorCode(answers[11]) == -32600);
  CHECK(ErrorCode(answers[12]) == -32600);
  CHECK(answers[13] == json{{"jsonrpc", "2.0"}, {"id", 12}, {"result", json::object()}});
}

TEST_CASE("mcp refuses invalid UTF-8 and deep nesting as parse errors, without crashing") {
  Sandbox sandbox;
  std::string deep = std::string(200000, '[') + std::string(200000, ']');
  std::string deep_object;
  for (int i = 0; i < 5000; ++i) deep_object += R"({"a":)";
  deep_object += "1" + std::string(5000, '}');
  std::vector<json> answers = Exchange(
      sandbox,
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\xff\xfe\"}}", deep,
       deep_object, R"({"jsonrpc":"2.0","id":2,"method":"ping"})"});
  REQUIRE(answers.size() == 4);
  CHECK(ErrorCode(answers[0]) == -32700);
  CHECK(ErrorCode(answers[1]) == -32700);
  CHECK(answers[1]["error"]["message"].get<std::string>().find("nested deeper than 1000") !=
        std::string::npos);
  CHECK(ErrorCode(answers[2]) == -32700);
  CHECK(answers[3]["id"] == 2);
}

TEST_CASE("mcp refuses a message line over 1 MiB without keeping it, and goes on") {
  Sandbox sandbox;
  std::string huge = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":")" +
                     std::string(3 << 20, 'a') + R"("}})";
  std::string fits = R"({"jsonrpc":"2.0","id":2,"method":"ping","params":{"x":")" +
                     std::string((1 << 20) - 100, 'a') + R"("}})";
  std::vector<json> answers =
      Exchange(sandbox, {huge, fits, R"({"jsonrpc":"2.0","id":3,"method":"ping"})"});
  REQUIRE(answers.size() == 3);
  CHECK(ErrorCode(answers[0]) == -32600);
  CHECK(answers[0]["error"]["message"].get<std::string>().find("longer than 1048576 bytes") !=
        std::string::npos);
  CHECK(answers[1]["id"] == 2);
  CHECK(answers[1]["result"] == json::object());
  CHECK(answers[2]["id"] == 3);
}

TEST_CASE("mcp answers a last line without a newline, skips blank lines and exits 0 at EOF") {
  Sandbox sandbox;
  std::vector<json> answers = Answers(sandbox,
                                      "\n  \r\n"
                                      R"({"jsonrpc":"2.0","id":1,"method":"ping"})"
                                      "\r\n"
                                      R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  REQUIRE(answers.size() == 2);
  CHECK(answers[0]["id"] == 1);
  CHECK(answers[1]["id"] == 2);
  CHECK(Answers(sandbox, "").empty());
  CHECK_FALSE(sandbox.store_exists());
}

TEST_CASE("mcp answers a batch with an array of answers, leaving out notifications") {
  Sandbox sandbox;
  std::vector<json> answers = Exchange(
      sandbox,
      {R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"nope"}])",
       R"([{"jsonrpc":"2.0","method":"notifications/initialized"}])",
       R"({"jsonrpc":"2.0","id":3,"method":"ping"})"});
  REQUIRE(answers.size() == 2);
  REQUIRE(answers[0].is_array());
  REQUIRE(answers[0].size() == 2);
  CHECK(answers[0][0]["id"] == 1);
  CHECK(ErrorCode(answers[0][1]) == -32601);
  CHECK(answers[1]["id"] == 3);
}

TEST_CASE("mcp refuses a batch of more than 100 messages with one error") {
  Sandbox sandbox;
  auto batch = [](int size) {
    json messages = json::array();
    for (int i = 0; i < size; ++i) {
      messages.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "ping"}});
    }
    return messages.dump();
  };
  std::vector<json> answers = Exchange(sandbox, {batch(101), batch(100)});
  REQUIRE(answers.size() == 2);
  CHECK(ErrorCode(answers[0]) == -32600);
  CHECK(answers[0]["error"]["message"] ==
        "invalid request: a batch holds at most 100 messages, not 101");
  REQUIRE(answers[1].is_array());
  CHECK(answers[1].size() == 100);
}

TEST_CASE("mcp lists the original's seven tools and vigy's own, each with an input schema") {
  Sandbox sandbox;
  std::vector<json> answers =
      Exchange(sandbox, {R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"});
  REQUIRE(answers.size() == 1);
  std::vector<std::string> names;
  for (const json& tool : answers[0]["result"]["tools"]) {
    names.push_back(tool["name"]);
    CHECK(tool["inputSchema"]["type"] == "object");
    CHECK_FALSE(tool["description"].get<std::string>().empty());
  }
  CHECK(names == std::vector<std::string>{"vigy_register", "vigy_list", "vigy_inspect", "vigy_tick",
                                          "vigy_enable", "vigy_disable", "vigy_delete", "vigy_runs",
                                          "vigy_kv_get", "vigy_kv_set", "vigy_check", "vigy_run"});
  const json& reg = answers[0]["result"]["tools"][0]["inputSchema"];
  CHECK(reg["required"] == json{"name", "program"});
  CHECK(reg["properties"]["tick_interval_ms"]["minimum"] == 100);
  for (const char* field : {"name", "program", "tick_interval_ms", "enabled", "labels"}) {
    CHECK(reg["properties"].contains(field));
  }
  CHECK(answers[0]["result"]["tools"][1]["inputSchema"]["properties"].contains("label_selector"));
  CHECK(answers[0]["result"]["tools"][2]["inputSchema"]["required"] == json{"id"});
}

TEST_CASE("mcp vigy_register registers with the original's fields, then updates in place") {
  Sandbox sandbox;
  json result = Call(sandbox, "vigy_register",
                     {{"name", "web"},
                      {"program", kCounter},
                      {"tick_interval_ms", 250},
                      {"labels", {{"team", "a"}}},
                      {"enabled", false}});
  CHECK(result["isError"] == false);
  const json vigy = result["structuredContent"];
  CHECK(vigy["name"] == "web");
  CHECK(vigy["schedule"]["every_ms"] == 250);
  CHECK(vigy["enabled"] == false);
  CHECK(vigy["labels"] == json{{"team", "a"}});
  CHECK(vigy["replaced"] == false);
  json shown = json::parse(Must(sandbox, {"show", "web", "--json"}).out);
  CHECK(shown["vigy"]["id"] == vigy["id"]);
  CHECK(shown["vigy"]["enabled"] == false);

  Must(sandbox, {"kv", "web", "set", "keep", "1"});
  result = Call(sandbox, "vigy_register", {{"name", "web"}, {"program", "(vigy-noop)"}});
  CHECK(result["isError"] == false);
  CHECK(result["structuredContent"]["replaced"] == true);
  CHECK(result["structuredContent"]["id"] == vigy["id"]);
  CHECK(result["structuredContent"]["schedule"]["every_ms"] == 1000);
  CHECK(Must(sandbox, {"kv", "web", "get", "keep"}).out == "1\n");
}

TEST_CASE("mcp vigy_register refuses a program that does not compile with every line:col") {
  Sandbox sandbox;
  json result = Call(sandbox, "vigy_register", {{"name", "bad"}, {"program", kNotCompiling}});
  CHECK(result["isError"] == true);
  const json& error = result["structuredContent"]["error"];
  CHECK(error["code"] == "failed");
  CHECK(error["exit_code"] == 1);
  REQUIRE(error["errors"].size() == 2);
  CHECK(error["errors"][0]["line"] == 2);
  CHECK(error["errors"][0]["col"].get<int>() > 0);
  CHECK(error["errors"][1]["line"] == 3);
  CHECK(error["message"].get<std::string>().find("bad:2:") != std::string::npos);
  CHECK_FALSE(sandbox.store_exists());

  result = Call(sandbox, "vigy_register",
                {{"name", "fast"}, {"program", "(vigy-noop)"}, {"tick_interval_ms", 50}});
  CHECK(result["isError"] == true);
  CHECK(result["structuredContent"]["error"]["code"] == "invalid_argument");
  CHECK(result["structuredContent"]["error"]["exit_code"] == 2);
  CHECK_FALSE(sandbox.store_exists());
}

TEST_CASE("mcp tools refuse unknown, missing and mistyped arguments as tool errors") {
  Sandbox sandbox;
  json result = Call(sandbox, "vigy_list", {{"selector", "a=b"}});
  CHECK(result["isError"] == true);
  CHECK(result["structuredContent"]["error"]["message"] ==
        "unknown argument 'selector' (this tool takes: label_selector, limit)");
  result = Call(sandbox, "vigy_inspect", {{"id", 7}});
  CHECK(result["isError"] == true);
  CHECK(result["structuredContent"]["error"]["message"] == "argument 'id' must be a string");
  result = Call(sandbox, "vigy_inspect", json::object());
  CHECK(result["structuredContent"]["error"]["message"] == "missing argument 'id'");
  result = Call(sandbox, "vigy_register",
                {{"name", "x"}, {"program", "(vigy-noop)"}, {"labels", {{"a", 1}}}});
  CHECK(result["isError"] == true);
  CHECK(result["structuredContent"]["error"]["code"] == "invalid_argument");
  result = Call(sandbox, "vigy_runs", {{"limit", 18446744073709551615ULL}});
  CHECK(result["structuredContent"]["error"]["message"] == "argument 'limit' is too large");
}

TEST_CASE("mcp vigy_list, vigy_inspect, vigy_tick and vigy_runs act on the store") {
  Sandbox sandbox;
  AddVigy(sandbox, "web", kCounter, {"--label", "team=a"});
  AddVigy(sandbox, "db", kFailing);
  json list = Call(sandbox, "vigy_list", {{"label_selector", "team=a"}});
  REQUIRE(list["structuredContent"]["vigies"].size() == 1);
  CHECK(list["structuredContent"]["vigies"][0]["name"] == "web");
  json limited = Call(sandbox, "vigy_list", {{"limit", 1}});
  REQUIRE(limited["structuredContent"]["vigies"].size() == 1);
  CHECK(limited["structuredContent"]["vigies"][0]["name"] == "db");

  json tick = Call(sandbox, "vigy_tick", {{"id", "web"}});
  CHECK(tick["isError"] == false);
  CHECK(tick["structuredContent"]["result"] == "ok");
  CHECK(tick["structuredContent"]["tick"] == 1);
  CHECK(tick["structuredContent"]["log"][0]["message"] == "run 1");
  json failed = Call(sandbox, "vigy_tick", {{"id", "db"}});
  CHECK(failed["isError"] == false);
  CHECK(failed["structuredContent"]["result"] == "failed");
  CHECK(failed["structuredContent"]["error"].get<std::string>().starts_with("2:"));
  json dry = Call(sandbox, "vigy_tick", {{"id", "web"}, {"dry_run", true}});
  CHECK(dry["structuredContent"]["tick"] == 2);

  json inspect = Call(sandbox, "vigy_inspect", {{"id", "web"}});
  CHECK(inspect["structuredContent"]["vigy"]["name"] == "web");
  REQUIRE(inspect["structuredContent"]["recent_runs"].size() == 1);  // the dry run left none
  CHECK(inspect["structuredContent"]["kv"]["runs"] == 1);
  CHECK_FALSE(inspect["structuredContent"].contains("runs"));

  json runs = Call(sandbox, "vigy_runs", {{"failed", true}});
  REQUIRE(runs["structuredContent"]["runs"].size() == 1);
  CHECK(runs["structuredContent"]["runs"][0]["vigy_name"] == "db");
  CHECK(Call(sandbox, "vigy_runs", {{"id", "web"}})["structuredContent"]["runs"].size() == 1);
  CHECK(Call(sandbox, "vigy_runs", {{"since", "2999-01-01T00:00:00Z"}})["structuredContent"]["runs"]
            .empty());
  CHECK(Call(sandbox, "vigy_runs", {{"since", "yesterday"}})["isError"] == true);

  json missing = Call(sandbox, "vigy_tick", {{"id", "ghost"}});
  CHECK(missing["isError"] == true);
  CHECK(missing["structuredContent"]["error"]["code"] == "not_found");
  CHECK(missing["structuredContent"]["error"]["message"] == "no such vigy 'ghost'");
  CHECK(missing["structuredContent"]["error"]["exit_code"] == 3);
}

TEST_CASE("mcp vigy_enable, vigy_disable and vigy_delete change the store") {
  Sandbox sandbox;
  AddVigy(sandbox, "web", kCounter);
  json disabled = Call(sandbox, "vigy_disable", {{"id", "web"}});
  CHECK(disabled["structuredContent"]["enabled"] == false);
  CHECK(disabled["structuredContent"]["changed"] == true);
  CHECK(json::parse(Must(sandbox, {"show", "web", "--json"}).out)["vigy"]["enabled"] == false);
  CHECK(Call(sandbox, "vigy_disable", {{"id", "web"}})["structuredContent"]["changed"] == false);
  CHECK(Call(sandbox, "vigy_enable", {{"id", "web"}})["structuredContent"]["enabled"] == true);
  CHECK(json::parse(Must(sandbox, {"show", "web", "--json"}).out)["vigy"]["enabled"] == true);
  json deleted = Call(sandbox, "vigy_delete", {{"id", "web"}});
  CHECK(deleted["structuredContent"]["deleted"] == true);
  CHECK(deleted["structuredContent"]["name"] == "web");
  CHECK(sandbox.Run({"show", "web"}).exit_code == 3);
  CHECK(Call(sandbox, "vigy_delete", {{"id", "web"}})["isError"] == true);
}

TEST_CASE("mcp vigy_kv_get and vigy_kv_set read and seed the kv, never the runtime's keys") {
  Sandbox sandbox;
  AddVigy(sandbox, "web", kCounter);
  json set = Call(sandbox, "vigy_kv_set", {{"id", "web"}, {"key", "runs"}, {"value", 41}});
  CHECK(set["isError"] == false);
  CHECK(Must(sandbox, {"kv", "web", "get", "runs"}).out == "41\n");
  CHECK(Call(sandbox, "vigy_kv_get",
             {{"id", "web"}, {"key", "runs"}})["structuredContent"]["value"] == 41);
  Call(sandbox, "vigy_tick", {{"id", "web"}});
  json all = Call(sandbox, "vigy_kv_get", {{"id", "web"}});
  CHECK(all["structuredContent"]["kv"]["runs"] == 42);
  CHECK(all["structuredContent"]["kv"].contains("__tick_count"));
  json nested = Call(sandbox, "vigy_kv_set",
                     {{"id", "web"}, {"key", "cfg"}, {"value", {{"a", json::array({1, 2})}}}});
  CHECK(nested["isError"] == false);
  CHECK(json::parse(Must(sandbox, {"kv", "web", "get", "cfg"}).out) ==
        json{{"a", json::array({1, 2})}});
  json reserved =
      Call(sandbox, "vigy_kv_set", {{"id", "web"}, {"key", "__tick_count"}, {"value", 0}});
  CHECK(reserved["isError"] == true);
  CHECK(reserved["structuredContent"]["error"]["code"] == "invalid_argument");
  json absent = Call(sandbox, "vigy_kv_get", {{"id", "web"}, {"key", "nope"}});
  CHECK(absent["isError"] == true);
  CHECK(absent["structuredContent"]["error"]["message"] == "no key 'nope' in vigy 'web'");
  CHECK(Call(sandbox, "vigy_kv_set", {{"id", "web"}, {"key", "x"}})["isError"] == true);
}

TEST_CASE("mcp vigy_check and vigy_run need no store") {
  Sandbox sandbox;
  json check = Call(sandbox, "vigy_check", {{"program", kNotCompiling}});
  CHECK(check["isError"] == false);
  CHECK(check["structuredContent"]["ok"] == false);
  REQUIRE(check["structuredContent"]["errors"].size() == 2);
  CHECK(check["structuredContent"]["errors"][0]["line"] == 2);
  CHECK(check["structuredContent"]["errors"][0]["col"].get<int>() > 0);
  CHECK(check["structuredContent"]["errors"][1]["line"] == 3);
  json good = Call(sandbox, "vigy_check", {{"program", "(vigy-noop)"}});
  CHECK(good["structuredContent"] == json{{"ok", true}, {"errors", json::array()}});
  json empty = Call(sandbox, "vigy_check", {{"program", "; nothing\n"}});
  CHECK(empty["structuredContent"]["ok"] == false);
  CHECK(empty["structuredContent"]["errors"].size() == 1);

  json run = Call(sandbox, "vigy_run", {{"program", kCounter}, {"kv", {{"runs", 9}}}});
  CHECK(run["isError"] == false);
  CHECK(run["structuredContent"]["result"] == "ok");
  CHECK(run["structuredContent"]["kv"]["runs"] == 10);
  json named =
      Call(sandbox, "vigy_run", {{"program", "(vigy-set \"me\" (vigy-name))"}, {"name", "alpha"}});
  CHECK(named["structuredContent"]["kv"]["me"] == "alpha");
  json bad = Call(sandbox, "vigy_run", {{"program", "(nope)"}});
  CHECK(bad["isError"] == true);
  CHECK(bad["structuredContent"]["error"]["errors"][0]["line"] == 1);
  json looping =
      Call(sandbox, "vigy_run", {{"program", "(define (f) (f)) (f)"}, {"max_steps", 1000}});
  CHECK(looping["isError"] == false);
  CHECK(looping["structuredContent"]["result"] == "failed");
  CHECK(Call(sandbox, "vigy_run", {{"program", "(vigy-noop)"}, {"timeout_ms", 0}})["isError"] ==
        true);
  json reserved = Call(sandbox, "vigy_run", {{"program", "(vigy-noop)"}, {"kv", {{"__x", 1}}}});
  CHECK(reserved["isError"] == true);
  CHECK_FALSE(sandbox.store_exists());
}

TEST_CASE("mcp keeps what programs and their commands print or read off its stdin and stdout") {
  Sandbox sandbox;
  json result = Call(sandbox, "vigy_register",
                     {{"name", "loud"},
                      {"program", "(display \"LEAK\") (vigy-noop)"},
                      {"handler", "cat >/dev/null; echo LEAK; echo LEAK >&2"}});
  REQUIRE(result["isError"] == false);
  std::string input =
      CallLine(1, "vigy_tick", {{"id", "loud"}}) + "\n" +
      CallLine(2, "vigy_run", {{"program", "(display \"LEAK\") (vigy-noop)"}}) + "\n" +
      CallLine(3, "vigy_run", {{"program", "(sh \"cat; echo LEAK\") (vigy-noop)"}}) + "\n" +
      R"({"jsonrpc":"2.0","id":4,"method":"ping"})"
      "\n";
  BinaryResult r = sandbox.Run({"mcp"}, input);
  CHECK(r.exit_code == 0);
  std::vector<json> answers;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) {
    INFO("stdout line: ", line);
    answers.push_back(json::parse(line, nullptr, false));
    REQUIRE_FALSE(answers.back().is_discarded());
  }
  // The commands read nothing of the messages that follow: each is answered.
  REQUIRE(answers.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(answers[i]["id"] == i + 1);
    CHECK(answers[i]["result"]["isError"] == false);
    CHECK(answers[i]["result"]["structuredContent"]["result"] == "ok");
  }
  // What the programs printed went to their runs' logs.
  CHECK(answers[0]["result"]["structuredContent"]["log"].dump().find("LEAK") != std::string::npos);
  CHECK(answers[1]["result"]["structuredContent"]["log"].dump().find("LEAK") != std::string::npos);
  CHECK(answers[3]["id"] == 4);
}

TEST_CASE("mcp with -v logs each tool call and each error on stderr, never on stdout") {
  Sandbox sandbox;
  std::string input = CallLine(1, "vigy_check", {{"program", "(vigy-noop)"}}) + "\n" +
                      CallLine(2, "vigy_tick", {{"id", "ghost"}}) + "\n" +
                      R"({"jsonrpc":"2.0","id":3,"method":"nope"})"
                      "\n";
  BinaryResult r = sandbox.Run({"-v", "mcp"}, input);
  CHECK(r.exit_code == 0);
  CHECK(r.err ==
        "vigy mcp: vigy_check: ok\n"
        "vigy mcp: vigy_tick: no such vigy 'ghost'\n"
        "vigy mcp: method not found: nope\n");
  std::istringstream out(r.out);
  int count = 0;
  for (std::string line; std::getline(out, line); ++count) {
    CHECK_FALSE(json::parse(line, nullptr, false).is_discarded());
  }
  CHECK(count == 3);
}

TEST_CASE("mcp stopped by SIGTERM during a call kills the commands it started and exits 130") {
  Sandbox sandbox;
  const std::filesystem::path dir = sandbox.dir();
  const std::string fifo = (dir / "stdin.fifo").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // Held open for reading and writing, so neither side blocks opening it
  // and stdin never ends.
  int writer = open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(writer >= 0);
  ProcessSpec spec = sandbox.Spec({"mcp"});
  spec.stdin_path = fifo;
  spec.stdout_path = (dir / "stdout").string();
  spec.stderr_path = (dir / "stderr").string();
  Process server(spec);
  std::string call =
      CallLine(1, "vigy_run", {{"program", "(sh \"echo $$ > child.pid; exec sleep 30\")"}}) + "\n";
  REQUIRE(write(writer, call.data(), call.size()) == static_cast<ssize_t>(call.size()));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(dir / "child.pid") ||
         std::filesystem::file_size(dir / "child.pid") == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_t child = std::stoi(ReadFile((dir / "child.pid").string()));
  server.Signal(SIGTERM);
  CHECK(server.Wait(std::chrono::seconds(20)) == 130);
  close(writer);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = kill(child, 0) != 0 && errno == ESRCH;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(gone);
  CHECK(ReadFile((dir / "stdout").string()).empty());
  CHECK(ReadFile((dir / "stderr").string()).find("interrupted by SIGTERM") != std::string::npos);
}

TEST_CASE("mcp reports a store it cannot use as a tool error and keeps serving") {
  Sandbox sandbox;
  sandbox.Write("notastore.db", std::string(4096, 'x'));
  std::string db = (sandbox.dir() / "notastore.db").string();
  std::vector<json> answers =
      Answers(sandbox,
              CallLine(1, "vigy_list", json::object()) + "\n" +
                  CallLine(2, "vigy_register", {{"name", "x"}, {"program", "(vigy-noop)"}}) + "\n" +
                  R"({"jsonrpc":"2.0","id":3,"method":"ping"})"
                  "\n",
              {"--db", db, "mcp"});
  REQUIRE(answers.size() == 3);
  for (int i = 0; i < 2; ++i) {
    CHECK(answers[i]["result"]["isError"] == true);
    CHECK(answers[i]["result"]["structuredContent"]["error"]["code"] == "store_unusable");
    CHECK(answers[i]["result"]["structuredContent"]["error"]["exit_code"] == 5);
  }
  CHECK(answers[2]["id"] == 3);
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
