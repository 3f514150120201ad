#include "core/duration.h"

#include <doctest/doctest.h>

#include <limits>

#include "cli/duration.h"

namespace vigy::core {
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
  CHECK(parsed.status().code() == Status::Code::kInvalidArgument);
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

TEST_CASE("a duration longer than 365 days is refused, not wrapped") {
  CHECK(Ms("365d") == kMaxDurationMs);
  CHECK(Ms("31536000000") == kMaxDurationMs);
  CHECK(Error("366d") == "bad duration '366d': longer than 365d");
  CHECK(Error("31536000001") == "bad duration '31536000001': longer than 365d");
  CHECK(Error("9223372036854775807") == "bad duration '9223372036854775807': longer than 365d");
  CHECK(Error("99999999999999999999") == "bad duration '99999999999999999999': longer than 365d");
  CHECK(Error("9999999999999999d") == "bad duration '9999999999999999d': longer than 365d");
}

TEST_CASE("a duration option names itself and its lower bound") {
  CHECK(*cli::ParseDurationOption("--every", "5s", 100) == 5000);
  CHECK(cli::ParseDurationOption("--every", "5x").status().message() ==
        "--every: bad duration '5x': expected a number with ms, s, m, h or d");
  CHECK(cli::ParseDurationOption("--jitter", "400d").status().message() ==
        "--jitter: bad duration '400d': longer than 365d");
  CHECK(cli::ParseDurationOption("--timeout", "0", 1).status().message() ==
        "bad --timeout '0': at least 1ms");
}

TEST_CASE("a delay is shown to people in its two largest units, rounded") {
  CHECK(FormatDelay(milliseconds(0)) == "0ms");
  CHECK(FormatDelay(milliseconds(350)) == "350ms");
  CHECK(FormatDelay(milliseconds(4'240)) == "4.2s");
  CHECK(FormatDelay(milliseconds(5'000)) == "5s");
  CHECK(FormatDelay(milliseconds(59'960)) == "1m");
  CHECK(FormatDelay(milliseconds(90'000)) == "1m 30s");
  CHECK(FormatDelay(milliseconds(3'599'998)) == "1h");
  CHECK(FormatDelay(milliseconds(12'000'000)) == "3h 20m");
  CHECK(FormatDelay(milliseconds(187'200'000)) == "2d 4h");
  CHECK(FormatDelay(milliseconds(-1'500)) == "-1.5s");
  CHECK(FormatDelay(milliseconds(std::numeric_limits<int64_t>::max())).ends_with("d"));
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
}  // namespace vigy::core
