// The host functions of vigy-lang(7) (HOST FUNCTIONS): what lets a program touch the machine
// it runs on (run commands, read files and the environment, read the clock).
// They run with the rights of the process that evaluates the program. None
// needs a tick; they work on any Machine.
//
//  (sh cmd [timeout-ms])  runs `/bin/sh -c cmd` (see RunShell) and returns
//      {"exit" n "out" s "err" s "timed-out" bool "truncated" bool}.
//      The timeout defaults to 10 s and is never longer than what is left of
//      the evaluation's wall-clock limit; when the evaluation's own time runs
//      out during the command, the evaluation fails on its timeout limit.
//      On a command's own timeout its whole process group is killed and the
//      map says "exit" 124, "timed-out" #t. "out" and "err" keep the first
//      1 MiB each; "truncated" is #t when either was cut.
//  (read-file path)       the file's contents as a string; nil if it does not
//      exist; an error (tag :io) for anything else, including files over
//      16 MiB, directories and other non-regular files (FIFOs, devices).
//  (file-exists? path)    #t if the path names anything (following symlinks).
//  (file-mtime path)      last modification, epoch ms; nil if missing.
//  (getenv name)          the variable's value, or nil if unset.
//  (now-ms)               the wall clock, epoch ms.
#pragma once

#include <cstddef>
#include <span>

#include "lisp/builtin.h"

namespace vigy::core {

inline constexpr size_t kReadFileCap = size_t{16} << 20;
inline constexpr size_t kShellOutputCap = size_t{1} << 20;
inline constexpr int64_t kShellDefaultTimeoutMs = 10'000;

std::span<const lisp::BuiltinSpec> HostBuiltins();

}  // namespace vigy::core
