#include <doctest/doctest.h>

#include "tests/lisp/eval_helpers.h"

using vigy::lisp::Limits;
using vigy::lisp::testing::Eval;

TEST_CASE("list builds a list from its arguments, with none, the empty list") {
  CHECK(Eval("(list 1 \"a\" :k)") == "(1 \"a\" :k)");
  CHECK(Eval("(list)") == "()");
  CHECK(Eval("(list nil (list))") == "(nil ())");
}

TEST_CASE("cons puts a value in front of a list or nil") {
  CHECK(Eval("(cons 1 '(2 3))") == "(1 2 3)");
  CHECK(Eval("(cons 1 '())") == "(1)");
  CHECK(Eval("(cons 1 nil)") == "(1)");
  CHECK(Eval("(cons '(1) '(2))") == "((1) 2)");
}

TEST_CASE("cons onto something that is not a list makes a two-element list, as the original does") {
  CHECK(Eval("(cons 1 2)") == "(1 2)");
  CHECK(Eval("(cons 1 \"s\")") == "(1 \"s\")");
  CHECK(Eval("(cons 1 nil)") == "(1)");
}

TEST_CASE("car and cdr take a list apart") {
  CHECK(Eval("(car '(1 2 3))") == "1");
  CHECK(Eval("(cdr '(1 2 3))") == "(2 3)");
  CHECK(Eval("(cdr '(1))") == "()");
}

TEST_CASE("car of an empty list is an error") {
  CHECK(Eval("(car '())") == "error: <test>:1:1: 'car' of an empty list");
  CHECK(Eval("(car nil)") == "error: <test>:1:1: 'car' of an empty list");
  CHECK(Eval("(try (car (list)) (catch (e) (error-tag e)))") == ":empty-list");
}

TEST_CASE("cdr of an empty list is an error") {
  CHECK(Eval("(cdr '())") == "error: <test>:1:1: 'cdr' of an empty list");
  CHECK(Eval("(try (cdr nil) (catch (e) (error-tag e)))") == ":empty-list");
}

TEST_CASE("car of a non-list is a type mismatch") {
  CHECK(Eval("(car 5)") == "error: <test>:1:1: type mismatch in 'car': expected list, got integer");
  CHECK(Eval("(cdr \"ab\")") ==
        "error: <test>:1:1: type mismatch in 'cdr': expected list, got string");
}

TEST_CASE("first, second and last return nil when the element is missing") {
  CHECK(Eval("(first '(1 2 3))") == "1");
  CHECK(Eval("(first '())") == "nil");
  CHECK(Eval("(first nil)") == "nil");
  CHECK(Eval("(second '(1 2 3))") == "2");
  CHECK(Eval("(second '(1))") == "nil");
  CHECK(Eval("(second '())") == "nil");
  CHECK(Eval("(last '(1 2 3))") == "3");
  CHECK(Eval("(last '(1))") == "1");
  CHECK(Eval("(last '())") == "nil");
  CHECK(Eval("(first 1)") ==
        "error: <test>:1:1: type mismatch in 'first': expected list, got integer");
}

TEST_CASE("rest of the empty list is the empty list") {
  CHECK(Eval("(rest '(1 2 3))") == "(2 3)");
  CHECK(Eval("(rest '(1))") == "()");
  CHECK(Eval("(rest '())") == "()");
  CHECK(Eval("(rest nil)") == "()");
}

TEST_CASE("nth indexes from zero with the list or the index first") {
  CHECK(Eval("(nth '(a b c) 0)") == "a");
  CHECK(Eval("(nth '(a b c) 2)") == "c");
  CHECK(Eval("(nth 1 '(a b c))") == "b");
}

TEST_CASE("nth out of range is nil, as in the original dialect") {
  CHECK(Eval("(nth '(a b c) 3)") == "nil");
  CHECK(Eval("(nth '(a b c) -1)") == "nil");
  CHECK(Eval("(nth '() 0)") == "nil");
  CHECK(Eval("(nth 5 '(1))") == "nil");
  CHECK(Eval("(nth '(a) \"0\")") ==
        "error: <test>:1:1: type mismatch in 'nth': expected integer index, got string");
}

TEST_CASE("take and drop split a list at a count, clamped to its length") {
  CHECK(Eval("(take 2 '(1 2 3))") == "(1 2)");
  CHECK(Eval("(take '(1 2 3) 2)") == "(1 2)");
  CHECK(Eval("(take 5 '(1 2 3))") == "(1 2 3)");
  CHECK(Eval("(take 0 '(1 2 3))") == "()");
  CHECK(Eval("(take -1 '(1 2 3))") == "()");
  CHECK(Eval("(take 2 nil)") == "()");
  CHECK(Eval("(drop 2 '(1 2 3))") == "(3)");
  CHECK(Eval("(drop '(1 2 3) 1)") == "(2 3)");
  CHECK(Eval("(drop 5 '(1 2 3))") == "()");
  CHECK(Eval("(drop -1 '(1 2 3))") == "(1 2 3)");
  CHECK(Eval("(take '(1) '(2))") ==
        "error: <test>:1:1: type mismatch in 'take': expected integer count, got list");
  CHECK(Eval("(drop 1 2)") ==
        "error: <test>:1:1: type mismatch in 'drop': expected list, got integer");
}

TEST_CASE("length counts a list's elements, nil has none") {
  CHECK(Eval("(length '(1 2 3))") == "3");
  CHECK(Eval("(length '())") == "0");
  CHECK(Eval("(length nil)") == "0");
  CHECK(Eval("(length \"abc\")") ==
        "error: <test>:1:1: type mismatch in 'length': expected list, got string");
}

TEST_CASE("append joins any number of lists and accepts nil") {
  CHECK(Eval("(append)") == "()");
  CHECK(Eval("(append '(1 2))") == "(1 2)");
  CHECK(Eval("(append '(1) '() nil '(2 3) '(4))") == "(1 2 3 4)");
  CHECK(Eval("(append '(1) '())") == "(1)");
  CHECK(Eval("(append nil nil)") == "()");
  CHECK(Eval("(append '(1) 2)") ==
        "error: <test>:1:1: type mismatch in 'append': expected list, got integer");
}

TEST_CASE("append leaves its arguments unchanged") {
  CHECK(Eval("(define a '(1 2)) (define b '(3)) (append a b) (list a b)") == "((1 2) (3))");
}

TEST_CASE("reverse reverses a list") {
  CHECK(Eval("(reverse '(1 2 3))") == "(3 2 1)");
  CHECK(Eval("(reverse '())") == "()");
  CHECK(Eval("(reverse nil)") == "()");
}

TEST_CASE("range counts up to an exclusive end, by a step") {
  CHECK(Eval("(range 5)") == "(0 1 2 3 4)");
  CHECK(Eval("(range 0)") == "()");
  CHECK(Eval("(range -3)") == "()");
  CHECK(Eval("(range 2 5)") == "(2 3 4)");
  CHECK(Eval("(range 5 2)") == "()");
  CHECK(Eval("(range 0 10 3)") == "(0 3 6 9)");
  CHECK(Eval("(range 5 0 -2)") == "(5 3 1)");
  CHECK(Eval("(range 0 5 -1)") == "()");
  CHECK(Eval("(range 0 1 0.25)") == "(0.0 0.25 0.5 0.75)");
  CHECK(Eval("(length (range 100000))") == "100000");
}

TEST_CASE("range near the ends of the integers does not overflow") {
  CHECK(Eval("(range 9223372036854775806 9223372036854775807)") == "(9223372036854775806)");
  CHECK(Eval("(range -9223372036854775807 9223372036854775807 9223372036854775807)") ==
        "(-9223372036854775807 0)");
}

TEST_CASE("range with a zero step is an error") {
  CHECK(Eval("(range 1 2 0)") == "error: <test>:1:1: 'range' step must not be zero");
  CHECK(Eval("(range 1 2 0.0)") == "error: <test>:1:1: 'range' step must not be zero");
  CHECK(Eval("(range \"5\")") ==
        "error: <test>:1:1: type mismatch in 'range': expected number, got string");
}

TEST_CASE("a huge range stops at the step budget instead of exhausting memory") {
  Limits limits;
  limits.max_steps = 1'000'000;
  CHECK(Eval("(range 1000000000000)", limits).rfind("limit: ", 0) == 0);
}

TEST_CASE("member? tests membership with equal?") {
  CHECK(Eval("(member? 2 '(1 2 3))") == "#t");
  CHECK(Eval("(member? 4 '(1 2 3))") == "#f");
  CHECK(Eval("(member? '(1) '((1) (2)))") == "#t");
  CHECK(Eval("(member? \"a\" '(\"a\"))") == "#t");
  CHECK(Eval("(member? 1 '(1.0))") == "#f");
  CHECK(Eval("(member? 1 nil)") == "#f");
  CHECK(Eval("(member? 1 2)") ==
        "error: <test>:1:1: type mismatch in 'member?': expected list, got integer");
}

TEST_CASE("position gives the index of the first equal element, or -1") {
  CHECK(Eval("(position 'c '(a b c c))") == "2");
  CHECK(Eval("(position 'z '(a b c))") == "-1");
  CHECK(Eval("(position 1 '())") == "-1");
}

TEST_CASE("flatten splices nested lists at any depth") {
  CHECK(Eval("(flatten '(1 (2 (3 ()) 4) ((5))))") == "(1 2 3 4 5)");
  CHECK(Eval("(flatten (list 1 nil 2))") == "(1 nil 2)");
  CHECK(Eval("(flatten '())") == "()");
  CHECK(Eval("(flatten 3)") ==
        "error: <test>:1:1: type mismatch in 'flatten': expected list, got integer");
}

TEST_CASE("flatten of very deep nesting needs no native recursion") {
  CHECK(Eval("(define (nest n acc) (if (= n 0) acc (nest (- n 1) (list acc))))"
             "(flatten (nest 100000 '(7)))") == "(7)");
}

TEST_CASE("distinct keeps the first of equal elements in order") {
  CHECK(Eval("(distinct '(1 2 1 3 2))") == "(1 2 3)");
  CHECK(Eval("(distinct '((1) (1) \"a\" \"a\" 1.0 1))") == "((1) \"a\" 1.0 1)");
  CHECK(Eval("(distinct '())") == "()");
  CHECK(Eval("(length (distinct (map (lambda (x) (modulo x 1000)) (range 100000))))") == "1000");
}

TEST_CASE("sort orders numbers, strings and lists with compare") {
  CHECK(Eval("(sort '(3 1 2))") == "(1 2 3)");
  CHECK(Eval("(sort '(2.5 1 3))") == "(1 2.5 3)");
  CHECK(Eval("(sort '(\"b\" \"a\" \"c\"))") == "(\"a\" \"b\" \"c\")");
  CHECK(Eval("(sort '((1 2) (1) (0 5)))") == "((0 5) (1) (1 2))");
  CHECK(Eval("(sort '())") == "()");
  CHECK(Eval("(sort nil)") == "()");
}

TEST_CASE("sort with a comparator uses it as less-than, or as compare") {
  CHECK(Eval("(sort '(3 1 2) >)") == "(3 2 1)");
  CHECK(Eval("(sort '(3 1 2) (lambda (a b) (< a b)))") == "(1 2 3)");
  CHECK(Eval("(sort '(3 1 2) (lambda (a b) (compare b a)))") == "(3 2 1)");
}

TEST_CASE("sort is stable") {
  CHECK(Eval("(sort '((1 a) (0 b) (1 c) (0 d)) (lambda (x y) (< (car x) (car y))))") ==
        "((0 b) (0 d) (1 a) (1 c))");
  CHECK(Eval("(sort-by car '((1 a) (0 b) (1 c) (0 d)))") == "((0 b) (0 d) (1 a) (1 c))");
}

TEST_CASE("sort survives a comparator that is not a consistent order") {
  CHECK(Eval("(length (sort (range 1000) (lambda (a b) (= 0 (modulo (+ a b) 3)))))") == "1000");
}

TEST_CASE("sort of values that do not compare is a type mismatch") {
  CHECK(Eval("(sort '(1 \"a\"))") ==
        "error: <test>:1:1: type mismatch in 'sort': expected string, got integer");
  CHECK(Eval("(sort '(1 2) 5)") ==
        "error: <test>:1:1: type mismatch in 'sort': expected function, got integer");
}

TEST_CASE("sort handles long lists") {
  CHECK(Eval("(take 3 (sort (map (lambda (x) (modulo (* x 7919) 100003)) (range 100000))))") ==
        "(0 1 2)");
}

TEST_CASE("sort-by with a two-argument function takes it as the original dialect's comparator") {
  CHECK(Eval("(sort-by - '(3 1 2))") == "(1 2 3)");
  CHECK(Eval("(sort-by (lambda (a b) (- b a)) '(3 1 2))") == "(3 2 1)");
  CHECK(Eval("(sort-by (lambda (a b) (> a b)) '(3 1 2))") == "(1 2 3)");
  CHECK(Eval("(sort-by (lambda (a b) (car a)) '((0 x) (0 y)))") == "((0 x) (0 y))");
  CHECK(Eval("(try (sort-by (lambda (a b) \"no\") '(2 1)) (catch (e) (error-tag e)))") ==
        ":type-mismatch");
}

TEST_CASE("sort-by with a one-argument function orders by a key computed once per element") {
  CHECK(Eval("(sort-by abs '(3 -1 2))") == "(-1 2 3)");
  CHECK(Eval("(sort-by string-length '(\"ccc\" \"a\" \"bb\"))") == "(\"a\" \"bb\" \"ccc\")");
  CHECK(Eval("(define calls 0)"
             "(sort-by (lambda (x) (set! calls (+ calls 1)) x) '(5 4 3 2 1))"
             "calls") == "5");
  CHECK(Eval("(sort-by 1 '(1))") ==
        "error: <test>:1:1: type mismatch in 'sort-by': expected function, got integer");
}

TEST_CASE("list builtins check their arity") {
  CHECK(Eval("(car)") == "error: <test>:1:1: arity: 'car' takes 1 argument, got 0");
  CHECK(Eval("(range)") == "error: <test>:1:1: arity: 'range' takes 1 to 3 arguments, got 0");
}
