#include "core/tick.h"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <new>

#include "core/ids.h"
#include "core/model_json.h"
#include "lisp/arena.h"
#include "lisp/machine.h"

namespace vigy::core {
namespace {

struct Failure {
  std::string message;
  lisp::SourcePos pos;
};

// Runs the program, turning everything it can raise into a Failure.
std::optional<Failure> Evaluate(const lisp::Program& program, const lisp::Limits& limits,
                                TickContext& context) {
  // Outside the try: a Raised value lives in the machine's arena, so the
  // machine must outlive the handler that reads it.
  lisp::Machine machine(limits, &context);
  try {
    machine.set_output([&context, &machine](std::string_view text) {
      context.Output(text);
      if (context.over_budget()) {
        machine.Limit(
            fmt::format("memory limit exceeded: the tick recorded more than {} MiB of output",
                        context.record_cap() / (size_t{1024} * 1024)));
      }
    });
    machine.Run(program);
    return std::nullopt;
  } catch (const lisp::Raised& raised) {
    return Failure{lisp::RaisedMessage(raised), raised.pos};
  } catch (const lisp::LimitHit& hit) {
    return Failure{hit.message, hit.pos};
  } catch (const lisp::ArenaExhausted& exhausted) {
    return Failure{
        fmt::format("memory limit exceeded ({} MiB)", exhausted.cap / (size_t{1024} * 1024)), {}};
  } catch (const std::bad_alloc&) {
    return Failure{"out of memory", {}};
  } catch (const std::exception& e) {
    return Failure{fmt::format("internal error: {}", e.what()), {}};
  }
}

}  // namespace

TickOutcome RunTick(const TickInput& input) {
  const auto start = std::chrono::steady_clock::now();
  TickContext context(input.vigy_name, input.vigy_id, input.tick_ms, input.kv,
                      input.previous_conditions);
  context.set_record_cap(input.limits.max_memory);

  std::optional<Failure> failure;
  if (input.program == nullptr) {
    failure = Failure{"no compiled program", {}};
  } else {
    failure = Evaluate(*input.program, input.limits, context);
  }
  const bool ok = !failure.has_value();

  TickOutcome outcome;
  RunRecord& run = outcome.run;
  run.id = NewRunId(input.tick_ms);
  run.vigy_id = input.vigy_id;
  run.vigy_name = input.vigy_name;
  run.revision = input.revision;
  run.tick = context.tick_number();
  run.started_at_ms = input.tick_ms;
  run.result = std::string(ok ? kResultOk : kResultFailed);
  if (failure) {
    const lisp::SourcePos& pos = failure->pos;
    run.error = pos.known() ? fmt::format("{}:{}: {}", pos.line, pos.col, failure->message)
                            : failure->message;
    outcome.diagnostic = lisp::Diagnostic{input.file, pos, failure->message};
  }
  context.MoveRecordsInto(run);

  outcome.kv = context.KvAfter(ok);
  if (ok) outcome.kv_writes = context.kv_writes();
  RuntimeCounters after = AdvanceRuntimeCounters(context.counters_before(), input.tick_ms, ok);
  for (auto& [key, value] : RuntimeCounterWrites(after)) outcome.kv_writes[key] = std::move(value);
  outcome.requeue_after_ms = context.requeue_after_ms();
  outcome.state = context.TakeState();

  auto elapsed = std::chrono::steady_clock::now() - start;
  run.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  run.ended_at_ms = run.started_at_ms + run.duration_ms;
  return outcome;
}

nlohmann::json ToJson(const TickOutcome& outcome) {
  nlohmann::json j = ToJson(outcome.run);
  j["kv"] = KvToJson(outcome.kv, /*include_reserved=*/true);
  j["state"] = ToJson(outcome.state);
  return j;
}

}  // namespace vigy::core
