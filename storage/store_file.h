// The store file on disk, before SQLite sees it: creating it privately,
// refusing one that others could write (a store holds programs that run with
// the rights of whoever runs serve), and refusing anything that is not an
// SQLite database, without touching it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"

namespace vigy::storage {

// The size of the file at `path`, nullopt when there is none; kStoreUnusable
// if it cannot be looked at or is not a regular file.
core::Result<std::optional<int64_t>> StoreFileSize(const std::string& path);

// Creates the missing directories above `path` (0700) and an empty file at
// `path` (0600). A file created meanwhile by another process is fine.
core::Status CreateStoreFile(const std::string& path);

// kStoreUnusable when the file, its -wal or -shm companion, or the directory
// holding them can be written by group or others; the message says how to
// fix it.
core::Status CheckStorePermissions(const std::string& path);

// kStoreUnusable unless the file is empty or starts with the SQLite header.
core::Status CheckSqliteHeader(const std::string& path);

}  // namespace vigy::storage
