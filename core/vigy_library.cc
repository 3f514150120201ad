#include "core/vigy_library.h"

#include "core/host_functions.h"
#include "core/intrinsics.h"

namespace vigy::core {

const lisp::Library& VigyLibrary() {
  static const lisp::Library library = [] {
    lisp::Library built;
    built.Add(VigyIntrinsics());
    built.Add(HostBuiltins());
    return built;
  }();
  return library;
}

}  // namespace vigy::core
