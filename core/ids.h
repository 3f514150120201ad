// Identifiers and names: a vigy's id (stable, derived from its name), a
// program's revision (derived from its text), run ids (sortable by time), and
// the validation of user-chosen names and label keys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigy::core {

// A 64-bit hash of `bytes`: FNV-1a followed by a final avalanche mix. Stable
// forever (ids and revisions are stored), the same on every machine.
uint64_t StableHash64(std::string_view bytes, uint64_t seed = 0);

// 16 lowercase hex digits derived from the name only: the same name always
// gets the same id, across edits, removals and re-adds.
std::string VigyIdFromName(std::string_view name);

// 12 lowercase hex digits: a content hash of the program text, so every edit
// changes it and identical text always has the same revision.
std::string Revision(std::string_view program_text);

// 20 lowercase hex digits: 12 of `epoch_ms`, then 8 of a process-wide counter
// that starts at a random point. Ids compare as strings in creation order
// within a process (for non-decreasing times) and in time order across
// processes. Thread-safe.
std::string NewRunId(int64_t epoch_ms);

// ok, or kInvalidArgument naming the problem (and quoting at most the first
// 20 characters of a long name): a vigy name is 1-64 characters
// of [A-Za-z0-9._-].
Status ValidateVigyName(std::string_view name);

// ok, or kInvalidArgument naming the problem: a label key is 1-253 characters
// of [A-Za-z0-9._/-].
Status ValidateLabelKey(std::string_view key);

// The longest kv key, in bytes.
inline constexpr size_t kMaxKvKeyBytes = 1024;

// ok, or kInvalidArgument naming the problem: a kv key is 1-1024 bytes of
// UTF-8 text without control characters (no newlines, tabs or escapes).
Status ValidateKvKey(std::string_view key);

}  // namespace vigy::core
