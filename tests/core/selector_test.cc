#include "core/selector.h"

#include <doctest/doctest.h>

namespace vigy::core {
namespace {

using Op = LabelRequirement::Op;

Selector Parsed(std::string_view text) {
  Result<Selector> selector = ParseSelector(text);
  INFO(selector.status().ToString());
  REQUIRE(selector.ok());
  return *selector;
}

std::string ErrorOf(std::string_view text) {
  Result<Selector> selector = ParseSelector(text);
  REQUIRE_FALSE(selector.ok());
  CHECK(selector.status().code() == Status::Code::kInvalidArgument);
  return selector.status().message();
}

TEST_CASE("a selector is clauses of k=v, k!=v and bare k joined by commas") {
  Selector s = Parsed("app=web,tier!=db,team/owner");
  CHECK(s.requirements() == std::vector<LabelRequirement>{
                                {"app", Op::kEquals, "web"},
                                {"tier", Op::kNotEquals, "db"},
                                {"team/owner", Op::kExists, ""},
                            });
  CHECK(s.ToString() == "app=web,tier!=db,team/owner");
}

TEST_CASE("spaces around clauses, keys and values are ignored") {
  CHECK(Parsed(" app = web , tier!= db ,x ").ToString() == "app=web,tier!=db,x");
}

TEST_CASE("an empty value is a value") {
  Selector s = Parsed("app=");
  CHECK(s.requirements() == std::vector<LabelRequirement>{{"app", Op::kEquals, ""}});
  CHECK(s.Matches({{"app", ""}}));
  CHECK_FALSE(s.Matches({{"app", "web"}}));
  CHECK_FALSE(s.Matches({}));
}

TEST_CASE("a selector matches labels meeting every clause") {
  Selector s = Parsed("app=web,tier!=db,owner");
  CHECK(s.Matches({{"app", "web"}, {"owner", "ada"}}));
  CHECK(s.Matches({{"app", "web"}, {"owner", ""}, {"tier", "front"}}));
  CHECK_FALSE(s.Matches({{"app", "web"}, {"owner", "ada"}, {"tier", "db"}}));
  CHECK_FALSE(s.Matches({{"app", "api"}, {"owner", "ada"}}));
  CHECK_FALSE(s.Matches({{"app", "web"}}));
}

TEST_CASE("k!=v matches vigies without the label at all") { CHECK(Parsed("tier!=db").Matches({})); }

TEST_CASE("the empty selector object matches everything") {
  CHECK(Selector().Matches({}));
  CHECK(Selector().Matches({{"a", "b"}}));
  CHECK(Selector().empty());
}

TEST_CASE("bad selectors say what is wrong with them") {
  CHECK(ErrorOf("a==b") == "bad selector 'a==b': '==' is not an operator (use k=v, k!=v or k)");
  CHECK(ErrorOf("") == "bad selector '': it is empty (use k=v, k!=v or k, joined by commas)");
  CHECK(ErrorOf("a=1,,b") == "bad selector 'a=1,,b': clause 2 is empty");
  CHECK(ErrorOf("a=1,") == "bad selector 'a=1,': clause 2 is empty");
  CHECK(ErrorOf("=x") ==
        "bad selector '=x': label key is empty (use 1-253 of A-Z a-z 0-9 . _ / -)");
  CHECK(ErrorOf("a b=c") ==
        "bad selector 'a b=c': label key 'a b' has a space at position 2 (use only A-Z a-z 0-9 . "
        "_ / -)");
  CHECK(ErrorOf("a!b") ==
        "bad selector 'a!b': label key 'a!b' has '!' at position 2 (use only A-Z a-z 0-9 . _ / -)");
  CHECK(ErrorOf("app=web/x") ==
        "bad selector 'app=web/x': label value 'web/x' has '/' at position 4 (use only A-Z a-z "
        "0-9 . _ -)");
  CHECK(ErrorOf("a=1=2") ==
        "bad selector 'a=1=2': label value '1=2' has '=' at position 2 (use only A-Z a-z 0-9 . _ "
        "-)");
}

TEST_CASE("label values are at most 63 letters, digits, dots, underscores or dashes") {
  CHECK(ValidateLabelValue("").ok());
  CHECK(ValidateLabelValue("v1.2_beta-3").ok());
  CHECK(ValidateLabelValue(std::string(63, 'x')).ok());
  CHECK(ValidateLabelValue(std::string(64, 'x')) ==
        Status::InvalidArgument(
            "label value 'xxxxxxxxxxxxxxxxxxxx...' is 64 characters long (at most 63)"));
  CHECK(ValidateLabelValue("a\tb") ==
        Status::InvalidArgument(
            "label value 'a\tb' has byte 0x09 at position 2 (use only A-Z a-z 0-9 . _ -)"));
}

TEST_CASE("a --label is KEY=VALUE with a checked key and value") {
  CHECK(ParseLabel("app=web").value() == std::pair<std::string, std::string>("app", "web"));
  CHECK(ParseLabel("team/owner=").value() == std::pair<std::string, std::string>("team/owner", ""));
  CHECK(ParseLabel("app").status() ==
        Status::InvalidArgument("bad label 'app': expected KEY=VALUE"));
  CHECK(ParseLabel("app=a b").status() ==
        Status::InvalidArgument("bad label 'app=a b': label value 'a b' has a space at position 2 "
                                "(use only A-Z a-z 0-9 . _ -)"));
  CHECK(ParseLabel("=web").status().message() ==
        "bad label '=web': label key is empty (use 1-253 of A-Z a-z 0-9 . _ / -)");
}

}  // namespace
}  // namespace vigy::core
