#include "core/json_fields.h"

#include <doctest/doctest.h>

#include "core/model_json.h"
#include "core/vigy.h"

namespace vigy::core {
namespace {

using nlohmann::json;

Status Read(const json& j, void (*read)(JsonFields&)) {
  JsonFields f(j, "thing");
  read(f);
  return f.status();
}

TEST_CASE("an integer is a JSON integer that fits in int64") {
  CHECK(JsonInt64(json(-7)) == -7);
  CHECK(JsonInt64(json(INT64_MAX)) == INT64_MAX);
  CHECK(JsonInt64(json(INT64_MIN)) == INT64_MIN);
  CHECK(JsonInt64(json(uint64_t{INT64_MAX})) == INT64_MAX);
  CHECK_FALSE(JsonInt64(json(uint64_t{INT64_MAX} + 1)));
  CHECK_FALSE(JsonInt64(json::parse("18446744073709551615")));
  CHECK_FALSE(JsonInt64(json(2.0)));
  CHECK_FALSE(JsonInt64(json("2")));
  CHECK_FALSE(JsonInt64(json(true)));
  CHECK_FALSE(JsonInt64(json(nullptr)));
}

TEST_CASE("an integer field too big for int64 or with a fraction is refused by name") {
  int64_t n = 0;
  const json big_object = json::parse(R"({"n": 9223372036854775808})");
  JsonFields big(big_object, "thing");
  big.Int("n", n);
  CHECK(big.status() == Status::InvalidArgument("thing: field 'n' must be an integer"));
  CHECK(n == 0);
  const json fraction_object{{"n", 1.5}};
  JsonFields fraction(fraction_object, "thing");
  fraction.Int("n", n);
  CHECK(fraction.status() == Status::InvalidArgument("thing: field 'n' must be an integer"));
  const json fits_object{{"n", 42}};
  JsonFields fits(fits_object, "thing");
  fits.Int("n", n);
  CHECK(fits.status().ok());
  CHECK(n == 42);
}

TEST_CASE("a null field is a missing field, for required and optional fields alike") {
  json j = json::parse(R"({"s": null, "n": null, "b": null, "t": null, "a": null, "o": null})");
  CHECK(Read(j, [](JsonFields& f) {
          std::string s;
          f.String("s", s);
        }) == Status::InvalidArgument("thing: missing field 's'"));
  CHECK(Read(j, [](JsonFields& f) {
          int64_t n;
          f.Int("n", n);
        }) == Status::InvalidArgument("thing: missing field 'n'"));
  CHECK(Read(j, [](JsonFields& f) {
          bool b;
          f.Bool("b", b);
        }) == Status::InvalidArgument("thing: missing field 'b'"));
  CHECK(Read(j, [](JsonFields& f) {
          int64_t t;
          f.Time("t", t);
        }) == Status::InvalidArgument("thing: missing field 't'"));
  CHECK(Read(j, [](JsonFields& f) { f.Array("a"); }) ==
        Status::InvalidArgument("thing: missing field 'a'"));
  CHECK(Read(j, [](JsonFields& f) { f.Object("o"); }) ==
        Status::InvalidArgument("thing: missing field 'o'"));

  JsonFields f(j, "thing");
  std::optional<std::string> s = "kept?";
  std::optional<int64_t> n;
  std::optional<int64_t> t;
  int64_t jitter = 5;
  f.OptString("s", s);
  f.OptInt("n", n);
  f.OptTime("t", t);
  f.IntOr("n", jitter);
  CHECK(f.status().ok());
  CHECK(s == "kept?");
  CHECK_FALSE(n);
  CHECK_FALSE(t);
  CHECK(jitter == 5);
}

TEST_CASE("a field of any JSON keeps null as its value and only absence is missing") {
  const json object = json::parse(R"({"payload": null})");
  JsonFields f(object, "action");
  const json* payload = f.Value("payload");
  REQUIRE(payload != nullptr);
  CHECK(payload->is_null());
  CHECK(f.Value("other") == nullptr);
  CHECK(f.status().ok());

  ActionRecord action{"notify", json(nullptr), std::nullopt, std::nullopt};
  Result<ActionRecord> back = ActionRecordFromJson(ToJson(action));
  REQUIRE(back.ok());
  CHECK(back->payload == json(nullptr));
}

TEST_CASE("the first problem is kept and later fields are not read") {
  const json object{{"a", 1}, {"b", "two"}};
  JsonFields f(object, "thing");
  std::string a = "unset";
  std::string b = "unset";
  f.String("a", a);
  f.String("b", b);
  f.Problem("a later problem");
  CHECK(f.status() == Status::InvalidArgument("thing: field 'a' must be a string"));
  CHECK(b == "unset");
}

TEST_CASE("something other than an object is refused before any field") {
  const json array = json::array({1, 2});
  JsonFields f(array, "run");
  std::string id;
  f.String("id", id);
  CHECK(f.status() == Status::InvalidArgument("run must be a JSON object"));
}

TEST_CASE("a run and a vigy follow the same rules for nulls and big integers") {
  RunRecord run;
  run.id = "r1";
  run.result = "ok";
  json j = ToJson(run);
  j["tick"] = nullptr;
  CHECK(RunRecordFromJson(j).status() == Status::InvalidArgument("run: missing field 'tick'"));
  j["tick"] = json::parse("9223372036854775808");
  CHECK(RunRecordFromJson(j).status() ==
        Status::InvalidArgument("run: field 'tick' must be an integer"));
  j = ToJson(run);
  j["error"] = nullptr;
  j["scheduled_at"] = nullptr;
  CHECK(RunRecordFromJson(j).ok());

  Vigy vigy;
  vigy.id = "v1";
  vigy.name = "n";
  json v = ToJson(vigy);
  v["timeout_ms"] = json::parse("9223372036854775808");
  CHECK(VigyFromJson(v).status() ==
        Status::InvalidArgument("vigy: field 'timeout_ms' must be an integer"));
  v["timeout_ms"] = nullptr;
  v["handler"] = nullptr;
  REQUIRE(VigyFromJson(v).ok());
  CHECK_FALSE(VigyFromJson(v)->timeout_ms);
  v["name"] = nullptr;
  CHECK(VigyFromJson(v).status() == Status::InvalidArgument("vigy: missing field 'name'"));
}

}  // namespace
}  // namespace vigy::core
