#include "lisp/suggest.h"

#include <algorithm>

namespace vigy::lisp {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates) {
  size_t budget = name.size() / 3;
  if (budget == 0) return "";
  size_t best = budget + 1;
  std::string_view winner;
  for (std::string_view candidate : candidates) {
    if (candidate == name) continue;
    size_t lengths = candidate.size() > name.size() ? candidate.size() - name.size()
                                                    : name.size() - candidate.size();
    if (lengths > budget) continue;
    size_t d = EditDistance(name, candidate);
    if (d < best) {
      best = d;
      winner = candidate;
    }
  }
  return std::string(winner);
}

}  // namespace vigy::lisp
