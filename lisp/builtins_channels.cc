// Channels and fibers, the original dialect's coordination objects. Both are
// shared, mutable objects: every holder of a channel sees the same queue.
//
// A channel never blocks: `>!` answers #f when the channel is full or closed,
// `<!` answers :empty when nothing is queued, or :closed once a closed channel
// is drained. A fiber is a function of no arguments that runs when `go-run`
// first asks; it keeps its value (status :done) or what it raised (status
// :errored), and later `go-run`s return that without running it again.
#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"

namespace vigy::lisp {
namespace {

Channel* ArgChannel(Machine& m, Value v) {
  if (v.tag != Tag::kChannel) m.TypeMismatch("channel", v);
  return v.chan;
}

Fiber* ArgFiber(Machine& m, Value v) {
  if (v.tag != Tag::kFiber) m.TypeMismatch("fiber", v);
  return v.fiber;
}

Value Keyword(Machine& m, std::string_view name) { return MakeKeyword(m.arena(), name); }

// Moves the newest-first `back` list onto the end of `front` when `front` runs out.
void Refill(Machine& m, Channel* ch) {
  if (ch->front.tag == Tag::kCons || ch->back.tag != Tag::kCons) return;
  Value reversed = Value::Empty();
  for (Value it = ch->back; it.tag == Tag::kCons; it = it.c->cdr)
    reversed = MakeCons(m.arena(), it.c->car, reversed);
  ch->front = reversed;
  ch->back = Value::Empty();
}

Value Chan(Machine& m, Args args) {
  int64_t capacity = -1;
  if (!args.empty()) {
    capacity = ArgInt(m, args[0], "non-negative integer capacity");
    if (capacity < 0) m.Fail("argument", "chan: negative capacity");
  }
  return Value::Of(m.arena().New<Channel>(Value::Empty(), Value::Empty(), 0, capacity, false));
}

Value IsChan(Machine&, Args args) { return Value::Bool(args[0].tag == Tag::kChannel); }

Value ChanClosed(Machine& m, Args args) { return Value::Bool(ArgChannel(m, args[0])->closed); }

Value ChanLen(Machine& m, Args args) { return Value::Int(ArgChannel(m, args[0])->length); }

Value ChanCapacity(Machine& m, Args args) {
  Channel* ch = ArgChannel(m, args[0]);
  return ch->capacity < 0 ? Keyword(m, "unbounded") : Value::Int(ch->capacity);
}

Value Send(Machine& m, Args args) {
  Channel* ch = ArgChannel(m, args[0]);
  if (ch->closed || (ch->capacity >= 0 && ch->length >= ch->capacity)) return Value::Bool(false);
  ch->back = MakeCons(m.arena(), args[1], ch->back);
  ++ch->length;
  return Value::Bool(true);
}

Value Receive(Machine& m, Args args) {
  Channel* ch = ArgChannel(m, args[0]);
  if (ch->length == 0) return Keyword(m, ch->closed ? "closed" : "empty");
  Refill(m, ch);
  Value v = ch->front.c->car;
  ch->front = ch->front.c->cdr;
  --ch->length;
  return v;
}

Value Close(Machine& m, Args args) {
  ArgChannel(m, args[0])->closed = true;
  return Value::Nil();
}

// Every queued value, oldest first; the channel ends closed and empty.
Value Drain(Machine& m, Args args) {
  Channel* ch = ArgChannel(m, args[0]);
  ListBuilder out(m.arena());
  while (ch->length > 0) out.Add(Receive(m, args));
  ch->closed = true;
  return out.Finish();
}

Value Go(Machine& m, Args args) {
  Value thunk = ArgFunction(m, args[0]);
  return Value::Of(m.arena().New<Fiber>(FiberState::kPending, thunk, Value::Nil(), Value::Nil()));
}

Value IsFiber(Machine&, Args args) { return Value::Bool(args[0].tag == Tag::kFiber); }

Value GoStatus(Machine& m, Args args) {
  switch (ArgFiber(m, args[0])->state) {
    case FiberState::kPending:
      return Keyword(m, "pending");
    case FiberState::kRunning:
      return Keyword(m, "running");
    case FiberState::kDone:
      return Keyword(m, "done");
    case FiberState::kErrored:
      return Keyword(m, "errored");
  }
  return Value::Nil();
}

Value GoResult(Machine& m, Args args) { return ArgFiber(m, args[0])->result; }

Value GoError(Machine& m, Args args) { return ArgFiber(m, args[0])->error; }

// Runs a pending fiber; a runtime error or throw inside it is kept as the
// fiber's error and returned, not raised (limits still end the evaluation).
Value GoRun(Machine& m, Args args) {
  Fiber* f = ArgFiber(m, args[0]);
  switch (f->state) {
    case FiberState::kDone:
      return f->result;
    case FiberState::kErrored:
      return f->error;
    case FiberState::kRunning:
      m.Fail("argument", "go-run: the fiber is already running");
    case FiberState::kPending:
      break;
  }
  f->state = FiberState::kRunning;
  Machine::Checkpoint saved = m.Save();
  try {
    f->result = m.Apply(f->thunk, Args());
    f->state = FiberState::kDone;
    return f->result;
  } catch (const Raised& raised) {
    m.Restore(saved);
    f->error = raised.value;
    f->state = FiberState::kErrored;
    return f->error;
  }
}

const BuiltinSpec kChannels[] = {
    {"chan", 0, 1, Chan},
    {"chan?", 1, 1, IsChan},
    {"chan-closed?", 1, 1, ChanClosed},
    {"chan-len", 1, 1, ChanLen},
    {"chan-capacity", 1, 1, ChanCapacity},
    {">!", 2, 2, Send},
    {"<!", 1, 1, Receive},
    {"close!", 1, 1, Close},
    {"drain!", 1, 1, Drain},
    {"go", 1, 1, Go},
    {"go?", 1, 1, IsFiber},
    {"go-status", 1, 1, GoStatus},
    {"go-result", 1, 1, GoResult},
    {"go-error", 1, 1, GoError},
    {"go-run", 1, 1, GoRun},
};

}  // namespace

std::span<const BuiltinSpec> ChannelBuiltins() { return kChannels; }

}  // namespace vigy::lisp
