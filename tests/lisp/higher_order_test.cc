#include <doctest/doctest.h>

#include "tests/lisp/eval_helpers.h"

using vigy::lisp::testing::Eval;

TEST_CASE("map applies a function to each element") {
  CHECK(Eval("(map (lambda (x) (* x x)) '(1 2 3))") == "(1 4 9)");
  CHECK(Eval("(map car '((1 2) (3 4)))") == "(1 3)");
  CHECK(Eval("(map (lambda (x) x) '())") == "()");
  CHECK(Eval("(map (lambda (x) x) nil)") == "()");
}

TEST_CASE("map over several lists stops at the shortest") {
  CHECK(Eval("(map + '(1 2 3) '(10 20))") == "(11 22)");
  CHECK(Eval("(map list '(1 2) '(a b) '(\"x\" \"y\" \"z\"))") == "((1 a \"x\") (2 b \"y\"))");
  CHECK(Eval("(map + '(1 2) '())") == "()");
}

TEST_CASE("map needs a function and lists") {
  CHECK(Eval("(map 1 '(1))") ==
        "error: <test>:1:1: type mismatch in 'map': expected function, got integer");
  CHECK(Eval("(map car 5)") ==
        "error: <test>:1:1: type mismatch in 'map': expected list, got integer");
  CHECK(Eval("(map + '(1) 5)") ==
        "error: <test>:1:1: type mismatch in 'map': expected list, got integer");
  CHECK(Eval("(map car)") == "error: <test>:1:1: arity: 'map' takes at least 2 arguments, got 1");
}

TEST_CASE("an error inside the mapped function propagates") {
  CHECK(Eval("(map car '((1) ()))") == "error: <test>:1:1: 'car' of an empty list");
  CHECK(Eval("(try (map (lambda (x) (throw x)) '(7)) (catch (e) (list 'caught e)))") ==
        "(caught 7)");
}

TEST_CASE("filter keeps and remove drops the elements a predicate accepts") {
  CHECK(Eval("(filter (lambda (x) (> x 1)) '(1 2 3))") == "(2 3)");
  CHECK(Eval("(filter number? '(1 a \"b\" 2.5))") == "(1 2.5)");
  CHECK(Eval("(filter (lambda (x) 0) '(1 2))") == "(1 2)");
  CHECK(Eval("(remove (lambda (x) (> x 1)) '(1 2 3))") == "(1)");
  CHECK(Eval("(remove (lambda (x) nil) '(1 2))") == "(1 2)");
  CHECK(Eval("(filter number? nil)") == "()");
  CHECK(Eval("(filter '(1) '(1))") ==
        "error: <test>:1:1: type mismatch in 'filter': expected function, got list");
}

TEST_CASE("reduce folds from the first element or from an initial value") {
  CHECK(Eval("(reduce + '(1 2 3))") == "6");
  CHECK(Eval("(reduce + '(5))") == "5");
  CHECK(Eval("(reduce + 10 '(1 2 3))") == "16");
  CHECK(Eval("(reduce + 10 '())") == "10");
  CHECK(Eval("(reduce (lambda (acc x) (cons x acc)) '() '(1 2 3))") == "(3 2 1)");
}

TEST_CASE("reduce of an empty list without an initial value is an error") {
  CHECK(Eval("(reduce + '())") ==
        "error: <test>:1:1: 'reduce' of an empty list with no initial value");
  CHECK(Eval("(try (reduce + nil) (catch (e) (error-tag e)))") == ":empty-list");
}

TEST_CASE("foldl calls f with the accumulator first") {
  CHECK(Eval("(foldl (lambda (acc x) (cons x acc)) '() '(1 2 3))") == "(3 2 1)");
  CHECK(Eval("(foldl - 0 '(1 2 3))") == "-6");
  CHECK(Eval("(foldl + 0 '())") == "0");
}

TEST_CASE("foldr calls f with the element first, from the right") {
  CHECK(Eval("(foldr cons '() '(1 2 3))") == "(1 2 3)");
  CHECK(Eval("(foldr - 0 '(1 2 3))") == "2");
  CHECK(Eval("(foldr + 0 '())") == "0");
}

TEST_CASE("foldr over a long list needs no native recursion") {
  CHECK(Eval("(foldr + 0 (range 200000))") == "19999900000");
}

TEST_CASE("the folds need a function") {
  CHECK(Eval("(foldl 1 0 '(1))") ==
        "error: <test>:1:1: type mismatch in 'foldl': expected function, got integer");
  CHECK(Eval("(foldr + 0 5)") ==
        "error: <test>:1:1: type mismatch in 'foldr': expected list, got integer");
}

TEST_CASE("for-each runs for the effects and returns nil") {
  CHECK(Eval("(define total 0) (for-each (lambda (x) (set! total (+ total x))) '(1 2 3)) total") ==
        "6");
  CHECK(Eval("(for-each (lambda (x) x) '(1 2))") == "nil");
  CHECK(Eval("(define out '()) (for-each (lambda (a b) (set! out (cons (+ a b) out))) '(1 2) "
             "'(10 20 30)) out") == "(22 11)");
}

TEST_CASE("apply spreads a final list after any single arguments") {
  CHECK(Eval("(apply + '(1 2 3))") == "6");
  CHECK(Eval("(apply + 1 2 '(3 4))") == "10");
  CHECK(Eval("(apply + '())") == "0");
  CHECK(Eval("(apply list 1 nil)") == "(1)");
  CHECK(Eval("(apply (lambda (a b) (- a b)) '(10 3))") == "7");
  CHECK(Eval("(apply + (range 100))") == "4950");
}

TEST_CASE("apply needs a list last and passes the arity check on") {
  CHECK(Eval("(apply + 1 2)") ==
        "error: <test>:1:1: type mismatch in 'apply': expected list, got integer");
  CHECK(Eval("(apply 5 '(1))") ==
        "error: <test>:1:1: type mismatch in 'apply': expected function, got integer");
  CHECK(Eval("(apply car '(1 2))") == "error: <test>:1:1: arity: 'car' takes 1 argument, got 2");
}

TEST_CASE("some returns the first truthy result, not the element") {
  CHECK(Eval("(some (lambda (x) (and (> x 1) (* x 10))) '(1 2 3))") == "20");
  CHECK(Eval("(some (lambda (x) (> x 5)) '(1 2 3))") == "nil");
  CHECK(Eval("(some number? '())") == "nil");
}

TEST_CASE("every? is true when the predicate accepts every element") {
  CHECK(Eval("(every? number? '(1 2))") == "#t");
  CHECK(Eval("(every? number? '(1 a))") == "#f");
  CHECK(Eval("(every? number? '())") == "#t");
}

TEST_CASE("some and every? stop at the deciding element") {
  CHECK(Eval("(some (lambda (x) (if (= x 2) x (car '()))) '(2 boom))") == "2");
  CHECK(Eval("(every? (lambda (x) (if (= x 1) #f (car '()))) '(1 boom))") == "#f");
}

TEST_CASE("find returns the first accepted element or nil") {
  CHECK(Eval("(find string? '(1 \"a\" \"b\"))") == "\"a\"");
  CHECK(Eval("(find string? '(1 2))") == "nil");
}

TEST_CASE("count-if counts accepted elements") {
  CHECK(Eval("(count-if number? '(1 a 2))") == "2");
  CHECK(Eval("(count-if number? '())") == "0");
}

TEST_CASE("partition splits into matching and not matching, in order") {
  CHECK(Eval("(partition number? '(1 a 2 b))") == "((1 2) (a b))");
  CHECK(Eval("(partition number? '())") == "(() ())");
  CHECK(Eval("(partition number? '(a))") == "(() (a))");
}

TEST_CASE("group-by maps each key to its elements in order") {
  CHECK(Eval("(get (group-by (lambda (x) (modulo x 3)) '(1 2 3 4 5 6 7)) 1)") == "(1 4 7)");
  CHECK(Eval("(get (group-by (lambda (x) (modulo x 3)) '(1 2 3 4 5 6 7)) 0)") == "(3 6)");
  CHECK(Eval("(count (group-by string-length '(\"a\" \"bb\" \"c\")))") == "2");
  CHECK(Eval("(group-by identity '())") == "{}");
  CHECK(Eval("(group-by first '((:a 1) (:b 2) (:a 3)))") ==
        Eval("(hash-map :a '((:a 1) (:a 3)) :b '((:b 2)))"));
  CHECK(Eval("(count (group-by identity (range 20000)))") == "20000");
}

TEST_CASE("group-by keys must be valid map keys") {
  CHECK(Eval("(group-by list '(1))") ==
        "error: <test>:1:1: type mismatch in 'group-by': expected map key, got list");
}

TEST_CASE("identity returns its argument") {
  CHECK(Eval("(identity '(1 2))") == "(1 2)");
  CHECK(Eval("(filter identity (list 1 nil #f 2))") == "(1 2)");
}

TEST_CASE("comp composes right to left, the last function takes every argument") {
  CHECK(Eval("((comp - +) 1 2 3)") == "-6");
  CHECK(Eval("((comp (lambda (x) (* x 10)) car) '(4 5))") == "40");
  CHECK(Eval("((comp car cdr cdr) '(1 2 3))") == "3");
  CHECK(Eval("((comp) 5)") == "5");
  CHECK(Eval("((comp car) '(9))") == "9");
  CHECK(Eval("(map (comp - car) '((1) (2)))") == "(-1 -2)");
}

TEST_CASE("partial fixes leading arguments") {
  CHECK(Eval("((partial + 1 2) 3 4)") == "10");
  CHECK(Eval("((partial list 1) 2)") == "(1 2)");
  CHECK(Eval("((partial list))") == "()");
  CHECK(Eval("(map (partial * 2) '(1 2 3))") == "(2 4 6)");
  CHECK(Eval("((partial list 1 2 3 4 5 6 7 8) 9 10 11)") == "(1 2 3 4 5 6 7 8 9 10 11)");
}

TEST_CASE("functions from comp and partial nest and keep their own values") {
  CHECK(Eval("(define add1 (partial + 1)) (define add2 (partial + 2))"
             "((comp add1 add2 (partial * 10)) 1)") == "13");
  CHECK(Eval("(define f (partial list 'a)) (define g (partial list 'b)) (list (f 1) (g 2))") ==
        "((a 1) (b 2))");
  CHECK(Eval("(procedure? (comp car cdr))") == "#t");
}

TEST_CASE("comp and partial need functions, and report the inner function's arity") {
  CHECK(Eval("(comp car 1)") ==
        "error: <test>:1:1: type mismatch in 'comp': expected function, got integer");
  CHECK(Eval("(partial 1 2)") ==
        "error: <test>:1:1: type mismatch in 'partial': expected function, got integer");
  CHECK(Eval("((partial car '(1)) '(2))") ==
        "error: <test>:1:1: arity: 'car' takes 1 argument, got 2");
}

TEST_CASE("mapping a long list with a closure is not quadratic") {
  CHECK(Eval("(length (map (lambda (x) (+ x 1)) (range 200000)))") == "200000");
  CHECK(Eval("(foldl + 0 (filter (lambda (x) (= 0 (modulo x 2))) (range 200000)))") ==
        "9999900000");
}
