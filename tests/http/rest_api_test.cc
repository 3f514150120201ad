// End to end: REST v1 of a real `vigy serve --http`, with the field names of
// the original vigy REST API, our additions and every error status; and the
// OpenAPI document walked against the server.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include "core/ids.h"
#include "http/server.h"
#include "storage/store_open.h"
#include "tests/http/http_serve.h"

namespace vigy::testing {
namespace {

using nlohmann::json;

constexpr const char* kHello =
    "(vigy-incr \"n\")\n(vigy-observed \"n\" (vigy-get \"n\" 0))\n(vigy-noop)\n";
// Never due while a test runs, so serve leaves the vigy alone.
constexpr const char* kNeverCron = "0 0 1 1 *";

json Register(const HttpServe& serve, const json& body, int expect = 201) {
  auto res = serve.Post("/v1/vigies", body.dump());
  REQUIRE(res);
  INFO(res->body);
  CHECK(res->status == expect);
  return JsonOf(res);
}

// What the store holds, as the command line sees it: every vigy in full and
// every run, so that a refused request can be shown to have written nothing.
std::string StoreContents(const Sandbox& sandbox) {
  BinaryResult listed = sandbox.Run({"list", "--json"});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  std::string all;
  for (const json& v : json::parse(listed.out)) {
    BinaryResult shown = sandbox.Run({"show", v["name"], "--json"});
    json detail = json::parse(shown.out);
    detail.erase("serve");
    all += detail.dump() + "\n";
  }
  return all + sandbox.Run({"runs", "--json", "--limit", "1000"}).out;
}

std::vector<std::string> StoredNames(const Sandbox& sandbox) {
  BinaryResult listed = sandbox.Run({"list", "--json"});
  std::vector<std::string> names;
  for (const json& v : json::parse(listed.out)) names.push_back(v["name"]);
  return names;
}

std::string Message(const httplib::Result& res) {
  json body = JsonOf(res);
  if (!body.is_object() || !body.contains("error")) return "";
  return body["error"].value("message", "");
}

// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("serve --http writes the store that VIGY_TEST_STORE names") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Register(serve, {{"name", "hello"}, {"program", kHello}, {"cron", kNeverCron}});
  CheckStoreUnderTest(sandbox, 1);
}

TEST_CASE("the original API's register, list, get, state, tick, disable, enable, patch, delete") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  json created = Register(serve, {{"name", "hello"},
                                  {"program", kHello},
                                  {"tick_interval_ms", 60000},
                                  {"enabled", false},
                                  {"labels", {{"team", "web"}}}});
  // The original's Vigy fields.
  CHECK(created["name"] == "hello");
  CHECK(created["program"] == kHello);
  CHECK(created["tick_interval_ms"] == 60000);
  CHECK(created["enabled"] == false);
  CHECK(created["labels"] == json{{"team", "web"}});
  for (const char* field : {"id", "created_at", "updated_at"}) CHECK(created.contains(field));
  // Ours alongside.
  CHECK(created["schedule"] == json{{"kind", "every"}, {"every_ms", 60000}, {"jitter_ms", 0}});
  CHECK(created["status"] == "disabled");
  CHECK(created["runtime"]["tick_count"] == 0);
  json other =
      Register(serve, {{"name", "other"}, {"program", kHello}, {"labels", {{"team", "db"}}}});
  CHECK(other["tick_interval_ms"] == 1000);  // the original's default
  CHECK(other["enabled"] == true);
  CHECK(StoredNames(sandbox) == std::vector<std::string>{"hello", "other"});

  json listed = JsonOf(serve.Get("/v1/vigies?label_selector=team%3Dweb"));
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["name"] == "hello");
  CHECK(listed[0]["program"] == kHello);  // the original lists programs
  CHECK(JsonOf(serve.Get("/v1/vigies?limit=1")).size() == 1);
  CHECK(JsonOf(serve.Get("/v1/vigies")).size() == 2);

  const std::string id = created["id"];
  CHECK(JsonOf(serve.Get("/v1/vigies/" + id))["name"] == "hello");
  CHECK(JsonOf(serve.Get("/v1/vigies/" + id.substr(0, 6)))["name"] == "hello");
  CHECK(JsonOf(serve.Get("/v1/vigies/hello"))["program"] == kHello);

  auto ticked = serve.Post("/v1/vigies/hello/tick");
  REQUIRE(ticked);
  CHECK(ticked->status == 200);
  json run = JsonOf(ticked);
  CHECK(run["vigy_id"] == id);
  CHECK(run["result"] == "ok");
  CHECK(run["tick"] == 1);
  CHECK(run["actions"][0]["kind"] == "noop");
  json runs_cli = json::parse(sandbox.Run({"runs", "hello", "--json"}).out);
  REQUIRE(runs_cli.size() == 1);
  CHECK(runs_cli[0]["id"] == run["id"]);

  json state = JsonOf(serve.Get("/v1/vigies/hello/state"));
  CHECK(state["vigy_id"] == id);
  CHECK(state["observed"] == json{{"n", 1}});
  CHECK(state["pending"] == run["actions"]);
  CHECK(state["captured_at"] == run["started_at"]);

  auto enabled = serve.Post("/v1/vigies/hello/enable");
  REQUIRE(enabled);
  CHECK(enabled->status == 200);
  CHECK(JsonOf(enabled)["enabled"] == true);
  CHECK(json::parse(sandbox.Run({"show", "hello", "--json"}).out)["vigy"]["enabled"] == true);
  auto disabled = serve.Post("/v1/vigies/hello/disable");
  REQUIRE(disabled);
  CHECK(disabled->status == 200);
  CHECK(JsonOf(disabled)["enabled"] == false);
  CHECK(json::parse(sandbox.Run({"show", "hello", "--json"}).out)["vigy"]["enabled"] == false);

  auto patched = serve.Patch(
      "/v1/vigies/hello", json{{"tick_interval_ms", 5000}, {"labels", {{"team", "ops"}}}}.dump());
  REQUIRE(patched);
  CHECK(patched->status == 200);
  CHECK(JsonOf(patched)["tick_interval_ms"] == 5000);
  CHECK(JsonOf(patched)["labels"] == json{{"team", "ops"}});
  CHECK(JsonOf(patched)["runtime"]["tick_count"] == 1);  // history kept
  CHECK(JsonOf(patched)["program"] == kHello);

  auto deleted = serve.Delete("/v1/vigies/hello");
  REQUIRE(deleted);
  CHECK(deleted->status == 204);
  CHECK(deleted->body.empty());
  CHECK(StoredNames(sandbox) == std::vector<std::string>{"other"});
  CHECK(serve.Get("/v1/vigies/hello")->status == 404);
}

TEST_CASE("register and patch take our schedule fields, and null takes a setting away") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  json cron = Register(serve, {{"name", "nightly"},
                               {"program", kHello},
                               {"cron", kNeverCron},
                               {"timeout_ms", 2000},
                               {"max_steps", 5000},
                               {"handler", "true"}});
  CHECK(cron["schedule"] == json{{"kind", "cron"}, {"cron", kNeverCron}, {"jitter_ms", 0}});
  CHECK(cron["tick_interval_ms"] == 0);
  CHECK(cron["timeout_ms"] == 2000);
  CHECK(cron["max_steps"] == 5000);
  CHECK(cron["handler"] == "true");
  json shown = json::parse(sandbox.Run({"show", "nightly", "--json"}).out)["vigy"];
  CHECK(shown["schedule"] == cron["schedule"]);

  json every = Register(serve, {{"name", "often"},
                                {"program", kHello},
                                {"enabled", false},
                                {"schedule", {{"kind", "every"}, {"every_ms", 250}}}});
  CHECK(every["schedule"]["every_ms"] == 250);
  CHECK(every["tick_interval_ms"] == 250);

  auto patched = serve.Patch("/v1/vigies/nightly",
                             R"({"timeout_ms": null, "handler": null, "every_ms": 3000})");
  REQUIRE(patched);
  INFO(patched->body);
  CHECK(patched->status == 200);
  json after = JsonOf(patched);
  CHECK_FALSE(after.contains("timeout_ms"));
  CHECK_FALSE(after.contains("handler"));
  CHECK(after["max_steps"] == 5000);
  CHECK(after["tick_interval_ms"] == 3000);
  CHECK(after["enabled"] == true);

  auto unscheduled = serve.Patch("/v1/vigies/often", R"({"tick_interval_ms": null})");
  REQUIRE(unscheduled);
  CHECK(unscheduled->status == 200);
  CHECK(JsonOf(unscheduled)["schedule"] == json{{"kind", "none"}});

  // An existing name is a conflict unless the body asks to replace it.
  auto again = serve.Post(
      "/v1/vigies",
      json{{"name", "often"}, {"program", "(vigy-noop)"}, {"replace", true}, {"enabled", false}}
          .dump());
  REQUIRE(again);
  CHECK(again->status == 201);
  CHECK(JsonOf(again)["program"] == "(vigy-noop)");
}

TEST_CASE("runs, kv and health, beyond the original API") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Register(serve, {{"name", "hello"}, {"program", kHello}, {"cron", kNeverCron}});
  Register(serve, {{"name", "broken"}, {"program", "(car 5)"}, {"cron", kNeverCron}});
  for (int i = 0; i < 3; ++i) REQUIRE(serve.Post("/v1/vigies/hello/tick")->status == 200);
  auto failed_tick = serve.Post("/v1/vigies/broken/tick");
  REQUIRE(failed_tick);
  CHECK(failed_tick->status == 200);  // a failed run is still a run
  CHECK(JsonOf(failed_tick)["result"] == "failed");

  json runs = JsonOf(serve.Get("/v1/vigies/hello/runs?limit=2"));
  REQUIRE(runs.size() == 2);
  CHECK(runs[0]["tick"] == 3);
  CHECK(runs[1]["tick"] == 2);
  CHECK(JsonOf(serve.Get("/v1/runs?vigy=hello")).size() == 3);
  CHECK(JsonOf(serve.Get("/v1/runs")).size() == 4);
  json failed = JsonOf(serve.Get("/v1/runs?failed=true"));
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["vigy_name"] == "broken");
  CHECK(JsonOf(serve.Get("/v1/runs?since=2999-01-01T00:00:00Z")).empty());
  CHECK(JsonOf(serve.Get("/v1/runs?since=1h")).size() == 4);
  CHECK(JsonOf(serve.Get("/v1/runs")) == json::parse(sandbox.Run({"runs", "--json"}).out));

  CHECK(JsonOf(serve.Get("/v1/vigies/hello/kv")) == json{{"n", 3}});
  CHECK(JsonOf(serve.Get("/v1/vigies/hello/kv/n")) == 3);
  auto put = serve.Put("/v1/vigies/hello/kv/greeting", R"({"text": "hi"})");
  REQUIRE(put);
  CHECK(put->status == 200);
  CHECK(JsonOf(put) == json{{"text", "hi"}});
  CHECK(sandbox.Run({"kv", "hello", "get", "greeting"}).out == "{\"text\":\"hi\"}\n");
  CHECK(serve.Delete("/v1/vigies/hello/kv/greeting")->status == 204);
  CHECK(sandbox.Run({"kv", "hello", "get", "greeting"}).exit_code == 1);
  CHECK(serve.Get("/v1/vigies/hello/kv/greeting")->status == 404);
  CHECK(serve.Delete("/v1/vigies/hello/kv/greeting")->status == 404);
  auto reserved = serve.Put("/v1/vigies/hello/kv/__ticks", "1");
  REQUIRE(reserved);
  CHECK(reserved->status == 400);
  CHECK(Message(reserved).find("__") != std::string::npos);

  json health = JsonOf(serve.Get("/v1/health"));
  json cli = json::parse(sandbox.Run({"health", "--json"}).out);
  CHECK(health["ok"] == cli["ok"]);
  CHECK(health["serve"]["pid"] == serve.process().pid());
  CHECK(health["problems"] == cli["problems"]);
}

// Two names whose ids share their first four hex digits.
std::pair<std::string, std::string> NamesWithSharedIdPrefix() {
  std::map<std::string, std::string> seen;
  for (int i = 0;; ++i) {
    std::string name = fmt::format("v{}", i);
    std::string prefix = core::VigyIdFromName(name).substr(0, 4);
    auto [at, added] = seen.emplace(prefix, name);
    if (!added) return {at->second, name};
  }
}

TEST_CASE("many clients at once: every listing, scrape and refusal is answered, and whole") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  for (int i = 0; i < 5; ++i) {
    Register(serve, {{"name", fmt::format("v{}", i)}, {"program", kHello}, {"cron", kNeverCron}});
  }
  REQUIRE(serve.Post("/v1/vigies/v0/tick")->status == 200);
  // Listings that succeed and listings refused after they took their turn
  // (an unknown vigy), beside the requests that take no turn: a turn that a
  // refusal kept would leave the rest waiting until the client gives up.
  const std::vector<std::pair<std::string, int>> requests = {{"/v1/vigies", 200},
                                                             {"/v1/runs", 200},
                                                             {"/v1/vigies/v0/runs", 200},
                                                             {"/v1/vigies/v0/kv", 200},
                                                             {"/v1/health", 200},
                                                             {"/metrics", 200},
                                                             {"/v1/vigies/nope/kv", 404},
                                                             {"/v1/runs?vigy=nope", 404},
                                                             {"/v1/vigies?limit=-1", 400},
                                                             {"/v1/vigies/v1", 200},
                                                             {"/readyz", 200}};
  constexpr int kClients = 24;
  constexpr int kRounds = 3;
  std::vector<std::future<std::vector<std::string>>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::async(std::launch::async, [&serve, &requests, c] {
      std::vector<std::string> wrong;
      for (int round = 0; round < kRounds; ++round) {
        const auto& [path, status] = requests[(c + round) % requests.size()];
        auto res = serve.Get(path);
        if (!res || res->status != status) {
          wrong.push_back(fmt::format("{}: {}", path, res ? std::to_string(res->status) : "none"));
        } else if (path == "/v1/vigies" && JsonOf(res).size() != 5) {
          wrong.push_back(path + ": not every vigy");
        }
      }
      return wrong;
    }));
  }
  std::vector<std::string> wrong;
  for (auto& client : clients) {
    std::vector<std::string> one = client.get();
    wrong.insert(wrong.end(), one.begin(), one.end());
  }
  CHECK_MESSAGE(wrong.empty(), fmt::format("{}", fmt::join(wrong, "; ")));
}

TEST_CASE("an ambiguous id prefix is 400 naming the candidates, a unique one finds the vigy") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  auto [first, second] = NamesWithSharedIdPrefix();
  for (const std::string& name : {first, second}) {
    Register(serve, {{"name", name}, {"program", kHello}, {"cron", kNeverCron}});
  }
  const std::string id = core::VigyIdFromName(first);
  auto ambiguous = serve.Get("/v1/vigies/" + id.substr(0, 4));
  REQUIRE(ambiguous);
  CHECK(ambiguous->status == 400);
  CHECK(ErrorCode(ambiguous) == "invalid_argument");
  CHECK(Message(ambiguous).find("ambiguous") != std::string::npos);
  const std::string before = StoreContents(sandbox);
  CHECK(serve.Delete("/v1/vigies/" + id.substr(0, 4))->status == 400);
  CHECK(serve.Post("/v1/vigies/" + id.substr(0, 4) + "/tick")->status == 400);
  CHECK(StoreContents(sandbox) == before);
  CHECK(JsonOf(serve.Get("/v1/vigies/" + id))["name"] == first);
}

TEST_CASE("a program that does not compile is refused with every line:col and nothing written") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Register(serve, {{"name", "hello"}, {"program", kHello}, {"cron", kNeverCron}});
  const std::string before = StoreContents(sandbox);

  json refused =
      Register(serve, {{"name", "broken"}, {"program", "(vigy-noop\n(let ((x 1)) x"}}, 400);
  CHECK(refused["error"]["code"] == "invalid_program");
  const std::string message = refused["error"]["message"];
  CHECK(message.find("broken:") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
  REQUIRE(refused["error"]["diagnostics"].size() >= 1);
  CHECK(refused["error"]["diagnostics"][0]["line"] >= 1);
  CHECK(refused["error"]["diagnostics"][0]["col"] >= 1);
  const json& first = refused["error"]["diagnostics"][0];
  CHECK(message.find(fmt::format("{}:{}", first["line"].get<int>(), first["col"].get<int>())) !=
        std::string::npos);

  // Two errors, both reported.
  json two = Register(
      serve, {{"name", "two"}, {"program", "(vigy-pul 1)\n(define (f x) x)\n(f 1 2)\n"}}, 400);
  REQUIRE(two["error"]["diagnostics"].size() == 2);
  CHECK(two["error"]["diagnostics"][0]["line"] == 1);
  CHECK(two["error"]["diagnostics"][0]["col"] == 2);
  CHECK(two["error"]["diagnostics"][1]["line"] == 3);
  CHECK(two["error"]["diagnostics"][1]["col"] == 1);
  CHECK(two["error"]["message"] ==
        "two does not compile; nothing was added: two:1:2: unbound symbol 'vigy-pul' (did you "
        "mean 'vigy-pull'?); two:3:1: arity: 'f' takes 1 argument, got 2");

  auto patch = serve.Patch("/v1/vigies/hello", R"({"program": "(vigy-noop", "cron": "5 * * * *"})");
  REQUIRE(patch);
  CHECK(patch->status == 400);
  CHECK(ErrorCode(patch) == "invalid_program");
  CHECK(Message(patch).find("hello:1:") != std::string::npos);

  json empty = Register(serve, {{"name", "empty"}, {"program", "; nothing\n"}}, 400);
  CHECK(empty["error"]["code"] == "invalid_program");
  CHECK(StoreContents(sandbox) == before);
}

TEST_CASE("bad bodies and parameters are 4xx naming the problem, and write nothing") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Register(serve, {{"name", "hello"}, {"program", kHello}, {"cron", kNeverCron}});
  REQUIRE(serve.Put("/v1/vigies/hello/kv/k", "1")->status == 200);
  const std::string before = StoreContents(sandbox);

  SUBCASE("a taken name: 409, the stored vigy untouched") {
    json taken = Register(serve, {{"name", "hello"}, {"program", "(vigy-noop)"}}, 409);
    CHECK(taken["error"]["code"] == "conflict");
  }
  SUBCASE("missing, unknown and mistyped fields: 400 naming them") {
    CHECK(Register(serve, {{"name", "x"}}, 400)["error"]["message"] ==
          "field 'program' is required");
    CHECK(Register(serve, {{"name", "x"}, {"program", 5}}, 400)["error"]["message"] ==
          "field 'program' must be a string");
    CHECK(Register(serve, {{"name", "x"}, {"program", "(vigy-noop)"}, {"colour", "red"}},
                   400)["error"]["message"]
              .get<std::string>()
              .find("unknown field 'colour'") == 0);
    CHECK(Register(serve, {{"name", "x"}, {"program", "(vigy-noop)"}, {"enabled", "yes"}},
                   400)["error"]["message"] == "field 'enabled' must be true or false");
    CHECK(Register(serve, {{"name", "x"}, {"program", "(vigy-noop)"}, {"tick_interval_ms", "1s"}},
                   400)["error"]["message"] == "field 'tick_interval_ms' must be an integer");
    CHECK(Register(serve, {{"name", "x"}, {"program", "(vigy-noop)"}, {"labels", {{"a", 1}}}},
                   400)["error"]["message"] == "field 'labels.a' must be a string");
    CHECK(Register(serve,
                   {{"name", "x"},
                    {"program", "(vigy-noop)"},
                    {"cron", "* * * * *"},
                    {"tick_interval_ms", 1000}},
                   400)["error"]["code"] == "invalid_argument");
    CHECK(Register(serve, json::array({1, 2}), 400)["error"]["message"] ==
          "the body must be a JSON object");
    auto patch = serve.Patch("/v1/vigies/hello", R"({"id": "x"})");
    REQUIRE(patch);
    CHECK(patch->status == 400);
    CHECK(Message(patch).find("unknown field 'id'") == 0);
    auto nothing = serve.Patch("/v1/vigies/hello", "{}");
    REQUIRE(nothing);
    CHECK(nothing->status == 400);
    CHECK(Message(nothing).find("nothing to update") == 0);
  }
  SUBCASE("values the settings' rules refuse: 400 with the rule's message") {
    json too_fast =
        Register(serve, {{"name", "x"}, {"program", "(vigy-noop)"}, {"tick_interval_ms", 5}}, 400);
    CHECK(too_fast["error"]["message"].get<std::string>().find("100ms") != std::string::npos);
    json too_long = Register(serve,
                             {{"name", "x"},
                              {"program", "(vigy-noop)"},
                              {"tick_interval_ms", std::numeric_limits<int64_t>::max()}},
                             400);
    CHECK(too_long["error"]["message"] == "bad --every '9223372036854775807ms': longer than 365d");
    CHECK(Register(serve, {{"name", "bad name!"}, {"program", "(vigy-noop)"}},
                   400)["error"]["code"] == "invalid_argument");
    CHECK(Register(serve, {{"name", "x"}, {"program", "(vigy-noop)"}, {"cron", "61 * * * *"}},
                   400)["error"]["code"] == "invalid_argument");
    CHECK(Register(serve,
                   {{"name", "x"}, {"program", "(vigy-noop)"}, {"labels", {{"bad key!", "v"}}}},
                   400)["error"]["code"] == "invalid_argument");
    CHECK(serve.Patch("/v1/vigies/hello", R"({"max_steps": 0})")->status == 400);
  }
  SUBCASE("bad query parameters: 400") {
    for (const char* path :
         {"/v1/vigies?limit=0", "/v1/vigies?limit=x", "/v1/vigies?label_selector=%3D%3D",
          "/v1/runs?since=yesterday", "/v1/runs?limit=-1", "/v1/runs?failed=maybe"}) {
      CAPTURE(path);
      auto res = serve.Get(path);
      REQUIRE(res);
      CHECK(res->status == 400);
      CHECK(ErrorCode(res) == "invalid_argument");
    }
  }
  SUBCASE("not JSON, too deep, empty, or another content type: 400 or 415") {
    auto malformed = serve.Post("/v1/vigies", "{\"name\": ");
    REQUIRE(malformed);
    CHECK(malformed->status == 400);
    CHECK(ErrorCode(malformed) == "invalid_argument");
    CHECK(Message(malformed).find("the body is not JSON: parse error at line 1, column 10") == 0);
    auto deep = serve.Post("/v1/vigies", std::string(5000, '[') + std::string(5000, ']'));
    REQUIRE(deep);
    CHECK(deep->status == 400);
    CHECK(Message(deep).find("nested deeper than") != std::string::npos);
    auto deep_kv =
        serve.Put("/v1/vigies/hello/kv/k", std::string(5000, '[') + std::string(5000, ']'));
    REQUIRE(deep_kv);
    CHECK(deep_kv->status == 400);
    auto empty = serve.Post("/v1/vigies", "");
    REQUIRE(empty);
    CHECK(empty->status == 400);
    auto text = serve.Client().Post("/v1/vigies", "name=x", "application/x-www-form-urlencoded");
    REQUIRE(text);
    CHECK(text->status == 415);
    CHECK(ErrorCode(text) == "unsupported_media_type");
    auto kv_text = serve.Client().Put("/v1/vigies/hello/kv/k", "2", "text/plain");
    REQUIRE(kv_text);
    CHECK(kv_text->status == 415);
  }
  SUBCASE("a body over 1 MiB: 413") {
    json big = {{"name", "big"}, {"program", "; " + std::string(2 << 20, 'x') + "\n(vigy-noop)"}};
    auto res = serve.Post("/v1/vigies", big.dump());
    REQUIRE(res);
    CHECK(res->status == 413);
    CHECK(ErrorCode(res) == "payload_too_large");
    auto kv = serve.Put("/v1/vigies/hello/kv/k", "\"" + std::string(2 << 20, 'x') + "\"");
    REQUIRE(kv);
    CHECK(kv->status == 413);
    CHECK(serve.Get("/v1/vigies/hello")->status == 200);  // and serve keeps answering
  }
  SUBCASE("no such vigy: 404 on every route that takes one") {
    for (const char* path :
         {"/v1/vigies/nosuch", "/v1/vigies/nosuch/state", "/v1/vigies/nosuch/runs",
          "/v1/vigies/nosuch/kv", "/v1/vigies/nosuch/kv/k", "/v1/runs?vigy=nosuch"}) {
      CAPTURE(path);
      auto res = serve.Get(path);
      REQUIRE(res);
      CHECK(res->status == 404);
      CHECK(ErrorCode(res) == "not_found");
      CHECK(Message(res) == "no such vigy 'nosuch'");
    }
    for (const char* path :
         {"/v1/vigies/nosuch/tick", "/v1/vigies/nosuch/enable", "/v1/vigies/nosuch/disable"}) {
      CAPTURE(path);
      CHECK(serve.Post(path)->status == 404);
    }
    CHECK(serve.Delete("/v1/vigies/nosuch")->status == 404);
    CHECK(serve.Patch("/v1/vigies/nosuch", R"({"enabled": false})")->status == 404);
    CHECK(serve.Put("/v1/vigies/nosuch/kv/k", "1")->status == 404);
    CHECK(serve.Delete("/v1/vigies/nosuch/kv/k")->status == 404);
  }
  CHECK(StoreContents(sandbox) == before);
}

// `request` sent as is over a new connection; the response's status line.
std::string RawStatusLine(const HttpServe& serve, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(serve.port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string response;
  char buffer[4096];
  ssize_t n = 0;
  while (response.find("\r\n") == std::string::npos && (n = read(fd, buffer, sizeof buffer)) > 0) {
    response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return response.substr(0, response.find("\r\n"));
}

TEST_CASE("a POST without Content-Length, as curl -X POST sends it, has an empty body") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Register(serve, {{"name", "hello"}, {"program", kHello}, {"cron", kNeverCron}});
  const std::string auth = "Authorization: Bearer " + serve.token() + "\r\n";
  CHECK(RawStatusLine(serve, "POST /v1/vigies/hello/tick HTTP/1.1\r\nHost: x\r\n" + auth +
                                 "Connection: close\r\n\r\n") == "HTTP/1.1 200 OK");
  CHECK(json::parse(sandbox.Run({"runs", "hello", "--json"}).out).size() == 1);
  CHECK(RawStatusLine(serve, "POST /v1/vigies/hello/disable HTTP/1.1\r\nHost: x\r\n" + auth +
                                 "Connection: close\r\n\r\n") == "HTTP/1.1 200 OK");
  // A register needs its body: without one it is refused, not waited for.
  CHECK(RawStatusLine(serve, "POST /v1/vigies HTTP/1.1\r\nHost: x\r\n" + auth +
                                 "Connection: close\r\n\r\n") == "HTTP/1.1 400 Bad Request");
}

// The document as served, which must be the file in the repository.
json OpenApi(const HttpServe& serve) {
  auto res = serve.Get("/v1/openapi.json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  json doc = JsonOf(res);
  std::ifstream file(std::string(VIGY_SOURCE_DIR) + "/http/openapi.json");
  CHECK(doc == json::parse(file));
  return doc;
}

// "METHOD /path" for every operation the document holds.
std::set<std::string> DocumentedOperations(const json& doc) {
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters") continue;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + path);
    }
  }
  return documented;
}

std::string Concrete(std::string path) {
  if (size_t at = path.find("{id}"); at != std::string::npos) path.replace(at, 4, "hello");
  if (size_t at = path.find("{key}"); at != std::string::npos) path.replace(at, 5, "k");
  return path;
}

// The status of METHOD `path` (a body where one is needed); for the event
// stream, of its headers only.
int StatusOf(const HttpServe& serve, const std::string& method, const std::string& path,
             bool with_token = true) {
  auto client = serve.Client(with_token);
  if (method == "GET" && path.starts_with("/v1/events")) {
    int status = 0;
    client.Get(
        path,
        [&](const httplib::Response& r) {
          status = r.status;
          return false;
        },
        [](const char*, size_t) { return false; });
    return status;
  }
  auto send = [&]() -> httplib::Result {
    if (method == "POST" && path == "/v1/vigies") {
      return client.Post(path, R"j({"name":"added","program":"(vigy-noop)","cron":"0 0 1 1 *"})j",
                         "application/json");
    }
    if (method == "POST") return client.Post(path, "", "application/json");
    if (method == "PUT") return client.Put(path, "2", "application/json");
    if (method == "PATCH") return client.Patch(path, R"({"enabled": false})", "application/json");
    if (method == "DELETE") return client.Delete(path);
    return client.Get(path);
  };
  httplib::Result res = send();
  return res ? res->status : -1;
}

// An HttpServer started in this process on a new store in `sandbox`.
core::Result<std::unique_ptr<http::HttpServer>> StartServer(const Sandbox& sandbox) {
  const std::string location = sandbox.store_location();
  if (auto created = storage::OpenStore(location, core::OpenMode::kCreate); !created.ok()) {
    return created.status();
  }
  http::HttpServerOptions options;
  options.address = http::ListenAddress{"127.0.0.1", 0};
  options.token = std::string(64, 'a');
  options.store_path = location;
  options.open_store = [location] {
    return storage::OpenStore(location, core::OpenMode::kExisting);
  };
  return http::HttpServer::Start(std::move(options));
}

// The routes an HttpServer serves, as "METHOD /template".
std::set<std::string> ServedRoutes() {
  Sandbox sandbox;
  auto server = StartServer(sandbox);
  REQUIRE(server.ok());
  std::vector<std::string> routes = (*server)->Routes();
  std::set<std::string> served(routes.begin(), routes.end());
  CHECK(served.size() == routes.size());  // none added twice
  return served;
}

TEST_CASE(
    "every documented operation answers with a documented status, and every route is documented") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Register(serve, {{"name", "hello"}, {"program", kHello}, {"cron", kNeverCron}});
  REQUIRE(serve.Put("/v1/vigies/hello/kv/k", "1")->status == 200);
  json doc = OpenApi(serve);
  std::set<std::string> documented = DocumentedOperations(doc);

  // DELETEs last, so that what they remove is there for the others.
  std::vector<std::string> order(documented.begin(), documented.end());
  std::stable_partition(order.begin(), order.end(),
                        [](const std::string& op) { return !op.starts_with("DELETE"); });
  std::stable_partition(order.begin(), order.end(),
                        [](const std::string& op) { return op != "DELETE /v1/vigies/{id}"; });
  for (const std::string& op : order) {
    CAPTURE(op);
    const std::string method = op.substr(0, op.find(' '));
    const std::string path = op.substr(op.find(' ') + 1);
    int status = StatusOf(serve, method, Concrete(path));
    std::string lower = method;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(status >= 200);
    CHECK(status < 300);
    CHECK(doc["paths"][path][lower]["responses"].contains(std::to_string(status)));
  }

  // The other way: the routes the server holds are exactly the documented ones.
  CHECK(ServedRoutes() == documented);
  // Every other method on a documented path is 405 (so the list above is
  // all the server takes there), and paths off the document are 404.
  for (const std::string& op : documented) {
    const std::string path = Concrete(op.substr(op.find(' ') + 1));
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
      if (documented.contains(fmt::format("{} {}", method, op.substr(op.find(' ') + 1)))) continue;
      CAPTURE(op);
      CAPTURE(method);
      CHECK(StatusOf(serve, method, path) == 405);
    }
  }
  for (const char* stray :
       {"/v1/vigies/hello/nothing", "/v1/run", "/v2/vigies", "/v1/vigies/a/kv/b/c", "/v1"}) {
    CAPTURE(stray);
    CHECK(serve.Get(stray)->status == 404);
  }
}

TEST_CASE("every /v1 operation needs the token, and without it writes nothing") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Register(serve, {{"name", "hello"}, {"program", kHello}, {"cron", kNeverCron}});
  REQUIRE(serve.Put("/v1/vigies/hello/kv/k", "1")->status == 200);
  const std::string before = StoreContents(sandbox);
  json doc = OpenApi(serve);
  int checked = 0;
  for (const std::string& op : DocumentedOperations(doc)) {
    const std::string method = op.substr(0, op.find(' '));
    const std::string path = op.substr(op.find(' ') + 1);
    if (!path.starts_with("/v1/")) continue;
    CAPTURE(op);
    CHECK(StatusOf(serve, method, Concrete(path), /*with_token=*/false) == 401);
    ++checked;
  }
  CHECK(checked == 19);
  CHECK(StoreContents(sandbox) == before);
}

TEST_SUITE_END();

// The server's start and stop do not depend on its store: SQLite only.
TEST_CASE("an HTTP server stopped right after it starts stops") {
  // Before the listener ran, a stop was lost and the join waited forever.
  // The cycles run on a thread of their own, so that a hang fails the test.
  auto result = std::make_shared<std::promise<int>>();
  std::future<int> started = result->get_future();
  std::thread([result] {
    Sandbox sandbox;
    int ok = 0;
    for (int i = 0; i < 200; ++i) ok += StartServer(sandbox).ok() ? 1 : 0;
    result->set_value(ok);
  }).detach();
  REQUIRE(started.wait_for(std::chrono::seconds(120)) == std::future_status::ready);
  CHECK(started.get() == 200);
}

}  // namespace
}  // namespace vigy::testing
