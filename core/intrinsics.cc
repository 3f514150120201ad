#include "core/intrinsics.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/duration.h"
#include "core/ids.h"
#include "core/json_fields.h"
#include "core/tick_context.h"
#include "lisp/builtin_args.h"
#include "lisp/json.h"
#include "lisp/machine.h"
#include "lisp/printer.h"

namespace vigy::core {
namespace {

using lisp::Args;
using lisp::Machine;
using lisp::Tag;
using lisp::Value;
using nlohmann::json;

// A value as JSON; data nested too deeply for JSON fails the tick as a
// catchable :json error at the intrinsic, like json-str does.
json ValueToJson(Machine& m, Value v) {
  try {
    return lisp::ToJson(v);
  } catch (const std::length_error& e) {
    m.Fail("json", fmt::format("cannot store a value in '{}': {}", m.builtin_name(), e.what()));
  }
}

constexpr std::array<std::string_view, 10> kActionKinds = {
    "noop", "defer", "pull", "push", "create", "update", "delete", "apply", "restart", "custom"};
constexpr std::array<std::string_view, 5> kLogLevels = {"trace", "debug", "info", "warn", "error"};
constexpr int64_t kBackoffBaseMs = 1000;
constexpr int64_t kBackoffCapMs = 30'000;

// ---- helpers shared by the verbs ----

TickContext& Context(Machine& m) {
  auto* context = static_cast<TickContext*>(m.host());
  if (context == nullptr) {
    m.Fail("value", fmt::format("'{}' can only be used while a vigy ticks", m.builtin_name()));
  }
  return *context;
}

// Fails the tick as a memory limit once the records outgrow their budget.
void CheckBudget(Machine& m, const TickContext& context) {
  if (!context.over_budget()) return;
  m.Limit(
      fmt::format("memory limit exceeded: the tick recorded more than {} MiB of actions, "
                  "log, kv and state",
                  context.record_cap() / (size_t{1024} * 1024)));
}

// A key or a name: a string, or a symbol or keyword standing for its name.
std::string_view NameArg(Machine& m, Value v, std::string_view what) {
  if (v.is_string()) return v.s->view();
  if (v.is_symbol() || v.is_keyword()) return v.sym->name();
  m.TypeMismatch(what, v);
}

std::string_view KeyArg(Machine& m, Value v) { return NameArg(m, v, "string key"); }

// A key the program may write: a valid kv key, not one of the runtime's.
std::string_view WritableKeyArg(Machine& m, Value v) {
  std::string_view key = KeyArg(m, v);
  if (Status s = ValidateKvKey(key); !s.ok()) {
    m.Fail("value", fmt::format("bad key in '{}': {}", m.builtin_name(), s.message()));
  }
  if (IsReservedKey(key)) {
    m.Fail("value", fmt::format("key '{}' is reserved in '{}': keys starting with '{}' belong to "
                                "the runtime",
                                key, m.builtin_name(), kReservedPrefix));
  }
  return key;
}

// Message text: a string as is, anything else in its display form.
std::string TextArg(Value v) {
  if (v.is_string()) return std::string(v.s->view());
  return lisp::Display(v);
}

std::optional<std::string> OptionalTextArg(Value v) {
  if (v.is_nil()) return std::nullopt;
  return TextArg(v);
}

std::string Choices(std::span<const std::string_view> choices) {
  return fmt::format("{}", fmt::join(choices, " "));
}

bool IsOneOf(std::string_view word, std::span<const std::string_view> choices) {
  return std::find(choices.begin(), choices.end(), word) != choices.end();
}

// A number of milliseconds in the one duration range, 0 to kMaxDurationMs
// (core/duration.h), as an integer (floats are rounded).
int64_t MillisArg(Machine& m, Value v, std::string_view what) {
  double ms = lisp::ArgNumber(m, v, what);
  if (std::isfinite(ms) && ms < 0) {
    m.Fail("value", fmt::format("'{}' needs a non-negative number of milliseconds, got {}",
                                m.builtin_name(), lisp::Repr(v)));
  }
  if (!std::isfinite(ms) || (v.is_int() ? v.i > kMaxDurationMs : ms > kMaxDurationMs)) {
    m.Fail("value",
           fmt::format("'{}' needs at most {} milliseconds ({}), got {}", m.builtin_name(),
                       kMaxDurationMs, FormatDuration(std::chrono::milliseconds(kMaxDurationMs)),
                       lisp::Repr(v)));
  }
  return v.is_int() ? v.i : static_cast<int64_t>(std::llround(ms));
}

Value Str(Machine& m, std::string_view text) { return lisp::MakeString(m.arena(), text); }

// ---- actions ----

Value RecordAction(Machine& m, std::string_view kind, std::optional<json> payload) {
  TickContext& context = Context(m);
  ActionRecord action;
  action.kind = std::string(kind);
  action.payload = std::move(payload);
  if (kind == "noop") action.result = std::string(kResultOk);
  context.AddAction(std::move(action));
  CheckBudget(m, context);
  return Value::Nil();
}

Value RecordDefer(Machine& m, std::optional<std::string> reason) {
  TickContext& context = Context(m);
  ActionRecord action;
  action.kind = "defer";
  action.result = std::string(kResultSkipped);
  action.message = std::move(reason);
  context.AddAction(std::move(action));
  CheckBudget(m, context);
  return Value::Nil();
}

Value Noop(Machine& m, Args) { return RecordAction(m, "noop", std::nullopt); }
Value Defer(Machine& m, Args a) { return RecordDefer(m, TextArg(a[0])); }
Value Pull(Machine& m, Args a) { return RecordAction(m, "pull", ValueToJson(m, a[0])); }
Value Push(Machine& m, Args a) { return RecordAction(m, "push", ValueToJson(m, a[0])); }
Value Create(Machine& m, Args a) { return RecordAction(m, "create", ValueToJson(m, a[0])); }
Value Update(Machine& m, Args a) { return RecordAction(m, "update", ValueToJson(m, a[0])); }
Value DeleteAction(Machine& m, Args a) { return RecordAction(m, "delete", ValueToJson(m, a[0])); }
Value Apply(Machine& m, Args a) { return RecordAction(m, "apply", ValueToJson(m, a[0])); }
Value Restart(Machine& m, Args a) { return RecordAction(m, "restart", ValueToJson(m, a[0])); }

// (vigy-emit kind [p]): defer's p is its reason; every other kind's p is its
// payload (absent when not given).
Value Emit(Machine& m, Args a) {
  std::string_view kind = NameArg(m, a[0], "string action kind");
  if (!IsOneOf(kind, kActionKinds)) {
    m.Fail("value", fmt::format("unknown action kind '{}' in 'vigy-emit' (expected one of {})",
                                kind, Choices(kActionKinds)));
  }
  if (kind == "defer") {
    return RecordDefer(m, a.size() > 1 ? OptionalTextArg(a[1]) : std::nullopt);
  }
  return RecordAction(m, kind,
                      a.size() > 1 ? std::optional<json>(ValueToJson(m, a[1])) : std::nullopt);
}

// ---- state ----

Value Desired(Machine& m, Args a) {
  TickContext& context = Context(m);
  context.SetDesired(KeyArg(m, a[0]), ValueToJson(m, a[1]));
  CheckBudget(m, context);
  return a[1];
}

Value Observed(Machine& m, Args a) {
  TickContext& context = Context(m);
  context.SetObserved(KeyArg(m, a[0]), ValueToJson(m, a[1]));
  CheckBudget(m, context);
  return a[1];
}

Value ConditionVerb(Machine& m, Args a) {
  TickContext& context = Context(m);
  std::string_view name = NameArg(m, a[0], "string condition name");
  std::string_view status = a[1].is_string() ? a[1].s->view() : std::string_view();
  if (status != kConditionTrue && status != kConditionFalse && status != kConditionUnknown) {
    m.Fail("value", fmt::format("bad condition status {} in 'vigy-condition' (expected \"true\", "
                                "\"false\" or \"unknown\")",
                                lisp::Repr(a[1])));
  }
  context.SetCondition(name, status, a.size() > 2 ? OptionalTextArg(a[2]) : std::nullopt,
                       a.size() > 3 ? OptionalTextArg(a[3]) : std::nullopt);
  CheckBudget(m, context);
  return Value::Nil();
}

// ---- kv ----

Value Get(Machine& m, Args a) {
  const json* value = Context(m).KvFind(KeyArg(m, a[0]));
  if (value == nullptr) return a.size() > 1 ? a[1] : Value::Nil();
  return lisp::FromJson(m.arena(), *value);
}

Value Set(Machine& m, Args a) {
  TickContext& context = Context(m);
  context.KvSet(WritableKeyArg(m, a[0]), ValueToJson(m, a[1]));
  CheckBudget(m, context);
  return a[1];
}

Value Incr(Machine& m, Args a) {
  TickContext& context = Context(m);
  std::string_view key = WritableKeyArg(m, a[0]);
  int64_t delta = a.size() > 1 ? lisp::ArgInt(m, a[1], "integer delta") : 1;
  int64_t current = 0;
  if (const json* stored = context.KvFind(key)) {
    std::optional<int64_t> n = JsonInt64(*stored);
    if (!n) {
      m.TypeMismatch(fmt::format("integer stored under '{}'", key),
                     lisp::FromJson(m.arena(), *stored));
    }
    current = *n;
  }
  int64_t next;
  if (__builtin_add_overflow(current, delta, &next)) {
    m.Fail("integer-overflow", "integer overflow in 'vigy-incr'");
  }
  context.KvSet(key, json(next));
  CheckBudget(m, context);
  return Value::Int(next);
}

Value Has(Machine& m, Args a) { return Value::Bool(Context(m).KvFind(KeyArg(m, a[0])) != nullptr); }

Value Del(Machine& m, Args a) {
  TickContext& context = Context(m);
  bool existed = context.KvErase(WritableKeyArg(m, a[0]));
  CheckBudget(m, context);
  return Value::Bool(existed);
}

// ---- convergence ----

Value Once(Machine& m, Args a) {
  TickContext& context = Context(m);
  std::string key = OnceKey(KeyArg(m, a[0]));
  if (context.KvFind(key) != nullptr) return Value::Bool(false);
  context.KvSet(key, json(context.tick_ms()));
  CheckBudget(m, context);
  return Value::Bool(true);
}

Value MarkConverged(Machine& m, Args a) {
  TickContext& context = Context(m);
  context.KvSet(ConvergedKey(KeyArg(m, a[0])), json(context.tick_ms()));
  CheckBudget(m, context);
  return Value::Nil();
}

Value IsConverged(Machine& m, Args a) {
  return Value::Bool(Context(m).KvFind(ConvergedKey(KeyArg(m, a[0]))) != nullptr);
}

// ---- scheduling ----

Value Tick(Machine& m, Args) { return Value::Int(Context(m).tick_ms()); }
Value TickCount(Machine& m, Args) { return Value::Int(Context(m).tick_number()); }

Value SinceLastTick(Machine& m, Args) {
  TickContext& context = Context(m);
  if (context.previous_tick_ms() < 0) return Value::Int(-1);
  return Value::Int(context.tick_ms() - context.previous_tick_ms());
}

// True if k fired less than min-ms before this tick; otherwise k fires now.
Value RateLimited(Machine& m, Args a) {
  TickContext& context = Context(m);
  std::string key = RateKey(KeyArg(m, a[0]));
  int64_t min_ms = MillisArg(m, a[1], "number of milliseconds");
  if (const json* stored = context.KvFind(key)) {
    std::optional<int64_t> last = JsonInt64(*stored);
    if (last && context.tick_ms() - *last < min_ms) return Value::Bool(true);
  }
  context.KvSet(key, json(context.tick_ms()));
  CheckBudget(m, context);
  return Value::Bool(false);
}

Value BackoffMs(Machine& m, Args a) {
  int64_t attempt = lisp::ArgInt(m, a[0], "integer attempt");
  if (attempt < 0) {
    m.Fail("value", fmt::format("'vigy-backoff-ms' needs a non-negative attempt, got {}", attempt));
  }
  // 1000 * 2^5 already passes the cap; stop before shifting too far.
  if (attempt >= 5) return Value::Int(kBackoffCapMs);
  return Value::Int(std::min(kBackoffBaseMs << attempt, kBackoffCapMs));
}

Value RequeueAfter(Machine& m, Args a) {
  TickContext& context = Context(m);
  context.RequestRequeue(MillisArg(m, a[0], "number of milliseconds"));
  return Value::Nil();
}

// ---- diagnostics ----

Value LogVerb(Machine& m, Args a) {
  TickContext& context = Context(m);
  std::string_view level = NameArg(m, a[0], "string log level");
  if (!IsOneOf(level, kLogLevels)) {
    m.Fail("value", fmt::format("unknown log level '{}' in 'vigy-log' (expected one of {})", level,
                                Choices(kLogLevels)));
  }
  context.Log(level, TextArg(a[1]));
  CheckBudget(m, context);
  return Value::Nil();
}

Value Trace(Machine& m, Args a) {
  TickContext& context = Context(m);
  context.SetTrace(KeyArg(m, a[0]), ValueToJson(m, a[1]));
  CheckBudget(m, context);
  return a[1];
}

Value Metric(Machine& m, Args a) {
  TickContext& context = Context(m);
  std::string_view name = NameArg(m, a[0], "string metric name");
  json number;
  if (a[1].is_int()) {
    number = a[1].i;
  } else {
    double f = lisp::ArgNumber(m, a[1], "number");
    if (!std::isfinite(f)) {
      m.Fail("value",
             fmt::format("metric '{}' must be a finite number, got {}", name, lisp::Repr(a[1])));
    }
    number = f;
  }
  context.SetMetric(name, std::move(number));
  CheckBudget(m, context);
  return a[1];
}

Value Event(Machine& m, Args a) {
  TickContext& context = Context(m);
  std::string kind(NameArg(m, a[0], "string event kind"));
  context.AddEvent(std::move(kind), TextArg(a[1]));
  CheckBudget(m, context);
  return Value::Nil();
}

Value Name(Machine& m, Args) { return Str(m, Context(m).vigy_name()); }
Value Id(Machine& m, Args) { return Str(m, Context(m).vigy_id()); }

constexpr lisp::BuiltinSpec kIntrinsics[] = {
    // actions
    {"vigy-noop", 0, 0, Noop},
    {"vigy-defer", 1, 1, Defer},
    {"vigy-pull", 1, 1, Pull},
    {"vigy-push", 1, 1, Push},
    {"vigy-create", 1, 1, Create},
    {"vigy-update", 1, 1, Update},
    {"vigy-delete-action", 1, 1, DeleteAction},
    {"vigy-apply", 1, 1, Apply},
    {"vigy-restart", 1, 1, Restart},
    {"vigy-emit", 1, 2, Emit},
    // state
    {"vigy-desired", 2, 2, Desired},
    {"vigy-observed", 2, 2, Observed},
    {"vigy-condition", 2, 4, ConditionVerb},
    // kv
    {"vigy-get", 1, 2, Get},
    {"vigy-set", 2, 2, Set},
    {"vigy-incr", 1, 2, Incr},
    {"vigy-has?", 1, 1, Has},
    {"vigy-del", 1, 1, Del},
    // convergence
    {"vigy-once", 1, 1, Once},
    {"vigy-mark-converged", 1, 1, MarkConverged},
    {"vigy-converged?", 1, 1, IsConverged},
    // scheduling
    {"vigy-tick", 0, 0, Tick},
    {"vigy-tick-count", 0, 0, TickCount},
    {"vigy-since-last-tick", 0, 0, SinceLastTick},
    {"vigy-rate-limited?", 2, 2, RateLimited},
    {"vigy-backoff-ms", 1, 1, BackoffMs},
    {"vigy-requeue-after", 1, 1, RequeueAfter},
    // diagnostics
    {"vigy-log", 2, 2, LogVerb},
    {"vigy-trace", 2, 2, Trace},
    {"vigy-metric", 2, 2, Metric},
    {"vigy-event", 2, 2, Event},
    {"vigy-name", 0, 0, Name},
    {"vigy-id", 0, 0, Id},
};

}  // namespace

std::span<const lisp::BuiltinSpec> VigyIntrinsics() { return kIntrinsics; }

}  // namespace vigy::core
