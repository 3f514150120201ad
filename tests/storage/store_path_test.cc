#include "storage/store_path.h"

#include <doctest/doctest.h>

#include <map>

namespace vigy::storage {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Resolved(const std::optional<std::string>& flag, const EnvLookup& env) {
  core::Result<std::string> path = ResolveStorePath(flag, env);
  INFO(path.status().ToString());
  REQUIRE(path.ok());
  return *path;
}

const std::map<std::string, std::string> kAll = {
    {"VIGY_DB", "/env/vigy.db"}, {"XDG_DATA_HOME", "/xdg"}, {"HOME", "/home/ada"}};

TEST_CASE("the store path is --db, else VIGY_DB, else XDG_DATA_HOME, else HOME") {
  CHECK(Resolved("/flag/vigy.db", Env(kAll)) == "/flag/vigy.db");
  CHECK(Resolved(std::nullopt, Env(kAll)) == "/env/vigy.db");
  CHECK(Resolved(std::nullopt, Env({{"XDG_DATA_HOME", "/xdg"}, {"HOME", "/home/ada"}})) ==
        "/xdg/vigy/vigy.db");
  CHECK(Resolved(std::nullopt, Env({{"HOME", "/home/ada"}})) ==
        "/home/ada/.local/share/vigy/vigy.db");
}

TEST_CASE("an empty XDG_DATA_HOME and a relative one are ignored") {
  CHECK(Resolved(std::nullopt, Env({{"XDG_DATA_HOME", ""}, {"HOME", "/h"}})) ==
        "/h/.local/share/vigy/vigy.db");
  CHECK(Resolved(std::nullopt, Env({{"XDG_DATA_HOME", "data"}, {"HOME", "/h"}})) ==
        "/h/.local/share/vigy/vigy.db");
  CHECK(Resolved(std::nullopt, Env({{"XDG_DATA_HOME", "/xdg/"}})) == "/xdg/vigy/vigy.db");
}

TEST_CASE("an empty --db, a set but empty VIGY_DB, or no place at all is an error") {
  core::Result<std::string> empty = ResolveStorePath(std::string(), Env(kAll));
  CHECK(empty.status() == core::Status::InvalidArgument("--db needs a path, got an empty one"));
  core::Result<std::string> empty_env =
      ResolveStorePath(std::nullopt, Env({{"VIGY_DB", ""}, {"HOME", "/h"}}));
  CHECK(empty_env.status().code() == core::Status::Code::kInvalidArgument);
  CHECK(empty_env.status().message().starts_with("VIGY_DB is set but empty"));
  core::Result<std::string> nowhere = ResolveStorePath(std::nullopt, Env({}));
  CHECK(nowhere.status() ==
        core::Status::InvalidArgument(
            "cannot tell where the store is: pass --db PATH or set VIGY_DB (HOME is not set)"));
}

}  // namespace
}  // namespace vigy::storage
