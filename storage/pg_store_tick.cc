// PgStore: the tick lease and the one transaction that commits a tick (or
// a batch of ticks, each all-or-nothing on its own), numbering its run.
//
// Rows are locked in one order everywhere, so transactions wait for each
// other rather than deadlock: the run sequence's meta row (commits only),
// then the vigies' rows and their runtime rows, by id.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "storage/pg_conn.h"
#include "storage/pg_rows.h"
#include "storage/pg_store.h"
#include "storage/row_codec.h"
#include "storage/row_readers.h"

namespace vigy::storage {

using core::LeaseAttempt;
using core::Result;
using core::Status;
using core::TickCommit;
using core::TickLease;

namespace {

// The database's clock, in epoch milliseconds: leases are timed by it, not
// by the clocks of the hosts that take them. A batch of leases takes one
// time for all (the statement's start); a commit's check reads the clock.
constexpr std::string_view kDbStatementMs =
    "(extract(epoch FROM statement_timestamp()) * 1000)::bigint";
constexpr std::string_view kDbNowMs = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

// Everything a lease starts from, for the vigies locked in `ids`: the vigy,
// its runtime and state (kVigyColumns, kRuntimeColumns, then lease_owner,
// lease_until, then the state's four columns, then the database's clock),
// by id.
constexpr std::string_view kLeaseRowsFormat =
    "SELECT {}, {}, r.lease_owner, r.lease_until, s.desired, s.observed, s.conditions, "
    "s.updated_at, {} FROM vigies v JOIN programs p ON p.vigy_id = v.id "
    "JOIN runtime r ON r.vigy_id = v.id LEFT JOIN state s ON s.vigy_id = v.id "
    "WHERE v.id = ANY($1::text[]) ORDER BY v.id FOR UPDATE OF r";
constexpr int kLeaseOwnerColumn = kVigyColumnCount + kRuntimeColumnCount;
constexpr int kStateColumn = kLeaseOwnerColumn + 2;
constexpr int kDbNowColumn = kStateColumn + 4;

// The state columns of a lease row, read by ReadState's column numbers.
class StateColumns {
 public:
  explicit StateColumns(const PgRow& row) : row_(row) {}
  bool IsNull(int column) const { return row_.IsNull(kStateColumn + column); }
  int64_t Int(int column) const { return row_.Int(kStateColumn + column); }
  std::string Text(int column) const { return row_.Text(kStateColumn + column); }

 private:
  const PgRow& row_;
};

}  // namespace

Result<std::vector<LeaseAttempt>> PgStore::LeaseInTransaction(
    const std::vector<std::string>& ids, const std::vector<std::string>& tokens,
    const std::function<int64_t(const core::Vigy&)>& duration_for, int64_t /*now_ms*/) {
  static const std::string sql = fmt::format(fmt::runtime(kLeaseRowsFormat), VigyColumns(true),
                                             kRuntimeColumns, kDbStatementMs);
  Result<PgRows> rows = conn_->Run(sql, PgTextArray(ids));
  if (!rows.ok()) return rows.status();
  std::map<std::string, int, std::less<>> row_of;
  for (int i = 0; i < rows->size(); ++i) row_of.emplace((*rows)[i].Text(0), i);

  std::vector<LeaseAttempt> attempts(ids.size());
  std::vector<std::string> leased_ids;
  std::vector<std::string> leased_tokens;
  std::vector<std::string> leased_until;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto found = row_of.find(ids[i]);
    if (found == row_of.end()) continue;  // gone: no lease, no name
    PgRow row = (*rows)[found->second];
    const int64_t now_ms = row.Int(kDbNowColumn);
    LeaseAttempt& attempt = attempts[i];
    attempt.vigy_name = row.Text(1);
    std::optional<std::string> owner = row.OptText(kLeaseOwnerColumn);
    int64_t until = row.OptInt(kLeaseOwnerColumn + 1).value_or(0);
    if (owner && *owner != tokens[i] && until > now_ms) {
      attempt.holder = *owner;
      attempt.held_until_ms = until;
      continue;  // busy
    }
    Result<core::Vigy> vigy = ReadVigy(row, path());
    if (!vigy.ok()) return vigy.status();
    TickLease lease;
    lease.token = tokens[i];
    lease.expires_at_ms = now_ms + duration_for(*vigy);
    lease.runtime = ReadRuntime(row, kVigyColumnCount);
    if (!row.IsNull(kStateColumn)) {
      Result<core::StateSnapshot> state = ReadState(StateColumns(row), path(), ids[i]);
      if (!state.ok()) return state.status();
      lease.state = std::move(state).value();
    }
    lease.vigy = std::move(vigy).value();
    leased_ids.push_back(ids[i]);
    leased_tokens.push_back(lease.token);
    leased_until.push_back(std::to_string(lease.expires_at_ms));
    attempt.lease = std::move(lease);
  }
  if (leased_ids.empty()) return attempts;

  if (Status s =
          conn_
              ->Run("UPDATE runtime r SET lease_owner = l.owner, lease_until = l.until "
                    "FROM unnest($1::text[], $2::text[], $3::bigint[]) AS l(id, owner, until) "
                    "WHERE r.vigy_id = l.id",
                    PgTextArray(leased_ids), PgTextArray(leased_tokens), PgTextArray(leased_until))
              .status();
      !s.ok())
    return s;
  Result<PgRows> kv =
      conn_->Run("SELECT vigy_id, key, value FROM kv WHERE vigy_id = ANY($1::text[])",
                 PgTextArray(leased_ids));
  if (!kv.ok()) return kv.status();
  std::map<std::string, core::Kv*, std::less<>> kv_of;
  for (LeaseAttempt& attempt : attempts) {
    if (attempt.lease) kv_of.emplace(attempt.lease->vigy.id, &attempt.lease->kv);
  }
  for (int i = 0; i < kv->size(); ++i) {
    PgRow row = (*kv)[i];
    auto target = kv_of.find(row.Text(0));
    if (target == kv_of.end()) continue;
    std::string key = row.Text(1);
    Result<nlohmann::json> value = ParseJsonColumn(row.Text(2), KvWhat(path(), target->first, key));
    if (!value.ok()) return value.status();
    target->second->emplace(std::move(key), std::move(value).value());
  }
  return attempts;
}

Result<LeaseAttempt> PgStore::TryAcquireTickLease(std::string_view id, const std::string& token,
                                                  int64_t duration_ms, int64_t now_ms) {
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  Result<std::vector<LeaseAttempt>> attempts = LeaseInTransaction(
      {std::string(id)}, {token}, [duration_ms](const core::Vigy&) { return duration_ms; }, now_ms);
  if (!attempts.ok()) return attempts.status();
  LeaseAttempt& attempt = attempts->front();
  if (attempt.vigy_name.empty()) return Status::NotFound(fmt::format("no such vigy '{}'", id));
  // A busy attempt wrote nothing; its transaction simply rolls back.
  if (attempt.acquired()) {
    if (Status s = tx->Commit(); !s.ok()) return s;
  }
  return std::move(attempt);
}

Result<std::vector<LeaseAttempt>> PgStore::TryAcquireTickLeases(
    const std::vector<std::string>& ids,
    const std::function<int64_t(const core::Vigy&)>& duration_for, int64_t now_ms) {
  if (ids.empty()) return std::vector<LeaseAttempt>();
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) tokens.push_back(core::NewLeaseToken());
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  Result<std::vector<LeaseAttempt>> attempts =
      LeaseInTransaction(ids, tokens, duration_for, now_ms);
  if (!attempts.ok()) return attempts.status();
  if (Status s = tx->Commit(); !s.ok()) return s;
  return attempts;
}

Status PgStore::ReleaseTickLease(std::string_view id, const std::string& token) {
  return conn_
      ->Run(
          "UPDATE runtime SET lease_owner = NULL, lease_until = NULL "
          "WHERE vigy_id = $1 AND lease_owner = $2",
          id, token)
      .status();
}

namespace {

// The steps of one tick's commit, in the order WriteTick takes them, each
// within the caller's transaction. Each returns the first error.

// The commit still holds the vigy's lease: kNotFound when the vigy was
// removed, kConflict when it was removed and added again, another tick took
// the lease over, or the lease expired (by the database's clock), whether or
// not anyone took it since. Locks the vigy's runtime row.
Status CheckLeaseHeld(PgConn& conn, const TickCommit& commit) {
  const core::RunRecord& run = commit.run;
  static const std::string sql = fmt::format(
      "SELECT r.lease_owner, v.created_at, r.lease_until, {} FROM vigies v "
      "JOIN runtime r ON r.vigy_id = v.id WHERE v.id = $1 FOR UPDATE OF r",
      kDbNowMs);
  Result<PgRows> owner = conn.Run(sql, commit.vigy_id);
  if (!owner.ok()) return owner.status();
  if (owner->empty()) {
    return Status::NotFound(fmt::format(
        "vigy '{}' was removed while it was ticking; its run was not recorded", run.vigy_name));
  }
  PgRow row = (*owner)[0];
  if (row.OptText(0) != commit.lease_token && row.Int(1) > run.started_at_ms) {
    return Status::Conflict(
        fmt::format("vigy '{}' was removed and added again while its tick {} ran; the run was not "
                    "recorded",
                    run.vigy_name, run.tick));
  }
  if (row.OptText(0) != commit.lease_token) {
    return Status::Conflict(fmt::format(
        "tick {} of vigy '{}' no longer holds its lease (it ran past the lease and another "
        "tick took over); its run was not recorded",
        run.tick, run.vigy_name));
  }
  if (row.Int(2) <= row.Int(3)) {
    return Status::Conflict(
        fmt::format("tick {} of vigy '{}' outlived its lease; its run was not recorded", run.tick,
                    run.vigy_name));
  }
  return Status::Ok();
}

// The tick's kv writes: a value upserts its key, none removes it.
Status WriteKv(PgConn& conn, const TickCommit& commit) {
  for (const auto& [key, value] : commit.kv_writes) {
    Status s = value
                   ? pg_rows::UpsertKv(conn, commit.vigy_id, key, *value)
                   : conn.Run("DELETE FROM kv WHERE vigy_id = $1 AND key = $2", commit.vigy_id, key)
                         .status();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// With a retention set, the runs older than the newest `keep_runs`. Ticks
// of a vigy are numbered without gaps, so those are the runs within N ticks
// of this one. Actions go with their runs (ON DELETE CASCADE).
Status PruneOlderRuns(PgConn& conn, const TickCommit& commit) {
  if (!commit.keep_runs) return Status::Ok();
  return conn
      .Run("DELETE FROM runs WHERE vigy_id = $1 AND tick <= $2", commit.vigy_id,
           commit.run.tick - std::max<int64_t>(*commit.keep_runs, 1))
      .status();
}

}  // namespace

Status PgStore::WriteTick(const TickCommit& commit, int64_t seq) {
  if (commit.run.vigy_id != commit.vigy_id) {
    return Status::InvalidArgument(fmt::format("run {} belongs to vigy {}, not {}", commit.run.id,
                                               commit.run.vigy_id, commit.vigy_id));
  }
  PgConn& conn = *conn_;
  if (Status s = CheckLeaseHeld(conn, commit); !s.ok()) return s;
  if (Status s = WriteKv(conn, commit); !s.ok()) return s;
  // The state the tick declared, when it declared one (a failed tick keeps
  // the previous state).
  if (commit.state) {
    if (Status s =
            pg_rows::UpsertState(conn, commit.vigy_id, *commit.state, commit.run.started_at_ms);
        !s.ok())
      return s;
  }
  if (Status s = pg_rows::InsertRun(conn, commit.run, commit.vigy_id, seq); !s.ok()) return s;
  if (Status s = PruneOlderRuns(conn, commit); !s.ok()) return s;
  // The counters as the tick advanced them, this run as the latest, and the
  // lease let go.
  return pg_rows::WriteRuntime(conn, commit.vigy_id, commit.runtime, commit.run.result,
                               commit.run.ended_at_ms, commit.run.id);
}

Result<std::vector<Status>> PgStore::CommitTickBatch(std::span<const TickCommit> commits) {
  std::vector<Status> statuses(commits.size());
  if (commits.empty()) return statuses;
  Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
  if (!tx.ok()) return tx.status();
  // The sequence's row stays locked until this commits: commits of every
  // process take turns here, so later commits get higher numbers.
  Result<int64_t> last_seq =
      conn_->QueryInt("SELECT value FROM meta WHERE key = 'run_seq' FOR UPDATE");
  if (!last_seq.ok()) return last_seq.status();
  int64_t seq = *last_seq;

  // The vigies in id order, as every transaction locks them.
  std::vector<size_t> order(commits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&commits](size_t a, size_t b) {
    return commits[a].vigy_id < commits[b].vigy_id;
  });
  // Alone, a refused tick rolls back the whole transaction: no savepoint.
  const bool alone = commits.size() == 1;
  for (size_t i : order) {
    if (!alone) {
      if (Status s = conn_->Exec("SAVEPOINT tick"); !s.ok()) return s;
    }
    conn_->ForgetLastError();
    Status written = WriteTick(commits[i], seq + 1);
    if (written.ok()) {
      if (!alone) {
        if (Status s = conn_->Exec("RELEASE SAVEPOINT tick"); !s.ok()) return s;
      }
      ++seq;
      continue;
    }
    // Refused on its own account (its vigy was removed, its lease lost, its
    // data rejected), or the store failed under it: then nothing is kept.
    if (conn_->LastErrorWasStoreFailure()) return written;
    statuses[i] = std::move(written);
    if (alone) return statuses;  // the transaction rolls back
    if (Status s = conn_->Exec("ROLLBACK TO SAVEPOINT tick"); !s.ok()) return s;
    if (Status s = conn_->Exec("RELEASE SAVEPOINT tick"); !s.ok()) return s;
  }

  if (seq != *last_seq) {
    if (Status s = conn_->Run("UPDATE meta SET value = $1 WHERE key = 'run_seq'", seq).status();
        !s.ok())
      return s;
  }
  if (Status s = tx->Commit(); !s.ok()) return s;
  return statuses;
}

Status PgStore::CommitTick(const TickCommit& commit) {
  Result<std::vector<Status>> statuses = CommitTickBatch(std::span<const TickCommit>(&commit, 1));
  if (!statuses.ok()) return statuses.status();
  return statuses->front();
}

Result<std::vector<Status>> PgStore::CommitTicks(const std::vector<TickCommit>& commits) {
  return CommitTickBatch(commits);
}

Result<int64_t> PgStore::ReleaseLeasesWithPrefix(std::string_view prefix) {
  if (prefix.empty()) {
    return Status::InvalidArgument(
        "releasing leases needs a token prefix (an empty one names all)");
  }
  // Compared as a plain prefix: LIKE would treat '_' and '%' as wildcards.
  Result<PgRows> released = conn_->Run(
      "UPDATE runtime SET lease_owner = NULL, lease_until = NULL "
      "WHERE left(lease_owner, length($1)) = $1",
      prefix);
  if (!released.ok()) return released.status();
  return released->affected();
}

}  // namespace vigy::storage
