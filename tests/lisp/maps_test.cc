#include <doctest/doctest.h>

#include "tests/lisp/eval_helpers.h"

using vigy::lisp::testing::Eval;

TEST_CASE("hash-map builds a map from key-value pairs") {
  CHECK(Eval("(hash-map)") == "{}");
  CHECK(Eval("(hash-map \"a\" 1)") == "{\"a\" 1}");
  CHECK(Eval("(count (hash-map :a 1 :b 2 \"c\" 3 4 5 nil 6 #t 7 'sym 8 1.5 9))") == "8");
  CHECK(Eval("(get (hash-map :a 1 :a 2) :a)") == "2");
  CHECK(Eval("(equal? (hash-map :a 1 :b 2) (hash-map :b 2 :a 1))") == "#t");
}

TEST_CASE("hash-map with an odd number of arguments is an error") {
  CHECK(Eval("(hash-map :a)") ==
        "error: <test>:1:1: arity: 'hash-map' takes an even number of arguments, got 1");
  CHECK(Eval("(hash-map :a 1 :b)") ==
        "error: <test>:1:1: arity: 'hash-map' takes an even number of arguments, got 3");
}

TEST_CASE("lists, maps and functions are not valid keys") {
  CHECK(Eval("(hash-map '(1) 2)") ==
        "error: <test>:1:1: type mismatch in 'hash-map': expected map key, got list");
  CHECK(Eval("(assoc (hash-map) (hash-map) 1)") ==
        "error: <test>:1:1: type mismatch in 'assoc': expected map key, got map");
  CHECK(Eval("(get (hash-map) car)") ==
        "error: <test>:1:1: type mismatch in 'get': expected map key, got function");
  CHECK(Eval("(contains? (hash-map) '())") ==
        "error: <test>:1:1: type mismatch in 'contains?': expected map key, got list");
}

TEST_CASE("keys of different types are different keys") {
  CHECK(Eval("(count (hash-map 1 :int 1.0 :float \"1\" :string '|1| :symbol))") == "4");
  CHECK(Eval("(get (hash-map 1 :int 1.0 :float) 1.0)") == ":float");
  CHECK(Eval("(get (hash-map \"a\" 1) 'a)") == "nil");
  CHECK(Eval("(get (hash-map :a 1) \"a\")") == "nil");
}

TEST_CASE("get looks up a key with an optional default") {
  CHECK(Eval("(get (hash-map \"a\" 1) \"a\")") == "1");
  CHECK(Eval("(get (hash-map \"a\" 1) \"b\")") == "nil");
  CHECK(Eval("(get (hash-map \"a\" 1) \"b\" 0)") == "0");
  CHECK(Eval("(get (hash-map \"a\" nil) \"a\" 0)") == "nil");
  CHECK(Eval("(get (hash-map nil 5) nil)") == "5");
}

TEST_CASE("get on nil returns the default") {
  CHECK(Eval("(get nil :a)") == "nil");
  CHECK(Eval("(get nil :a 7)") == "7");
}

TEST_CASE("get on a list takes an integer index") {
  CHECK(Eval("(get '(a b c) 1)") == "b");
  CHECK(Eval("(get '(a b c) 3)") == "nil");
  CHECK(Eval("(get '(a b c) -1 :none)") == ":none");
  CHECK(Eval("(get '() 0 :none)") == ":none");
  CHECK(Eval("(get '(a) \"x\")") ==
        "error: <test>:1:1: type mismatch in 'get': expected integer index, got string");
}

TEST_CASE("get on anything else is a type mismatch") {
  CHECK(Eval("(get 5 1)") ==
        "error: <test>:1:1: type mismatch in 'get': expected map or list, got integer");
  CHECK(Eval("(get \"abc\" 0)") ==
        "error: <test>:1:1: type mismatch in 'get': expected map or list, got string");
}

TEST_CASE("assoc adds or replaces pairs and leaves the old map unchanged") {
  CHECK(Eval("(assoc (hash-map) :a 1)") == "{:a 1}");
  CHECK(Eval("(assoc (hash-map :a 1) :a 2)") == "{:a 2}");
  CHECK(Eval("(get (assoc (hash-map) :a 1 :b 2 :a 3) :a)") == "3");
  CHECK(Eval("(count (assoc (hash-map) :a 1 :b 2))") == "2");
  CHECK(Eval("(define m (hash-map :a 1)) (define n (assoc m :a 2 :b 3)) (list m (count n))") ==
        "({:a 1} 2)");
}

TEST_CASE("assoc on nil starts a new map") { CHECK(Eval("(assoc nil :a 1)") == "{:a 1}"); }

TEST_CASE("assoc needs a map and whole pairs") {
  CHECK(Eval("(assoc (hash-map) :a 1 :b)") ==
        "error: <test>:1:1: arity: 'assoc' takes a map and key-value pairs, got 4");
  CHECK(Eval("(assoc '(1) 0 1)") ==
        "error: <test>:1:1: type mismatch in 'assoc': expected map, got list");
  CHECK(Eval("(assoc (hash-map) :a)") ==
        "error: <test>:1:1: arity: 'assoc' takes at least 3 arguments, got 2");
}

TEST_CASE("dissoc removes keys and leaves the old map unchanged") {
  CHECK(Eval("(dissoc (hash-map :a 1 :b 2) :a)") == "{:b 2}");
  CHECK(Eval("(dissoc (hash-map :a 1 :b 2) :a :b :c)") == "{}");
  CHECK(Eval("(dissoc (hash-map :a 1))") == "{:a 1}");
  CHECK(Eval("(dissoc nil :a)") == "{}");
  CHECK(Eval("(define m (hash-map :a 1 :b 2)) (dissoc m :a) (count m)") == "2");
  CHECK(Eval("(dissoc 5 :a)") ==
        "error: <test>:1:1: type mismatch in 'dissoc': expected map, got integer");
}

TEST_CASE("keys and vals list a map's entries in the same order") {
  CHECK(Eval("(sort (keys (hash-map :c 1 :a 2 :b 3)))") == "(:a :b :c)");
  CHECK(Eval("(sort (vals (hash-map :c 1 :a 2 :b 3)))") == "(1 2 3)");
  CHECK(Eval("(define m (hash-map :c 1 :a 2 :b 3))"
             "(equal? (map (lambda (k) (get m k)) (keys m)) (vals m))") == "#t");
  CHECK(Eval("(keys (hash-map))") == "()");
  CHECK(Eval("(vals nil)") == "()");
  CHECK(Eval("(keys '(1))") ==
        "error: <test>:1:1: type mismatch in 'keys': expected map, got list");
}

TEST_CASE("iteration order does not depend on insertion order") {
  CHECK(Eval("(define a (foldl (lambda (m i) (assoc m i i)) (hash-map) (range 500)))"
             "(define b (foldl (lambda (m i) (assoc m i i)) (hash-map) (reverse (range 500))))"
             "(equal? (keys a) (keys b))") == "#t");
}

TEST_CASE("contains? tells a missing key from one bound to nil") {
  CHECK(Eval("(contains? (hash-map :a nil) :a)") == "#t");
  CHECK(Eval("(contains? (hash-map :a nil) :b)") == "#f");
  CHECK(Eval("(contains? nil :a)") == "#f");
  CHECK(Eval("(contains? '(1) 0)") ==
        "error: <test>:1:1: type mismatch in 'contains?': expected map, got list");
}

TEST_CASE("merge combines maps with later ones winning and nil allowed") {
  CHECK(Eval("(merge)") == "{}");
  CHECK(Eval("(merge nil)") == "{}");
  CHECK(Eval("(merge (hash-map :a 1))") == "{:a 1}");
  CHECK(Eval("(get (merge (hash-map :a 1 :b 1) nil (hash-map :b 2)) :b)") == "2");
  CHECK(Eval("(count (merge (hash-map :a 1 :b 1) nil (hash-map :b 2 :c 3)))") == "3");
  CHECK(Eval("(define big (foldl (lambda (m i) (assoc m i 0)) (hash-map) (range 1000)))"
             "(define other (foldl (lambda (m i) (assoc m i 1)) (hash-map) (range 500 1500)))"
             "(define merged (merge big other))"
             "(list (count merged) (get merged 0) (get merged 499) (get merged 500)"
             "      (get merged 1499) (count big))") == "(1500 0 0 1 1 1000)");
  CHECK(Eval("(merge (hash-map) 5)") ==
        "error: <test>:1:1: type mismatch in 'merge': expected map, got integer");
}

TEST_CASE("update applies a function to the old value with extra arguments") {
  CHECK(Eval("(update (hash-map :a 1) :a + 10)") == "{:a 11}");
  CHECK(Eval("(update (hash-map :a 1) :a (lambda (x) (* x 2)))") == "{:a 2}");
  CHECK(Eval("(update (hash-map) :n (lambda (x) (if x (+ x 1) 0)))") == "{:n 0}");
  CHECK(Eval("(update nil :xs (lambda (old) (cons 1 old)))") == "{:xs (1)}");
  CHECK(Eval("(update (hash-map) :a 5)") ==
        "error: <test>:1:1: type mismatch in 'update': expected function, got integer");
}

TEST_CASE("get-in follows a path of keys and list indices") {
  CHECK(Eval("(get-in (hash-map :a (hash-map :b '(10 20))) '(:a :b 1))") == "20");
  CHECK(Eval("(get-in (hash-map :a 1) '())") == "{:a 1}");
  CHECK(Eval("(get-in (hash-map) '(:a :b))") == "nil");
  CHECK(Eval("(get-in (hash-map) '(:a :b) :none)") == ":none");
  CHECK(Eval("(get-in nil '(:a) 0)") == "0");
  CHECK(Eval("(get-in (hash-map :a nil) '(:a :b) 0)") == "0");
  CHECK(Eval("(get-in (hash-map :a 5) '(:a :b))") ==
        "error: <test>:1:1: type mismatch in 'get-in': expected map or list, got integer");
  CHECK(Eval("(get-in (hash-map) 5)") ==
        "error: <test>:1:1: type mismatch in 'get-in': expected list, got integer");
}

TEST_CASE("assoc-in sets a value along a path, making maps as needed") {
  CHECK(Eval("(assoc-in nil '(:a :b :c) 1)") == "{:a {:b {:c 1}}}");
  CHECK(Eval("(assoc-in (hash-map :a (hash-map :x 0)) '(:a :b) 1)") ==
        Eval("(hash-map :a (hash-map :x 0 :b 1))"));
  CHECK(Eval("(assoc-in (hash-map) '(:a) 1)") == "{:a 1}");
  CHECK(Eval("(define m (hash-map :a (hash-map :b 1))) (assoc-in m '(:a :b) 2) m") ==
        "{:a {:b 1}}");
}

TEST_CASE("assoc-in through a value that is not a map is an error") {
  CHECK(Eval("(assoc-in (hash-map :a 5) '(:a :b) 1)") ==
        "error: <test>:1:1: type mismatch in 'assoc-in': expected map, got integer");
  CHECK(Eval("(assoc-in (hash-map) '() 1)") ==
        "error: <test>:1:1: 'assoc-in' needs at least one key");
  CHECK(Eval("(assoc-in (hash-map) '((1)) 1)") ==
        "error: <test>:1:1: type mismatch in 'assoc-in': expected map key, got list");
}

TEST_CASE("count counts list elements, map entries and string characters") {
  CHECK(Eval("(count '(1 2 3))") == "3");
  CHECK(Eval("(count '())") == "0");
  CHECK(Eval("(count nil)") == "0");
  CHECK(Eval("(count (hash-map 1 2 3 4))") == "2");
  CHECK(Eval("(count (hash-map))") == "0");
  CHECK(Eval("(count \"h\\u00e9llo\")") == "5");
  CHECK(Eval("(count \"\")") == "0");
  CHECK(Eval("(count 5)") ==
        "error: <test>:1:1: type mismatch in 'count': expected list, map or string, got integer");
}

TEST_CASE("the original dialect's hash-map names behave like the short ones") {
  CHECK(Eval("(hash-map-get (hash-map 1 2) 1)") == "2");
  CHECK(Eval("(hash-map-get (hash-map 1 2) 3 :none)") == ":none");
  CHECK(Eval("(hash-map-set nil 1 2)") == "{1 2}");
  CHECK(Eval("(hash-map-has? (hash-map 1 2) 1)") == "#t");
  CHECK(Eval("(hash-map-has? (hash-map 1 2) 2)") == "#f");
  CHECK(Eval("(hash-map-keys (hash-map 1 2))") == "(1)");
  CHECK(Eval("(hash-map-values (hash-map 1 2))") == "(2)");
  CHECK(Eval("(hash-map-remove (hash-map 1 2) 1)") == "{}");
  CHECK(Eval("(hash-map-merge (hash-map 1 2) (hash-map 1 3))") == "{1 3}");
  CHECK(Eval("(hash-map-count (hash-map 1 2))") == "1");
}

TEST_CASE("errors from the original names carry those names") {
  CHECK(Eval("(hash-map-get 5 1)") ==
        "error: <test>:1:1: type mismatch in 'hash-map-get': expected map or list, got integer");
  CHECK(Eval("(hash-map-set (hash-map) 1 2 3)") ==
        "error: <test>:1:1: arity: 'hash-map-set' takes a map and key-value pairs, got 4");
}

TEST_CASE("twenty thousand inserts and look-ups finish quickly") {
  CHECK(Eval("(define (fill m i n) (if (= i n) m (fill (assoc m (str \"k\" i) i) (+ i 1) n)))"
             "(define (sum m i n acc)"
             "  (if (= i n) acc (sum m (+ i 1) n (+ acc (get m (str \"k\" i))))))"
             "(define m (fill (hash-map) 0 20000))"
             "(list (count m) (sum m 0 20000 0))") == "(20000 199990000)");
}

TEST_CASE("removing every key one by one empties the map") {
  CHECK(Eval("(define m (foldl (lambda (m i) (assoc m i i)) (hash-map) (range 2000)))"
             "(define e (foldl (lambda (m i) (dissoc m i)) m (range 2000)))"
             "(list (count e) e (count m))") == "(0 {} 2000)");
}
