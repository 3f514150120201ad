// Each limit fails the evaluation with its own message, cannot be caught by
// try, and never crashes or hangs the process.
#include <doctest/doctest.h>

#include "tests/lisp/eval_helpers.h"

namespace vigy::lisp {
namespace {

using testing::Eval;

TEST_CASE("the step budget stops an endless loop") {
  Limits limits;
  limits.max_steps = 100'000;
  CHECK(Eval("(define (spin) (spin))\n(spin)", limits) ==
        "limit: <test>:1:16: step limit exceeded (100000 steps)");
  CHECK(Eval("(while #t 1)", limits) == "limit: <test>:1:1: step limit exceeded (100000 steps)");
}

TEST_CASE("the call-depth limit stops deep non-tail recursion cleanly") {
  CHECK(Eval("(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))\n(deep 1000000)") ==
        "limit: <test>:1:37: call depth limit exceeded (10000 frames)");
  Limits limits;
  limits.max_depth = 100;
  CHECK(Eval("(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1))))) (deep 99)", limits) == "99");
  CHECK(Eval("(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1))))) (deep 101)", limits) ==
        "limit: <test>:1:37: call depth limit exceeded (100 frames)");
}

TEST_CASE("a call with more arguments than the stack holds fails at the call, saying so") {
  Limits limits;
  limits.max_depth = 100;  // the smallest value stack: 65,536 values
  std::string wide = "(list";
  for (int i = 0; i < 70'000; ++i) wide += " 0";
  wide += ")";
  CHECK(Eval("\n  " + wide, limits) ==
        "limit: <test>:2:3: stack limit exceeded (65536 values): too many arguments in one call, "
        "or calls nested too deep");
  CHECK(Eval("(define (f &rest xs) (length xs))\n" + wide.replace(1, 4, "f"), limits)
            .starts_with("limit: <test>:2:1: stack limit exceeded"));
}

TEST_CASE("a huge depth limit still ends in a clean error, not a segfault") {
  Limits limits;
  limits.max_depth = 100'000'000;
  std::string result =
      Eval("(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1))))) (deep 100000000)", limits);
  CHECK(result.rfind("limit: <test>:1:37: call depth limit exceeded", 0) == 0);
}

TEST_CASE("functions composed 300,000 deep hit the depth limit, not the native stack") {
  // No closure frame sits between the nested comp calls for max_depth to count.
  Limits limits;
  limits.max_steps = 100'000'000;
  CHECK(Eval("(define f identity)\n"
             "(dotimes (i 300000) (set! f (comp f identity)))\n"
             "(f 1)",
             limits)
            .rfind("limit: <test>:3:1: call depth limit exceeded", 0) == 0);
  CHECK(Eval("(define f identity)\n"
             "(dotimes (i 300000) (set! f (comp identity f)))\n"
             "(try (f 1) (catch (e) 'caught))",
             limits)
            .find("call depth limit exceeded") != std::string::npos);
}

TEST_CASE("equal? on maps nested 300,000 deep answers without overflowing the stack") {
  Limits limits;
  limits.max_steps = 100'000'000;
  const std::string nest =
      "(define (nest n leaf) (let ((x leaf)) (dotimes (i n) (set! x (hash-map \"k\" (list x)))) "
      "x))\n";
  CHECK(Eval(nest + "(equal? (nest 300000 1) (nest 300000 1))", limits) == "#t");
  CHECK(Eval(nest + "(equal? (nest 300000 1) (nest 300000 2))", limits) == "#f");
  CHECK(Eval(nest + "(member? (nest 300000 1) (list 0 (nest 300000 1)))", limits) == "#t");
  CHECK(Eval("(define (caught tag) (try (throw (error tag \"m\")) (catch (e) e)))\n"
             "(list (equal? (caught :a) (caught :a)) (equal? (caught :a) (caught :b)))") ==
        "(#t #f)");
}

TEST_CASE("the memory cap stops unbounded allocation") {
  Limits limits;
  limits.max_memory = 8 * 1024 * 1024;
  CHECK(Eval("(define (grow xs) (grow (cons 1 xs))) (grow '())", limits)
            .rfind("limit: <test>:1:25: memory limit exceeded (8 MiB)", 0) == 0);
}

TEST_CASE("the wall-clock timeout stops a long evaluation") {
  Limits limits;
  limits.timeout = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  std::string result = Eval("(define (spin) (spin)) (spin)", limits);
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(result == "limit: <test>:1:16: timeout: evaluation ran longer than 200 ms");
  CHECK(elapsed < std::chrono::seconds(5));
}

TEST_CASE("try cannot catch an exceeded limit") {
  Limits limits;
  limits.max_steps = 10'000;
  CHECK(Eval("(try (while #t 1) (catch (e) 'caught))", limits) ==
        "limit: <test>:1:6: step limit exceeded (10000 steps)");
  limits = Limits{};
  limits.max_depth = 50;
  CHECK(Eval("(define (deep n) (+ 1 (deep n))) (try (deep 1) (catch (e) 'caught))", limits) ==
        "limit: <test>:1:23: call depth limit exceeded (50 frames)");
}

TEST_CASE("a machine runs again normally after a limit was hit") {
  Limits limits;
  limits.max_steps = 1000;
  CompileResult spin = Compile(StandardLibrary(), "(while #t 1)", "p");
  CompileResult ok = Compile(StandardLibrary(), "(+ 1 2)", "p");
  REQUIRE(spin.ok());
  REQUIRE(ok.ok());
  Machine m(limits);
  CHECK_THROWS_AS(m.Run(*spin.program), LimitHit);
  CHECK(Repr(m.Run(*ok.program)) == "3");
}

}  // namespace
}  // namespace vigy::lisp
