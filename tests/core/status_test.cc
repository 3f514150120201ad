#include "core/status.h"

#include <doctest/doctest.h>

#include <string>

namespace vigy::core {
namespace {

TEST_CASE("every status code maps to its documented exit code") {
  CHECK(ExitCode(Status::Ok()) == 0);
  CHECK(ExitCode(Status::Failed("tick failed")) == 1);
  CHECK(ExitCode(Status::InvalidArgument("bad duration")) == 2);
  CHECK(ExitCode(Status::NotFound("no such vigy")) == 3);
  CHECK(ExitCode(Status::Conflict("name taken")) == 4);
  CHECK(ExitCode(Status::StoreUnusable("corrupt")) == 5);
  CHECK(ExitCode(Status::Interrupted("signal")) == 130);
}

TEST_CASE("a status prints its code's name and its message") {
  CHECK(Status::Ok().ToString() == "ok");
  CHECK(Status::NotFound("no vigy named 'x'").ToString() == "not found: no vigy named 'x'");
  CHECK(Status::Ok().ok());
  CHECK_FALSE(Status::Failed("x").ok());
}

TEST_CASE("every status code has one machine-readable name, and its words are the printed name") {
  CHECK(CodeName(Status::Code::kOk) == "ok");
  CHECK(CodeName(Status::Code::kInvalidArgument) == "invalid_argument");
  CHECK(CodeName(Status::Code::kNotFound) == "not_found");
  CHECK(CodeName(Status::Code::kConflict) == "conflict");
  CHECK(CodeName(Status::Code::kStoreUnusable) == "store_unusable");
  CHECK(CodeName(Status::Code::kFailed) == "failed");
  CHECK(CodeName(Status::Code::kInterrupted) == "interrupted");
  CHECK(Status::StoreUnusable("corrupt").ToString() == "store unusable: corrupt");
  CHECK(Status::InvalidArgument("").ToString() == "invalid argument");
}

TEST_CASE("a result holds either a value or the failing status") {
  Result<std::string> good = std::string("value");
  REQUIRE(good.ok());
  CHECK(*good == "value");
  CHECK(good->size() == 5);

  Result<std::string> bad = Status::NotFound("missing");
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().code() == Status::Code::kNotFound);
  CHECK(bad.status().message() == "missing");
}

}  // namespace
}  // namespace vigy::core
