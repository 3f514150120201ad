#include "lisp/machine.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "lisp/function.h"
#include "lisp/nodes.h"
#include "lisp/program.h"

namespace vigy::lisp {
namespace {

// Keep this much native stack free for builtins, the printer and error paths.
constexpr size_t kNativeStackReserve = size_t{256} * 1024;

const char* ComputeNativeStackLimit() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return nullptr;
  void* addr = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (addr == nullptr || size <= 2 * kNativeStackReserve) return nullptr;
  return static_cast<const char*>(addr) + kNativeStackReserve;
}

// Where this thread's native stack is now. The frame address rather than the
// address of a local: with AddressSanitizer's use-after-return detection
// locals live on a separate, heap-allocated fake stack.
inline const char* NativeStackPosition() {
  return static_cast<const char*>(__builtin_frame_address(0));
}

// Computed once per thread: asking is slow (for the main thread glibc reads
// /proc/self/maps).
const char* NativeStackLimit() {
  thread_local const char* limit = ComputeNativeStackLimit();
  return limit;
}

std::string FormatBytes(size_t bytes) {
  if (bytes % (size_t{1024} * 1024) == 0)
    return fmt::format("{} MiB", bytes / (size_t{1024} * 1024));
  if (bytes % 1024 == 0) return fmt::format("{} KiB", bytes / 1024);
  return fmt::format("{} bytes", bytes);
}

}  // namespace

Machine::Machine(const Limits& limits, void* host)
    : limits_(limits), host_(host), arena_(limits.max_memory) {
  // Enough slots for max_depth frames of a generous size; pages are touched
  // (and become resident) only as deep as a program actually goes.
  size_t slots = std::clamp<size_t>(size_t{limits.max_depth} * 64, 1 << 16, size_t{1} << 24);
  stack_bytes_ = slots * sizeof(Value);
  void* mem = mmap(nullptr, stack_bytes_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) throw std::bad_alloc();
  stack_base_ = static_cast<Value*>(mem);
  stack_top_ = stack_base_;
  stack_end_ = stack_base_ + slots;
}

Machine::~Machine() { munmap(stack_base_, stack_bytes_); }

void Machine::Reset() {
  arena_.Reset();
  globals_.clear();
  stack_top_ = stack_base_;
  depth_ = 0;
  steps_ = 0;
  site_ = nullptr;
  current_builtin_ = nullptr;
  evaluated_.clear();
}

Value Machine::Run(const Program& program) {
  Reset();
  globals_ = program.global_init;
  return Execute(program);
}

Value Machine::Continue(const Program& program) {
  for (size_t i = globals_.size(); i < program.global_init.size(); ++i) {
    globals_.push_back(program.global_init[i]);
  }
  return Execute(program);
}

void Machine::BeginEvaluation() {
  stack_top_ = stack_base_;
  depth_ = 0;
  steps_ = 0;
  site_ = nullptr;
  current_builtin_ = nullptr;
  deadline_ = std::chrono::steady_clock::now() + limits_.timeout;
  next_check_ = 0;
  native_stack_limit_ = NativeStackLimit();
}

template <typename Body>
Value Machine::Guarded(Body body) {
  BeginEvaluation();
  try {
    return body();
  } catch (const ArenaExhausted& e) {
    throw LimitHit{fmt::format("memory limit exceeded ({})", FormatBytes(e.cap)), SitePos()};
  } catch (const std::bad_alloc&) {
    throw LimitHit{"memory limit exceeded (the system refused an allocation)", SitePos()};
  }
}

Value Machine::Execute(const Program& program) {
  program_ = &program;
  return Guarded([&] {
    Value* frame = PushFrame(program.frame_size);
    Value result = program.body->Eval(*this, frame, nullptr);
    PopFrame(frame);
    return result;
  });
}

Value Machine::RunNested(const Program& program) {
  for (size_t i = globals_.size(); i < program.global_init.size(); ++i) {
    globals_.push_back(program.global_init[i]);
  }
  Value* frame = PushFrame(program.frame_size);
  std::fill(frame, frame + program.frame_size, Value::Nil());
  Value result = program.body->Eval(*this, frame, nullptr);
  PopFrame(frame);
  return result;
}

Value Machine::Invoke(Value fn, Args args) {
  return Guarded([&] {
    int nargs = static_cast<int>(args.size());
    Value* base = PushFrame(nargs);
    std::copy(args.begin(), args.end(), base);
    return CallValue(fn, base, nargs, nullptr);
  });
}

SourcePos Machine::SitePos() const { return site_ ? site_->pos() : SourcePos{}; }

void Machine::CheckLimits() {
  if (steps_ > limits_.max_steps) {
    throw LimitHit{fmt::format("step limit exceeded ({} steps)", limits_.max_steps), SitePos()};
  }
  if (std::chrono::steady_clock::now() > deadline_) {
    throw LimitHit{
        fmt::format("timeout: evaluation ran longer than {} ms", limits_.timeout.count()),
        SitePos()};
  }
  // Look at the clock again after at most this many more steps.
  next_check_ = std::min(steps_ + 4096, limits_.max_steps + 1);
}

int64_t Machine::RemainingMs() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
  return std::max<int64_t>(0, left.count());
}

void Machine::StackExhausted() {
  throw LimitHit{fmt::format("stack limit exceeded ({} values): too many arguments in one call, "
                             "or calls nested too deep",
                             stack_end_ - stack_base_),
                 SitePos()};
}

void Machine::DepthExceeded() {
  throw LimitHit{fmt::format("call depth limit exceeded ({} frames)", limits_.max_depth),
                 SitePos()};
}

void Machine::ArityMismatch(std::string_view name, int min, int max, int got) {
  Fail("arity-mismatch", ArityMessage(name, min, max, got));
}

std::string ArityMessage(std::string_view name, int min, int max, int got) {
  std::string takes;
  std::string_view noun = (max == kVariadic ? min : max) == 1 ? "argument" : "arguments";
  if (max == min) {
    takes = fmt::format("{} {}", min, noun);
  } else if (max == kVariadic) {
    takes = fmt::format("at least {} {}", min, noun);
  } else {
    takes = fmt::format("{} to {} {}", min, max, noun);
  }
  std::string who = name.empty() ? "function" : fmt::format("'{}'", name);
  return fmt::format("arity: {} takes {}, got {}", who, takes, got);
}

Value Machine::CallClosure(Closure* fn, Value* base, int nargs) {
  if (++depth_ > limits_.max_depth) DepthExceeded();
  if (NativeStackPosition() < native_stack_limit_) DepthExceeded();
  Value result;
  while (true) {
    Charge(1);
    const LambdaNode* lambda = fn->lambda;
    if (nargs < lambda->nparams || (!lambda->has_rest && nargs > lambda->nparams)) {
      ArityMismatch(lambda->name, lambda->nparams, lambda->has_rest ? kVariadic : lambda->nparams,
                    nargs);
    }
    if (static_cast<size_t>(stack_end_ - base) < static_cast<size_t>(lambda->frame_size)) {
      DepthExceeded();  // frames of deep recursion filled the stack
    }
    if (lambda->has_rest) {
      Value rest = Value::Empty();
      for (int i = nargs - 1; i >= lambda->nparams; --i) rest = MakeCons(arena_, base[i], rest);
      base[lambda->nparams] = rest;
    }
    for (int slot : lambda->boxed_params) base[slot] = MakeBox(arena_, base[slot]);
    stack_top_ = base + lambda->frame_size;
    result = lambda->body->Eval(*this, base, fn);
    if (result.tag != Tag::kTailCall) break;
    // A call in tail position: its arguments sit above this frame; move them
    // down and run the callee in the same frame.
    nargs = tail_nargs_;
    std::memmove(base, tail_args_, sizeof(Value) * nargs);
    if (tail_fn_.tag == Tag::kClosure) {
      fn = tail_fn_.fn;
      continue;
    }
    stack_top_ = base + nargs;
    result = CallValue(tail_fn_, base, nargs, site_);
    break;
  }
  --depth_;
  stack_top_ = base;
  return result;
}

Value Machine::CallBuiltin(const BuiltinSpec* spec, const Value* args, int nargs) {
  const BuiltinSpec* outer = current_builtin_;
  current_builtin_ = spec;
  Value result = spec->fn(*this, Args(args, static_cast<size_t>(nargs)));
  current_builtin_ = outer;
  return result;
}

Value Machine::CallValue(Value fn, Value* base, int nargs, const Node* site) {
  site_ = site;
  // Callers leave the arguments at the top of the stack, so for a closure
  // they become its frame where they are.
  if (fn.tag == Tag::kClosure) return CallClosure(fn.fn, base, nargs);
  if (fn.tag == Tag::kBuiltin) {
    const BuiltinSpec* spec = fn.bi;
    if (nargs < spec->min_args || (spec->max_args != kVariadic && nargs > spec->max_args)) {
      ArityMismatch(spec->name, spec->min_args, spec->max_args, nargs);
    }
    // A builtin that calls functions (comp, partial, map...) may be handed
    // another such builtin, nested without end and without any closure frame
    // in between to count: the native stack is the bound.
    if (NativeStackPosition() < native_stack_limit_) DepthExceeded();
    Charge(1);
    return CallBuiltin(spec, base, nargs);
  }
  Fail("not-callable",
       fmt::format("cannot call a value of type {} (not a function)", TypeName(fn)));
}

Value Machine::Apply(Value fn, Args args) {
  Checkpoint saved = Save();
  int nargs = static_cast<int>(args.size());
  Value* base = PushFrame(nargs);
  std::copy(args.begin(), args.end(), base);
  Value result = CallValue(fn, base, nargs, site_);
  stack_top_ = saved.stack_top;
  site_ = saved.site;
  current_builtin_ = saved.builtin;
  return result;
}

void Machine::Fail(std::string_view tag, const std::string& message) {
  Value error = MakeError(arena_, MakeKeyword(arena_, tag), message);
  throw Raised{error, false, SitePos()};
}

void Machine::TypeMismatch(std::string_view expected, Value got) {
  Fail("type-mismatch", fmt::format("type mismatch in '{}': expected {}, got {}", builtin_name(),
                                    expected, TypeName(got)));
}

void Machine::Throw(Value value) { throw Raised{value, true, SitePos()}; }

void Machine::Limit(std::string message) { throw LimitHit{std::move(message), SitePos()}; }

std::string_view Machine::builtin_name() const {
  return current_builtin_ ? current_builtin_->name : std::string_view();
}

Value Machine::Gensym(std::string_view prefix) {
  return MakeSymbol(arena_, fmt::format("{}__{}__auto", prefix, ++gensym_counter_));
}

}  // namespace vigy::lisp
