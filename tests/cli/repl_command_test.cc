// End to end: `vigy repl`, fed through stdin.
#include <doctest/doctest.h>

#include "tests/cli/e2e_helpers.h"

namespace vigy::testing {
namespace {

TEST_CASE("the repl prints each value and definitions persist from line to line") {
  BinaryResult r = RunVigy({"repl"}, "(define (sq x) (* x x))\n(define n 7)\n(sq n)\n");
  CHECK(r.exit_code == 0);
  CHECK(r.err == "");
  CHECK(r.out.ends_with("49\n"));
}

TEST_CASE("the repl prints no prompt when stdin is not a terminal") {
  BinaryResult r = RunVigy({"repl"}, "(+ 1 2)\n");
  CHECK(r.out == "3\n");
}

TEST_CASE("the repl waits for a form's parentheses to balance") {
  BinaryResult r = RunVigy({"repl"}, "(define (f x)\n  (+ x\n     1))\n(f 41)\n");
  CHECK(r.exit_code == 0);
  CHECK(r.out.ends_with("42\n"));
}

TEST_CASE("an error in the repl is reported, the session goes on, and a script exits 1") {
  BinaryResult r = RunVigy({"repl"}, "(define a 1)\n(car (list))\n(+ a 1)\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "<repl>:1:1: 'car' of an empty list\n"
        "  (car (list))\n"
        "  ^\n"
        "vigy: 1 of 3 inputs failed\n");
  CHECK(r.out.ends_with("2\n"));
}

TEST_CASE("a repl line that fails to compile leaves earlier definitions usable") {
  BinaryResult r = RunVigy({"repl"}, "(define a 10)\n(undefined-thing)\n(* a 2)\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with("<repl>:1:2: unbound symbol 'undefined-thing'"));
  CHECK(r.out.ends_with("20\n"));
}

TEST_CASE("definitions made before a runtime error in the repl are kept") {
  BinaryResult r = RunVigy({"repl"}, "(define b 5) (car (list))\n(define c 6)\n(+ b c)\n");
  CHECK(r.exit_code == 1);
  CHECK(r.out.ends_with("11\n"));
}

TEST_CASE("the repl keeps the kv of the vigy intrinsics for the session") {
  BinaryResult r = RunVigy({"repl"}, "(vigy-set \"k\" 3)\n(vigy-incr \"k\")\n");
  CHECK(r.out == "3\n4\n");
}

TEST_CASE("an unfinished form at the end of input is reported") {
  BinaryResult r = RunVigy({"repl"}, "(+ 1 2)\n(+ 1\n");
  CHECK(r.exit_code == 1);
  CHECK(r.out == "3\n");
  CHECK(r.err.starts_with("<repl>:1:1: unclosed '(' opened at 1:1"));
}

TEST_CASE("the repl exits 0 on empty input") {
  BinaryResult r = RunVigy({"repl"}, "");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "");
}

}  // namespace
}  // namespace vigy::testing
