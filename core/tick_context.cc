#include "core/tick_context.h"

#include <algorithm>
#include <utility>

#include "core/json_fields.h"

namespace vigy::core {

using nlohmann::json;

namespace {

// Fixed overhead charged per recorded item, for the containers around it.
constexpr int64_t kItemOverhead = 48;

int64_t Bytes(const json& value) { return static_cast<int64_t>(ApproxJsonBytes(value)); }

int64_t IntOr(const Kv& kv, std::string_view key, int64_t fallback) {
  auto it = kv.find(key);
  if (it == kv.end()) return fallback;
  return JsonInt64(it->second).value_or(fallback);
}

}  // namespace

size_t ApproxJsonBytes(const json& value) {
  size_t total = 0;
  std::vector<const json*> pending{&value};
  while (!pending.empty()) {
    const json* v = pending.back();
    pending.pop_back();
    total += 16;
    if (v->is_string()) {
      total += v->get_ref<const std::string&>().size();
    } else if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        total += it.key().size() + 32;
        pending.push_back(&it.value());
      }
    } else if (v->is_array()) {
      for (const json& element : *v) pending.push_back(&element);
    }
  }
  return total;
}

bool IsReservedKey(std::string_view key) { return key.starts_with(kReservedPrefix); }

std::string OnceKey(std::string_view key) { return "__once/" + std::string(key); }
std::string ConvergedKey(std::string_view key) { return "__converged/" + std::string(key); }
std::string RateKey(std::string_view key) { return "__rate/" + std::string(key); }

RuntimeCounters ReadRuntimeCounters(const Kv& kv) {
  RuntimeCounters counters;
  counters.tick_count = std::max<int64_t>(0, IntOr(kv, kTickCountKey, 0));
  counters.last_tick_ms = IntOr(kv, kLastTickKey, -1);
  counters.consecutive_failures = std::max<int64_t>(0, IntOr(kv, kFailuresKey, 0));
  return counters;
}

RuntimeCounters AdvanceRuntimeCounters(const RuntimeCounters& before, int64_t tick_ms, bool ok) {
  RuntimeCounters after;
  after.tick_count = before.tick_count + 1;
  after.last_tick_ms = tick_ms;
  after.consecutive_failures = ok ? 0 : before.consecutive_failures + 1;
  return after;
}

void ApplyRuntimeCounters(Kv& kv, const RuntimeCounters& counters) {
  for (auto& [key, value] : RuntimeCounterWrites(counters)) kv[key] = std::move(*value);
}

KvWrites RuntimeCounterWrites(const RuntimeCounters& counters) {
  KvWrites writes;
  writes[std::string(kTickCountKey)] = json(counters.tick_count);
  writes[std::string(kLastTickKey)] = json(counters.last_tick_ms);
  writes[std::string(kFailuresKey)] = json(counters.consecutive_failures);
  return writes;
}

TickContext::TickContext(std::string vigy_name, std::string vigy_id, int64_t tick_ms, const Kv& kv,
                         std::vector<Condition> previous_conditions)
    : vigy_name_(std::move(vigy_name)),
      vigy_id_(std::move(vigy_id)),
      tick_ms_(tick_ms),
      kv_before_(kv),
      counters_before_(ReadRuntimeCounters(kv)),
      previous_conditions_(std::move(previous_conditions)) {
  state_.conditions = previous_conditions_;
}

// ---- kv ----

const json* TickContext::KvFind(std::string_view key) const {
  if (auto w = kv_writes_.find(key); w != kv_writes_.end()) {
    return w->second ? &*w->second : nullptr;
  }
  auto it = kv_before_.find(key);
  return it == kv_before_.end() ? nullptr : &it->second;
}

void TickContext::KvSet(std::string_view key, json value) {
  int64_t added = Bytes(value);
  auto it = kv_writes_.find(key);
  if (it == kv_writes_.end()) {
    recorded_bytes_ += added + static_cast<int64_t>(key.size()) + kItemOverhead;
    kv_writes_.emplace(std::string(key), std::move(value));
    return;
  }
  if (it->second) recorded_bytes_ -= Bytes(*it->second);
  recorded_bytes_ += added;
  it->second = std::move(value);
}

bool TickContext::KvErase(std::string_view key) {
  bool existed = KvFind(key) != nullptr;
  auto it = kv_writes_.find(key);
  if (it == kv_writes_.end()) {
    // Deleting a key that exists nowhere leaves nothing to commit.
    if (!existed) return false;
    recorded_bytes_ += static_cast<int64_t>(key.size()) + kItemOverhead;
    kv_writes_.emplace(std::string(key), std::nullopt);
    return true;
  }
  if (it->second) recorded_bytes_ -= Bytes(*it->second);
  if (kv_before_.find(key) == kv_before_.end()) {
    kv_writes_.erase(it);  // written and deleted within the tick: nothing to commit
  } else {
    it->second = std::nullopt;
  }
  return existed;
}

Kv TickContext::KvAfter(bool ok) const {
  Kv kv = kv_before_;
  if (ok) {
    for (const auto& [key, value] : kv_writes_) {
      if (value) {
        kv[key] = *value;
      } else {
        kv.erase(key);
      }
    }
  }
  ApplyRuntimeCounters(kv, AdvanceRuntimeCounters(counters_before_, tick_ms_, ok));
  return kv;
}

// ---- records ----

void TickContext::AddAction(ActionRecord action) {
  recorded_bytes_ += kItemOverhead + static_cast<int64_t>(action.kind.size());
  if (action.payload) recorded_bytes_ += Bytes(*action.payload);
  if (action.message) recorded_bytes_ += static_cast<int64_t>(action.message->size());
  actions_.push_back(std::move(action));
}

void TickContext::SetIn(json& object, std::string_view key, json value) {
  if (!object.is_object()) object = json::object();
  std::string k(key);
  auto it = object.find(k);
  if (it != object.end()) {
    recorded_bytes_ -= Bytes(*it);
  } else {
    recorded_bytes_ += static_cast<int64_t>(key.size()) + kItemOverhead;
  }
  recorded_bytes_ += Bytes(value);
  object[k] = std::move(value);
}

void TickContext::SetDesired(std::string_view key, json value) {
  SetIn(state_.desired, key, std::move(value));
}

void TickContext::SetObserved(std::string_view key, json value) {
  SetIn(state_.observed, key, std::move(value));
}

void TickContext::SetCondition(std::string_view name, std::string_view status,
                               std::optional<std::string> reason,
                               std::optional<std::string> message) {
  auto by_name = [&](const Condition& c) { return c.name == name; };
  auto previous = std::find_if(previous_conditions_.begin(), previous_conditions_.end(), by_name);
  Condition updated;
  updated.name = std::string(name);
  updated.status = std::string(status);
  updated.reason = std::move(reason);
  updated.message = std::move(message);
  updated.last_transition_ms = previous != previous_conditions_.end() && previous->status == status
                                   ? previous->last_transition_ms
                                   : tick_ms_;

  auto size_of = [](const Condition& c) {
    return static_cast<int64_t>(c.name.size() + c.status.size() +
                                (c.reason ? c.reason->size() : 0) +
                                (c.message ? c.message->size() : 0)) +
           kItemOverhead;
  };
  recorded_bytes_ += size_of(updated);
  auto current = std::find_if(state_.conditions.begin(), state_.conditions.end(), by_name);
  if (current != state_.conditions.end()) {
    recorded_bytes_ -= size_of(*current);
    *current = std::move(updated);
  } else {
    state_.conditions.push_back(std::move(updated));
  }
}

void TickContext::Log(std::string_view level, std::string message) {
  FlushOutput();
  recorded_bytes_ += kItemOverhead + static_cast<int64_t>(message.size());
  log_.push_back(LogEntry{std::string(level), std::move(message)});
}

void TickContext::Output(std::string_view text) {
  recorded_bytes_ += static_cast<int64_t>(text.size());
  while (!text.empty()) {
    size_t newline = text.find('\n');
    if (newline == std::string_view::npos) {
      pending_output_.append(text);
      return;
    }
    pending_output_.append(text.substr(0, newline));
    text.remove_prefix(newline + 1);
    recorded_bytes_ += kItemOverhead;
    log_.push_back(LogEntry{"info", std::move(pending_output_)});
    pending_output_.clear();
  }
}

void TickContext::FlushOutput() {
  if (pending_output_.empty()) return;
  recorded_bytes_ += kItemOverhead;
  log_.push_back(LogEntry{"info", std::move(pending_output_)});
  pending_output_.clear();
}

void TickContext::AddEvent(std::string kind, std::string message) {
  recorded_bytes_ += kItemOverhead + static_cast<int64_t>(kind.size() + message.size());
  events_.push_back(EventRecord{std::move(kind), std::move(message)});
}

void TickContext::SetMetric(std::string_view name, json number) {
  auto [it, inserted] = metrics_.try_emplace(std::string(name));
  if (inserted) recorded_bytes_ += kItemOverhead + static_cast<int64_t>(name.size());
  it->second = std::move(number);
}

void TickContext::SetTrace(std::string_view key, json value) {
  auto [it, inserted] = trace_.try_emplace(std::string(key));
  if (inserted) {
    recorded_bytes_ += kItemOverhead + static_cast<int64_t>(key.size());
  } else {
    recorded_bytes_ -= Bytes(it->second);
  }
  recorded_bytes_ += Bytes(value);
  it->second = std::move(value);
}

void TickContext::MoveRecordsInto(RunRecord& run) {
  FlushOutput();
  run.actions = std::move(actions_);
  run.log = std::move(log_);
  run.events = std::move(events_);
  run.metrics = std::move(metrics_);
  run.trace = std::move(trace_);
}

}  // namespace vigy::core
