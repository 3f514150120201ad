// End to end: `vigy serve --http` on a free loopback port, real requests:
// the listener's options and log, the token rules, probes, limits.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "tests/http/http_serve.h"

namespace vigy::testing {
namespace {

namespace fs = std::filesystem;

TEST_CASE("serve --http logs where it listens and the token file's path, never the token") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  std::string log = serve.process().Err();
  CHECK(log.find((sandbox.dir() / "vigy.db.http-token").string()) != std::string::npos);
  CHECK(serve.token().size() == 64);
  CHECK(log.find(serve.token()) == std::string::npos);
  CHECK(log.find("other hosts") == std::string::npos);
  auto mode = fs::status(sandbox.dir() / "vigy.db.http-token").permissions();
  CHECK((mode & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
}

TEST_CASE("serve --http keeps the token it created at the first start") {
  Sandbox sandbox;
  std::string first;
  {
    HttpServe serve(sandbox);
    first = serve.token();
  }
  HttpServe again(sandbox);
  CHECK(again.token() == first);
  CHECK(again.process().Err().find("created now") == std::string::npos);
}

TEST_CASE("serve without --http opens no port and writes no token file") {
  Sandbox sandbox;
  BinaryResult result = sandbox.Run({"serve", "--once"});
  CHECK(result.exit_code == 0);
  CHECK_FALSE(fs::exists(sandbox.dir() / "vigy.db.http-token"));
}

TEST_CASE("a request under /v1 without the token or with a wrong one is refused with 401") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  auto missing = serve.Client(false).Get("/v1/vigies");
  REQUIRE(missing);
  CHECK(missing->status == 401);
  CHECK(ErrorCode(missing) == "unauthorized");
  CHECK(missing->get_header_value("WWW-Authenticate").find("Bearer") == 0);

  auto client = serve.Client(false);
  client.set_bearer_token_auth(serve.token() + "x");
  auto wrong = client.Get("/v1/vigies");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  CHECK(JsonOf(wrong)["error"]["message"] == "wrong token");

  client.set_bearer_token_auth(serve.token().substr(0, 63));
  auto prefix = client.Get("/v1/openapi.json");
  REQUIRE(prefix);
  CHECK(prefix->status == 401);

  auto ok = serve.Get("/v1/openapi.json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("the probes, /metrics and the status page need no token") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  auto client = serve.Client(false);
  for (const char* path : {"/healthz", "/readyz", "/metrics", "/"}) {
    CAPTURE(path);
    auto res = client.Get(path);
    REQUIRE(res);
    CHECK(res->status == 200);
  }
  auto page = client.Get("/");
  CHECK(page->get_header_value("Content-Type").find("text/html") == 0);
  CHECK(page->get_header_value("Content-Security-Policy").find("default-src 'none'") == 0);
  CHECK(page->body.find("<title>vigy</title>") != std::string::npos);
}

TEST_CASE("serve --http-token-file takes the token from a file only its owner can read") {
  Sandbox sandbox;
  sandbox.Write("token", "  a-token-of-our-own-choosing\n");
  fs::permissions(sandbox.dir() / "token", fs::perms::owner_read | fs::perms::owner_write);
  HttpServe serve(sandbox, {"--http-token-file", "token"});
  CHECK_FALSE(fs::exists(sandbox.dir() / "vigy.db.http-token"));
  auto client = serve.Client(false);
  client.set_bearer_token_auth("a-token-of-our-own-choosing");
  auto res = client.Get("/v1/openapi.json");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("a token file that others can read is refused before the store is created") {
  Sandbox sandbox;
  sandbox.Write("token", "a-token-of-our-own-choosing\n");
  fs::permissions(sandbox.dir() / "token", fs::perms::owner_read | fs::perms::owner_write |
                                               fs::perms::group_read | fs::perms::others_read);
  BinaryResult result =
      sandbox.Run({"serve", "--http", "127.0.0.1:0", "--http-token-file", "token"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("token file 'token' can be read by others") != std::string::npos);
  CHECK(result.err.find("chmod 600") != std::string::npos);
  CHECK(result.err.find("a-token-of-our-own-choosing") == std::string::npos);
  CHECK_FALSE(fs::exists(sandbox.dir() / "vigy.db"));
}

TEST_CASE("a missing, short or empty token file is refused with exit 2") {
  Sandbox sandbox;
  BinaryResult missing =
      sandbox.Run({"serve", "--http", "127.0.0.1:0", "--http-token-file", "nope"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("cannot read token file 'nope'") != std::string::npos);

  sandbox.Write("short", "abc\n");
  fs::permissions(sandbox.dir() / "short", fs::perms::owner_read);
  BinaryResult short_token =
      sandbox.Run({"serve", "--http", "127.0.0.1:0", "--http-token-file", "short"});
  CHECK(short_token.exit_code == 2);
  CHECK(short_token.err.find("shorter than 16 characters") != std::string::npos);

  BinaryResult without_http = sandbox.Run({"serve", "--once", "--http-token-file", "short"});
  CHECK(without_http.exit_code == 2);
  CHECK(without_http.err.find("--http-token-file needs --http") != std::string::npos);
}

TEST_CASE("a bad --http address is a usage error and a taken port a conflict") {
  Sandbox sandbox;
  for (const char* bad : {"127.0.0.1:99999", "nohost:80", "::1:80", "127.0.0.1:x"}) {
    CAPTURE(bad);
    BinaryResult result = sandbox.Run({"serve", "--http", bad});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("bad --http address") != std::string::npos);
  }
  HttpServe first(sandbox);
  Sandbox other;
  BinaryResult taken = other.Run({"serve", "--addr", "127.0.0.1:" + std::to_string(first.port())});
  CHECK(taken.exit_code == 4);
  CHECK(taken.err.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())) !=
        std::string::npos);
}

TEST_CASE("binding an address other hosts can reach is said in the log") {
  Sandbox sandbox;
  BackgroundVigy serve(sandbox, {"serve", "--bind", "0.0.0.0:0"});
  CHECK(BackgroundVigy::WaitUntil(
      [&] { return serve.Err().find("can be reached from other hosts") != std::string::npos; }));
  serve.Signal(SIGTERM);
  CHECK(serve.WaitExit(std::chrono::seconds(10)) == 0);
}

TEST_CASE("serve --http stops on SIGTERM with an event stream open") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  std::thread reader([&] {
    auto client = serve.Client();
    client.Get("/v1/events", [](const char*, size_t) { return true; });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  serve.process().Signal(SIGTERM);
  CHECK(serve.process().WaitExit(std::chrono::seconds(10)) == 0);
  reader.join();
}

TEST_CASE("an unknown path is 404 and a wrong method on a known path 405, both as JSON") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  auto unknown = serve.Get("/v1/nothing-here");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  CHECK(ErrorCode(unknown) == "not_found");
  auto wrong = serve.Delete("/v1/openapi.json");
  REQUIRE(wrong);
  CHECK(wrong->status == 405);
  CHECK(ErrorCode(wrong) == "method_not_allowed");
  CHECK(wrong->get_header_value("Allow") == "GET");
}

TEST_CASE("no response carries CORS headers, whatever the Origin") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  httplib::Headers headers = {{"Origin", "http://evil.example"}};
  for (const char* path : {"/v1/openapi.json", "/metrics", "/"}) {
    auto res = serve.Client().Get(path, headers);
    REQUIRE(res);
    CHECK_FALSE(res->has_header("Access-Control-Allow-Origin"));
  }
  auto preflight = serve.Client().Options("/v1/vigies", headers);
  REQUIRE(preflight);
  CHECK_FALSE(preflight->has_header("Access-Control-Allow-Origin"));
}

TEST_CASE("headers beyond the limit are refused with a 4xx and serve keeps answering") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  httplib::Headers headers = {{"X-Big", std::string(20000, 'a')}};
  auto res = serve.Client().Get("/healthz", headers);
  if (res) {
    CHECK(res->status >= 400);
    CHECK(res->status < 500);
  }
  auto after = serve.Client().Get("/healthz");
  REQUIRE(after);
  CHECK(after->status == 200);
}

}  // namespace
}  // namespace vigy::testing
