#include "cli/output.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace vigy::cli {
namespace {

std::string Contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  int c;
  while ((c = std::fgetc(f)) != EOF) text += static_cast<char>(c);
  return text;
}

TEST_CASE("colour codes appear only on a stream that is coloured") {
  Output coloured(stdout, stderr, true, false);
  CHECK(coloured.Paint(Style::kRed, "failed") == "\x1b[31mfailed\x1b[0m");
  CHECK(coloured.PaintError(Style::kRed, "failed") == "failed");
  Output plain(stdout, stderr, false, false);
  CHECK(plain.Paint(Style::kGreen, "ok") == "ok");
}

TEST_CASE("NO_COLOR set to anything but the empty string asks for no colour") {
  const char* saved = std::getenv("NO_COLOR");
  std::string saved_value = saved ? saved : "";
  setenv("NO_COLOR", "1", 1);
  CHECK(NoColorRequested());
  setenv("NO_COLOR", "", 1);
  CHECK_FALSE(NoColorRequested());
  unsetenv("NO_COLOR");
  CHECK_FALSE(NoColorRequested());
  if (saved) setenv("NO_COLOR", saved_value.c_str(), 1);
}

TEST_CASE("an error is one line on stderr prefixed with the program name") {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE(out);
  REQUIRE(err);
  Output output(out, err, false, false);
  output.Print("data\n");
  output.Error("bad duration '5x'");
  CHECK(Contents(out) == "data\n");
  CHECK(Contents(err) == "vigy: bad duration '5x'\n");
  std::fclose(out);
  std::fclose(err);
}

TEST_CASE("JSON is printed indented with invalid UTF-8 replaced, not refused") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out);
  Output output(out, stderr, false, false);
  output.PrintJson(nlohmann::json{{"a", std::string("x\xff")}});
  CHECK(Contents(out) == "{\n  \"a\": \"x\xEF\xBF\xBD\"\n}\n");
  std::fclose(out);
}

}  // namespace
}  // namespace vigy::cli
