// The conformance suite: cases in tests/lisp/conformance/*.cases, each an
// expression (one or more lines) and, on the line after it, "=> " and the
// result the original dialect (tatara-lisp) gives, printed as `vigy eval`
// prints it. Lines starting with ";;" outside a case are comments; each file
// names the tatara-lisp source its cases come from. Error cases catch the
// error with `try` and give its tag.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/lisp/eval_helpers.h"

namespace vigy::lisp {
namespace {

using testing::Eval;

struct Case {
  std::string file;
  int line;
  std::string source;
  std::string expected;
};

std::vector<Case> LoadCases() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(VIGY_SOURCE_DIR) +
                                                               "/tests/lisp/conformance")) {
    if (entry.path().extension() == ".cases") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Case> cases;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line, source;
    int number = 0, start = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.starts_with("=> ")) {
        cases.push_back({path.filename().string(), start, source, line.substr(3)});
        source.clear();
        continue;
      }
      if (source.empty() && (line.empty() || line.starts_with(";;"))) continue;
      if (source.empty()) start = number;
      source += line;
      source += '\n';
    }
    REQUIRE_MESSAGE(source.empty(), path.filename().string(),
                    ": a case without '=> expected' at line ", start);
  }
  return cases;
}

TEST_CASE("every conformance case gives the result the original dialect gives") {
  std::vector<Case> cases = LoadCases();
  CHECK(cases.size() >= 300);
  for (const Case& c : cases) {
    std::string got = Eval(c.source);
    CHECK_MESSAGE(got == c.expected, c.file, ":", c.line, ": ", c.source, "  expected ", c.expected,
                  "\n  got      ", got);
  }
}

}  // namespace
}  // namespace vigy::lisp
