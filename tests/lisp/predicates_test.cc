#include <doctest/doctest.h>

#include "tests/lisp/eval_helpers.h"

using vigy::lisp::testing::Eval;

TEST_CASE("null? accepts both nil and the empty list, nil? only nil") {
  CHECK(Eval("(null? nil)") == "#t");
  CHECK(Eval("(null? ())") == "#t");
  CHECK(Eval("(null? (list))") == "#t");
  CHECK(Eval("(null? '())") == "#t");
  CHECK(Eval("(null? '(1))") == "#f");
  CHECK(Eval("(null? #f)") == "#f");
  CHECK(Eval("(null? 0)") == "#f");
  CHECK(Eval("(nil? nil)") == "#t");
  CHECK(Eval("(nil? (list))") == "#f");
  CHECK(Eval("(nil? #f)") == "#f");
}

TEST_CASE("list? is true for lists including the empty one, but not for nil") {
  CHECK(Eval("(list? '(1 2))") == "#t");
  CHECK(Eval("(list? (list))") == "#t");
  CHECK(Eval("(list? nil)") == "#f");
  CHECK(Eval("(list? \"abc\")") == "#f");
}

TEST_CASE("each type predicate recognises its own type only") {
  CHECK(Eval("(map? (hash-map))") == "#t");
  CHECK(Eval("(map? '(1))") == "#f");
  CHECK(Eval("(string? \"\")") == "#t");
  CHECK(Eval("(string? 'a)") == "#f");
  CHECK(Eval("(symbol? 'a)") == "#t");
  CHECK(Eval("(symbol? :a)") == "#f");
  CHECK(Eval("(keyword? :a)") == "#t");
  CHECK(Eval("(keyword? 'a)") == "#f");
  CHECK(Eval("(integer? 1)") == "#t");
  CHECK(Eval("(integer? 1.0)") == "#f");
  CHECK(Eval("(float? 1.0)") == "#t");
  CHECK(Eval("(float? 1)") == "#f");
  CHECK(Eval("(number? 1)") == "#t");
  CHECK(Eval("(number? 1.5)") == "#t");
  CHECK(Eval("(number? \"1\")") == "#f");
  CHECK(Eval("(boolean? #f)") == "#t");
  CHECK(Eval("(boolean? true)") == "#t");
  CHECK(Eval("(boolean? nil)") == "#f");
  CHECK(Eval("(procedure? car)") == "#t");
  CHECK(Eval("(procedure? (lambda (x) x))") == "#t");
  CHECK(Eval("(procedure? 'car)") == "#f");
  CHECK(Eval("(error? (try (error \"x\") (catch (e) e)))") == "#t");
  CHECK(Eval("(error? \"x\")") == "#f");
}

TEST_CASE("type-of names every kind of value with the original dialect's keywords") {
  CHECK(Eval("(type-of nil)") == ":nil");
  CHECK(Eval("(type-of #t)") == ":bool");
  CHECK(Eval("(type-of 1)") == ":int");
  CHECK(Eval("(type-of 1.5)") == ":float");
  CHECK(Eval("(type-of \"s\")") == ":string");
  CHECK(Eval("(type-of 's)") == ":symbol");
  CHECK(Eval("(type-of :k)") == ":keyword");
  CHECK(Eval("(type-of '(1))") == ":list");
  CHECK(Eval("(type-of (list))") == ":list");
  CHECK(Eval("(type-of (hash-map))") == ":map");
  CHECK(Eval("(type-of +)") == ":procedure");
  CHECK(Eval("(type-of (lambda () 1))") == ":procedure");
  CHECK(Eval("(type-of (error \"x\"))") == ":error");
  CHECK(Eval("(type-of (delay 1))") == ":promise");
}

TEST_CASE("eq? compares atoms by value and lists by identity") {
  CHECK(Eval("(eq? 'a 'a)") == "#t");
  CHECK(Eval("(eq? 1 1)") == "#t");
  CHECK(Eval("(eq? \"a\" \"a\")") == "#t");
  CHECK(Eval("(eq? :k :k)") == "#t");
  CHECK(Eval("(eq? nil nil)") == "#t");
  CHECK(Eval("(eq? '(1) '(1))") == "#f");
  CHECK(Eval("(let ((x '(1))) (eq? x x))") == "#t");
}

TEST_CASE("equal? compares structure, and integers never equal floats") {
  CHECK(Eval("(equal? '(1 (2 \"x\")) '(1 (2 \"x\")))") == "#t");
  CHECK(Eval("(equal? '(1 2) '(1 3))") == "#f");
  CHECK(Eval("(equal? 1 1.0)") == "#f");
  CHECK(Eval("(equal? (hash-map :a 1) (hash-map :a 1))") == "#t");
  CHECK(Eval("(equal? 'a \"a\")") == "#f");
}

TEST_CASE("not is a function value as well as a special form") {
  CHECK(Eval("(not #f)") == "#t");
  CHECK(Eval("(not nil)") == "#t");
  CHECK(Eval("(not 0)") == "#f");
  CHECK(Eval("(map not (list #t #f nil 1))") == "(#f #t #t #f)");
  CHECK(Eval("(procedure? not)") == "#t");
}

TEST_CASE("empty? is true for nil, the empty list, the empty map and the empty string") {
  CHECK(Eval("(empty? nil)") == "#t");
  CHECK(Eval("(empty? (list))") == "#t");
  CHECK(Eval("(empty? ())") == "#t");
  CHECK(Eval("(empty? (hash-map))") == "#t");
  CHECK(Eval("(empty? \"\")") == "#t");
  CHECK(Eval("(empty? '(1))") == "#f");
  CHECK(Eval("(empty? (hash-map :a 1))") == "#f");
  CHECK(Eval("(empty? \"a\")") == "#f");
  CHECK(Eval("(empty? (dissoc (hash-map :a 1) :a))") == "#t");
  CHECK(Eval("(empty? 0)") ==
        "error: <test>:1:1: type mismatch in 'empty?': expected list, map or string, got integer");
}
