#include "cli/duration.h"

#include <doctest/doctest.h>

namespace vigy::cli {
namespace {

using std::chrono::milliseconds;

int64_t Ms(std::string_view text) {
  auto parsed = ParseDuration(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  return parsed->count();
}

std::string Error(std::string_view text) {
  auto parsed = ParseDuration(text);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == core::Status::Code::kInvalidArgument);
  return parsed.status().message();
}

TEST_CASE("a duration is a whole number with ms, s, m, h or d") {
  CHECK(Ms("250ms") == 250);
  CHECK(Ms("5s") == 5'000);
  CHECK(Ms("10m") == 600'000);
  CHECK(Ms("1h") == 3'600'000);
  CHECK(Ms("1d") == 86'400'000);
  CHECK(Ms("0s") == 0);
}

TEST_CASE("a bare number is a duration in milliseconds") {
  CHECK(Ms("1500") == 1500);
  CHECK(Ms("0") == 0);
}

TEST_CASE("a bad duration names itself and the units it may use") {
  CHECK(Error("5x") == "bad duration '5x': expected a number with ms, s, m, h or d");
  CHECK(Error("") == "bad duration '': expected a number with ms, s, m, h or d");
  CHECK(Error("s") == "bad duration 's': expected a number with ms, s, m, h or d");
  CHECK(Error("-5s") == "bad duration '-5s': expected a number with ms, s, m, h or d");
  CHECK(Error("1.5s") == "bad duration '1.5s': expected a number with ms, s, m, h or d");
  CHECK(Error(" 5s") == "bad duration ' 5s': expected a number with ms, s, m, h or d");
  CHECK(Error("1h30m") == "bad duration '1h30m': expected a number with ms, s, m, h or d");
  CHECK(Error("5S") == "bad duration '5S': expected a number with ms, s, m, h or d");
}

TEST_CASE("a duration too long for the clock is refused, not wrapped") {
  CHECK(Error("99999999999999999999") == "bad duration '99999999999999999999': too long");
  CHECK(Error("9999999999999999d") == "bad duration '9999999999999999d': too long");
}

TEST_CASE("a formatted duration uses the largest exact unit and reads back") {
  CHECK(FormatDuration(milliseconds(250)) == "250ms");
  CHECK(FormatDuration(milliseconds(5'000)) == "5s");
  CHECK(FormatDuration(milliseconds(600'000)) == "10m");
  CHECK(FormatDuration(milliseconds(7'200'000)) == "2h");
  CHECK(FormatDuration(milliseconds(86'400'000)) == "1d");
  CHECK(FormatDuration(milliseconds(1'500)) == "1500ms");
  CHECK(FormatDuration(milliseconds(0)) == "0ms");
  for (int64_t ms : {1, 999, 1000, 61'000, 90'000'000}) {
    CHECK(Ms(FormatDuration(milliseconds(ms))) == ms);
  }
}

}  // namespace
}  // namespace vigy::cli
