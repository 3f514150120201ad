// libFuzzer target: arbitrary bytes as a vigy program, through the reader,
// expander and compiler, then (when it compiles) the evaluator and a full
// tick. Whatever the input, nothing may crash, leak, hang or trip a
// sanitizer: errors and exceeded limits must come back as failures.
//
// Programs are compiled against the vigy library minus the host functions
// that touch the machine (sh, read-file, file-exists?, file-mtime): the
// fuzzer must not run commands or read files. Calls to them fail to compile
// as unknown names, which is itself a path worth exercising.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>
#include <vector>

#include "core/host_functions.h"
#include "core/intrinsics.h"
#include "core/tick.h"
#include "lisp/interp.h"
#include "lisp/json.h"
#include "lisp/printer.h"

namespace {

using vigy::lisp::BuiltinSpec;

// Small limits keep each input fast; they are also what is being tested.
vigy::lisp::Limits FuzzLimits() {
  vigy::lisp::Limits limits;
  limits.max_steps = 10'000;
  limits.max_depth = 200;
  limits.max_memory = size_t{4} << 20;
  limits.timeout = std::chrono::milliseconds(1000);
  return limits;
}

const vigy::lisp::Library& FuzzLibrary() {
  static const std::vector<BuiltinSpec> host = [] {
    const std::set<std::string_view> touch_machine = {"sh", "read-file", "file-exists?",
                                                      "file-mtime"};
    std::vector<BuiltinSpec> kept;
    for (const BuiltinSpec& spec : vigy::core::HostBuiltins()) {
      if (!touch_machine.count(spec.name)) kept.push_back(spec);
    }
    return kept;
  }();
  static const vigy::lisp::Library library = [] {
    vigy::lisp::Library built;
    built.Add(vigy::core::VigyIntrinsics());
    built.Add(host);
    return built;
  }();
  return library;
}

// A bare machine with no tick context: intrinsics fail cleanly, and the
// result is printed both ways and converted to JSON.
void Evaluate(const vigy::lisp::Program& program) {
  vigy::lisp::Machine machine(FuzzLimits());
  std::string output;
  machine.set_output([&output](std::string_view text) {
    if (output.size() < (size_t{1} << 20)) output.append(text);
  });
  try {
    vigy::lisp::Value result = machine.Run(program);
    (void)vigy::lisp::Repr(result);
    (void)vigy::lisp::Display(result);
    try {
      (void)vigy::lisp::ToJson(result).dump(-1, ' ', false,
                                            nlohmann::json::error_handler_t::replace);
    } catch (const std::length_error&) {
      // Documented: data nested past 1,000 levels has no JSON form.
    }
  } catch (const vigy::lisp::Raised& raised) {
    (void)vigy::lisp::RaisedMessage(raised);
  } catch (const vigy::lisp::LimitHit&) {
  }
}

// The tick a store would run: the intrinsics against a small kv.
void Tick(const std::shared_ptr<const vigy::lisp::Program>& program) {
  vigy::core::TickInput input;
  input.program = program;
  input.file = "fuzz.vigy";
  input.vigy_name = "fuzz";
  input.vigy_id = "vg_fuzz";
  input.revision = "r1";
  input.kv["count"] = 3;
  input.kv["name"] = "x";
  input.kv["list"] = nlohmann::json::array({1, "two", nullptr});
  input.limits = FuzzLimits();
  input.tick_ms = 1'700'000'000'000;
  vigy::core::TickOutcome outcome = vigy::core::RunTick(input);
  (void)vigy::core::ToJson(outcome).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Real programs are small; long inputs only slow the search down.
  if (size > 8192) return -1;
  std::string_view source(reinterpret_cast<const char*>(data), size);
  vigy::lisp::CompileResult compiled = vigy::lisp::Compile(FuzzLibrary(), source, "fuzz.vigy");
  if (!compiled.ok()) return 0;
  Evaluate(*compiled.program);
  Tick(compiled.program);
  return 0;
}
