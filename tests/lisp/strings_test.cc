#include <doctest/doctest.h>

#include "tests/lisp/eval_helpers.h"

using vigy::lisp::testing::Eval;

TEST_CASE("str concatenates display forms and is empty with no arguments") {
  CHECK(Eval("(str)") == "\"\"");
  CHECK(Eval("(str \"a\" \"b\")") == "\"ab\"");
  CHECK(Eval("(str \"n=\" 42 \" f=\" 1.5)") == "\"n=42 f=1.5\"");
  CHECK(Eval("(str 'sym :kw #t nil)") == "\"sym:kw#tnil\"");
  CHECK(Eval("(str '(1 \"two\" 3))") == "\"(1 two 3)\"");
  CHECK(Eval("(str \"only\")") == "\"only\"");
}

TEST_CASE("string-length counts characters, not bytes") {
  CHECK(Eval("(string-length \"\")") == "0");
  CHECK(Eval("(string-length \"abc\")") == "3");
  CHECK(Eval("(string-length \"h\\u00e9llo\")") == "5");
  CHECK(Eval("(string-length \"\\u65e5\\u672c\")") == "2");
  CHECK(Eval("(string-length 5)") ==
        "error: <test>:1:1: type mismatch in 'string-length': expected string, got integer");
}

TEST_CASE("substring takes character positions with an optional end") {
  CHECK(Eval("(substring \"hello\" 1 3)") == "\"el\"");
  CHECK(Eval("(substring \"hello\" 2)") == "\"llo\"");
  CHECK(Eval("(substring \"hello\" 0 0)") == "\"\"");
  CHECK(Eval("(substring \"hello\" 5)") == "\"\"");
  CHECK(Eval("(substring \"h\\u00e9llo\" 1 3)") == "\"\u00e9l\"");
  CHECK(Eval("(substring \"\\u65e5\\u672c\\u8a9e\" 1)") == "\"\u672c\u8a9e\"");
}

TEST_CASE("substring outside the string is an index error") {
  CHECK(Eval("(substring \"hello\" 6)") ==
        "error: <test>:1:1: index 6 out of range in 'substring' (length 5)");
  CHECK(Eval("(substring \"hello\" -1 2)") ==
        "error: <test>:1:1: index -1 out of range in 'substring' (length 5)");
  CHECK(Eval("(substring \"hello\" 1 9)") ==
        "error: <test>:1:1: index 9 out of range in 'substring' (length 5)");
  CHECK(Eval("(substring \"hello\" 3 2)") ==
        "error: <test>:1:1: start 3 is after end 2 in 'substring'");
  CHECK(Eval("(try (substring \"a\" 2) (catch (e) (error-tag e)))") == ":index");
  CHECK(Eval("(substring \"hello\" 1.0)") ==
        "error: <test>:1:1: type mismatch in 'substring': expected integer, got float");
}

TEST_CASE("string-append joins strings only") {
  CHECK(Eval("(string-append)") == "\"\"");
  CHECK(Eval("(string-append \"a\" \"b\" \"c\")") == "\"abc\"");
  CHECK(Eval("(string-append \"a\" 1)") ==
        "error: <test>:1:1: type mismatch in 'string-append': expected string, got integer");
}

TEST_CASE("string-split keeps empty pieces and splits into characters on an empty separator") {
  CHECK(Eval("(string-split \"a,b,c\" \",\")") == "(\"a\" \"b\" \"c\")");
  CHECK(Eval("(string-split \"a,,b,\" \",\")") == "(\"a\" \"\" \"b\" \"\")");
  CHECK(Eval("(string-split \"a--b\" \"--\")") == "(\"a\" \"b\")");
  CHECK(Eval("(string-split \"abc\" \";\")") == "(\"abc\")");
  CHECK(Eval("(string-split \"\" \",\")") == "(\"\")");
  CHECK(Eval("(string-split \"a\\u00e9b\" \"\")") == "(\"a\" \"\u00e9\" \"b\")");
  CHECK(Eval("(string-split \"\" \"\")") == "()");
  CHECK(Eval("(string-split \"a b\" 1)") ==
        "error: <test>:1:1: type mismatch in 'string-split': expected string separator, got "
        "integer");
}

TEST_CASE("string-join puts a separator between display forms") {
  CHECK(Eval("(string-join '(\"a\" \"b\" \"c\") \", \")") == "\"a, b, c\"");
  CHECK(Eval("(string-join '(\"a\" \"b\"))") == "\"ab\"");
  CHECK(Eval("(string-join '(1 x :k) \"-\")") == "\"1-x-:k\"");
  CHECK(Eval("(string-join (list) \",\")") == "\"\"");
  CHECK(Eval("(string-join nil \",\")") == "\"\"");
  CHECK(Eval("(string-join \"abc\" \",\")") ==
        "error: <test>:1:1: type mismatch in 'string-join': expected list, got string");
}

TEST_CASE("string searches: contains, starts-with and ends-with") {
  CHECK(Eval("(string-contains? \"hello\" \"ell\")") == "#t");
  CHECK(Eval("(string-contains? \"hello\" \"xyz\")") == "#f");
  CHECK(Eval("(string-contains? \"hello\" \"\")") == "#t");
  CHECK(Eval("(string-starts-with? \"hello\" \"he\")") == "#t");
  CHECK(Eval("(string-starts-with? \"hello\" \"lo\")") == "#f");
  CHECK(Eval("(string-ends-with? \"hello\" \"lo\")") == "#t");
  CHECK(Eval("(string-ends-with? \"lo\" \"hello\")") == "#f");
  CHECK(Eval("(string-contains? 'hello \"h\")") ==
        "error: <test>:1:1: type mismatch in 'string-contains?': expected string, got symbol");
}

TEST_CASE("string-trim removes surrounding whitespace only") {
  CHECK(Eval("(string-trim \"  a b \\n\\t\")") == "\"a b\"");
  CHECK(Eval("(string-trim \"ab\")") == "\"ab\"");
  CHECK(Eval("(string-trim \"   \")") == "\"\"");
}

TEST_CASE("string-upcase and string-downcase map ASCII letters") {
  CHECK(Eval("(string-upcase \"Hello, World 1\")") == "\"HELLO, WORLD 1\"");
  CHECK(Eval("(string-downcase \"Hello, World 1\")") == "\"hello, world 1\"");
  CHECK(Eval("(string-upcase \"\\u00e9a\")") == "\"\u00e9A\"");
  CHECK(Eval("(string-upcase nil)") ==
        "error: <test>:1:1: type mismatch in 'string-upcase': expected string, got nil");
}

TEST_CASE("string-replace replaces every occurrence without rescanning") {
  CHECK(Eval("(string-replace \"a-b-c\" \"-\" \"+\")") == "\"a+b+c\"");
  CHECK(Eval("(string-replace \"aaa\" \"a\" \"aa\")") == "\"aaaaaa\"");
  CHECK(Eval("(string-replace \"abc\" \"x\" \"y\")") == "\"abc\"");
  CHECK(Eval("(string-replace \"abc\" \"\" \"y\")") == "\"abc\"");
  CHECK(Eval("(string-replace \"abcabc\" \"bc\" \"\")") == "\"aa\"");
}

TEST_CASE("number->string and string->number convert both number kinds") {
  CHECK(Eval("(number->string 42)") == "\"42\"");
  CHECK(Eval("(number->string -1.5)") == "\"-1.5\"");
  CHECK(Eval("(number->string 2.0)") == "\"2.0\"");
  CHECK(Eval("(number->string \"1\")") ==
        "error: <test>:1:1: type mismatch in 'number->string': expected number, got string");
  CHECK(Eval("(string->number \"42\")") == "42");
  CHECK(Eval("(string->number \"-7\")") == "-7");
  CHECK(Eval("(string->number \"+5\")") == "5");
  CHECK(Eval("(string->number \"1.5\")") == "1.5");
  CHECK(Eval("(string->number \".5\")") == "0.5");
  CHECK(Eval("(string->number \"1e3\")") == "1000.0");
  CHECK(Eval("(string->number \"-2.5e-1\")") == "-0.25");
}

TEST_CASE("string->number gives nil for anything that is not a number") {
  CHECK(Eval("(string->number \"abc\")") == "nil");
  CHECK(Eval("(string->number \"\")") == "nil");
  CHECK(Eval("(string->number \"12abc\")") == "nil");
  CHECK(Eval("(string->number \" 12\")") == "nil");
  CHECK(Eval("(string->number \"inf\")") == "nil");
  CHECK(Eval("(string->number \"nan\")") == "nil");
  CHECK(Eval("(string->number \"+-5\")") == "nil");
  CHECK(Eval("(string->number \"-\")") == "nil");
  CHECK(Eval("(string->number \"1e\")") == "nil");
  CHECK(Eval("(string->number \"0x10\")") == "nil");
}

TEST_CASE("string->number reads an integer beyond 64 bits as a float") {
  CHECK(Eval("(string->number \"9223372036854775807\")") == "9223372036854775807");
  CHECK(Eval("(string->number \"9223372036854775808\")") == "9.223372036854776e+18");
}

TEST_CASE("symbols and keywords convert to and from strings") {
  CHECK(Eval("(symbol->string 'abc)") == "\"abc\"");
  CHECK(Eval("(string->symbol \"abc\")") == "abc");
  CHECK(Eval("(eq? (string->symbol \"abc\") 'abc)") == "#t");
  CHECK(Eval("(keyword->string :name)") == "\"name\"");
  CHECK(Eval("(symbol->string :name)") ==
        "error: <test>:1:1: type mismatch in 'symbol->string': expected symbol, got keyword");
  CHECK(Eval("(keyword->string 'name)") ==
        "error: <test>:1:1: type mismatch in 'keyword->string': expected keyword, got symbol");
  CHECK(Eval("(string->symbol 1)") ==
        "error: <test>:1:1: type mismatch in 'string->symbol': expected string, got integer");
}

TEST_CASE("format fills ~a with display forms and ~s with readable forms") {
  CHECK(Eval("(format \"~a of ~a\" 1 2)") == "\"1 of 2\"");
  CHECK(Eval("(format \"~a\" \"raw\")") == "\"raw\"");
  CHECK(Eval("(format \"~s\" \"quoted\")") == "\"\\\"quoted\\\"\"");
  CHECK(Eval("(format \"a~%b\")") == "\"a\\nb\"");
  CHECK(Eval("(format \"100~~\")") == "\"100~\"");
  CHECK(Eval("(format \"no directives\")") == "\"no directives\"");
  CHECK(Eval("(format \"~a\" 1 2)") == "\"1\"");
  CHECK(Eval("(format \"~a\" '(1 \"x\"))") == "\"(1 x)\"");
}

TEST_CASE("format with too few arguments or a bad directive is an error") {
  CHECK(Eval("(format \"~a and ~a\" 1)") ==
        "error: <test>:1:1: too few arguments in 'format': \"~a and ~a\" needs more than 1");
  CHECK(Eval("(format \"~d\" 1)") == "error: <test>:1:1: unknown directive '~d' in 'format'");
  CHECK(Eval("(format \"abc~\")") ==
        "error: <test>:1:1: format string ends with a lone '~' in 'format'");
  CHECK(Eval("(format 1)") ==
        "error: <test>:1:1: type mismatch in 'format': expected format string, got integer");
}
