#include "lisp/reader.h"

#include <doctest/doctest.h>

#include "lisp/printer.h"

namespace vigy::lisp {
namespace {

// Reads `source` and prints every form back, space-separated, or the error.
std::string ReadBack(std::string_view source) {
  Arena arena;
  ReadOutput out;
  Diagnostic error;
  if (!ReadAll(arena, source, "prog.vigy", &out, &error)) return "error: " + error.Format();
  std::string text;
  for (Value form : out.forms) {
    if (!text.empty()) text += ' ';
    text += Repr(form);
  }
  return text;
}

TEST_CASE("integers read as 64-bit integers with optional sign") {
  CHECK(ReadBack("42 -7 +5 0") == "42 -7 5 0");
  CHECK(ReadBack("9223372036854775807 -9223372036854775808") ==
        "9223372036854775807 -9223372036854775808");
}

TEST_CASE("an integer literal out of range is a read error, not a float") {
  CHECK(ReadBack("(+ 1 9223372036854775808)") ==
        "error: prog.vigy:1:6: integer literal out of range: 9223372036854775808");
}

TEST_CASE("floats read in decimal and exponent forms") {
  CHECK(ReadBack("1.5 .5 1e3 -2.5e-1 3.") == "1.5 0.5 1000.0 -0.25 3.0");
}

TEST_CASE("strings support every escape and raw newlines") {
  CHECK(ReadBack(R"("a\nb\tc\rd\"e\\f")") == R"("a\nb\tc\rd\"e\\f")");
  CHECK(ReadBack("\"line1\nline2\"") == R"("line1\nline2")");
  CHECK(ReadBack(R"("\u00e9\u4e2d")") == "\"\u00e9\u4e2d\"");
  CHECK(ReadBack(R"("\ud83d\ude00")") == "\"\U0001F600\"");
}

TEST_CASE("booleans, keywords and symbols read as themselves") {
  CHECK(ReadBack("#t #f :name vigy-rate-limited? -> + ...") ==
        "#t #f :name vigy-rate-limited? -> + ...");
}

TEST_CASE("comments run to the end of the line") {
  CHECK(ReadBack("; a comment\n(a ; inside\n b)") == "(a b)");
}

TEST_CASE("quote forms expand to their long names") {
  CHECK(ReadBack("'x `(a ,b ,@c)") == "(quote x) (quasiquote (a (unquote b) (unquote-splice c)))");
}

TEST_CASE("the empty list reads as the empty list") { CHECK(ReadBack("() (())") == "() (())"); }

TEST_CASE("an unterminated string is reported at its opening quote") {
  CHECK(ReadBack("(display\n  \"abc)") == "error: prog.vigy:2:3: unterminated string");
}

TEST_CASE("an unmatched close paren is reported at its own position") {
  CHECK(ReadBack("(a b))\n") == "error: prog.vigy:1:6: unmatched ')'");
}

TEST_CASE("an unclosed paren names where it was opened") {
  CHECK(ReadBack("(define x 1)\n(define (f)\n  (g 1)") ==
        "error: prog.vigy:2:1: unclosed '(' opened at 2:1");
}

TEST_CASE("an unknown escape is reported at the backslash") {
  CHECK(ReadBack(R"("ab\qc")") == R"(error: prog.vigy:1:4: unknown escape '\q' in string)");
}

TEST_CASE("a bad unicode escape is an error") {
  CHECK(ReadBack(R"("\u12")") == R"(error: prog.vigy:1:2: '\u' needs four hex digits)");
  CHECK(ReadBack(R"("\udc00")") == R"(error: prog.vigy:1:2: lone surrogate in '\u' escape)");
}

TEST_CASE("unknown hash syntax is an error") {
  CHECK(ReadBack("#x") == "error: prog.vigy:1:1: unknown syntax '#x'");
}

TEST_CASE("brackets are rejected with a hint") {
  CHECK(ReadBack("[1 2]") ==
        "error: prog.vigy:1:1: unexpected '[' (lists are written with parentheses)");
}

TEST_CASE("a quote with nothing after it is an error") {
  CHECK(ReadBack("(a ')") == "error: prog.vigy:1:4: quote (') must be followed by a form");
  CHECK(ReadBack(",@") == "error: prog.vigy:1:1: unquote-splice (,@) must be followed by a form");
}

TEST_CASE("a keyword needs a name") {
  CHECK(ReadBack("(a :)") == "error: prog.vigy:1:4: a keyword needs a name after ':'");
}

TEST_CASE("columns count characters, not bytes") {
  CHECK(ReadBack("(\"é\" ))") == "error: prog.vigy:1:7: unmatched ')'");
}

TEST_CASE("nesting deeper than the limit is a read error, not a crash") {
  std::string deep(100000, '(');
  CHECK(ReadBack(deep) == "error: prog.vigy:1:1001: forms nested deeper than 1000");
  // Exactly at the limit reads; one more level does not.
  std::string at_limit = std::string(1000, '(') + std::string(1000, ')');
  CHECK(ReadBack(at_limit).find("error") == std::string::npos);
  std::string one_more = std::string(1001, '(') + std::string(1001, ')');
  CHECK(ReadBack(one_more) == "error: prog.vigy:1:1001: forms nested deeper than 1000");
}

TEST_CASE("a program that is not valid UTF-8 is refused at the first bad byte") {
  CHECK(ReadBack("(a)\n  \"\xff\"") ==
        "error: prog.vigy:2:4: invalid UTF-8 (byte 0xff): programs are UTF-8 text");
  CHECK(ReadBack("\xc0\xaf") ==
        "error: prog.vigy:1:1: invalid UTF-8 (byte 0xc0): programs are UTF-8 text");
  CHECK(ReadBack("\"\xe4\xb8\xad\"") == "\"\xe4\xb8\xad\"");
}

TEST_CASE("a byte-order mark at the start is skipped, anywhere else it is an error") {
  CHECK(ReadBack("\xEF\xBB\xBF(vigy-noop)") == "(vigy-noop)");
  CHECK(ReadBack("(a)\n\xEF\xBB\xBF(b)") ==
        "error: prog.vigy:2:1: a byte-order mark (U+FEFF) inside the program");
}

TEST_CASE("a NUL or other control character is an error naming it, never a symbol") {
  CHECK(ReadBack(std::string("(a \0 b)", 7)) ==
        "error: prog.vigy:1:4: control character U+0000 (NUL): programs are text");
  CHECK(ReadBack("(log \"\x1b[31mred\")") ==
        "error: prog.vigy:1:7: control character U+001B (ESC): programs are text");
  CHECK(ReadBack("; \x07 in a comment\n") ==
        "error: prog.vigy:1:3: control character U+0007 (C0): programs are text");
  // Tabs, carriage returns and form feeds are whitespace.
  CHECK(ReadBack("(a\tb)\r\n\f(c)") == "(a b) (c)");
}

TEST_CASE("a diagnostic on a very long line shows the part around the column") {
  std::string line = "(" + std::string(700, 'x') + " \xff)";
  Arena arena;
  ReadOutput out;
  Diagnostic error;
  REQUIRE_FALSE(ReadAll(arena, line, "bin", &out, &error));
  std::string shown = error.FormatWithSource(line);
  CHECK(shown.starts_with("bin:1:703: invalid UTF-8 (byte 0xff)"));
  CHECK(shown.size() < 300);
  CHECK(shown.find("\n  ...xxx") != std::string::npos);
  CHECK(shown.ends_with("^"));
}

TEST_CASE("positions are recorded for lists and symbols") {
  Arena arena;
  ReadOutput out;
  Diagnostic error;
  REQUIRE(ReadAll(arena, "\n  (f x)", "p", &out, &error));
  REQUIRE(out.forms.size() == 1);
  CHECK(out.form_positions[0].line == 2);
  CHECK(out.form_positions[0].col == 3);
  Value x = out.forms[0].c->cdr.c->car;
  CHECK(out.positions.at(x.sym).col == 6);
}

TEST_CASE("a diagnostic shows the source line and a caret under the column") {
  Diagnostic d{"prog.vigy", {2, 5}, "boom"};
  CHECK(d.FormatWithSource("(a)\n(b (c d))\n") == "prog.vigy:2:5: boom\n  (b (c d))\n      ^");
}

TEST_CASE("a diagnostic never echoes invalid UTF-8 or control bytes from the source line") {
  // The line goes to a terminal: each bad character shows as U+FFFD, one
  // column wide, so the caret still sits under the reported column.
  Arena arena;
  ReadOutput out;
  Diagnostic error;
  std::string source = "(log \"\xff\x1b[2J\" \"\xc3\xa9\t\")\n";
  REQUIRE_FALSE(ReadAll(arena, source, "bad.vigy", &out, &error));
  CHECK(error.FormatWithSource(source) ==
        "bad.vigy:1:7: invalid UTF-8 (byte 0xff): programs are UTF-8 text\n"
        "  (log \"\xef\xbf\xbd\xef\xbf\xbd[2J\" \"\xc3\xa9\t\")\n"
        "        ^");
  Diagnostic later{"bad.vigy", {1, 18}, "here"};
  CHECK(later.FormatWithSource(source) ==
        "bad.vigy:1:18: here\n"
        "  (log \"\xef\xbf\xbd\xef\xbf\xbd[2J\" \"\xc3\xa9\t\")\n"
        "  " +
            std::string(15, ' ') + "\t ^");
}

}  // namespace
}  // namespace vigy::lisp
