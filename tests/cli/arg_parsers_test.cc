#include "cli/arg_parsers.h"

#include <doctest/doctest.h>

#include "cli/limit_options.h"

namespace vigy::cli {
namespace {

TEST_CASE("a byte size takes K, M and G as powers of 1024") {
  CHECK(*ParseByteSize("--max-memory", "4096") == 4096);
  CHECK(*ParseByteSize("--max-memory", "64K") == 64 * 1024);
  CHECK(*ParseByteSize("--max-memory", "64M") == 64 * 1024 * 1024);
  CHECK(*ParseByteSize("--max-memory", "64MiB") == 64 * 1024 * 1024);
  CHECK(*ParseByteSize("--max-memory", "2g") == uint64_t{2} << 30);
  CHECK(*ParseByteSize("--max-memory", "100b") == 100);
}

TEST_CASE("a bad byte size names the option and the value") {
  auto bad = ParseByteSize("--max-memory", "lots");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "bad --max-memory 'lots': expected a number of bytes, optionally with K, M or G");
  CHECK(ParseByteSize("--max-memory", "0").status().message() ==
        "bad --max-memory '0': must be above 0");
  CHECK(ParseByteSize("--max-memory", "99999999999999999G").status().message() ==
        "bad --max-memory '99999999999999999G': too large");
}

TEST_CASE("a count is a whole number from one to its maximum") {
  CHECK(*ParseCount("--max-steps", "1", 10) == 1);
  CHECK(*ParseCount("--max-steps", "10", 10) == 10);
  for (const char* bad : {"0", "11", "-1", "1e3", "", "ten"}) {
    auto parsed = ParseCount("--max-steps", bad, 10);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message() ==
          std::string("bad --max-steps '") + bad + "': expected a whole number from 1 to 10");
  }
}

TEST_CASE("a kv seed is a key, an equals sign and a JSON value") {
  auto seed = ParseKvSeed("count=3");
  REQUIRE(seed.ok());
  CHECK(seed->first == "count");
  CHECK(seed->second == nlohmann::json(3));
  seed = ParseKvSeed(R"(cfg={"a":[1,2]})");
  REQUIRE(seed.ok());
  CHECK(seed->second == nlohmann::json::parse(R"({"a":[1,2]})"));
  seed = ParseKvSeed("eq=\"a=b\"");
  REQUIRE(seed.ok());
  CHECK(seed->first == "eq");
  CHECK(seed->second == nlohmann::json("a=b"));
}

TEST_CASE("a kv seed that is not JSON names its key") {
  CHECK(ParseKvSeed("name=web").status().message() ==
        "bad --kv value for key 'name': web is not JSON (a string needs quotes: '\"web\"')");
  CHECK(ParseKvSeed("name").status().message() ==
        "bad --kv 'name': expected KEY=JSON, e.g. count=3 or name='\"web\"'");
  CHECK(ParseKvSeed("=1").status().message() == "bad --kv '=1': the key is empty");
  CHECK(ParseKvSeed("__tick_count=1").status().message() ==
        "bad --kv key '__tick_count': keys starting with \"__\" are reserved for the runtime");
}

TEST_CASE("limit options override only the limits given") {
  LimitOptions options;
  options.timeout = "2s";
  options.max_memory = "32M";
  auto limits = ToLimits(options);
  REQUIRE(limits.ok());
  const lisp::Limits defaults;
  CHECK(limits->timeout == std::chrono::seconds(2));
  CHECK(limits->max_memory == size_t{32} << 20);
  CHECK(limits->max_steps == defaults.max_steps);
  CHECK(limits->max_depth == defaults.max_depth);
}

TEST_CASE("a bad limit option is an invalid argument naming the option") {
  LimitOptions options;
  options.timeout = "5x";
  auto limits = ToLimits(options);
  REQUIRE_FALSE(limits.ok());
  CHECK(limits.status().code() == core::Status::Code::kInvalidArgument);
  CHECK(limits.status().message() ==
        "--timeout: bad duration '5x': expected a number with ms, s, m, h or d");
  options.timeout = "0s";
  CHECK(ToLimits(options).status().message() == "bad --timeout '0s': at least 1ms");
  options.timeout = "";
  options.max_depth = "0";
  CHECK(ToLimits(options).status().message() ==
        "bad --max-depth '0': expected a whole number from 1 to 1000000");
}

}  // namespace
}  // namespace vigy::cli
