#!/usr/bin/env bash
# A private PostgreSQL server for the tests: a cluster in DIR/data that
# listens only on the Unix socket DIR/.s.PGSQL.5432 (no TCP), with the
# superuser role vigy_test and trust authentication, tuned for speed over
# durability (fsync, synchronous_commit and full_page_writes off). Never
# touches the system's cluster. ctest starts and stops it as a fixture
# (tests/CMakeLists.txt); tests/support/pg_server.cc starts one itself when
# a test binary runs without ctest.
#
#   pg_cluster.sh start DIR   initdb (first time), start, wait until ready.
#                             A cluster already running there is fine.
#   pg_cluster.sh halt DIR    pg_ctl stop -m fast; keeps DIR (start again
#                             later with `start`).
#   pg_cluster.sh stop DIR    pg_ctl stop -m immediate, then removes DIR.
#                             Nothing there is fine.
#
# initdb and postgres refuse to run as root: as root, DIR belongs to the
# postgres system user (Debian's postgresql package makes it) and both run
# through runuser; otherwise they run as the current user. Silent on
# success; one line on stderr and exit 1 on failure.
set -euo pipefail

die() {
  echo "pg_cluster.sh: $*" >&2
  exit 1
}

(($# == 2)) || die "usage: pg_cluster.sh start|halt|stop DIR"
command=$1
dir=$2
[[ $dir == /* ]] || dir=$PWD/$dir
data=$dir/data
log=$dir/server.log
marker=$dir/.vigy-pg-cluster # written once initdb has finished

# Settings of our own only, whatever the caller's environment says.
unset PGDATA PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE PGPASSWORD

bindir=
if command -v pg_config >/dev/null && bindir=$(pg_config --bindir 2>/dev/null) &&
  [[ -x $bindir/initdb ]]; then
  :
else
  bindir=
  for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x $candidate/initdb ]] && bindir=$candidate
  done
fi
[[ -n $bindir ]] || die "no PostgreSQL server binaries (initdb): install postgresql (.ci/setup does)"

as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 ||
    die "running as root, but there is no 'postgres' system user to run the server as (install Debian's postgresql package)"
  as_owner=(runuser -u postgres --)
fi
owner_run() { (cd "$dir" && "${as_owner[@]}" "$@"); }

running() { [[ -f $data/postmaster.pid ]] && owner_run "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1; }

# The first error line of a log, else its last line.
first_error() {
  grep -m 1 -E 'ERROR|FATAL|PANIC|error:|could not' "$1" 2>/dev/null || tail -n 1 "$1" 2>/dev/null ||
    echo "no log in $1"
}

# True when DIR holds nothing but what this script puts there.
ours() {
  local entry
  for entry in "$dir"/* "$dir"/.[!.]*; do
    [[ -e $entry ]] || continue
    case ${entry##*/} in
      data | initdb.log | server.log | .vigy-pg-cluster | .s.PGSQL.5432 | .s.PGSQL.5432.lock) ;;
      *) return 1 ;;
    esac
  done
}

wait_ready() {
  for _ in $(seq 300); do
    "$bindir/pg_isready" -q -h "$dir" -p 5432 -t 1 && return 0
    sleep 0.1
  done
  die "the server in $data did not become ready in 30 s (log: $log)"
}

# The cluster's settings, in its postgresql.conf: `start` after `halt`
# brings it back with the same ones.
settings() {
  local quoted_dir=${dir//\'/\'\'}
  cat <<EOF
# pg_cluster.sh: a private test server, Unix socket only.
listen_addresses = ''
port = 5432
unix_socket_directories = '$quoted_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
}

start() {
  # The socket's path must fit in sun_path (107 bytes).
  local socket=$dir/.s.PGSQL.5432
  ((${#socket} <= 107)) || die "socket path too long for a Unix socket (${#socket} > 107 bytes): $socket"
  [[ $dir != *,* ]] || die "the directory's path must not contain a comma: $dir"
  if [[ ! -d $dir ]]; then
    mkdir -p "$dir" || die "cannot create $dir"
  fi
  ours || die "$dir holds files that are not a test cluster's; not using it"
  # Trust authentication: only the owner (and root) may reach the socket.
  if ((${#as_owner[@]} > 0)); then
    chown postgres: "$dir" || die "cannot give $dir to the postgres user"
    chmod 0700 "$dir" || die "cannot make $dir private"
    runuser -u postgres -- test -w "$dir" ||
      die "the postgres user cannot reach $dir (a parent directory is not searchable by it)"
  else
    chmod 0700 "$dir" || die "cannot make $dir private"
  fi
  if running; then
    wait_ready
    return
  fi
  if [[ ! -f $marker ]]; then
    rm -rf "$data"
    owner_run "$bindir/initdb" -D "$data" -U vigy_test --auth=trust -E UTF8 --locale=C \
      --no-sync >"$dir/initdb.log" 2>&1 || die "initdb failed: $(first_error "$dir/initdb.log")"
    settings | owner_run tee -a "$data/postgresql.conf" >/dev/null || die "cannot write $data/postgresql.conf"
    owner_run touch "$marker"
  fi
  # -k and listen_addresses as options too, so that nothing in the
  # configuration can open a TCP port or move the socket.
  # pg_ctl hands -o to /bin/sh: DIR in single quotes, each ' as '\''.
  local sh_dir=${dir//\'/\'\\\'\'}
  owner_run "$bindir/pg_ctl" start -D "$data" -l "$log" -w -t 60 -s \
    -o "-k '$sh_dir' -c listen_addresses=''" >/dev/null 2>&1 ||
    die "the server did not start: $(first_error "$log")"
  wait_ready
}

halt() {
  if running; then
    owner_run "$bindir/pg_ctl" stop -D "$data" -m fast -w -s >/dev/null 2>&1 ||
      die "pg_ctl stop -m fast failed for $data"
  fi
}

stop() {
  [[ -e $dir ]] || return 0
  # Removes only what this script made (or an empty directory).
  ours || die "$dir holds files that are not a test cluster's; not removing it"
  if running; then
    owner_run "$bindir/pg_ctl" stop -D "$data" -m immediate -w -s >/dev/null 2>&1 ||
      die "pg_ctl stop -m immediate failed for $data"
  fi
  rm -rf "$dir" || die "cannot remove $dir"
}

case $command in
  start) start ;;
  halt) halt ;;
  stop) stop ;;
  *) die "unknown command '$command' (expected start, halt or stop)" ;;
esac
