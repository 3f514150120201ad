// Every example in examples/ is a program users copy: it must pass `vigy check`
// and tick once with `vigy run` (ok, not failed) on a machine with nothing set up.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/cli/run_binary.h"

namespace vigy::cli {
namespace {

using testing::BinaryResult;
using testing::RunVigy;

std::vector<std::string> Examples() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(VIGY_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() == ".vigy") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_CASE("there are at least six examples") { CHECK(Examples().size() >= 6); }

TEST_CASE("every example passes check and runs ok") {
  for (const std::string& file : Examples()) {
    INFO(file);
    BinaryResult checked = RunVigy({"check", file});
    CHECK(checked.exit_code == 0);
    CHECK(checked.err == "");
    BinaryResult ran = RunVigy({"run", "--json", file});
    CHECK(ran.exit_code == 0);
    CHECK(ran.out.find("\"result\": \"ok\"") != std::string::npos);
  }
}

}  // namespace
}  // namespace vigy::cli
