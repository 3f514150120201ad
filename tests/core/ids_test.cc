#include "core/ids.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace vigy::core {
namespace {

bool IsLowerHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST_CASE("a vigy's id is 16 lowercase hex digits derived from its name alone") {
  std::string id = VigyIdFromName("backup");
  CHECK(id.size() == 16);
  CHECK(IsLowerHex(id));
  CHECK(VigyIdFromName("backup") == id);
  CHECK(VigyIdFromName("backuq") != id);
  CHECK(VigyIdFromName("backup").substr(0, 4) != VigyIdFromName("backuq").substr(0, 4));
}

TEST_CASE("ids and revisions never change between releases") {
  // Stored in every store file: changing the hash would orphan them.
  CHECK(VigyIdFromName("backup") == "7455304b2918fa7b");
  CHECK(Revision("(vigy-noop)") == "7a895ca4d402");
  CHECK(Revision("") == "460f31ce5080");
}

TEST_CASE("a revision is 12 lowercase hex digits that change with every edit") {
  std::string r = Revision("(vigy-noop)\n");
  CHECK(r.size() == 12);
  CHECK(IsLowerHex(r));
  CHECK(Revision("(vigy-noop)\n") == r);
  CHECK(Revision("(vigy-noop) \n") != r);
}

TEST_CASE("run ids sort in creation order and by time") {
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back(NewRunId(1795674600123 + i / 10));
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
  for (const std::string& id : ids) {
    CHECK(id.size() == 20);
    CHECK(IsLowerHex(id));
  }
  CHECK(ids.front().substr(0, 12) == "01a2168bf2bb");
  CHECK(NewRunId(1795674600124) > NewRunId(1795674600123));
}

TEST_CASE("kv keys are 1 to 1024 bytes of UTF-8 text without control characters") {
  CHECK(ValidateKvKey("count").ok());
  CHECK(ValidateKvKey("caf\xc3\xa9 / x:y").ok());
  CHECK(ValidateKvKey(std::string(1024, 'k')).ok());
  CHECK(ValidateKvKey("").message() == "the kv key is empty");
  CHECK(ValidateKvKey(std::string(1025, 'k')).message() ==
        "kv key '" + std::string(20, 'k') + "...' is 1025 bytes long (at most 1024)");
  CHECK(ValidateKvKey("a\tb").message() ==
        "kv key has byte 0x09 at byte 2 (control characters are not allowed in keys)");
  CHECK(ValidateKvKey("\x1b[31m").code() == Status::Code::kInvalidArgument);
  CHECK(ValidateKvKey("x\x7f").code() == Status::Code::kInvalidArgument);
  CHECK(ValidateKvKey("caf\xe9").message() ==
        "kv key has byte 0xe9 at byte 4 (keys are UTF-8 text)");
}

TEST_CASE("vigy names are 1 to 64 letters, digits, dots, underscores or dashes") {
  CHECK(ValidateVigyName("backup").ok());
  CHECK(ValidateVigyName("a.b_c-9").ok());
  CHECK(ValidateVigyName(std::string(64, 'x')).ok());

  Status empty = ValidateVigyName("");
  CHECK(empty.code() == Status::Code::kInvalidArgument);
  CHECK(empty.message() == "vigy name is empty (use 1-64 of A-Z a-z 0-9 . _ -)");
  CHECK(ValidateVigyName(std::string(65, 'x')).message() ==
        "vigy name '" + std::string(20, 'x') + "...' is 65 characters long (at most 64)");
  CHECK(ValidateVigyName("my vigy").message() ==
        "vigy name 'my vigy' has a space at position 3 (use only A-Z a-z 0-9 . _ -)");
  CHECK(ValidateVigyName("a/b").message() ==
        "vigy name 'a/b' has '/' at position 2 (use only A-Z a-z 0-9 . _ -)");
}

TEST_CASE("label keys are 1 to 253 characters and may contain slashes") {
  CHECK(ValidateLabelKey("team").ok());
  CHECK(ValidateLabelKey("example.com/tier").ok());
  CHECK(ValidateLabelKey(std::string(253, 'k')).ok());
  CHECK_FALSE(ValidateLabelKey(std::string(254, 'k')).ok());
  CHECK(ValidateLabelKey("").message() == "label key is empty (use 1-253 of A-Z a-z 0-9 . _ / -)");
  CHECK(ValidateLabelKey("a=b").message() ==
        "label key 'a=b' has '=' at position 2 (use only A-Z a-z 0-9 . _ / -)");
}

}  // namespace
}  // namespace vigy::core
