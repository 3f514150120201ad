#include "cli/session.h"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <new>

#include "core/ids.h"
#include "core/vigy_library.h"

namespace vigy::cli {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Session::Session(std::string_view name, const lisp::Limits& limits,
                 std::function<void(std::string_view)> output)
    : context_(std::string(name), core::VigyIdFromName(name), NowMs(), kv_),
      machine_(limits, &context_) {
  context_.set_record_cap(limits.max_memory);
  machine_.set_output(std::move(output));
}

Session::Outcome Session::Evaluate(std::string_view source, const std::string& file) {
  lisp::CompileResult compiled = last_ ? lisp::CompileContinuation(last_, source, file)
                                       : lisp::Compile(core::VigyLibrary(), source, file);
  Outcome outcome;
  if (!compiled.ok()) {
    outcome.errors = std::move(compiled.errors);
    return outcome;
  }
  // Even if the run fails, the machine has made room for this program's
  // globals, so the next snippet must continue from it.
  last_ = compiled.program;
  auto fail = [&](lisp::SourcePos pos, std::string message) {
    outcome.errors.push_back(lisp::Diagnostic{file, pos, std::move(message)});
    return outcome;
  };
  try {
    outcome.value = machine_.Continue(*compiled.program);
    outcome.ok = true;
    return outcome;
  } catch (const lisp::Raised& raised) {
    return fail(raised.pos, lisp::RaisedMessage(raised));
  } catch (const lisp::LimitHit& hit) {
    return fail(hit.pos, hit.message);
  } catch (const std::bad_alloc&) {
    return fail({}, "out of memory");
  } catch (const std::exception& e) {
    return fail({}, fmt::format("internal error: {}", e.what()));
  }
}

}  // namespace vigy::cli
