#include "storage/wal_checkpointer.h"

#include <string>
#include <utility>

#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"

namespace vigy::storage {

core::Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(Db& writer) {
  const std::string file = writer.file();
  if (file.empty()) return core::Status::InvalidArgument("a database in memory has no log");
  core::Result<std::unique_ptr<Db>> own =
      Db::Open(file, SqliteStore::kBusyTimeoutMs, writer.path());
  if (!own.ok()) return own.status();
  // A connection finds the log on its first read; until then a checkpoint
  // does nothing.
  if (core::Result<int64_t> read = (*own)->QueryInt("PRAGMA user_version"); !read.ok()) {
    return read.status();
  }
  auto checkpointer =
      std::unique_ptr<WalCheckpointer>(new WalCheckpointer(writer, std::move(own).value()));
  writer.OnCommit(
      [self = checkpointer.get()](int log_pages) { return self->Committed(log_pages); });
  return checkpointer;
}

WalCheckpointer::WalCheckpointer(Db& writer, std::unique_ptr<Db> own)
    : writer_(writer), own_(std::move(own)), thread_([this] { Loop(); }) {}

WalCheckpointer::~WalCheckpointer() {
  writer_.OnCommit(nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool WalCheckpointer::Committed(int log_pages) {
  if (log_pages >= kWriterCheckpointPages) return true;
  // A log smaller than at the last wake was restarted.
  if (log_pages < pages_at_wake_ || log_pages - pages_at_wake_ >= kWakePages) {
    pages_at_wake_ = log_pages;
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    wake_.notify_one();
  }
  return false;
}

void WalCheckpointer::Loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return woken_ || stopping_; });
    if (stopping_) return;
    woken_ = false;
    lock.unlock();
    (void)own_->CheckpointPassive();  // a failure is retried at the next wake
    lock.lock();
  }
}

}  // namespace vigy::storage
