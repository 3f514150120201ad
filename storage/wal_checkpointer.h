// Copies a store's write-ahead log back into the database file on a thread
// of its own, as the pages are committed, so that the connection that
// commits finds almost nothing left to copy.
//
// SQLite checkpoints inside the commit that takes the log to 1,000 pages, on
// the committing connection: it copies every page it can into the database
// file and syncs it, and only then does the commit return. For serve, that
// connection is the scheduler's, the thread that keeps time, and the ticks
// due meanwhile start late. The writer's own checkpoint cannot simply be
// dropped: only a writer restarts the log, when it starts a transaction with
// nothing left to copy, which checkpoints on another connection running
// beside a busy writer may never leave it; the log would then grow without
// bound. So the writer still checkpoints, only later (kWriterCheckpointPages)
// and finding all but the last few pages copied by this thread; and when
// this thread catches up between two commits, the writer restarts the log
// without a checkpoint of its own.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/status.h"

namespace vigy::storage {

class Db;

class WalCheckpointer {
 public:
  // Every this many pages the writer adds to the log wake the thread.
  static constexpr int kWakePages = 64;
  // From this size of the log on (16 MiB of 4 KiB pages), the writer
  // checkpoints after each commit, as SQLite's own does from 1,000 pages.
  static constexpr int kWriterCheckpointPages = 4000;

  // Opens a connection of its own to `writer`'s store and takes over
  // `writer`'s checkpoints (Db::OnCommit): each kWakePages pages that
  // `writer` commits wake a thread that runs a passive checkpoint (it copies
  // what no reader still needs and never waits for a reader or a writer;
  // one that fails is tried again at the next wake, as SQLite's own are),
  // and `writer` still checkpoints itself from kWriterCheckpointPages on.
  // kStoreUnusable when the store cannot be opened again; kInvalidArgument
  // for a database in memory, which has no log.
  //
  // Contract: `writer` outlives the checkpointer and is used on one thread.
  static core::Result<std::unique_ptr<WalCheckpointer>> Start(Db& writer);

  // Stops the thread (without a last checkpoint), closes its connection and
  // gives `writer` SQLite's automatic checkpoint back.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  WalCheckpointer(Db& writer, std::unique_ptr<Db> own);
  // On the writer's thread, after each of its commits: whether the writer
  // checkpoints now (see Db::OnCommit).
  bool Committed(int log_pages);
  void Loop();

  Db& writer_;
  std::unique_ptr<Db> own_;  // used only by thread_ once it runs
  int pages_at_wake_ = 0;    // the writer's log when the thread was last woken
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;     // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace vigy::storage
