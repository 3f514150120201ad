#include "core/selector.h"

#include <fmt/format.h>

#include "core/ids.h"

namespace vigy::core {
namespace {

constexpr size_t kMaxLabelValue = 63;

bool IsValueChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// The character as an error message shows it.
std::string Shown(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (c == ' ') return "a space";
  if (u > 0x20 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", u);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// The reason `clause` is not a valid requirement, or the requirement.
Result<LabelRequirement> ParseClause(std::string_view clause) {
  LabelRequirement req;
  size_t eq = clause.find('=');
  std::string_view key = clause;
  std::string_view value;
  if (eq != std::string_view::npos && eq > 0 && clause[eq - 1] == '!') {
    req.op = LabelRequirement::Op::kNotEquals;
    key = clause.substr(0, eq - 1);
    value = clause.substr(eq + 1);
  } else if (eq != std::string_view::npos) {
    req.op = LabelRequirement::Op::kEquals;
    key = clause.substr(0, eq);
    value = clause.substr(eq + 1);
  }
  key = Trim(key);
  value = Trim(value);
  if (value.starts_with('=')) {
    return Status::InvalidArgument("'==' is not an operator (use k=v, k!=v or k)");
  }
  if (Status s = ValidateLabelKey(key); !s.ok()) return s;
  if (Status s = ValidateLabelValue(value); !s.ok()) return s;
  req.key = std::string(key);
  req.value = std::string(value);
  return req;
}

}  // namespace

bool Selector::Matches(const Labels& labels) const {
  for (const LabelRequirement& req : requirements_) {
    auto it = labels.find(req.key);
    bool present = it != labels.end();
    switch (req.op) {
      case LabelRequirement::Op::kEquals:
        if (!present || it->second != req.value) return false;
        break;
      case LabelRequirement::Op::kNotEquals:
        if (present && it->second == req.value) return false;
        break;
      case LabelRequirement::Op::kExists:
        if (!present) return false;
        break;
    }
  }
  return true;
}

std::string Selector::ToString() const {
  std::string text;
  for (const LabelRequirement& req : requirements_) {
    if (!text.empty()) text += ',';
    text += req.key;
    if (req.op == LabelRequirement::Op::kEquals) text += "=" + req.value;
    if (req.op == LabelRequirement::Op::kNotEquals) text += "!=" + req.value;
  }
  return text;
}

Result<Selector> ParseSelector(std::string_view text) {
  auto bad = [text](std::string_view why) {
    return Status::InvalidArgument(fmt::format("bad selector '{}': {}", text, why));
  };
  if (Trim(text).empty()) return bad("it is empty (use k=v, k!=v or k, joined by commas)");
  std::vector<LabelRequirement> requirements;
  size_t start = 0;
  for (int index = 1;; ++index) {
    size_t comma = text.find(',', start);
    std::string_view clause =
        Trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    if (clause.empty()) return bad(fmt::format("clause {} is empty", index));
    Result<LabelRequirement> req = ParseClause(clause);
    if (!req.ok()) return bad(req.status().message());
    requirements.push_back(std::move(req).value());
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return Selector(std::move(requirements));
}

Status ValidateLabelValue(std::string_view value) {
  if (value.size() > kMaxLabelValue) {
    return Status::InvalidArgument(
        fmt::format("label value '{}...' is {} characters long (at most {})", value.substr(0, 20),
                    value.size(), kMaxLabelValue));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!IsValueChar(value[i])) {
      return Status::InvalidArgument(
          fmt::format("label value '{}' has {} at position {} (use only A-Z a-z 0-9 . _ -)", value,
                      Shown(value[i]), i + 1));
    }
  }
  return Status::Ok();
}

Result<std::pair<std::string, std::string>> ParseLabel(std::string_view text) {
  auto bad = [text](std::string_view why) {
    return Status::InvalidArgument(fmt::format("bad label '{}': {}", text, why));
  };
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) return bad("expected KEY=VALUE");
  std::string_view key = text.substr(0, eq);
  std::string_view value = text.substr(eq + 1);
  if (Status s = ValidateLabelKey(key); !s.ok()) return bad(s.message());
  if (Status s = ValidateLabelValue(value); !s.ok()) return bad(s.message());
  return std::pair<std::string, std::string>(key, value);
}

}  // namespace vigy::core
