// End to end: what every store command does with a store it cannot use, a
// locked store, and the --db option.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>

#include "storage/sqlite_db.h"
#include "tests/cli/store_e2e.h"
#include "tests/support/files.h"

namespace vigy::testing {
namespace {

TEST_CASE("a store file that is not an SQLite database is exit 5 and is left as it was") {
  Sandbox s;
  s.Write("vigy.db", "these are not the bytes of a database, just some text\n");
  s.Write("web.vigy", kCounter);
  for (std::vector<std::string> args : {std::vector<std::string>{"list"},
                                        {"add", "web.vigy"},
                                        {"show", "web"},
                                        {"runs"},
                                        {"tick", "--all"},
                                        {"kv", "web"},
                                        {"rm", "web"}}) {
    CAPTURE(args[0]);
    BinaryResult r = s.Run(args);
    CHECK(r.exit_code == 5);
    CHECK(r.out == "");
    CHECK(r.err.starts_with("vigy: "));
    CHECK(r.err.find("vigy.db") != std::string::npos);
  }
  std::string text = testing::ReadFile((s.dir() / "vigy.db").string());
  CHECK(text == "these are not the bytes of a database, just some text\n");
}

TEST_CASE("a store others can write is exit 5 with a message saying how to fix it") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  std::string db = (s.dir() / "vigy.db").string();
  REQUIRE(chmod(db.c_str(), 0666) == 0);
  BinaryResult r = s.Run({"list"});
  CHECK(r.exit_code == 5);
  CHECK(r.err.find("chmod 600") != std::string::npos);
  CHECK(s.Run({"tick", "web"}).exit_code == 5);
  REQUIRE(chmod(db.c_str(), 0600) == 0);
  CHECK(s.Run({"list"}).exit_code == 0);
}

TEST_CASE("a store locked by another writer past the busy timeout is exit 4") {
  Sandbox s;
  AddVigy(s, "web", kCounter);
  auto db = storage::Db::Open((s.dir() / "vigy.db").string(), 1000);
  REQUIRE(db.ok());
  {
    auto lock = storage::Transaction::Begin(**db, storage::Transaction::Kind::kWrite);
    REQUIRE(lock.ok());
    BinaryResult r = s.Run({"kv", "web", "set", "k", "1"});
    CHECK(r.exit_code == 4);
    CHECK(r.out == "");
    CHECK(r.err.starts_with("vigy: "));
    // Reading still works while another process writes.
    CHECK(s.Run({"list"}).exit_code == 0);
  }
  CHECK(s.Run({"kv", "web", "set", "k", "1"}).exit_code == 0);
}

TEST_CASE("--db names the store, before or after the command") {
  Sandbox s;
  s.Write("web.vigy", kCounter);
  Must(s, {"--db", "other/my.db", "add", "web.vigy"});
  CHECK(std::filesystem::exists(s.dir() / "other" / "my.db"));
  CHECK_FALSE(std::filesystem::exists(s.dir() / "vigy.db"));
  CHECK(JsonOut(s.Run({"list", "--json", "--db", "other/my.db"})).size() == 1);
  CHECK(JsonOut(s.Run({"list", "--json"})).empty());
}

}  // namespace
}  // namespace vigy::testing
