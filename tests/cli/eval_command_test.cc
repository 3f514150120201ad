// End to end: `vigy eval EXPR`.
#include <doctest/doctest.h>

#include "tests/cli/e2e_helpers.h"

namespace vigy::testing {
namespace {

TEST_CASE("eval prints the readable form of the value") {
  BinaryResult r = RunVigy({"eval", "(+ 1 2)"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "3\n");
  CHECK(r.err == "");
  CHECK(RunVigy({"eval", "(str \"a\" \"b\")"}).out == "\"ab\"\n");
  CHECK(RunVigy({"eval", "(list 1 :k \"s\")"}).out == "(1 :k \"s\")\n");
}

TEST_CASE("eval runs every form and prints the last value") {
  BinaryResult r = RunVigy({"eval", "(define (sq x) (* x x)) (sq 12)"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "144\n");
}

TEST_CASE("eval prints what display writes before the value") {
  BinaryResult r = RunVigy({"eval", "(display \"hi\") 7"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "hi\n7\n");
}

TEST_CASE("eval --json prints one JSON document, what the program prints goes to stderr") {
  BinaryResult r = RunVigy({"--json", "eval", "(display \"hi\") (println \"x\") 1"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "1\n");
  CHECK(r.err == "hix\n");
  CHECK(nlohmann::json::parse(r.out) == 1);
}

TEST_CASE("eval --json of a value without a JSON form is one error line") {
  BinaryResult r = RunVigy({"--json", "eval", "(hash-map 1 2 \"1\" 3)"});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err.starts_with("vigy: the value has no JSON form: map keys "));
}

TEST_CASE("eval can use the vigy intrinsics") {
  BinaryResult r = RunVigy({"eval", "(vigy-set \"a\" 5) (vigy-incr \"a\" 2)"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "7\n");
}

TEST_CASE("eval --json prints the value as JSON") {
  BinaryResult r = RunVigy({"eval", "--json", "(hash-map \"a\" (list 1 2))"});
  CHECK(r.exit_code == 0);
  CHECK(JsonOut(r) == nlohmann::json::parse(R"({"a":[1,2]})"));
}

TEST_CASE("an eval that fails prints the error with its place and a caret, and exits 1") {
  BinaryResult r = RunVigy({"eval", "(+ 1 (car (list)))"});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err ==
        "vigy: <eval>:1:6: 'car' of an empty list\n"
        "  (+ 1 (car (list)))\n"
        "       ^\n");
}

TEST_CASE("an eval that does not compile exits 1") {
  BinaryResult r = RunVigy({"eval", "(frob 1)"});
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "vigy: <eval>:1:2: unbound symbol 'frob'\n"
        "  (frob 1)\n"
        "   ^\n");
}

TEST_CASE("eval stops a runaway loop at its step budget") {
  BinaryResult r = RunVigy({"eval", "--max-steps", "5000", "(define (f) (f)) (f)"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("step limit exceeded") != std::string::npos);
}

}  // namespace
}  // namespace vigy::testing
