// The exclusive lock a running serve holds on its store file, so that a
// second serve on the same file is refused at once instead of ticking every
// vigy twice. An advisory flock(2) on the store file itself: it goes away
// with the process, however the process ends, and never blocks the other
// commands (they use SQLite's own locking, which is independent of flock).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"
#include "core/store.h"

namespace vigy::storage {

class ServeLock final : public core::ServeGuard {
 public:
  // Takes the lock on the existing store file at `path`, trying again for up
  // to `patience` while another holds it. kConflict "store 'PATH' is already
  // being served by another process" when another process (or another
  // ServeLock in this one) still holds it then; callers add the holder's pid
  // from SqliteStore::ReadServe(). kStoreUnusable when the file cannot be
  // opened.
  //
  // Patience is for a restart right after a serve was killed: a command that
  // serve was starting at that moment shares the lock's open file until it
  // has started (then close-on-exec drops it), which is an instant, but can
  // outlive the killed serve.
  //
  // Contract: take it before this process opens any SqliteStore on `path`,
  // and destroy it only after closing them all. Closing any descriptor of a
  // file drops every POSIX lock the process holds on that file, SQLite's
  // included; the lock's descriptor is therefore kept open for the lock's
  // whole life (and is close-on-exec, so commands run by programs never
  // inherit it).
  static core::Result<std::unique_ptr<ServeLock>> Acquire(
      const std::string& path, std::chrono::milliseconds patience = std::chrono::milliseconds(0));

  ~ServeLock() override;
  ServeLock(const ServeLock&) = delete;
  ServeLock& operator=(const ServeLock&) = delete;

  // Whether `path` still names the locked file: false once the store was
  // deleted, or replaced by another file, under the running serve.
  bool StillNamesLockedFile() const;

  // Whether this process may no longer write the file at `path` (its mode
  // was changed to forbid it, or its file system is read-only), although
  // the store connection, opened before, still could. False while it may,
  // and when `path` is gone (StillNamesLockedFile tells that).
  bool StoreReadOnly() const override;
  // !StillNamesLockedFile().
  bool StoreReplaced() const override { return !StillNamesLockedFile(); }

 private:
  ServeLock(int fd, std::string path, dev_t device, ino_t inode);

  int fd_;
  std::string path_;
  dev_t device_;
  ino_t inode_;
};

}  // namespace vigy::storage
