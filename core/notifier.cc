#include "core/notifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/shell.h"
#include "core/time_format.h"

namespace vigy::core {
namespace {

// Kept of the command's stderr, for the log line when it fails.
constexpr size_t kErrorCap = 4096;
// Shown of that stderr in the log line.
constexpr size_t kErrorShown = 200;

nlohmann::json RunFields(const RunRecord& run) {
  nlohmann::json j;
  j["id"] = run.id;
  j["tick"] = run.tick;
  j["result"] = run.result;
  if (run.error) j["error"] = *run.error;
  j["started_at"] = FormatRfc3339Ms(run.started_at_ms);
  j["ended_at"] = FormatRfc3339Ms(run.ended_at_ms);
  j["duration_ms"] = run.duration_ms;
  return j;
}

const char* KindName(SchedulerEvent::Kind kind) {
  switch (kind) {
    case SchedulerEvent::Kind::kFailed:
      return "failed";
    case SchedulerEvent::Kind::kRecovered:
      return "recovered";
    case SchedulerEvent::Kind::kConditionChanged:
      return "condition";
    case SchedulerEvent::Kind::kSkippedSlots:
      return "behind";
    default:
      return nullptr;
  }
}

// The first line of `text`, at most kErrorShown bytes of it.
std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > kErrorShown) line = line.substr(0, kErrorShown) + "...";
  return line;
}

}  // namespace

nlohmann::json NotificationFor(const SchedulerEvent& event) {
  const char* kind = KindName(event.kind);
  if (kind == nullptr) return nullptr;
  nlohmann::json j;
  j["kind"] = kind;
  j["at"] = FormatRfc3339Ms(event.at_ms);
  j["vigy"] = {{"id", event.vigy_id}, {"name", event.vigy_name}};
  if (event.run != nullptr && event.kind != SchedulerEvent::Kind::kSkippedSlots) {
    j["run"] = RunFields(*event.run);
  }
  if (event.kind == SchedulerEvent::Kind::kConditionChanged && event.condition) {
    nlohmann::json condition;
    condition["name"] = event.condition->name;
    condition["status"] = event.condition->status;
    if (event.condition->reason) condition["reason"] = *event.condition->reason;
    if (event.condition->message) condition["message"] = *event.condition->message;
    condition["previous_status"] =
        event.previous_status.empty() ? nlohmann::json() : nlohmann::json(event.previous_status);
    j["condition"] = std::move(condition);
  }
  if (event.kind == SchedulerEvent::Kind::kSkippedSlots) j["missed_slots"] = event.count;
  return j;
}

Notifier::Notifier(NotifierOptions options, NotifierLog log)
    : options_(std::move(options)), log_(std::move(log)) {
  thread_ = std::thread([this] { Deliver(); });
}

Notifier::~Notifier() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + options_.timeout;
  }
  wake_.notify_all();
  thread_.join();
}

void Notifier::Observe(const SchedulerEvent& event) {
  if (event.kind == SchedulerEvent::Kind::kFailed) {
    if (!failing_.insert(event.vigy_id).second) return;  // told already
  } else if (event.kind == SchedulerEvent::Kind::kRecovered ||
             event.kind == SchedulerEvent::Kind::kDropped) {
    failing_.erase(event.vigy_id);
  }
  nlohmann::json body = NotificationFor(event);
  if (body.is_null()) return;
  Pending pending{body["kind"].get<std::string>(), event.vigy_name,
                  body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  int64_t dropped_in_all = 0;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.max_queued) {
      dropped_in_all = ++dropped_;
    } else {
      queue_.push_back(std::move(pending));
    }
  }
  // Said at the first drop and at every tenfold after it, not for each.
  auto is_power_of_ten = [](int64_t n) {
    while (n % 10 == 0) n /= 10;
    return n == 1;
  };
  if (dropped_in_all > 0 && is_power_of_ten(dropped_in_all)) {
    log_(fmt::format("notify: {} events waiting, dropped the '{}' event of {} ({} dropped in all)",
                     options_.max_queued, body["kind"].get<std::string>(), event.vigy_name,
                     dropped_in_all));
  }
  if (dropped_in_all == 0) wake_.notify_one();
}

int64_t Notifier::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void Notifier::Deliver() {
  for (;;) {
    Pending pending;
    std::chrono::milliseconds timeout{0};
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) {
        const size_t left = queue_.size();
        dropped_ += static_cast<int64_t>(left);
        queue_.clear();
        lock.unlock();
        log_(fmt::format("notify: serve stopped with {} events not told", left));
        return;
      }
      pending = std::move(queue_.front());
      queue_.pop_front();
      timeout = options_.timeout;
      if (stopping_) {  // what is left of the stop's allowance
        timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        stop_deadline_ - std::chrono::steady_clock::now()));
      }
    }
    Run(pending, timeout);
  }
}

void Notifier::Run(const Pending& pending, std::chrono::milliseconds timeout) {
  ShellOptions shell;
  shell.timeout = timeout;
  shell.cap = kErrorCap;
  const std::string input = pending.body + "\n";
  shell.stdin_data = input;
  shell.env = {"VIGY_EVENT=" + pending.kind, "VIGY_NAME=" + pending.name};
  const ShellResult result = RunShell(options_.command, shell);
  if (result.timed_out) {
    log_(fmt::format("notify: the command for the '{}' event of {} was killed after {} ms",
                     pending.kind, pending.name, timeout.count()));
  } else if (result.exit != 0) {
    const std::string error = FirstLine(result.err);
    log_(fmt::format("notify: the command for the '{}' event of {} exited {}{}", pending.kind,
                     pending.name, result.exit, error.empty() ? "" : ": " + error));
  }
}

}  // namespace vigy::core
