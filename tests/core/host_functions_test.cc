#include "core/host_functions.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/vigy_library.h"
#include "tests/lisp/eval_helpers.h"
#include "tests/support/temp_dir.h"

namespace vigy::core {
namespace {

std::string Eval(std::string_view source, const lisp::Limits& limits = lisp::Limits{}) {
  return lisp::testing::EvalWith(VigyLibrary(), source, limits, nullptr);
}

using vigy::testing::TempDir;

TEST_CASE("sh returns exit status and output in a map") {
  CHECK(Eval(R"((let ((r (sh "echo hi; echo oops >&2; exit 2")))
                  (list (get r "exit") (get r "out") (get r "err") (get r "timed-out")
                        (get r "truncated"))))") == R"((2 "hi\n" "oops\n" #f #f))");
}

TEST_CASE("sh kills a command past its own timeout and says so") {
  CHECK(Eval(R"((let ((r (sh "sleep 5" 100))) (list (get r "exit") (get r "timed-out"))))") ==
        "(124 #t)");
  CHECK(Eval(R"((sh "true" -1))") ==
        "error: <test>:1:1: 'sh' needs a non-negative timeout-ms, got -1");
  CHECK(Eval(R"((sh 'ls))") ==
        "error: <test>:1:1: type mismatch in 'sh': expected string command, got symbol");
}

TEST_CASE("sh never outlives the evaluation's timeout") {
  lisp::Limits limits;
  limits.timeout = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  std::string result = Eval(R"((sh "sleep 5" 60000))", limits);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  CHECK(result.starts_with("limit: "));
  CHECK(result.find("timeout") != std::string::npos);
}

TEST_CASE("read-file gives a file's contents, or nil when it is missing") {
  TempDir dir;
  std::string path = dir.Write("a.txt", "line one\nline two\n");
  CHECK(Eval("(read-file \"" + path + "\")") == R"("line one\nline two\n")");
  CHECK(Eval("(read-file \"" + dir.path() + "/missing\")") == "nil");
  CHECK(Eval("(read-file \"" + path + "/below-a-file\")") == "nil");
}

TEST_CASE("read-file of a directory is an error, not nil") {
  TempDir dir;
  CHECK(Eval("(read-file \"" + dir.path() + "\")") ==
        "error: <test>:1:1: 'read-file' cannot read '" + dir.path() + "': Is a directory");
  CHECK(Eval("(try (read-file \"" + dir.path() + "\") (catch (e) (error-tag e)))") == ":io");
}

TEST_CASE("read-file refuses a file larger than its cap") {
  TempDir dir;
  std::string path = dir.Write("big", std::string(kReadFileCap + 1, 'x'));
  CHECK(Eval("(read-file \"" + path + "\")") ==
        "error: <test>:1:1: 'read-file' cannot read '" + path + "': larger than 16 MiB");
}

TEST_CASE("file-exists? and file-mtime look at the file system") {
  TempDir dir;
  std::string path = dir.Write("f", "x");
  struct stat info;
  REQUIRE(::stat(path.c_str(), &info) == 0);
  int64_t mtime = int64_t{info.st_mtim.tv_sec} * 1000 + info.st_mtim.tv_nsec / 1'000'000;
  CHECK(Eval("(file-exists? \"" + path + "\")") == "#t");
  CHECK(Eval("(file-exists? \"" + dir.path() + "\")") == "#t");
  CHECK(Eval("(file-exists? \"" + dir.path() + "/nope\")") == "#f");
  CHECK(Eval("(file-mtime \"" + path + "\")") == std::to_string(mtime));
  CHECK(Eval("(file-mtime \"" + dir.path() + "/nope\")") == "nil");
}

TEST_CASE("getenv reads the environment") {
  ::setenv("VIGY_HOST_TEST", "value", 1);
  CHECK(Eval(R"((getenv "VIGY_HOST_TEST"))") == R"("value")");
  ::unsetenv("VIGY_HOST_TEST");
  CHECK(Eval(R"((getenv "VIGY_HOST_TEST"))") == "nil");
}

TEST_CASE("now-ms reads the wall clock") {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  int64_t got = std::stoll(Eval("(now-ms)"));
  CHECK(got >= now);
  CHECK(got < now + 5000);
}

}  // namespace
}  // namespace vigy::core
