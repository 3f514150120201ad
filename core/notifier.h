// serve --notify CMD: tells a command when a vigy breaks, recovers, changes
// a condition or falls behind, without ever delaying a tick.
//
// The scheduler's thread hands each SchedulerEvent to Observe(), which picks
// the ones worth telling, turns them into one JSON object and queues it; a
// thread of the notifier's own runs `/bin/sh -c CMD` for each, in order,
// with the object on stdin and VIGY_EVENT (the kind) and VIGY_NAME (the
// vigy's name, empty for none) in its environment, bounded by a timeout. A
// full queue drops the newest event and counts it. A vigy that keeps failing
// is told once, when it starts failing; the next failure is told only after
// it recovers.
//
// The event object:
//   {"kind": "failed" | "recovered" | "condition" | "behind",
//    "at": RFC 3339 time,
//    "vigy": {"id", "name"},
//    "run"?: {"id", "tick", "result", "error"?, "started_at", "ended_at",
//             "duration_ms"},                      (failed, recovered, condition)
//    "condition"?: {"name", "status", "reason"?, "message"?,
//                   "previous_status"},           (condition)
//    "missed_slots"?: N}                           (behind)
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "core/scheduler.h"

namespace vigy::core {

struct NotifierOptions {
  std::string command;                        // run with /bin/sh -c
  std::chrono::milliseconds timeout{30'000};  // per run of the command
  size_t max_queued = 1000;                   // events waiting; more are dropped
};

// What the notifier tells serve's log: a command that failed, timed out or
// could not start, and events dropped. `warn` is always true today.
using NotifierLog = std::function<void(const std::string& message)>;

// The JSON object for `event`, or null when the event is not one to tell
// (ticks, scheduling, store errors...). Pure: the once-per-failure rule is
// the Notifier's.
nlohmann::json NotificationFor(const SchedulerEvent& event);

class Notifier {
 public:
  Notifier(NotifierOptions options, NotifierLog log);
  // Delivers what is queued for at most one timeout in all (the command
  // running then included, and each later run cut to what is left); what
  // is left is dropped and logged.
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Queues the notification for `event`, if it is one. Never blocks on the
  // command. Called from one thread (the scheduler's sink).
  void Observe(const SchedulerEvent& event);

  // Events dropped so far because the queue was full or serve stopped.
  int64_t dropped() const;

 private:
  struct Pending {
    std::string kind;
    std::string name;
    std::string body;  // the JSON object, one line
  };

  void Deliver();
  void Run(const Pending& pending, std::chrono::milliseconds timeout);

  const NotifierOptions options_;
  const NotifierLog log_;
  std::set<std::string> failing_;  // vigy ids told as failing; Observe's thread only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  int64_t dropped_ = 0;
  std::thread thread_;
};

}  // namespace vigy::core
