// End to end: `vigy check FILE...`.
#include <doctest/doctest.h>

#include "tests/cli/e2e_helpers.h"

namespace vigy::testing {
namespace {

constexpr const char* kGood = "(define (f x) (* x 2))\n(vigy-set \"n\" (f 2))\n";
constexpr const char* kBad = "(vigy-pul 1)\n(define (f x) x)\n(f 1 2)\n";

TEST_CASE("check of a program that compiles prints nothing and exits 0") {
  BinaryResult r = RunVigy({"check", "good.vigy"}, "", {{"good.vigy", kGood}});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "");
  CHECK(r.err == "");
}

TEST_CASE("check lists every error with file:line:col, the line and a caret, and exits 1") {
  BinaryResult r = RunVigy({"check", "bad.vigy"}, "", {{"bad.vigy", kBad}});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err ==
        "bad.vigy:1:2: unbound symbol 'vigy-pul' (did you mean 'vigy-pull'?)\n"
        "  (vigy-pul 1)\n"
        "   ^\n"
        "bad.vigy:3:1: arity: 'f' takes 1 argument, got 2\n"
        "  (f 1 2)\n"
        "  ^\n");
}

TEST_CASE("check of several files reports only the bad ones and counts them") {
  BinaryResult r = RunVigy(
      {"check", "good.vigy", "bad.vigy", "syntax.vigy"}, "",
      {{"good.vigy", kGood}, {"bad.vigy", "(nope)\n"}, {"syntax.vigy", "(define x\n  \"open\n"}});
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "bad.vigy:1:2: unbound symbol 'nope'\n"
        "  (nope)\n"
        "   ^\n"
        "syntax.vigy:2:3: unterminated string\n"
        "    \"open\n"
        "    ^\n"
        "vigy: 2 of 3 files failed to compile\n");
}

TEST_CASE("check -v says ok for each file that compiles") {
  BinaryResult r = RunVigy({"-v", "check", "good.vigy"}, "", {{"good.vigy", kGood}});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "good.vigy: ok\n");
}

TEST_CASE("check --json reports each file with its errors by line and column") {
  BinaryResult r = RunVigy({"check", "--json", "good.vigy", "bad.vigy", "missing.vigy"}, "",
                           {{"good.vigy", kGood}, {"bad.vigy", kBad}});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "");
  CHECK(JsonOut(r) == nlohmann::json::parse(R"J([
    {"file": "good.vigy", "ok": true, "errors": []},
    {"file": "bad.vigy", "ok": false, "errors": [
      {"line": 1, "col": 2,
       "message": "unbound symbol 'vigy-pul' (did you mean 'vigy-pull'?)"},
      {"line": 3, "col": 1, "message": "arity: 'f' takes 1 argument, got 2"}]},
    {"file": "missing.vigy", "ok": false, "errors": [
      {"line": 0, "col": 0,
       "message": "cannot read 'missing.vigy': No such file or directory"}]}
  ])J"));
}

TEST_CASE("check of a missing file fails it with the reason") {
  BinaryResult r = RunVigy({"check", "missing.vigy"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vigy: cannot read 'missing.vigy': No such file or directory\n");
}

TEST_CASE("check needs at least one file") {
  BinaryResult r = RunVigy({"check"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vigy: FILE is required\nrun 'vigy check --help' for usage\n");
}

TEST_CASE("check accepts every example vigy") {
  BinaryResult r = RunVigy({"check", std::string(VIGY_SOURCE_DIR) + "/examples/hello.vigy",
                            std::string(VIGY_SOURCE_DIR) + "/examples/disk-space.vigy"});
  CHECK(r.exit_code == 0);
  CHECK(r.err == "");
}

}  // namespace
}  // namespace vigy::testing
