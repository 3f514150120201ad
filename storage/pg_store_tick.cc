// PgStore: the tick lease and the one transaction that commits a tick (or
// a batch of ticks, each all-or-nothing on its own), numbering its run.
//
// Rows are locked in one order everywhere, so transactions wait for each
// other rather than deadlock: the run sequence's meta row (commits only),
// then the vigies' rows and their runtime rows, by id.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

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

// Statements that read the rows of a batch's vigies start from the ids'
// array (unnest): the planner then looks each vigy up by its key, rather
// than scanning whole tables it takes to be small.

// Everything a lease starts from, for the vigies locked in `ids`: the vigy,
// its runtime and state (kVigyColumns, kRuntimeColumns, then lease_owner,
// lease_until, then the state's four columns, then the database's clock),
// by id.
constexpr std::string_view kLeaseRowsFormat =
    "SELECT {}, {}, r.lease_owner, r.lease_until, s.desired, s.observed, s.conditions, "
    "s.updated_at, {} FROM unnest($1::text[]) AS want(id) JOIN vigies v ON v.id = want.id "
    "JOIN programs p ON p.vigy_id = v.id JOIN runtime r ON r.vigy_id = v.id "
    "LEFT JOIN state s ON s.vigy_id = v.id ORDER BY v.id FOR UPDATE OF r";
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

// What a commit's lease check reads of each vigy in `ids` that is still
// there, locking its runtime row: id, lease owner, creation time, lease end
// and the database's clock.
constexpr std::string_view kLeaseCheckFormat =
    "SELECT v.id, r.lease_owner, v.created_at, r.lease_until, {} FROM unnest($1::text[]) AS "
    "want(id) JOIN vigies v ON v.id = want.id JOIN runtime r ON r.vigy_id = v.id ORDER BY v.id "
    "FOR UPDATE OF r";

// Whether a commit still holds its vigy's lease, given the vigy's row as
// kLeaseCheckFormat reads it, or none when the vigy is gone: kNotFound when
// it was removed, kConflict when it was removed and added again, another
// tick took the lease over, or the lease expired (by the database's clock),
// whether or not anyone took it since.
Status LeaseHeld(const TickCommit& commit, const PgRow* row) {
  const core::RunRecord& run = commit.run;
  if (run.vigy_id != commit.vigy_id) {
    return Status::InvalidArgument(
        fmt::format("run {} belongs to vigy {}, not {}", run.id, run.vigy_id, commit.vigy_id));
  }
  if (row == nullptr) {
    return Status::NotFound(fmt::format(
        "vigy '{}' was removed while it was ticking; its run was not recorded", run.vigy_name));
  }
  if (row->OptText(1) != commit.lease_token && row->Int(2) > run.started_at_ms) {
    return Status::Conflict(
        fmt::format("vigy '{}' was removed and added again while its tick {} ran; the run was not "
                    "recorded",
                    run.vigy_name, run.tick));
  }
  if (row->OptText(1) != commit.lease_token) {
    return Status::Conflict(fmt::format(
        "tick {} of vigy '{}' no longer holds its lease (it ran past the lease and another "
        "tick took over); its run was not recorded",
        run.tick, run.vigy_name));
  }
  if (row->Int(3) <= row->Int(4)) {
    return Status::Conflict(
        fmt::format("tick {} of vigy '{}' outlived its lease; its run was not recorded", run.tick,
                    run.vigy_name));
  }
  return Status::Ok();
}

// Adds what `commit` writes, its run numbered `seq`, to `batch`: the
// program's kv writes (a value sets its key, none removes it), the state it
// declared (a failed tick keeps the previous one), the run, the runs beyond
// the retention (ticks of a vigy are numbered without gaps, so the runs
// within N ticks of this one are kept), and the counters, with this run as
// the latest and the lease let go.
void AddTick(pg_rows::RowBatch& batch, const TickCommit& commit, int64_t seq) {
  for (const auto& [key, value] : commit.kv_writes) {
    batch.WriteKv(commit.vigy_id, key, value ? &*value : nullptr);
  }
  if (commit.state) batch.UpsertState(commit.vigy_id, *commit.state, commit.run.started_at_ms);
  batch.InsertRun(commit.run, commit.vigy_id, seq);
  if (commit.keep_runs) {
    const int64_t up_to = commit.run.tick - std::max<int64_t>(*commit.keep_runs, 1);
    if (up_to > 0) batch.PruneRuns(commit.vigy_id, up_to);
  }
  batch.WriteRuntime(commit.vigy_id, commit.runtime, commit.run.result, commit.run.ended_at_ms,
                     commit.run.id);
}

}  // namespace

Result<std::vector<Status>> PgStore::CommitTickBatch(std::span<const TickCommit> commits) {
  std::vector<Status> statuses(commits.size());
  if (commits.empty()) return statuses;
  std::vector<size_t> written;  // the ticks that hold their leases
  {
    Result<PgTransaction> tx = PgTransaction::Begin(*conn_);
    if (!tx.ok()) return tx.status();
    // The sequence's row stays locked until this commits: commits of every
    // process take turns here, so later commits get higher numbers.
    Result<int64_t> last_seq =
        conn_->QueryInt("SELECT value FROM meta WHERE key = 'run_seq' FOR UPDATE");
    if (!last_seq.ok()) return last_seq.status();

    // Every lease checked, and its runtime row locked, in one statement (in
    // id order, as every transaction locks them).
    static const std::string kLeaseCheck = fmt::format(fmt::runtime(kLeaseCheckFormat), kDbNowMs);
    std::vector<std::string> ids;
    ids.reserve(commits.size());
    for (const TickCommit& commit : commits) ids.push_back(commit.vigy_id);
    Result<PgRows> rows = conn_->Run(kLeaseCheck, PgTextArray(ids));
    if (!rows.ok()) return rows.status();
    std::map<std::string, int, std::less<>> row_of;
    for (int i = 0; i < rows->size(); ++i) row_of.emplace((*rows)[i].Text(0), i);

    // The ticks that hold their leases, numbered in id order, in one write.
    std::vector<size_t> order(commits.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&commits](size_t a, size_t b) {
      return commits[a].vigy_id < commits[b].vigy_id;
    });
    pg_rows::RowBatch batch;
    int64_t seq = *last_seq;
    for (size_t i : order) {
      auto found = row_of.find(commits[i].vigy_id);
      std::optional<PgRow> row;
      if (found != row_of.end()) row.emplace((*rows)[found->second]);
      statuses[i] = LeaseHeld(commits[i], row ? &*row : nullptr);
      if (!statuses[i].ok()) continue;
      AddTick(batch, commits[i], ++seq);
      written.push_back(i);
    }
    if (written.empty()) return statuses;  // nothing to write: the transaction rolls back

    batch.AdvanceRunSeq(seq);
    conn_->ForgetLastError();
    Status write = batch.Write(*conn_);
    if (write.ok()) {
      if (Status s = tx->Commit(); !s.ok()) return s;
      return statuses;
    }
    // Refused for the store's sake: nothing is kept. Refused for a tick's
    // data: alone, that tick is refused (and the transaction rolls back).
    if (conn_->LastErrorWasStoreFailure()) return write;
    if (commits.size() == 1) {
      statuses[0] = std::move(write);
      return statuses;
    }
  }
  // A batch refused for some tick's data, rolled back: each tick is
  // committed alone, so only the ticks whose data is refused are.
  for (size_t i : written) {
    Result<std::vector<Status>> alone = CommitTickBatch(commits.subspan(i, 1));
    if (!alone.ok()) return alone.status();
    statuses[i] = std::move(alone->front());
  }
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
