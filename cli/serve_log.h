// serve's log on stderr: one line per scheduler event worth telling, as
// text for people or JSON lines for log collectors (--log-format). A line is
// always one line: newlines and control characters in what it quotes (an
// error, a message) are escaped in text and encoded in JSON. By
// default it tells start-up, failures, recoveries, condition changes,
// vigies taken on or dropped, store trouble and shutdown; with -v every
// tick too; with -q only failures and store trouble.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "core/scheduler.h"

namespace vigy::cli {

enum class LogFormat { kText, kJson };

class ServeLog {
 public:
  ServeLog(std::FILE* stream, LogFormat format, int verbosity);

  // Writes the event's line, if the verbosity asks for it, and flushes.
  // Thread-safe, as is WriteSignal.
  void Write(const core::SchedulerEvent& event);

  // Tells (at any verbosity) that serve received `signal` and is stopping.
  void WriteSignal(std::string_view signal, int64_t at_ms);

  // One line for `event`, or empty when this verbosity leaves it out.
  std::string Format(const core::SchedulerEvent& event);

  // A line about serve itself rather than a scheduler event (the HTTP
  // listener): `event` names it in JSON lines; info, or warn with `warn`.
  void Note(std::string_view event, bool warn, const std::string& message);

 private:
  void WriteLine(const std::string& line);

  std::mutex mutex_;
  std::FILE* stream_;
  LogFormat format_;
  int verbosity_;
  // Until serve has started, vigies being taken on are told only with -v
  // (the start-up line counts them).
  bool started_ = false;
};

}  // namespace vigy::cli
