// Label selectors, as `list --selector`, `tick --selector` and `serve
// --selector` take them, and the `--label k=v` flags that set labels. One
// grammar and one set of error messages for every command.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/vigy.h"

namespace vigy::core {

// One clause of a selector.
struct LabelRequirement {
  enum class Op {
    kEquals,     // k=v: the label is present with this value
    kNotEquals,  // k!=v: the label is absent or has another value
    kExists,     // k: the label is present, with any value
  };
  std::string key;
  Op op = Op::kExists;
  std::string value;  // empty for kExists

  friend bool operator==(const LabelRequirement&, const LabelRequirement&) = default;
};

// A conjunction of requirements. The empty selector matches every vigy.
class Selector {
 public:
  Selector() = default;
  explicit Selector(std::vector<LabelRequirement> requirements)
      : requirements_(std::move(requirements)) {}

  // Whether `labels` meets every requirement.
  bool Matches(const Labels& labels) const;

  const std::vector<LabelRequirement>& requirements() const { return requirements_; }
  bool empty() const { return requirements_.empty(); }

  // The canonical text, which parses back to an equal selector:
  // "a=1,b!=2,c".
  std::string ToString() const;

 private:
  std::vector<LabelRequirement> requirements_;
};

// Parses clauses joined by commas: `k=v`, `k!=v` or a bare `k`. Spaces around
// clauses, keys and values are ignored. Keys follow ValidateLabelKey, values
// ValidateLabelValue. Errors are kInvalidArgument and read
// "bad selector 'a==b': ..." with the reason.
Result<Selector> ParseSelector(std::string_view text);

// ok, or kInvalidArgument naming the problem: a label value is at most 63
// characters of [A-Za-z0-9._-]. The empty value is allowed (a label that is
// present without a value, matched by `k=` and by `k`).
Status ValidateLabelValue(std::string_view value);

// Parses one `--label` argument, "KEY=VALUE" (the value may be empty), checked
// like a selector's key and value. Errors read "bad label 'x': ...".
Result<std::pair<std::string, std::string>> ParseLabel(std::string_view text);

}  // namespace vigy::core
