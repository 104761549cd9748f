#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: a new cluster in a temporary folder, listening
# on loopback only (127.0.0.1, a free port; its socket in that folder), trusting local connections,
# with one database. BOOKDESK_TEST_PG_URL names it for the store's tests. The server is stopped and
# the folder removed afterwards, whatever happens; the command's exit code is kept.
#   bash tests/with-postgres.sh cargo test -p booking-engine --lib store
# As root, the server runs as an unprivileged user (initdb refuses root): BOOKDESK_PG_OS_USER, or
# "postgres" if that user exists, or "nobody".
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir="$(pg_config --bindir)"
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    [ -x "$d/initdb" ] && bindir="$d"
  done
fi
if [ -z "$bindir" ]; then
  echo "PostgreSQL's server programs (initdb, pg_ctl) were not found: run tests/setup.sh (apt install postgresql)." >&2
  exit 1
fi

# Who runs the server, and how to run a program as them.
as_server=()
if [ "$(id -u)" -eq 0 ]; then
  server_user="${BOOKDESK_PG_OS_USER:-}"
  if [ -z "$server_user" ]; then
    if id postgres >/dev/null 2>&1; then server_user=postgres; else server_user=nobody; fi
  fi
  if command -v runuser >/dev/null 2>&1; then
    as_server=(runuser -u "$server_user" --)
  else
    as_server=(setpriv --reuid="$server_user" --regid="$(id -g "$server_user")" --clear-groups --)
  fi
else
  server_user="$(id -un)"
fi
db_user="$(id -un)"

base="$(mktemp -d "${TMPDIR:-/tmp}/bookdesk-pg.XXXXXX")"
data="$base/data"
started=""
cleanup() {
  local status=$?
  if [ -f "$data/postmaster.pid" ]; then
    (cd "$base" && "${as_server[@]}" "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1) || true
  fi
  rm -rf "$base" || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$(id -u)" -ne 0 ] || chown "$server_user" "$base"

# The server's programs run from inside the folder: as another user, the caller's working
# directory may not be theirs to enter.
in_base() { (cd "$base" && "${as_server[@]}" "$@"); }

in_base "$bindir/initdb" -D "$data" --username="$db_user" --auth=trust --encoding=UTF8 \
  --no-locale --no-sync >"$base/initdb.log" 2>&1 || {
  echo "initdb failed:" >&2; cat "$base/initdb.log" >&2; exit 1;
}

# A free port: one nothing answers on; if another process takes it first, try the next.
port_free() { ! (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 20); do
  port=$((20000 + RANDOM % 40000))
  port_free "$port" || continue
  # A throwaway server: durability off for speed; room for many desks' pools at once.
  if in_base "$bindir/pg_ctl" -D "$data" -l "$base/server.log" -w -t 60 -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$base' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "The throwaway PostgreSQL server did not start:" >&2
  cat "$base/server.log" >&2 || true
  exit 1
fi

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$db_user" bookdesk
export BOOKDESK_TEST_PG_URL="postgres://$db_user@127.0.0.1:$port/bookdesk"
echo "PostgreSQL for the tests: $BOOKDESK_TEST_PG_URL" >&2
"$@"
