// "Did you mean" for unbound names: the closest known name by edit distance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigy::lisp {

// The candidate closest to `name`, if it is close enough to be a plausible
// typo (at most a third of the name's length in edits; names shorter than
// three characters get no suggestion); "" otherwise. Ties go to the earlier candidate.
std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace vigy::lisp
