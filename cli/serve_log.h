// serve's log on stderr: one line per scheduler event worth telling, as
// text for people or JSON lines for log collectors (--log-format). By
// default it tells start-up, failures, recoveries, condition changes,
// vigies taken on or dropped, store trouble and shutdown; with -v every
// tick too; with -q only failures and store trouble.
#pragma once

#include <cstdio>
#include <string>

#include "core/scheduler.h"

namespace vigy::cli {

enum class LogFormat { kText, kJson };

class ServeLog {
 public:
  ServeLog(std::FILE* stream, LogFormat format, int verbosity);

  // Writes the event's line, if the verbosity asks for it, and flushes.
  void Write(const core::SchedulerEvent& event);

  // One line for `event`, or empty when this verbosity leaves it out.
  std::string Format(const core::SchedulerEvent& event);

 private:
  std::FILE* stream_;
  LogFormat format_;
  int verbosity_;
  // Until serve has started, vigies being taken on are told only with -v
  // (the start-up line counts them).
  bool started_ = false;
};

}  // namespace vigy::cli
