#include "cli/repl_input.h"

#include <doctest/doctest.h>

namespace vigy::cli {
namespace {

TEST_CASE("input with balanced parentheses is complete") {
  CHECK_FALSE(ScanInput("(+ 1 2)\n").open());
  CHECK_FALSE(ScanInput("42\n").open());
  CHECK_FALSE(ScanInput("(define (f x)\n  (* x x))\n").open());
}

TEST_CASE("an unclosed parenthesis waits for more lines") {
  InputBalance b = ScanInput("(define (f x)\n");
  CHECK(b.open());
  CHECK(b.depth == 1);
}

TEST_CASE("parentheses inside strings and comments do not count") {
  CHECK_FALSE(ScanInput("(display \"(\")\n").open());
  CHECK_FALSE(ScanInput("(+ 1 2) ; (unclosed\n").open());
  CHECK_FALSE(ScanInput("(str \"a\\\"(\")\n").open());
}

TEST_CASE("an unterminated string waits for more lines") {
  CHECK(ScanInput("(display \"two\n").open());
  CHECK_FALSE(ScanInput("(display \"two\nlines\")\n").open());
}

TEST_CASE("too many closing parentheses is complete so the compiler can report it") {
  InputBalance b = ScanInput("(+ 1 2))\n");
  CHECK_FALSE(b.open());
  CHECK(b.depth == -1);
}

TEST_CASE("blank lines and comments alone are not code") {
  CHECK_FALSE(ScanInput("\n  \n").has_code);
  CHECK_FALSE(ScanInput("; just a comment\n").has_code);
  CHECK(ScanInput("x ; then a comment\n").has_code);
}

}  // namespace
}  // namespace vigy::cli
