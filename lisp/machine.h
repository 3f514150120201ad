// The state of one evaluation: its arena, value stack, globals, counters and
// limits. A Machine is used by one thread at a time; compiled programs and
// builtin tables are shared read-only between machines. This header is also
// the whole API a builtin may use.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lisp/arena.h"
#include "lisp/builtin.h"
#include "lisp/source.h"
#include "lisp/value.h"

namespace vigy::lisp {

// Per-evaluation limits. Every one, when exceeded, fails the evaluation with a
// message naming the limit; `try` cannot catch any of them.
struct Limits {
  uint64_t max_steps = 1'000'000'000;
  uint32_t max_depth = 10'000;                    // non-tail call frames
  size_t max_memory = size_t{256} * 1024 * 1024;  // bytes allocated by the evaluation
  std::chrono::milliseconds timeout{10'000};      // wall clock
};

// A runtime error on its way up: an error value (or, for `throw`, any value)
// plus where it happened. `try` catches these.
struct Raised {
  Value value;    // what `catch` binds
  bool thrown;    // true for `throw` of an arbitrary value
  SourcePos pos;  // 0:0 until the evaluator attaches the failing form's position
};

// A limit was exceeded. Never caught by `try`.
struct LimitHit {
  std::string message;
  SourcePos pos;
};

class Node;
struct Closure;
class Program;

class Machine {
 public:
  // `host` is handed back to builtins unchanged (core/ passes its tick context).
  explicit Machine(const Limits& limits = Limits{}, void* host = nullptr);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // ---- for builtins ----

  Arena& arena() { return arena_; }
  void* host() const { return host_; }

  // Calls any function value (closure or builtin) with `args`, checking arity.
  Value Apply(Value fn, Args args);

  // Counts `steps` of work done inside a builtin against the step budget
  // (e.g. one per element a builtin walks) and checks the deadline.
  void Charge(uint64_t steps) {
    steps_ += steps;
    if (steps_ >= next_check_) CheckLimits();
  }

  // Raises a runtime error that `try` can catch as an error value with tag
  // `:tag` (tag without the colon, e.g. "type-mismatch").
  [[noreturn]] void Fail(std::string_view tag, const std::string& message);
  // "type mismatch in 'NAME': expected EXPECTED, got TYPE" where NAME is the
  // builtin currently running.
  [[noreturn]] void TypeMismatch(std::string_view expected, Value got);
  // Raises `value` as `throw` does.
  [[noreturn]] void Throw(Value value);
  // Fails the evaluation as an exceeded limit (uncatchable), at the current
  // call site; for hosts that enforce limits of their own.
  [[noreturn]] void Limit(std::string message);

  // Name of the builtin currently running ("" outside builtins).
  std::string_view builtin_name() const;
  // The builtin currently running (null outside builtins). A builtin made at
  // run time (comp, partial) finds its own data through it.
  const BuiltinSpec* current_builtin() const { return current_builtin_; }

  // Text written by display/print/println. Defaults to discarding.
  void Output(std::string_view text) {
    if (output_) output_(text);
  }
  void set_output(std::function<void(std::string_view)> sink) { output_ = std::move(sink); }

  // Milliseconds left before the wall-clock limit (never negative).
  int64_t RemainingMs() const;

  // A fresh symbol, PREFIX__N__auto as the original dialect makes them (for
  // gensym and macro expansion); N counts up per machine.
  Value Gensym(std::string_view prefix = "g");

  // The program being run (null outside Run, Continue and Invoke), and the
  // programs `eval` compiled while it ran, newest last; they live as long as
  // the values made from them.
  const Program* program() const { return program_; }
  std::vector<std::shared_ptr<const Program>>& evaluated() { return evaluated_; }
  // Runs a program compiled as a continuation of the running one from inside
  // a builtin: its new globals are added, and it shares the budget, the depth
  // and the deadline of the evaluation in progress.
  Value RunNested(const Program& program);

  // ---- for hosts ----

  // Runs every top-level form of `program` in order with fresh globals and
  // returns the last form's value. Throws Raised (uncaught error) or LimitHit.
  // The returned value lives until this Machine is destroyed or Reset.
  Value Run(const Program& program);

  // Like Run, but keeps the globals (and every value) from earlier runs; for a
  // program compiled as a continuation of the previous one (the REPL).
  Value Continue(const Program& program);

  // Calls a function value from outside any evaluation (e.g. a macro at
  // compile time), under the same limits. Keeps every value from earlier runs.
  Value Invoke(Value fn, Args args);

  // Forgets all values and counters so the machine can run again.
  void Reset();

  const Limits& limits() const { return limits_; }
  uint64_t steps() const { return steps_; }

  // ---- evaluator internals (used by the node classes) ----

  void CheckLimits();
  // Calls a closure whose `nargs` arguments sit at `base`, the top of the value
  // stack; `base` becomes its frame. Pops the frame on return.
  Value CallClosure(Closure* fn, Value* base, int nargs);
  // Calls a builtin (arity unchecked: the caller knows it is right).
  Value CallBuiltin(const BuiltinSpec* spec, const Value* args, int nargs);
  // Calls any function value, checking arity. The arguments must be the top
  // of the value stack; the caller pops `base` afterwards.
  Value CallValue(Value fn, Value* base, int nargs, const Node* site);
  // Reserves `size` slots at the top of the value stack.
  Value* PushFrame(size_t size) {
    Value* base = stack_top_;
    if (static_cast<size_t>(stack_end_ - base) < size) StackExhausted();
    stack_top_ = base + size;
    return base;
  }
  void PopFrame(Value* base) { stack_top_ = base; }
  std::vector<Value>& globals() { return globals_; }
  void set_site(const Node* site) { site_ = site; }

  // What `try` restores when it catches an error raised deeper in the stack.
  struct Checkpoint {
    Value* stack_top;
    uint32_t depth;
    const Node* site;
    const BuiltinSpec* builtin;
  };
  Checkpoint Save() const { return {stack_top_, depth_, site_, current_builtin_}; }
  void Restore(const Checkpoint& c) {
    stack_top_ = c.stack_top;
    depth_ = c.depth;
    site_ = c.site;
    current_builtin_ = c.builtin;
  }

  // Pending tail call, filled by a tail-position call node.
  Value tail_fn_;
  int tail_nargs_ = 0;
  Value* tail_args_ = nullptr;

 private:
  [[noreturn]] void StackExhausted();
  [[noreturn]] void DepthExceeded();
  [[noreturn]] void ArityMismatch(std::string_view name, int min, int max, int got);
  SourcePos SitePos() const;
  Value Execute(const Program& program);
  void BeginEvaluation();
  template <typename Body>
  Value Guarded(Body body);

  Limits limits_;
  void* host_;
  Arena arena_;
  std::vector<Value> globals_;
  uint64_t steps_ = 0;
  uint64_t next_check_ = 0;
  uint32_t depth_ = 0;
  std::chrono::steady_clock::time_point deadline_;
  const char* native_stack_limit_ = nullptr;
  const Node* site_ = nullptr;
  const BuiltinSpec* current_builtin_ = nullptr;
  uint64_t gensym_counter_ = 0;
  const Program* program_ = nullptr;
  std::vector<std::shared_ptr<const Program>> evaluated_;
  std::function<void(std::string_view)> output_;

  // The value stack: one reservation, touched only as deep as programs go.
  Value* stack_base_ = nullptr;
  Value* stack_top_ = nullptr;
  Value* stack_end_ = nullptr;
  size_t stack_bytes_ = 0;
};

}  // namespace vigy::lisp
