#include <doctest/doctest.h>

#include "tests/lisp/eval_helpers.h"

using vigy::lisp::testing::Eval;

TEST_CASE("+ and * take any number of arguments, with identities for none") {
  CHECK(Eval("(+)") == "0");
  CHECK(Eval("(*)") == "1");
  CHECK(Eval("(+ 5)") == "5");
  CHECK(Eval("(* 5)") == "5");
  CHECK(Eval("(+ 1 2)") == "3");
  CHECK(Eval("(+ 1 2 3 4)") == "10");
  CHECK(Eval("(* 2 3 4)") == "24");
}

TEST_CASE("mixing an integer with a float gives a float") {
  CHECK(Eval("(+ 1 2.5)") == "3.5");
  CHECK(Eval("(+ 1.5 1.5)") == "3.0");
  CHECK(Eval("(* 2 1.5)") == "3.0");
  CHECK(Eval("(- 3 0.5)") == "2.5");
  CHECK(Eval("(+ 1 2 3.0)") == "6.0");
}

TEST_CASE("- with one argument negates and with more subtracts left to right") {
  CHECK(Eval("(- 5)") == "-5");
  CHECK(Eval("(- 2.5)") == "-2.5");
  CHECK(Eval("(- 10 3)") == "7");
  CHECK(Eval("(- 10 3 2)") == "5");
}

TEST_CASE("integer overflow is an error, not a wrap-around") {
  CHECK(Eval("(+ 9223372036854775807 1)") == "error: <test>:1:1: integer overflow in '+'");
  CHECK(Eval("(+ 1 2 9223372036854775807)") == "error: <test>:1:1: integer overflow in '+'");
  CHECK(Eval("(- -9223372036854775807 2)") == "error: <test>:1:1: integer overflow in '-'");
  CHECK(Eval("(- (- -9223372036854775807 1))") == "error: <test>:1:1: integer overflow in '-'");
  CHECK(Eval("(* 4611686018427387904 2)") == "error: <test>:1:1: integer overflow in '*'");
  CHECK(Eval("(* 3037000500 3037000500)") == "error: <test>:1:1: integer overflow in '*'");
  CHECK(Eval("(+ 9223372036854775806 1)") == "9223372036854775807");
}

TEST_CASE("an integer overflow can be caught and carries the overflow tag") {
  CHECK(Eval("(try (+ 9223372036854775807 1) (catch (e) (error-tag e)))") == ":integer-overflow");
}

TEST_CASE("arithmetic on a non-number is a type mismatch naming the builtin") {
  CHECK(Eval("(+ 1 \"a\")") ==
        "error: <test>:1:1: type mismatch in '+': expected number, got string");
  CHECK(Eval("(+ \"a\")") ==
        "error: <test>:1:1: type mismatch in '+': expected number, got string");
  CHECK(Eval("(- nil)") == "error: <test>:1:1: type mismatch in '-': expected number, got nil");
  CHECK(Eval("(* 2 'x)") == "error: <test>:1:1: type mismatch in '*': expected number, got symbol");
  CHECK(Eval("(/ 1 '(1))") == "error: <test>:1:1: type mismatch in '/': expected number, got list");
  CHECK(Eval("(+ 1 2 #t)") ==
        "error: <test>:1:1: type mismatch in '+': expected number, got boolean");
}

TEST_CASE("/ on integers is an integer when exact and a float otherwise") {
  CHECK(Eval("(/ 6 3)") == "2");
  CHECK(Eval("(/ 7 2)") == "3.5");
  CHECK(Eval("(/ -6 3)") == "-2");
  CHECK(Eval("(/ 2)") == "0.5");
  CHECK(Eval("(/ 1)") == "1");
  CHECK(Eval("(/ 2.0)") == "0.5");
  CHECK(Eval("(/ 60 2 3)") == "10");
  CHECK(Eval("(/ 1 2 2.0)") == "0.25");
  CHECK(Eval("(/ 7.5 2.5)") == "3.0");
}

TEST_CASE("division by zero is an error for integers and floats alike") {
  CHECK(Eval("(/ 1 0)") == "error: <test>:1:1: division by zero in '/'");
  CHECK(Eval("(/ 0)") == "error: <test>:1:1: division by zero in '/'");
  CHECK(Eval("(/ 1.5 0)") == "error: <test>:1:1: division by zero in '/'");
  CHECK(Eval("(/ 1 0.0)") == "error: <test>:1:1: division by zero in '/'");
  CHECK(Eval("(try (/ 1 0) (catch (e) (error-tag e)))") == ":division-by-zero");
  CHECK(Eval("(/ (- -9223372036854775807 1) -1)") == "error: <test>:1:1: integer overflow in '/'");
}

TEST_CASE("quotient, remainder and modulo follow the divisor's and dividend's signs") {
  CHECK(Eval("(quotient 7 2)") == "3");
  CHECK(Eval("(quotient -7 2)") == "-3");
  CHECK(Eval("(remainder 7 2)") == "1");
  CHECK(Eval("(remainder -7 2)") == "-1");
  CHECK(Eval("(remainder 7 -2)") == "1");
  CHECK(Eval("(modulo 7 2)") == "1");
  CHECK(Eval("(modulo -7 2)") == "1");
  CHECK(Eval("(modulo 7 -2)") == "-1");
  CHECK(Eval("(modulo -7 -2)") == "-1");
  CHECK(Eval("(modulo 6 3)") == "0");
  CHECK(Eval("(modulo (- -9223372036854775807 1) -1)") == "0");
  CHECK(Eval("(remainder (- -9223372036854775807 1) -1)") == "0");
}

TEST_CASE("integer division rejects zero divisors, overflow and floats") {
  CHECK(Eval("(quotient 1 0)") == "error: <test>:1:1: division by zero in 'quotient'");
  CHECK(Eval("(remainder 1 0)") == "error: <test>:1:1: division by zero in 'remainder'");
  CHECK(Eval("(modulo 1 0)") == "error: <test>:1:1: division by zero in 'modulo'");
  CHECK(Eval("(quotient (- -9223372036854775807 1) -1)") ==
        "error: <test>:1:1: integer overflow in 'quotient'");
  CHECK(Eval("(quotient 7.0 2)") ==
        "error: <test>:1:1: type mismatch in 'quotient': expected integer, got float");
  CHECK(Eval("(modulo 7 \"2\")") ==
        "error: <test>:1:1: type mismatch in 'modulo': expected integer, got string");
}

TEST_CASE("abs, min and max keep the kind of number they return") {
  CHECK(Eval("(abs -5)") == "5");
  CHECK(Eval("(abs 5)") == "5");
  CHECK(Eval("(abs -2.5)") == "2.5");
  CHECK(Eval("(abs (- -9223372036854775807 1))") == "error: <test>:1:1: integer overflow in 'abs'");
  CHECK(Eval("(abs \"x\")") ==
        "error: <test>:1:1: type mismatch in 'abs': expected number, got string");
  CHECK(Eval("(min 3 1 2)") == "1");
  CHECK(Eval("(max 3 1 2)") == "3");
  CHECK(Eval("(max 1 2.5)") == "2.5");
  CHECK(Eval("(min 1 2.5)") == "1");
  CHECK(Eval("(min 7)") == "7");
  CHECK(Eval("(max 1 \"2\")") ==
        "error: <test>:1:1: type mismatch in 'max': expected number, got string");
}

TEST_CASE("expt stays an integer for integer powers and checks overflow") {
  CHECK(Eval("(expt 2 10)") == "1024");
  CHECK(Eval("(expt 2 0)") == "1");
  CHECK(Eval("(expt 0 0)") == "1");
  CHECK(Eval("(expt -3 3)") == "-27");
  CHECK(Eval("(expt 2 62)") == "4611686018427387904");
  CHECK(Eval("(expt -2 63)") == "-9223372036854775808");
  CHECK(Eval("(expt 2 63)") == "error: <test>:1:1: integer overflow in 'expt'");
  CHECK(Eval("(expt 10 100)") == "error: <test>:1:1: integer overflow in 'expt'");
  CHECK(Eval("(expt 1 9223372036854775807)") == "1");
  CHECK(Eval("(expt -1 9223372036854775807)") == "-1");
  CHECK(Eval("(expt 2 -1)") == "0.5");
  CHECK(Eval("(expt 2.0 3)") == "8.0");
  CHECK(Eval("(expt 4 0.5)") == "2.0");
  CHECK(Eval("(expt 0 -1)") == "error: <test>:1:1: division by zero in 'expt'");
  CHECK(Eval("(expt -8 0.5)") == "error: <test>:1:1: 'expt' is undefined for -8");
  CHECK(Eval("(expt \"2\" 2)") ==
        "error: <test>:1:1: type mismatch in 'expt': expected number, got string");
}

TEST_CASE("sqrt, exp and log return floats and reject values outside their domain") {
  CHECK(Eval("(sqrt 16)") == "4.0");
  CHECK(Eval("(sqrt 2.25)") == "1.5");
  CHECK(Eval("(sqrt -1)") == "error: <test>:1:1: 'sqrt' is undefined for -1");
  CHECK(Eval("(exp 0)") == "1.0");
  CHECK(Eval("(log 1)") == "0.0");
  CHECK(Eval("(log 8 2)") == "3.0");
  CHECK(Eval("(log 0)") == "error: <test>:1:1: 'log' is undefined for 0");
  CHECK(Eval("(log 8 1)") == "error: <test>:1:1: 'log' is undefined for 1");
  CHECK(Eval("(try (sqrt -1) (catch (e) (error-tag e)))") == ":domain");
  CHECK(Eval("(sqrt \"4\")") ==
        "error: <test>:1:1: type mismatch in 'sqrt': expected number, got string");
}

TEST_CASE("rounding a float gives an integer, rounding halves away from zero") {
  CHECK(Eval("(floor 2.7)") == "2");
  CHECK(Eval("(floor -2.5)") == "-3");
  CHECK(Eval("(ceiling 2.1)") == "3");
  CHECK(Eval("(ceiling -2.7)") == "-2");
  CHECK(Eval("(round 2.5)") == "3");
  CHECK(Eval("(round -2.5)") == "-3");
  CHECK(Eval("(round 2.4)") == "2");
  CHECK(Eval("(truncate -2.7)") == "-2");
  CHECK(Eval("(truncate 2.7)") == "2");
  CHECK(Eval("(floor 7)") == "7");
  CHECK(Eval("(round -7)") == "-7");
}

TEST_CASE("rounding a float that no integer can hold is an error") {
  CHECK(Eval("(floor 1e300)") == "error: <test>:1:1: 'floor' of 1e+300 does not fit in an integer");
  CHECK(Eval("(round (/ 1.0 1e-320))") ==
        "error: <test>:1:1: 'round' of +inf.0 does not fit in an integer");
  CHECK(Eval("(truncate 9223372036854775808.0)") ==
        "error: <test>:1:1: 'truncate' of 9.223372036854776e+18 does not fit in an integer");
  CHECK(Eval("(ceiling \"1\")") ==
        "error: <test>:1:1: type mismatch in 'ceiling': expected number, got string");
}

TEST_CASE("numeric comparisons chain over all their arguments") {
  CHECK(Eval("(< 1 2)") == "#t");
  CHECK(Eval("(< 2 1)") == "#f");
  CHECK(Eval("(< 1 2 3)") == "#t");
  CHECK(Eval("(< 1 3 2)") == "#f");
  CHECK(Eval("(<= 1 1 2)") == "#t");
  CHECK(Eval("(> 3 2 1)") == "#t");
  CHECK(Eval("(> 3 3)") == "#f");
  CHECK(Eval("(>= 3 3 1)") == "#t");
  CHECK(Eval("(>= 3 4)") == "#f");
  CHECK(Eval("(= 1 1)") == "#t");
  CHECK(Eval("(= 1 1 2)") == "#f");
  CHECK(Eval("(= 2 2 2)") == "#t");
}

TEST_CASE("integers and floats compare by exact value") {
  CHECK(Eval("(= 1 1.0)") == "#t");
  CHECK(Eval("(< 1 1.5)") == "#t");
  CHECK(Eval("(> 2.5 2)") == "#t");
  // 2^53 + 1 is not equal to the float 2^53, though casting would say so.
  CHECK(Eval("(= 9007199254740993 9007199254740992.0)") == "#f");
  CHECK(Eval("(> 9007199254740993 9007199254740992.0)") == "#t");
  CHECK(Eval("(< 9223372036854775807 9223372036854775808.0)") == "#t");
}

TEST_CASE("comparing a non-number is a type mismatch even after the answer is known") {
  CHECK(Eval("(< 1 \"2\")") ==
        "error: <test>:1:1: type mismatch in '<': expected number, got string");
  CHECK(Eval("(< 2 1 \"x\")") ==
        "error: <test>:1:1: type mismatch in '<': expected number, got string");
  CHECK(Eval("(= 'a 'a)") ==
        "error: <test>:1:1: type mismatch in '=': expected number, got symbol");
  CHECK(Eval("(>= nil 1)") == "error: <test>:1:1: type mismatch in '>=': expected number, got nil");
}

TEST_CASE("not= is true unless all its arguments are the same") {
  CHECK(Eval("(not= 1 2)") == "#t");
  CHECK(Eval("(not= 1 1)") == "#f");
  CHECK(Eval("(not= 1 1.0)") == "#f");
  CHECK(Eval("(not= \"a\" \"a\")") == "#f");
  CHECK(Eval("(not= \"a\" \"b\")") == "#t");
  CHECK(Eval("(not= '(1 2) '(1 2))") == "#f");
  CHECK(Eval("(not= 1 1 2)") == "#t");
  CHECK(Eval("(not= :a :a :a)") == "#f");
}

TEST_CASE("compare orders numbers, strings, symbols, booleans and lists") {
  CHECK(Eval("(compare 1 2)") == "-1");
  CHECK(Eval("(compare 2 2.0)") == "0");
  CHECK(Eval("(compare 3 2.5)") == "1");
  CHECK(Eval("(compare \"abc\" \"abd\")") == "-1");
  CHECK(Eval("(compare \"b\" \"abc\")") == "1");
  CHECK(Eval("(compare \"\" \"\")") == "0");
  CHECK(Eval("(compare 'a 'b)") == "-1");
  CHECK(Eval("(compare :b :a)") == "1");
  CHECK(Eval("(compare #f #t)") == "-1");
  CHECK(Eval("(compare '(1 2) '(1 3))") == "-1");
  CHECK(Eval("(compare '(1 2) '(1 2 0))") == "-1");
  CHECK(Eval("(compare '(1 2) '(1 2))") == "0");
  CHECK(Eval("(compare (list) '(1))") == "-1");
  CHECK(Eval("(compare nil nil)") == "0");
}

TEST_CASE("compare refuses values of different kinds") {
  CHECK(Eval("(compare 1 \"1\")") ==
        "error: <test>:1:1: type mismatch in 'compare': expected integer, got string");
  CHECK(Eval("(compare 'a :a)") ==
        "error: <test>:1:1: type mismatch in 'compare': expected symbol, got keyword");
  CHECK(Eval("(compare '(1 a) '(1 2))") ==
        "error: <test>:1:1: type mismatch in 'compare': expected symbol, got integer");
  CHECK(Eval("(compare (hash-map) (hash-map))") ==
        "error: <test>:1:1: type mismatch in 'compare': expected comparable value, got map");
}

TEST_CASE("compare refuses lists nested too deeply instead of overflowing the stack") {
  const char* program =
      "(define (nest n x) (if (= n 0) x (nest (- n 1) (list x))))\n"
      "(compare (nest 5000 1) (nest 5000 1))";
  CHECK(Eval(program) == "error: <test>:2:1: lists nested too deeply to compare in 'compare'");
  CHECK(Eval("(define (nest n x) (if (= n 0) x (nest (- n 1) (list x))))\n"
             "(compare (nest 500 1) (nest 500 2))") == "-1");
}
