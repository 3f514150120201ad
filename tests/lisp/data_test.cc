#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "lisp/json.h"
#include "lisp/map.h"
#include "tests/lisp/eval_helpers.h"

using vigy::lisp::testing::Eval;
namespace lisp = vigy::lisp;

TEST_CASE("json-parse turns objects into string-keyed maps and arrays into lists") {
  CHECK(Eval("(json-parse \"[1, 2.5, \\\"s\\\", true, false, null]\")") ==
        "(1 2.5 \"s\" #t #f nil)");
  CHECK(Eval("(json-parse \"[]\")") == "()");
  CHECK(Eval("(json-parse \"{}\")") == "{}");
  CHECK(Eval("(get (json-parse \"{\\\"a\\\": {\\\"b\\\": [1]}}\") \"a\")") == "{\"b\" (1)}");
  CHECK(Eval("(json-parse \"\\\"caf\\\\u00e9\\\"\")") == "\"caf\u00e9\"");
  CHECK(Eval("(json-parse \"-9223372036854775808\")") == "-9223372036854775808");
  CHECK(Eval("(json-parse \"18446744073709551615\")") == "1.8446744073709552e+19");
}

TEST_CASE("json-parse of bad JSON is an error tagged :json that names the problem") {
  std::string result = Eval("(json-parse \"{\\\"a\\\": }\")");
  CHECK(result.starts_with(
      "error: <test>:1:1: invalid JSON in 'json-parse': parse error at line 1, column 7"));
  CHECK(Eval("(try (json-parse \"[1,\") (catch (e) (error-tag e)))") == ":json");
  CHECK(Eval("(json-parse 1)") ==
        "error: <test>:1:1: type mismatch in 'json-parse': expected string, got integer");
}

TEST_CASE("json-parse refuses nesting deeper than a thousand levels, saying where") {
  std::string deep = "(json-parse \"" + std::string(2000, '[') + std::string(2000, ']') + "\")";
  CHECK(Eval(deep) ==
        "error: <test>:1:1: invalid JSON in 'json-parse': nested deeper than 1000 levels (at line "
        "1, column 1001)");
  std::string limit =
      "(length (json-parse \"" + std::string(1000, '[') + std::string(1000, ']') + "\"))";
  CHECK(Eval(limit) == "1");
}

TEST_CASE("JSON text is bounded in depth and size before it is parsed") {
  nlohmann::json value;
  std::string error;
  CHECK(lisp::ParseJson(std::string(1000, '[') + std::string(1000, ']'), &value, &error));
  // Objects count as levels too, and brackets inside strings do not.
  std::string objects;
  for (int i = 0; i < 1001; ++i) objects += "{\"a\":";
  objects += "1" + std::string(1001, '}');
  CHECK_FALSE(lisp::ParseJson(objects, &value, &error));
  CHECK(error.starts_with("nested deeper than 1000 levels"));
  CHECK(lisp::ParseJson("[\"" + std::string(5000, '[') + "\\\"\"]", &value, &error));
  // 200,000 levels: refused by the scan, with no recursion to overflow.
  CHECK_FALSE(lisp::ParseJson(std::string(200'000, '['), &value, &error));
  CHECK(error == "nested deeper than 1000 levels (at line 1, column 1001)");
  std::string huge = "\"" + std::string(lisp::kMaxJsonBytes, 'x') + "\"";
  CHECK_FALSE(lisp::ParseJson(huge, &value, &error));
  CHECK(error.starts_with("larger than 16 MiB"));
  CHECK_FALSE(lisp::ParseJson("1e400", &value, &error));
  CHECK(error == "number out of range at line 1, column 1: 1e400 (JSON numbers must fit a double)");
  CHECK_FALSE(lisp::ParseJson("[1,\n 2", &value, &error));
  CHECK(error.starts_with("parse error at line 2, column 3"));
}

TEST_CASE("json-str refuses a map whose keys collide as JSON text") {
  CHECK(Eval("(json-str (hash-map 1 \"int\" \"1\" \"str\"))")
            .starts_with("error: <test>:1:1: value in 'json-str' is map keys "));
  CHECK(Eval("(json-str (hash-map 1 \"int\" \"1\" \"str\"))")
            .ends_with("both become the JSON key \"1\" (JSON keys are text)"));
  CHECK(Eval("(try (json-str (hash-map :a 1 \":a\" 2)) (catch (e) (error-tag e)))") == ":json");
}

TEST_CASE("json-str writes compact JSON following the value mapping") {
  CHECK(Eval("(json-str (list 1 2.5 \"s\" #t nil))") == "\"[1,2.5,\\\"s\\\",true,null]\"");
  CHECK(Eval("(json-str (list))") == "\"[]\"");
  CHECK(Eval("(json-str 'sym)") == "\"\\\"sym\\\"\"");
  CHECK(Eval("(json-str :kw)") == "\"\\\":kw\\\"\"");
  CHECK(Eval("(json-str (hash-map :a 1))") == "\"{\\\":a\\\":1}\"");
  CHECK(Eval("(json-str (hash-map 1 2))") == "\"{\\\"1\\\":2}\"");
  CHECK(Eval("(json-str (/ 1.0 1e-320))") == "\"null\"");
  CHECK(Eval("(json-str \"caf\\u00e9\")") == "\"\\\"caf\u00e9\\\"\"");
}

TEST_CASE("json-str and json-parse round-trip plain data") {
  CHECK(Eval("(equal? (json-parse (json-str '(1 \"two\" (3.5 #f)))) '(1 \"two\" (3.5 #f)))") ==
        "#t");
  CHECK(Eval("(get (json-parse (json-str (hash-map \"k\" '(1 2)))) \"k\")") == "(1 2)");
}

TEST_CASE("read-string returns the first form unevaluated, or nil for none") {
  CHECK(Eval("(read-string \"(+ 1 2)\")") == "(+ 1 2)");
  CHECK(Eval("(read-string \"42 43\")") == "42");
  CHECK(Eval("(read-string \"\\\"s\\\"\")") == "\"s\"");
  CHECK(Eval("(read-string \"  ; only a comment\")") == "nil");
  CHECK(Eval("(read-string \"\")") == "nil");
  CHECK(Eval("(car (read-string \"(foo bar)\"))") == "foo");
}

TEST_CASE("read-string of malformed text is an error tagged :read") {
  CHECK(Eval("(read-string \"(1 2\")")
            .starts_with("error: <test>:1:1: read error in 'read-string' at 1:1: "));
  CHECK(Eval("(try (read-string \"\\\"open\") (catch (e) (error-tag e)))") == ":read");
}

TEST_CASE("pr-str joins readable forms with spaces") {
  CHECK(Eval("(pr-str)") == "\"\"");
  CHECK(Eval("(pr-str \"a\")") == "\"\\\"a\\\"\"");
  CHECK(Eval("(pr-str 1 'b \"c\" '(\"d\"))") == "\"1 b \\\"c\\\" (\\\"d\\\")\"");
}

TEST_CASE("gensym makes a fresh symbol each time") {
  CHECK(Eval("(symbol? (gensym))") == "#t");
  CHECK(Eval("(eq? (gensym) (gensym))") == "#f");
}

TEST_CASE("ToJson and FromJson convert directly between values and JSON") {
  lisp::Arena arena;
  nlohmann::json j = nlohmann::json::parse(R"({"xs": [1, 2], "name": "n", "ok": true})");
  lisp::Value v = lisp::FromJson(arena, j);
  REQUIRE(v.is_map());
  CHECK(lisp::MapCount(v) == 3);
  CHECK(lisp::ToJson(v) == j);
  CHECK(lisp::ToJson(lisp::Value::Float(1.5)) == nlohmann::json(1.5));
  CHECK(lisp::ToJson(lisp::Value::Empty()) == nlohmann::json::array());
  CHECK(lisp::FromJson(arena, nlohmann::json::array()).tag == lisp::Tag::kEmpty);
  CHECK(lisp::FromJson(arena, nullptr).is_nil());
}

TEST_CASE("ToJson of a value nested too deeply throws length_error instead of crashing") {
  lisp::Arena arena;
  lisp::Value v = lisp::Value::Empty();
  for (int k = 0; k < 5000; ++k) v = lisp::MakeCons(arena, v, lisp::Value::Empty());
  CHECK_THROWS_AS(lisp::ToJson(v), std::length_error);
  nlohmann::json deep = nlohmann::json::array();
  for (int k = 0; k < 5000; ++k) {
    nlohmann::json outer = nlohmann::json::array();
    outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  CHECK_THROWS_AS(lisp::FromJson(arena, deep), std::length_error);
}
