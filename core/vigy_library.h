// The library every vigy program is compiled against: the language's standard
// library, the vigy intrinsics and the host functions.
#pragma once

#include "lisp/interp.h"

namespace vigy::core {

// Built on first use (thread-safe) and shared, read-only, for the life of the
// process. Machines running programs compiled against it must have a
// TickContext* (or null) as their host; see intrinsics.h.
const lisp::Library& VigyLibrary();

}  // namespace vigy::core
