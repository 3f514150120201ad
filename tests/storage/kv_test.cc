#include <doctest/doctest.h>
#include <fmt/format.h>

#include "core/store.h"
#include "tests/storage/store_helpers.h"

namespace vigy::storage {
namespace {

using core::Status;
using nlohmann::json;
using testing::Add;
using testing::SampleVigy;
using testing::TestStore;

TEST_SUITE("store") {
  TEST_CASE("kv values of every JSON type round-trip") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    core::Kv values = {
        {"null", nullptr},
        {"true", true},
        {"int", -42},
        {"big", int64_t{9007199254740993}},
        {"float", 2.5},
        {"string", "héllo \"quoted\"\n"},
        {"nul", std::string("a\0b", 3)},
        {"list", json::array({1, "two", json::array({3})})},
        {"map", json{{"a", json{{"b", nullptr}}}}},
        {"empty key ok", json::object()},
        {"", "the empty key"},
        {"ключ 🔑", "unicode key"},
    };
    for (const auto& [key, value] : values) REQUIRE(store->KvSet(vigy.id, key, value).ok());
    CHECK(store->KvList(vigy.id).value() == values);
    for (const auto& [key, value] : values) {
      const std::string& kv_key = key;  // a lambda inside CAPTURE cannot name a binding
      CAPTURE(kv_key);
      core::Result<std::optional<json>> got = store->KvGet(vigy.id, key);
      REQUIRE(got.ok());
      CHECK(got->value() == value);
    }
    CHECK(store->KvGet(vigy.id, "absent")->has_value() == false);
  }

  TEST_CASE("setting a kv key again replaces its value, and removing says whether it existed") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    REQUIRE(store->KvSet(vigy.id, "k", 1).ok());
    REQUIRE(store->KvSet(vigy.id, "k", "two").ok());
    CHECK(store->KvGet(vigy.id, "k")->value() == "two");
    CHECK(*store->KvDelete(vigy.id, "k") == true);
    CHECK(*store->KvDelete(vigy.id, "k") == false);
    CHECK(store->KvList(vigy.id)->empty());
  }

  TEST_CASE("kv of another vigy is separate, and of a missing vigy is not found") {
    TestStore test_store;
    auto store = test_store.Open();
    Add(*store, SampleVigy("a"));
    Add(*store, SampleVigy("b"));
    std::string a = core::VigyIdFromName("a");
    std::string b = core::VigyIdFromName("b");
    REQUIRE(store->KvSet(a, "k", 1).ok());
    CHECK(store->KvList(b)->empty());
    CHECK(store->KvSet("0000000000000000", "k", 1) ==
          Status::NotFound("no such vigy '0000000000000000'"));
    CHECK(store->KvDelete("0000000000000000", "k").status().code() == Status::Code::kNotFound);
  }

  TEST_CASE("kv keys are told apart by every byte, as given") {
    TestStore test_store;
    auto store = test_store.Open();
    core::Vigy vigy = SampleVigy("backup");
    Add(*store, vigy);
    // Keys a case-folding or locale-aware collation would take for one: "é"
    // precomposed and decomposed.
    for (const char* key : {"k", "K", "k ", "\xc3\xa9", "e\xcc\x81"})
      REQUIRE(store->KvSet(vigy.id, key, key).ok());
    core::Result<core::Kv> kv = store->KvList(vigy.id);
    REQUIRE(kv.ok());
    CHECK(kv->size() == 5);
    CHECK(store->KvGet(vigy.id, "K")->value() == "K");
    CHECK(*store->KvDelete(vigy.id, "k ") == true);
    CHECK(store->KvGet(vigy.id, "k")->value() == "k");
    CHECK(test_store.QueryInt(
              fmt::format("SELECT count(*) FROM kv WHERE vigy_id = '{}'", vigy.id)) == 4);
  }
}

}  // namespace
}  // namespace vigy::storage
