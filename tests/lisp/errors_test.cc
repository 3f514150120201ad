#include <doctest/doctest.h>

#include "tests/lisp/eval_helpers.h"

using vigy::lisp::testing::Eval;

TEST_CASE("error with only a message raises an error tagged :error") {
  CHECK(Eval("(error \"boom\")") == "error: <test>:1:1: boom");
  CHECK(Eval("(try (error \"boom\") (catch (e) (error-tag e)))") == ":error");
  CHECK(Eval("(try (error \"boom\") (catch (e) (error-message e)))") == "\"boom\"");
}

TEST_CASE("error with a keyword first raises an error with that tag") {
  CHECK(Eval("(error :not-found \"no such key\")") == "error: <test>:1:1: no such key");
  CHECK(Eval("(try (error :not-found \"no such key\") (catch (e) (error-tag e)))") == ":not-found");
  CHECK(Eval("(try (error :not-found \"no such key\") (catch (e) e))") ==
        "#<error :not-found \"no such key\">");
}

TEST_CASE("error appends extra arguments' display forms separated by spaces") {
  CHECK(Eval("(error :bad \"value was\" 5 \"and\" '(1 \"x\"))") ==
        "error: <test>:1:1: value was 5 and (1 x)");
  CHECK(Eval("(error \"count:\" 3)") == "error: <test>:1:1: count: 3");
  CHECK(Eval("(error :lonely)") == "error: <test>:1:1: :lonely");
}

TEST_CASE("throw raises any value, which catch binds as it is") {
  CHECK(Eval("(try (throw 42) (catch (e) (+ e 1)))") == "43");
  CHECK(Eval("(try (throw '(a b)) (catch (e) e))") == "(a b)");
  CHECK(Eval("(throw \"plain\")") == "error: <test>:1:1: uncaught throw: \"plain\"");
}

TEST_CASE("error-message gives an error's message or any other value's display form") {
  CHECK(Eval("(try (car 5) (catch (e) (error-message e)))") ==
        "\"type mismatch in 'car': expected list, got integer\"");
  CHECK(Eval("(try (throw \"text\") (catch (e) (error-message e)))") == "\"text\"");
  CHECK(Eval("(error-message 42)") == "\"42\"");
  CHECK(Eval("(error-message '(a \"b\"))") == "\"(a b)\"");
}

TEST_CASE("error-tag gives a runtime error's tag, and nil for non-errors") {
  CHECK(Eval("(try (+ 1 \"a\") (catch (e) (error-tag e)))") == ":type-error");
  CHECK(Eval("(try (throw 1) (catch (e) (error-tag e)))") == "nil");
  CHECK(Eval("(error-tag \"x\")") == "nil");
}

TEST_CASE("assert passes on a true value and fails with tag :assert otherwise") {
  CHECK(Eval("(assert (= 1 1))") == "nil");
  CHECK(Eval("(assert 0)") == "nil");
  CHECK(Eval("(assert (= 1 2))") == "error: <test>:1:1: assertion failed");
  CHECK(Eval("(assert nil \"x must be set\")") == "error: <test>:1:1: x must be set");
  CHECK(Eval("(try (assert #f) (catch (e) (error-tag e)))") == ":assert");
}

TEST_CASE("an error raised inside a function reports the failing call's position") {
  CHECK(Eval("(define (f x)\n  (error :bad \"bad input\" x))\n(f 7)") ==
        "error: <test>:2:3: bad input 7");
}
