#include <doctest/doctest.h>

#include "tests/lisp/eval_helpers.h"

using vigy::lisp::testing::Eval;

TEST_CASE("error returns an error value and raises nothing, as in the original dialect") {
  CHECK(Eval("(error \"boom\")") == "#<error :error \"boom\">");
  CHECK(Eval("(begin (error :x \"ignored\") :after)") == ":after");
  CHECK(Eval("(error-tag (error :not-found \"no such key\"))") == ":not-found");
  CHECK(Eval("(error-message (error :not-found \"no such key\"))") == "\"no such key\"");
}

TEST_CASE("throw raises an error value, which an uncaught throw reports by its message") {
  CHECK(Eval("(throw (error \"boom\"))") == "error: <test>:1:1: boom");
  CHECK(Eval("(try (throw (error \"boom\")) (catch (e) (error-tag e)))") == ":error");
  CHECK(Eval("(throw (error :not-found \"no such key\"))") == "error: <test>:1:1: no such key");
  CHECK(Eval("(try (throw (error :not-found \"no such key\")) (catch (e) e))") ==
        "#<error :not-found \"no such key\">");
}

TEST_CASE("error carries a data property list that error-data and error-data-get read") {
  CHECK(Eval("(error :bad \"m\" '(:code 7))") == "#<error :bad \"m\" {:code 7}>");
  CHECK(Eval("(error-data-get (error :bad \"m\" '(:code 7)) :code)") == "7");
  CHECK(Eval("(error-data (ex-info \"m\"))") == "()");
  CHECK(Eval("(try (error-data 5) (catch (e) (error-tag e)))") == ":type-mismatch");
  CHECK(Eval("(try (error :bad \"m\" '(:odd)) (catch (e) (error-tag e)))") == ":native-fn");
}

TEST_CASE("error joins extra arguments' display forms into the message") {
  CHECK(Eval("(error-message (error :bad \"value was\" 5 \"and\" '(1 \"x\")))") ==
        "\"value was 5 and (1 x)\"");
  // Two arguments are a tag and a message, as in the original dialect.
  CHECK(Eval("(error-message (error \"count:\" 3))") == "\"3\"");
  CHECK(Eval("(error-tag (error \"count\" \"three\"))") == ":count");
  CHECK(Eval("(error :lonely)") == "#<error :lonely \":lonely\">");
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
  CHECK(Eval("(try (+ 1 \"a\") (catch (e) (error-tag e)))") == ":type-mismatch");
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

TEST_CASE("an error thrown inside a function reports the throwing call's position") {
  CHECK(Eval("(define (f x)\n  (throw (error :bad \"bad input\" x)))\n(f 7)") ==
        "error: <test>:2:3: bad input 7");
}
