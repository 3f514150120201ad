// SqliteStore: the tick lease and the one transaction that commits a tick (or
// a batch of ticks, each all-or-nothing on its own), numbering its run.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "storage/sqlite_db.h"
#include "storage/sqlite_rows.h"
#include "storage/sqlite_store.h"

namespace vigy::storage {

using core::Result;
using core::Status;

Result<LeaseAttempt> SqliteStore::LeaseInTransaction(
    std::string_view id, const std::string& token,
    const std::function<int64_t(const core::Vigy&)>& duration_for, int64_t now_ms) {
  LeaseAttempt attempt;
  {
    Result<Statement> holder = db_->Query(
        "SELECT v.name, r.lease_owner, r.lease_until FROM vigies v "
        "LEFT JOIN runtime r ON r.vigy_id = v.id WHERE v.id = ?1",
        id);
    if (!holder.ok()) return holder.status();
    Result<bool> row = holder->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound(fmt::format("no such vigy '{}'", id));
    attempt.vigy_name = holder->Text(0);
    std::optional<std::string> owner = holder->OptText(1);
    int64_t until = holder->OptInt(2).value_or(0);
    if (owner && *owner != token && until > now_ms) {
      attempt.holder = *owner;
      attempt.held_until_ms = until;
      return attempt;  // busy
    }
  }

  Result<core::Vigy> vigy = GetVigy(id);
  if (!vigy.ok()) return vigy.status();
  TickLease lease;
  lease.token = token;
  lease.expires_at_ms = now_ms + duration_for(*vigy);
  if (Status s = db_->Execute(
          "INSERT INTO runtime (vigy_id, lease_owner, lease_until) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (vigy_id) DO UPDATE SET lease_owner = excluded.lease_owner, "
          "lease_until = excluded.lease_until",
          id, token, lease.expires_at_ms);
      !s.ok())
    return s;

  Result<core::VigyRuntime> runtime = GetRuntime(id);
  if (!runtime.ok()) return runtime.status();
  Result<core::Kv> kv = KvList(id);
  if (!kv.ok()) return kv.status();
  Result<std::optional<StateSnapshot>> state = GetState(id);
  if (!state.ok()) return state.status();

  lease.vigy = std::move(vigy).value();
  lease.runtime = std::move(runtime).value();
  lease.kv = std::move(kv).value();
  lease.state = std::move(state).value();
  attempt.lease = std::move(lease);
  return attempt;
}

Result<LeaseAttempt> SqliteStore::TryAcquireTickLease(std::string_view id, const std::string& token,
                                                      int64_t duration_ms, int64_t now_ms) {
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  Result<LeaseAttempt> attempt = LeaseInTransaction(
      id, token, [duration_ms](const core::Vigy&) { return duration_ms; }, now_ms);
  if (!attempt.ok()) return attempt.status();
  // A busy attempt wrote nothing; its transaction simply rolls back.
  if (attempt->acquired()) {
    if (Status s = tx->Commit(); !s.ok()) return s;
  }
  return attempt;
}

Result<std::vector<LeaseAttempt>> SqliteStore::TryAcquireTickLeases(
    const std::vector<std::string>& ids,
    const std::function<int64_t(const core::Vigy&)>& duration_for, int64_t now_ms) {
  std::vector<LeaseAttempt> attempts;
  attempts.reserve(ids.size());
  if (ids.empty()) return attempts;
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  for (const std::string& id : ids) {
    Result<LeaseAttempt> attempt = LeaseInTransaction(id, NewLeaseToken(), duration_for, now_ms);
    if (attempt.ok()) {
      attempts.push_back(std::move(attempt).value());
    } else if (attempt.status().code() == Status::Code::kNotFound) {
      attempts.emplace_back();  // gone: no lease, no name
    } else {
      return attempt.status();
    }
  }
  if (Status s = tx->Commit(); !s.ok()) return s;
  return attempts;
}

Status SqliteStore::ReleaseTickLease(std::string_view id, const std::string& token) {
  return db_->Execute(
      "UPDATE runtime SET lease_owner = NULL, lease_until = NULL "
      "WHERE vigy_id = ?1 AND lease_owner = ?2",
      id, token);
}

namespace {

// The steps of one tick's commit, in the order WriteTick takes them, each
// within the caller's transaction. Each returns the first error.

// The commit still holds the vigy's lease: kNotFound when the vigy was
// removed, kConflict when it was removed and added again or another tick
// took the lease over.
Status CheckLeaseHeld(Db& db, const TickCommit& commit) {
  const core::RunRecord& run = commit.run;
  Result<Statement> owner = db.Query(
      "SELECT r.lease_owner, v.created_at FROM runtime r JOIN vigies v ON v.id = r.vigy_id "
      "WHERE r.vigy_id = ?1",
      commit.vigy_id);
  if (!owner.ok()) return owner.status();
  Result<bool> row = owner->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status::NotFound(fmt::format(
        "vigy '{}' was removed while it was ticking; its run was not recorded", run.vigy_name));
  }
  if (owner->OptText(0) != commit.lease_token && owner->Int(1) > run.started_at_ms) {
    return Status::Conflict(
        fmt::format("vigy '{}' was removed and added again while its tick {} ran; the run was not "
                    "recorded",
                    run.vigy_name, run.tick));
  }
  if (owner->OptText(0) != commit.lease_token) {
    return Status::Conflict(fmt::format(
        "tick {} of vigy '{}' no longer holds its lease (it ran past the lease and another "
        "tick took over); its run was not recorded",
        run.tick, run.vigy_name));
  }
  return Status::Ok();
}

// The tick's kv writes: a value upserts its key, none removes it.
Status WriteKv(Db& db, const TickCommit& commit) {
  for (const auto& [key, value] : commit.kv_writes) {
    Status s =
        value ? sqlite_rows::UpsertKv(db, commit.vigy_id, key, *value)
              : db.Execute("DELETE FROM kv WHERE vigy_id = ?1 AND key = ?2", commit.vigy_id, key);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// With a retention set, the runs older than the newest `keep_runs`. Ticks
// of a vigy are numbered without gaps, so those are the runs within N ticks
// of this one. Actions go with their runs (ON DELETE CASCADE).
Status PruneOlderRuns(Db& db, const TickCommit& commit) {
  if (!commit.keep_runs) return Status::Ok();
  return db.Execute("DELETE FROM runs WHERE vigy_id = ?1 AND tick <= ?2 - ?3", commit.vigy_id,
                    commit.run.tick, std::max<int64_t>(*commit.keep_runs, 1));
}

}  // namespace

Status SqliteStore::WriteTick(const TickCommit& commit, int64_t seq) {
  if (commit.run.vigy_id != commit.vigy_id) {
    return Status::InvalidArgument(fmt::format("run {} belongs to vigy {}, not {}", commit.run.id,
                                               commit.run.vigy_id, commit.vigy_id));
  }
  Db& db = *db_;
  if (Status s = CheckLeaseHeld(db, commit); !s.ok()) return s;
  if (Status s = WriteKv(db, commit); !s.ok()) return s;
  // The state the tick declared, when it declared one (a failed tick keeps
  // the previous state).
  if (commit.state) {
    if (Status s =
            sqlite_rows::UpsertState(db, commit.vigy_id, *commit.state, commit.run.started_at_ms);
        !s.ok())
      return s;
  }
  if (Status s = sqlite_rows::InsertRun(db, commit.run, commit.vigy_id, seq); !s.ok()) return s;
  if (Status s = PruneOlderRuns(db, commit); !s.ok()) return s;
  // The counters as the tick advanced them, this run as the latest, and the
  // lease let go.
  return sqlite_rows::WriteRuntime(db, commit.vigy_id, commit.runtime, commit.run.result,
                                   commit.run.ended_at_ms, commit.run.id);
}

Result<std::vector<Status>> SqliteStore::CommitTickBatch(std::span<const TickCommit> commits) {
  std::vector<Status> statuses(commits.size());
  if (commits.empty()) return statuses;
  Result<Transaction> tx = Transaction::Begin(*db_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  Result<int64_t> last_seq = db_->QueryInt("SELECT value FROM meta WHERE key = 'run_seq'");
  if (!last_seq.ok()) return last_seq.status();
  int64_t seq = *last_seq;

  // Alone, a refused tick rolls back the whole transaction: no savepoint.
  const bool alone = commits.size() == 1;
  for (size_t i = 0; i < commits.size(); ++i) {
    if (!alone) {
      if (Status s = db_->Execute("SAVEPOINT tick"); !s.ok()) return s;
    }
    db_->ForgetLastError();
    Status written = WriteTick(commits[i], seq + 1);
    if (written.ok()) {
      if (!alone) {
        if (Status s = db_->Execute("RELEASE tick"); !s.ok()) return s;
      }
      ++seq;
      continue;
    }
    // Refused on its own account (its vigy was removed, its lease lost, its
    // data rejected), or the store failed under it: then nothing is kept.
    if (db_->LastErrorWasStoreFailure()) return written;
    statuses[i] = std::move(written);
    if (alone) return statuses;  // the transaction rolls back
    if (Status s = db_->Execute("ROLLBACK TO tick"); !s.ok()) return s;
    if (Status s = db_->Execute("RELEASE tick"); !s.ok()) return s;
  }

  if (seq != *last_seq) {
    if (Status s = db_->Execute("UPDATE meta SET value = ?1 WHERE key = 'run_seq'", seq); !s.ok())
      return s;
  }
  if (Status s = tx->Commit(); !s.ok()) return s;
  return statuses;
}

Status SqliteStore::CommitTick(const TickCommit& commit) {
  Result<std::vector<Status>> statuses = CommitTickBatch(std::span<const TickCommit>(&commit, 1));
  if (!statuses.ok()) return statuses.status();
  return statuses->front();
}

Result<std::vector<Status>> SqliteStore::CommitTicks(const std::vector<TickCommit>& commits) {
  return CommitTickBatch(commits);
}

Result<int64_t> SqliteStore::ReleaseLeasesWithPrefix(std::string_view prefix) {
  if (prefix.empty()) {
    return Status::InvalidArgument(
        "releasing leases needs a token prefix (an empty one names all)");
  }
  // Compared as a plain prefix: LIKE would treat '_' and '%' as wildcards.
  if (Status s = db_->Execute("UPDATE runtime SET lease_owner = NULL, lease_until = NULL "
                              "WHERE substr(lease_owner, 1, length(?1)) = ?1",
                              prefix);
      !s.ok())
    return s;
  return db_->Changes();
}

}  // namespace vigy::storage
