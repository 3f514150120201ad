// The language page, man/vigy-lang.7, is written by hand in roff. These tests
// keep it honest: it must render without a single groff warning, and every
// builtin a program can call (the standard library, the vigy intrinsics and
// the host functions) must be documented there with its call shape, so a new
// builtin without documentation fails here.
#include <doctest/doctest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>

#include "core/vigy_library.h"
#include "lisp/interp.h"
#include "tests/cli/run_binary.h"
#include "tests/support/files.h"
#include "tests/support/shell_quote.h"

namespace vigy::cli {
namespace {

const std::string kLanguagePage = std::string(VIGY_SOURCE_DIR) + "/man/vigy-lang.7";

using testing::ReadFile;

using testing::CommandResult;
using testing::RunShellCommand;

using testing::ShellQuote;

// What a roff special character looks like in plain text.
std::string_view Glyph(std::string_view name) {
  if (name == "aq") return "'";
  if (name == "ga") return "`";
  if (name == "dq") return "\"";
  if (name == "ti") return "~";
  if (name == "ha") return "^";
  if (name == "em") return "--";
  if (name == "mu") return "x";
  if (name == "bu") return "*";
  return "?";
}

// The page's text with comments dropped and escapes resolved (\- is '-',
// \(aq is a quote, font changes vanish), so "(string\-length" in the source
// is found as "(string-length". Macro names and their quotes stay; that is
// harmless for finding call shapes.
std::string PlainText(std::string_view roff) {
  std::string out;
  for (size_t i = 0; i < roff.size(); ++i) {
    char c = roff[i];
    if (c != '\\' || i + 1 == roff.size()) {
      out += c;
      continue;
    }
    char e = roff[++i];
    switch (e) {
      case '"': {  // a comment, to the end of the line
        size_t newline = roff.find('\n', i);
        if (newline == std::string_view::npos) return out;
        i = newline - 1;
        break;
      }
      case 'e':
      case '\\':
        out += '\\';
        break;
      case '&':
      case '%':
        break;
      case '~':
      case ' ':
        out += ' ';
        break;
      case 'f':  // \fB, \f(XX or \f[NAME]
        if (i + 1 < roff.size()) {
          char font = roff[++i];
          if (font == '(') {
            i += 2;
          } else if (font == '[') {
            size_t close = roff.find(']', i);
            i = close == std::string_view::npos ? roff.size() : close;
          }
        }
        break;
      case '(':  // \(xx
        out += Glyph(roff.substr(i + 1, 2));
        i += 2;
        break;
      case '[': {  // \[name]
        size_t close = roff.find(']', i);
        if (close == std::string_view::npos) return out;
        out += Glyph(roff.substr(i + 1, close - i - 1));
        i = close;
        break;
      }
      default:  // \- and anything else: the character itself
        out += e;
    }
  }
  return out;
}

// Whether `text` shows a call of `name`: "(name" followed by a space or ")".
bool ShowsCallOf(std::string_view text, std::string_view name) {
  std::string shape = "(" + std::string(name);
  for (size_t at = text.find(shape); at != std::string_view::npos; at = text.find(shape, at + 1)) {
    size_t after = at + shape.size();
    if (after < text.size() && (text[after] == ' ' || text[after] == ')')) return true;
  }
  return false;
}

// Every builtin a vigy program can call, by name.
std::set<std::string> AllBuiltinNames() {
  std::set<std::string> names;
  for (std::string_view name : lisp::StandardLibrary().Names()) names.emplace(name);
  for (std::string_view name : core::VigyLibrary().Names()) names.emplace(name);
  return names;
}

TEST_CASE("groff is installed for the man page tests") {
  CommandResult which = RunShellCommand("command -v groff");
  CHECK_MESSAGE(which.exit_code == 0,
                "groff is missing: install the groff-base package (apt-get install groff-base)");
}

TEST_CASE("the language page renders with groff without warnings") {
  for (const char* device : {"", " -Tutf8", " -Tascii"}) {
    std::string command =
        std::string("groff -man -ww -z") + device + " " + ShellQuote(kLanguagePage);
    INFO(command);
    CommandResult rendered = RunShellCommand(command);
    CHECK(rendered.output == "");
    CHECK(rendered.exit_code == 0);
  }
}

TEST_CASE("plain text of roff resolves escapes and drops comments") {
  CHECK(PlainText(".BI \"(string\\-length \" s )") == ".BI \"(string-length \" s )");
  CHECK(PlainText("\\fB(car\\fP \\fIlist\\fR)") == "(car list)");
  CHECK(PlainText("\\(aq() \\e \\[dq]x\\[dq]") == "'() \\ \"x\"");
  CHECK(PlainText("a\\\" (hidden)\nb") == "a\nb");
}

TEST_CASE("a call shape is the name after a parenthesis, followed by a space or ')'") {
  CHECK(ShowsCallOf("(get coll key)", "get"));
  CHECK(ShowsCallOf("(vigy-noop)", "vigy-noop"));
  CHECK_FALSE(ShowsCallOf("(get-in coll keys)", "get"));
  CHECK_FALSE(ShowsCallOf("get coll key", "get"));
}

TEST_CASE("the language page documents every builtin with its call shape") {
  std::string text = PlainText(ReadFile(kLanguagePage));
  std::set<std::string> names = AllBuiltinNames();
  REQUIRE(names.size() > 100);  // the libraries really were read
  std::string missing;
  for (const std::string& name : names) {
    if (!ShowsCallOf(text, name)) missing += " " + name;
  }
  INFO("builtins without a call shape like \"(name ...\" in man/vigy-lang.7:", missing);
  CHECK(missing.empty());
}

TEST_CASE("the man pages as built carry the version the binary reports") {
  testing::BinaryResult version = testing::RunVigy({"--version"});
  REQUIRE(version.exit_code == 0);
  REQUIRE(version.out.starts_with("vigy "));
  const std::string reported = version.out.substr(0, version.out.find('\n'));
  for (const char* page : {"vigy.1", "vigy-lang.7"}) {
    CAPTURE(page);
    const std::string source = ReadFile(std::string(VIGY_SOURCE_DIR) + "/man/" + page);
    const std::string built = ReadFile(std::string(VIGY_BUILT_MAN_DIR) + "/" + page);
    // The source names no version of its own; the build fills in its own.
    CHECK(source.find("\n.TH ") != std::string::npos);
    CHECK(source.find("\"vigy @PROJECT_VERSION@\"") != std::string::npos);
    const size_t title = built.find("\n.TH ");
    REQUIRE(title != std::string::npos);
    const std::string title_line = built.substr(title + 1, built.find('\n', title + 1) - title - 1);
    CHECK(title_line.find("\"" + reported + "\"") != std::string::npos);
    CHECK(built.find("@PROJECT_VERSION@") == std::string::npos);
  }
}

}  // namespace
}  // namespace vigy::cli
