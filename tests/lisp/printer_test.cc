#include "lisp/printer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "lisp/builtins.h"
#include "lisp/map.h"
#include "tests/lisp/eval_helpers.h"

using vigy::lisp::testing::Eval;
namespace lisp = vigy::lisp;

TEST_CASE("atoms print in their readable form") {
  lisp::Arena arena;
  CHECK(lisp::Repr(lisp::Value::Nil()) == "nil");
  CHECK(lisp::Repr(lisp::Value::Bool(true)) == "#t");
  CHECK(lisp::Repr(lisp::Value::Bool(false)) == "#f");
  CHECK(lisp::Repr(lisp::Value::Int(-42)) == "-42");
  CHECK(lisp::Repr(lisp::Value::Int(std::numeric_limits<int64_t>::min())) ==
        "-9223372036854775808");
  CHECK(lisp::Repr(lisp::Value::Empty()) == "()");
  CHECK(lisp::Repr(lisp::MakeSymbol(arena, "foo-bar?")) == "foo-bar?");
  CHECK(lisp::Repr(lisp::MakeKeyword(arena, "name")) == ":name");
  CHECK(lisp::Repr(lisp::Value::Map(nullptr)) == "{}");
}

TEST_CASE("floats print shortest, and always look like floats") {
  CHECK(lisp::FormatFloat(1.0) == "1.0");
  CHECK(lisp::FormatFloat(0.5) == "0.5");
  CHECK(lisp::FormatFloat(-2.0) == "-2.0");
  CHECK(lisp::FormatFloat(0.1) == "0.1");
  CHECK(lisp::FormatFloat(1e300) == "1e+300");
  CHECK(lisp::FormatFloat(123456789.0) == "123456789.0");
  CHECK(lisp::FormatFloat(-0.0) == "-0.0");
  CHECK(lisp::FormatFloat(std::numeric_limits<double>::infinity()) == "+inf.0");
  CHECK(lisp::FormatFloat(-std::numeric_limits<double>::infinity()) == "-inf.0");
  CHECK(lisp::FormatFloat(std::nan("")) == "+nan.0");
  CHECK(lisp::Repr(lisp::Value::Float(2.5)) == "2.5");
}

TEST_CASE("strings are quoted and escaped by Repr but raw in Display") {
  lisp::Arena arena;
  lisp::Value s = lisp::MakeString(arena, "a\"b\\c\nd\te\rf");
  CHECK(lisp::Repr(s) == R"("a\"b\\c\nd\te\rf")");
  CHECK(lisp::Display(s) == "a\"b\\c\nd\te\rf");
  CHECK(lisp::Repr(lisp::MakeString(arena, std::string("\x01\x1f\x7f", 3))) ==
        R"("\u0001\u001f\u007f")");
  CHECK(lisp::Repr(lisp::MakeString(arena, "caf\u00e9")) == "\"caf\u00e9\"");
  CHECK(lisp::Repr(lisp::MakeString(arena, "")) == "\"\"");
}

TEST_CASE("lists print their elements, with strings raw in Display") {
  lisp::Arena arena;
  lisp::ListBuilder inner(arena);
  inner.Add(lisp::MakeString(arena, "x"));
  inner.Add(lisp::Value::Nil());
  lisp::ListBuilder outer(arena);
  outer.Add(lisp::Value::Int(1));
  outer.Add(inner.Finish());
  outer.Add(lisp::Value::Empty());
  CHECK(lisp::Repr(outer.Finish()) == "(1 (\"x\" nil) ())");
  CHECK(lisp::Display(outer.Finish()) == "(1 (x nil) ())");
}

TEST_CASE("maps print as braces around keys and values") {
  lisp::Arena arena;
  lisp::Value m = lisp::MapAssoc(arena, lisp::Value::Map(nullptr), lisp::MakeKeyword(arena, "a"),
                                 lisp::MakeString(arena, "v"));
  CHECK(lisp::Repr(m) == "{:a \"v\"}");
  CHECK(lisp::Display(m) == "{:a v}");
  CHECK(Eval("(hash-map \"k\" '(1 2))") == "{\"k\" (1 2)}");
}

TEST_CASE("functions and errors print as opaque forms") {
  lisp::Arena arena;
  CHECK(lisp::Repr(lisp::Value::Of(&lisp::NumberBuiltins()[0])) == "#<builtin +>");
  CHECK(lisp::Repr(lisp::MakeError(arena, lisp::MakeKeyword(arena, "oops"), "it \"broke\"")) ==
        R"(#<error :oops "it \"broke\"">)");
  CHECK(lisp::Display(lisp::MakeError(arena, lisp::MakeKeyword(arena, "oops"), "m")) ==
        "#<error :oops \"m\">");
  CHECK(lisp::Repr(lisp::MakeError(arena, lisp::Value::Nil(), "m")) == "#<error \"m\">");
  CHECK(Eval("(define (sq x) (* x x)) sq") == "#<function sq>");
  CHECK(Eval("(lambda (x) x)") == "#<function>");
  CHECK(Eval("car") == "#<builtin car>");
}

TEST_CASE("AppendRepr and AppendDisplay add to what is already there") {
  lisp::Arena arena;
  std::string out = "> ";
  lisp::AppendRepr(out, lisp::MakeString(arena, "q"));
  out += ' ';
  lisp::AppendDisplay(out, lisp::MakeString(arena, "q"));
  CHECK(out == "> \"q\" q");
}

TEST_CASE("printing a very deeply nested list stops with ... instead of crashing") {
  lisp::Arena arena;
  lisp::Value v = lisp::Value::Int(1);
  for (int k = 0; k < 200'000; ++k) v = lisp::MakeCons(arena, v, lisp::Value::Empty());
  std::string text = lisp::Repr(v);
  CHECK(text.find("...") != std::string::npos);
  CHECK(text.starts_with("(((("));
  CHECK(text.ends_with("))))"));
}

TEST_CASE("a long flat list prints without recursing per element") {
  lisp::Arena arena;
  lisp::ListBuilder list(arena);
  for (int k = 0; k < 100'000; ++k) list.Add(lisp::Value::Int(k % 10));
  std::string text = lisp::Repr(list.Finish());
  CHECK(text.size() == 200'001);
  CHECK(text.find("...") == std::string::npos);
}

namespace {

// Runs `source` with output captured; returns the output followed by "=> value".
std::string RunCapturingOutput(std::string_view source) {
  lisp::CompileResult compiled = lisp::Compile(lisp::StandardLibrary(), source, "<test>");
  REQUIRE(compiled.ok());
  lisp::Machine machine;
  std::string output;
  machine.set_output([&](std::string_view text) { output += text; });
  lisp::Value result = machine.Run(*compiled.program);
  return output + "=> " + lisp::Repr(result);
}

}  // namespace

TEST_CASE("display writes one value's display form without a newline") {
  CHECK(RunCapturingOutput("(display \"hi\") (display '(1 \"a\"))") == "hi(1 a)=> nil");
}

TEST_CASE("print joins display forms with spaces and println adds a newline") {
  CHECK(RunCapturingOutput("(print \"a\" 1 :k)") == "a 1 :k=> nil");
  CHECK(RunCapturingOutput("(println \"x =\" 5) (println)") == "x = 5\n\n=> nil");
}
