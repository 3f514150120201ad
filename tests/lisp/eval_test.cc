// Special forms, truthiness, closures, tail calls and compile-time checks.
#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <thread>
#include <vector>

#include "tests/lisp/eval_helpers.h"

namespace vigy::lisp {
namespace {

using testing::Eval;

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

TEST_CASE("only nil and #f are false") {
  CHECK(Eval("(if 0 'yes 'no)") == "yes");
  CHECK(Eval("(if \"\" 'yes 'no)") == "yes");
  CHECK(Eval("(if (list) 'yes 'no)") == "yes");
  CHECK(Eval("(if nil 'yes 'no)") == "no");
  CHECK(Eval("(if #f 'yes 'no)") == "no");
}

TEST_CASE("true, false and nil are bound") {
  CHECK(Eval("(list true false nil)") == "(#t #f nil)");
}

TEST_CASE("() evaluates to nil while '() and (list) are the empty list") {
  CHECK(Eval("()") == "nil");
  CHECK(Eval("'()") == "()");
  CHECK(Eval("(list)") == "()");
}

TEST_CASE("if without else gives nil") { CHECK(Eval("(if #f 1)") == "nil"); }

TEST_CASE("cond picks the first true clause and supports else") {
  CHECK(Eval("(cond (#f 1) ((= 1 1) 2 3) (else 4))") == "3");
  CHECK(Eval("(cond (#f 1) (else 4))") == "4");
  CHECK(Eval("(cond (#f 1))") == "nil");
  CHECK(Eval("(cond (5))") == "5");
}

TEST_CASE("when and unless run their bodies conditionally") {
  CHECK(Eval("(when (> 2 1) 'a 'b)") == "b");
  CHECK(Eval("(when #f 'a)") == "nil");
  CHECK(Eval("(unless #f 'a 'c)") == "c");
  CHECK(Eval("(unless 1 'a)") == "nil");
}

TEST_CASE("let binds in parallel, let* in sequence, letrec recursively") {
  CHECK(Eval("(define a 10) (let ((a 1) (b a)) b)") == "10");
  CHECK(Eval("(let* ((a 1) (b (+ a 1))) b)") == "2");
  CHECK(Eval("(letrec ((ev? (lambda (n) (if (= n 0) #t (od? (- n 1)))))"
             "         (od? (lambda (n) (if (= n 0) #f (ev? (- n 1))))))"
             "  (ev? 100))") == "#t");
}

TEST_CASE("named let loops") {
  CHECK(Eval("(let loop ((i 0) (acc '())) (if (= i 3) acc (loop (+ i 1) (cons i acc))))") ==
        "(2 1 0)");
}

TEST_CASE("lambda supports &rest parameters") {
  CHECK(Eval("((lambda (a &rest r) (list a r)) 1 2 3)") == "(1 (2 3))");
  CHECK(Eval("((lambda (a &rest r) r) 1)") == "()");
  CHECK(Eval("((lambda args args) 1 2)") == "(1 2)");
}

TEST_CASE("define forms a global and a function") {
  CHECK(Eval("(define x 2) (define (sq n) (* n n)) (sq x)") == "4");
}

TEST_CASE("internal defines are local and may refer to each other") {
  CHECK(Eval("(define (f) (define a 1) (define (g) (+ a (h))) (define (h) 10) (g)) (f)") == "11");
  CHECK(Eval("(define (f) (define a 1) a) (f) a") == "error: <test>:1:33: unbound symbol 'a'");
}

TEST_CASE("set! changes locals, captured variables and globals") {
  CHECK(Eval("(define x 1) (set! x 5) x") == "5");
  CHECK(Eval("(let ((n 0)) (set! n (+ n 1)) n)") == "1");
  CHECK(Eval("(define (counter) (let ((n 0)) (lambda () (set! n (+ n 1)) n)))"
             "(define c (counter)) (c) (c) (c)") == "3");
}

TEST_CASE("closures capture the values of their bindings") {
  CHECK(Eval("(define (adder n) (lambda (x) (+ x n))) ((adder 3) 4)") == "7");
  CHECK(Eval("(map (lambda (f) (f)) (let ((fs '())) (dotimes (i 3) (set! fs (cons (lambda () i) "
             "fs))) fs))") == "(2 1 0)");
}

TEST_CASE("a global function sees later changes to globals") {
  CHECK(Eval("(define x 5) (define (getx) x) (set! x 6) (getx)") == "6");
}

TEST_CASE("and and or return the deciding value") {
  CHECK(Eval("(and 1 2 3)") == "3");
  CHECK(Eval("(and 1 #f 3)") == "#f");
  CHECK(Eval("(and)") == "#t");
  CHECK(Eval("(or #f nil 7)") == "7");
  CHECK(Eval("(or #f nil)") == "nil");
  CHECK(Eval("(or)") == "#f");
}

TEST_CASE("not negates truthiness") {
  CHECK(Eval("(list (not nil) (not #f) (not 0) (not '()))") == "(#t #t #f #f)");
}

TEST_CASE("begin returns its last value") { CHECK(Eval("(begin 1 2 3)") == "3"); }

TEST_CASE("quasiquote builds lists with unquote and splicing") {
  CHECK(Eval("(define x 5) `(a ,x ,@(list 1 2) (b ,(+ x 1)))") == "(a 5 1 2 (b 6))");
  CHECK(Eval("`x") == "x");
  CHECK(Eval("`(1 ,@'() 2)") == "(1 2)");
}

TEST_CASE("while, dotimes and dolist loop") {
  CHECK(Eval("(let ((i 0) (s 0)) (while (< i 5) (set! s (+ s i)) (set! i (+ i 1))) s)") == "10");
  CHECK(Eval("(let ((s 0)) (dotimes (i 5) (set! s (+ s i))) s)") == "10");
  CHECK(Eval("(let ((s 0)) (dolist (x '(1 2 3)) (set! s (+ s x))) s)") == "6");
  CHECK(Eval("(dotimes (i \"x\") i)") ==
        "error: <test>:1:1: type mismatch in 'dotimes': expected integer count, got string");
}

TEST_CASE("case compares with equal? and supports single data and else") {
  CHECK(Eval("(case 2 ((1) 'a) ((2 3) 'b) (else 'c))") == "b");
  CHECK(Eval("(case \"x\" (\"x\" 'str) (else 'c))") == "str");
  CHECK(Eval("(case 9 ((1) 'a) (else 'c))") == "c");
  CHECK(Eval("(case 9 ((1) 'a))") == "nil");
}

TEST_CASE("threading macros put the value first or last") {
  CHECK(Eval("(-> 5 (- 1) (* 2))") == "8");
  CHECK(Eval("(->> 5 (- 1))") == "-4");
  CHECK(Eval("(-> '(3 1 2) sort first)") == "1");
}

TEST_CASE("when-let and if-let bind and test") {
  CHECK(Eval("(when-let (x 5) (+ x 1))") == "6");
  CHECK(Eval("(when-let ((x nil)) 1)") == "nil");
  CHECK(Eval("(if-let (x nil) 1 2)") == "2");
  CHECK(Eval("(if-let (x 3) x 2)") == "3");
}

TEST_CASE("defmacro defines a macro expanded at compile time") {
  CHECK(Eval("(defmacro unless2 (c &rest body) `(if ,c nil (begin ,@body))) (unless2 #f 1 2)") ==
        "2");
  CHECK(Eval("(defmacro swap! (a b) (let ((tmp (gensym))) `(let ((,tmp ,a)) (set! ,a ,b) (set! ,b "
             ",tmp))))"
             "(define x 1) (define y 2) (swap! x y) (list x y)") == "(2 1)");
}

TEST_CASE(
    "a macro body may call the program's functions defined above it, but not read its variables") {
  CHECK(Eval("(define (square x) (* x x)) (defmacro sq-const (n) (square n)) (sq-const 9)") ==
        "81");
  CHECK(Eval("(defmacro early (n) (later n))\n(define (later x) x)\n(early 1)") ==
        "error: <test>:1:22: unbound symbol 'later'");
  CHECK(Eval("(define base 10)\n(define (add-base x) (+ x base))\n(defmacro m (n) (add-base n))") ==
        "error: <test>:3:18: unbound symbol 'add-base'");
}

TEST_CASE("a macro that fails to expand is a compile error at its call") {
  CHECK(Eval("(defmacro bad () (car '()))\n(bad)") ==
        "error: <test>:2:1: error expanding macro: 'car' of an empty list");
}

TEST_CASE("a macro that expands forever is stopped") {
  CHECK(Eval("(defmacro forever (x) `(forever ,x)) (forever 1)") ==
        "error: <test>:1:38: macro expansion nested too deeply");
}

TEST_CASE("try catches runtime errors as error values") {
  CHECK(Eval("(try (car '()) (catch (e) (list (error? e) (error-message e))))") ==
        "(#t \"'car' of an empty list\")");
  CHECK(Eval("(try (throw (error :boom \"bad thing\")) (catch (e) (error-tag e)))") == ":boom");
}

TEST_CASE("try binds a thrown value as is") {
  CHECK(Eval("(try (throw 42) (catch (e) e))") == "42");
  CHECK(Eval("(try (throw (hash-map \"a\" 1)) (catch (e) (get e \"a\")))") == "1");
}

TEST_CASE("try returns the body's value when nothing is raised") {
  CHECK(Eval("(try 1 2 (catch (e) 'caught))") == "2");
}

TEST_CASE("try restores the stack so evaluation continues normally") {
  CHECK(Eval("(define (f n) (if (= n 0) (car '()) (+ 1 (f (- n 1)))))"
             "(define (g) (try (f 100) (catch (e) 0)))"
             "(+ (g) (g) (f 0 ))") == "error: <test>:1:27: 'car' of an empty list");
  CHECK(Eval("(define (f n) (if (= n 0) (car '()) (+ 1 (f (- n 1)))))"
             "(define (g) (try (f 100) (catch (e) 7)))"
             "(let ((s 0)) (dotimes (i 1000) (set! s (+ s (g)))) s)") == "7000");
}

TEST_CASE("an uncaught throw of a non-error value fails with its printed form") {
  CHECK(Eval("(throw \"oops\")") == "error: <test>:1:1: uncaught throw: \"oops\"");
}

TEST_CASE("tail calls run in constant space: a 10-million-step loop") {
  Limits limits;
  limits.timeout = std::chrono::minutes(5);  // sanitizer builds are slow; space is the point
  limits.max_depth = 100;
  CHECK(Eval("(define (loop i acc) (if (= i 0) acc (loop (- i 1) (+ acc i)))) (loop 10000000 0)",
             limits) == "50000005000000");
}

TEST_CASE("tail calls through cond, when, let, begin, and, or") {
  CHECK(Eval("(define (f n) (cond ((= n 0) 'done) (else (let ((m (- n 1))) (begin (f m))))))"
             "(f 1000000)") == "done");
  CHECK(Eval("(define (f n) (when (> n 0) (f (- n 1)))) (f 1000000)") == "nil");
  CHECK(Eval("(define (f n) (or (= n 0) (f (- n 1)))) (f 1000000)") == "#t");
  CHECK(Eval("(define (f n) (and (> n -1) (if (= n 0) 'ok (f (- n 1))))) (f 1000000)") == "ok");
}

TEST_CASE("mutual recursion in tail position runs in constant space") {
  CHECK(Eval("(define (ev? n) (if (= n 0) #t (od? (- n 1))))"
             "(define (od? n) (if (= n 0) #f (ev? (- n 1))))"
             "(ev? 1000001)") == "#f");
}

TEST_CASE("a tail call to a builtin returns its value") {
  CHECK(Eval("(define (f x) (list x x)) (f 1)") == "(1 1)");
}

TEST_CASE("an unbound symbol is a compile error suggesting the closest name") {
  CHECK(Eval("(define (f x) (lenght x))") ==
        "error: <test>:1:16: unbound symbol 'lenght' (did you mean 'length'?)");
  CHECK(Eval("(zzzzqqq 1)") == "error: <test>:1:2: unbound symbol 'zzzzqqq'");
}

TEST_CASE("wrong fixed arity of a builtin is a compile error") {
  CHECK(Eval("(car 1 2)") == "error: <test>:1:1: arity: 'car' takes 1 argument, got 2");
}

TEST_CASE("wrong arity of a global function is a compile error") {
  CHECK(Eval("(define (f a b) a)\n(f 1)") ==
        "error: <test>:2:1: arity: 'f' takes 2 arguments, got 1");
}

TEST_CASE("a call with the wrong arity through a variable fails at run time") {
  CHECK(Eval("(define g (list (lambda (a) a))) ((car g) 1 2)") ==
        "error: <test>:1:34: arity: function takes 1 argument, got 2");
}

TEST_CASE("calling a non-function is an error") {
  CHECK(Eval("(define x 1) (x 2)") ==
        "error: <test>:1:14: cannot call a value of type integer (not a function)");
}

TEST_CASE("a program may redefine a builtin name") {
  CHECK(Eval("(define (last xs) 'mine) (last '(1 2))") == "mine");
}

TEST_CASE("using a global before its definition ran is an error") {
  CHECK(Eval("(define (f) y) (f) (define y 1)") ==
        "error: <test>:1:13: unbound symbol 'y' (its definition has not run yet)");
}

TEST_CASE("set! of an undefined variable is a compile error") {
  CHECK(Eval("(set! nope 1)") ==
        "error: <test>:1:1: set! of undefined variable 'nope' (define it first)");
}

TEST_CASE("malformed special forms are compile errors") {
  CHECK(Eval("(if)") == "error: <test>:1:1: malformed 'if': expected (if test then [else])");
  CHECK(Eval("(lambda (1) 1)") ==
        "error: <test>:1:1: malformed 'lambda': parameter 1 is not a symbol");
  CHECK(Eval("(let ((1 2)) 1)") ==
        "error: <test>:1:7: malformed 'let' binding: expected (name expr)");
  CHECK(Eval("(try 1)") ==
        "error: <test>:1:1: malformed 'try': expected (try body… (catch (e) handler…))");
  CHECK(
      Eval("(define (f) (when #t (define z 1)))") ==
      "error: <test>:1:22: 'define' must be at the top level or directly in a body (use let here)");
}

TEST_CASE("every compile error of a program is reported in source order") {
  CompileResult r = Compile(StandardLibrary(), "(foo)\n(car)\n(bar 1)", "p.vigy");
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].Format() == "p.vigy:1:2: unbound symbol 'foo'");
  CHECK(r.errors[1].Format() == "p.vigy:2:1: arity: 'car' takes 1 argument, got 0");
  CHECK(r.errors[2].Format() == "p.vigy:3:2: unbound symbol 'bar' (did you mean 'car'?)");
}

TEST_CASE("a compiled program runs many times with fresh state") {
  CompileResult r = Compile(StandardLibrary(), "(define n 0) (set! n (+ n 1)) n", "p");
  REQUIRE(r.ok());
  Machine m;
  for (int i = 0; i < 3; ++i) CHECK(Repr(m.Run(*r.program)) == "1");
}

TEST_CASE("a million evaluations of one program keep memory flat") {
  CompileResult r = Compile(StandardLibrary(),
                            "(define xs (map (lambda (x) (* x x)) (range 50))) (length xs)", "p");
  REQUIRE(r.ok());
  Machine m;
  size_t first_used = 0;
  size_t resident_before = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    Value v = m.Run(*r.program);
    REQUIRE(v.i == 50);
    if (i == 0) first_used = m.arena().used();
    if (i == 1000) resident_before = ResidentBytes();
  }
  CHECK(m.arena().used() == first_used);
  CHECK(ResidentBytes() < resident_before + 4 * 1024 * 1024);
}

TEST_CASE("one compiled program runs on several threads at once") {
  CompileResult r = Compile(StandardLibrary(),
                            "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))"
                            "(define m (assoc (hash-map) \"k\" (fib 18)))"
                            "(str (get m \"k\") \"-\" (length (map (lambda (x) x) (range 100))))",
                            "p");
  REQUIRE(r.ok());
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Machine m;
      for (int i = 0; i < 200; ++i) results[t] = Repr(m.Run(*r.program));
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& result : results) CHECK(result == "\"2584-100\"");
}

TEST_CASE("a continuation program sees earlier definitions (the REPL)") {
  CompileResult first =
      Compile(StandardLibrary(), "(define (sq x) (* x x)) (define k 3)", "<repl>");
  REQUIRE(first.ok());
  Machine m;
  m.Run(*first.program);
  CompileResult second = CompileContinuation(first.program, "(sq k)", "<repl>");
  REQUIRE(second.ok());
  CHECK(Repr(m.Continue(*second.program)) == "9");
}

}  // namespace
}  // namespace vigy::lisp
