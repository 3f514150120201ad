// A real `vigy serve --http 127.0.0.1:0` in a sandbox, for the end-to-end
// HTTP tests: it picks a free loopback port and says which in its log, which
// this reads, together with the token file serve created beside the store. A
// PostgreSQL store has no file to keep a token beside, so there the helper
// writes a private token file in the sandbox and names it.
// Requests go through cpp-httplib's client, over real TCP.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/cli/background_vigy.h"
#include "tests/cli/run_binary.h"

namespace vigy::testing {

class HttpServe {
 public:
  explicit HttpServe(const Sandbox& sandbox, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"serve", "--http", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::filesystem::path token_path = sandbox.dir() / "vigy.db.http-token";
    if (sandbox.holds_postgresql_store() &&
        std::find(args.begin(), args.end(), "--http-token-file") == args.end()) {
      WritePrivateTokenFile(token_path);
      args.insert(args.end(), {"--http-token-file", token_path.string()});
    }
    // A log of its own: another serve's old log must not be read for this one's port.
    static int count = 0;
    serve_ =
        std::make_unique<BackgroundVigy>(sandbox, args, "http-serve-" + std::to_string(++count));
    const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)/");
    std::smatch match;
    bool up = BackgroundVigy::WaitUntil([&] {
      std::string err = serve_->Err();
      if (!std::regex_search(err, match, listening)) return false;
      port_ = std::stoi(match[1]);
      return true;
    });
    REQUIRE_MESSAGE(up, "serve did not start listening: " << serve_->Err());
    std::ifstream token_file(token_path);
    std::getline(token_file, token_);
    // Ready once the scheduler runs.
    REQUIRE(BackgroundVigy::WaitUntil([&] {
      auto res = Client(false).Get("/readyz");
      return res && res->status == 200;
    }));
  }

  int port() const { return port_; }
  const std::string& token() const { return token_; }
  BackgroundVigy& process() { return *serve_; }
  std::string Url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // A client for this serve, sending the token unless told not to.
  httplib::Client Client(bool with_token = true) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(5);
    client.set_read_timeout(30);
    if (with_token) client.set_bearer_token_auth(token_);
    return client;
  }

  httplib::Result Get(const std::string& path) const { return Client().Get(path); }
  httplib::Result Post(const std::string& path, const std::string& body = "") const {
    return Client().Post(path, body, "application/json");
  }
  httplib::Result Patch(const std::string& path, const std::string& body) const {
    return Client().Patch(path, body, "application/json");
  }
  httplib::Result Put(const std::string& path, const std::string& body) const {
    return Client().Put(path, body, "application/json");
  }
  httplib::Result Delete(const std::string& path) const { return Client().Delete(path); }

 private:
  static void WritePrivateTokenFile(const std::filesystem::path& path) {
    {
      std::ofstream out(path, std::ios::trunc);
      out << "test-token-for-a-postgresql-store\n";
    }
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }

  std::unique_ptr<BackgroundVigy> serve_;
  int port_ = 0;
  std::string token_;
};

// The JSON body of a response (null when it is not JSON).
inline nlohmann::json JsonOf(const httplib::Result& res) {
  if (!res) return nullptr;
  return nlohmann::json::parse(res->body, nullptr, false);
}

// The error code of an error response's body.
inline std::string ErrorCode(const httplib::Result& res) {
  nlohmann::json body = JsonOf(res);
  if (!body.is_object() || !body.contains("error")) return "";
  return body["error"].value("code", "");
}

}  // namespace vigy::testing
