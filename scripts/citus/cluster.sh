#!/usr/bin/env bash
# A local Citus cluster for Gridline's scale-out tests (issue 12): three PostgreSQL 15 clusters on this machine, a
# coordinator on :5433 and two workers on :5434 and :5435, each with shared_preload_libraries = 'citus', trust auth
# on 127.0.0.1 only, `create extension citus; create extension postgis` in the Gridline database of each, the
# coordinator registered with citus_set_coordinator_host and the workers with citus_add_node.
#
#   scripts/citus/cluster.sh start    builds Citus when missing (install.sh, as root), creates/starts the nodes,
#                                      prints the coordinator URL on the last line
#   scripts/citus/cluster.sh stop     stops the three nodes (their data stays)
#   scripts/citus/cluster.sh status   each node up or down, and the coordinator's node list
#   scripts/citus/cluster.sh url      prints the coordinator URL
#
# Every step is idempotent: a second `start` finds the build, the data directories, the extensions and the nodes
# already there and only starts what is down.
#
# Settings (environment):
#   GRIDLINE_CITUS_SRC   the vendor folder with citus-13.0.5.tar.gz and install.sh (default /work/shared/vendor/citus)
#   GRIDLINE_CITUS_DIR   where the three data directories live (default /var/lib/postgresql/gridline-citus)
#   GRIDLINE_CITUS_DB    the database created on every node (default gridline_citus_test; "test" in the name lets
#                        the test helpers wipe it)
#   GRIDLINE_CITUS_PORT  the coordinator's port (default 5433; the workers take the next two)
#
# Measured on the 2-core machine (2026-12-04, other helpers' jobs running beside it):
#   build: install.sh, first time (apt build deps, configure, make -j2, install)     2 min 24 s
#   start from nothing (3 × initdb and start, database, extensions, 2 nodes added)   12 s
#   start when already running (checks only)                                         1.7 s
#   stop / start again (data kept)                                                    2.3 s / 11.3 s
set -euo pipefail

src=${GRIDLINE_CITUS_SRC:-/work/shared/vendor/citus}
base=${GRIDLINE_CITUS_DIR:-/var/lib/postgresql/gridline-citus}
db=${GRIDLINE_CITUS_DB:-gridline_citus_test}
port0=${GRIDLINE_CITUS_PORT:-5433}
pg=${PG_MAJOR:-15}
bin=/usr/lib/postgresql/$pg/bin
names=(coordinator worker1 worker2)
ports=("$port0" "$((port0 + 1))" "$((port0 + 2))")

url() { echo "postgres://postgres@127.0.0.1:$port0/$db"; }

# Runs a command as the postgres OS user (initdb and the server refuse root).
as_pg() { if [[ $(id -un) == postgres ]]; then "$@"; else runuser -u postgres -- "$@"; fi; }

psql_at() { # port database sql
  PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -p "$1" -U postgres -d "$2" -v ON_ERROR_STOP=1 -qtAc "$3"
}

citus_installed() {
  [[ -f /usr/share/postgresql/$pg/extension/citus.control && -f /usr/lib/postgresql/$pg/lib/citus.so ]] &&
    grep -q "default_version = '13.0" "/usr/share/postgresql/$pg/extension/citus.control"
}

build() {
  citus_installed && return 0
  [[ -f $src/install.sh ]] || { echo "citus is not installed and $src/install.sh is missing: set GRIDLINE_CITUS_SRC to the vendor folder with citus-13.0.5.tar.gz" >&2; exit 2; }
  [[ $(id -u) == 0 ]] || { echo "citus is not installed: run as root (install.sh installs build packages and the extension)" >&2; exit 2; }
  echo "citus: building from $src (several minutes on 2 cores)"
  bash "$src/install.sh"
}

init_node() { # name port
  local dir=$base/$1
  [[ -f $dir/PG_VERSION ]] && return 0
  mkdir -p "$base/run"
  chown postgres:postgres "$base" "$base/run" 2>/dev/null || true
  as_pg "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$dir/postgresql.conf" <<EOF

# Gridline local Citus cluster (scripts/citus/cluster.sh)
port = $2
listen_addresses = '127.0.0.1'
unix_socket_directories = '$base/run'
shared_preload_libraries = 'citus'
max_connections = 200
max_prepared_transactions = 200
shared_buffers = 256MB
work_mem = 16MB
fsync = on
logging_collector = off
citus.shard_count = 32
# Citus runs a maintenance daemon (distributed deadlock detection, 2PC recovery) per database: with the default 8
# background workers, a few test databases on one cluster leave later ones without it.
max_worker_processes = 32
EOF
  # Trust on loopback only: the nodes talk to each other over 127.0.0.1; nothing listens elsewhere.
  cat >"$dir/pg_hba.conf" <<EOF
local all all trust
host  all all 127.0.0.1/32 trust
EOF
}

start_node() { # name port
  local dir=$base/$1
  if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then return 0; fi
  as_pg "$bin/pg_ctl" -D "$dir" -l "$base/$1.log" -w -t 60 start >/dev/null
}

setup_db() { # port
  psql_at "$1" postgres "select 1 from pg_database where datname = '$db'" | grep -q 1 ||
    psql_at "$1" postgres "create database $db"
  # Only what is missing: once a worker is in the cluster, DDL there is refused (the coordinator propagates it).
  local e
  for e in citus postgis; do
    psql_at "$1" "$db" "select 1 from pg_extension where extname = '$e'" | grep -q 1 || psql_at "$1" "$db" "create extension $e"
  done
}

start() {
  build
  for i in 0 1 2; do init_node "${names[$i]}" "${ports[$i]}"; done
  for i in 0 1 2; do start_node "${names[$i]}" "${ports[$i]}"; done
  for i in 1 2 0; do setup_db "${ports[$i]}"; done
  psql_at "$port0" "$db" "select citus_set_coordinator_host('127.0.0.1', $port0)" >/dev/null
  for i in 1 2; do
    psql_at "$port0" "$db" "select 1 from pg_dist_node where nodename = '127.0.0.1' and nodeport = ${ports[$i]}" | grep -q 1 ||
      psql_at "$port0" "$db" "select citus_add_node('127.0.0.1', ${ports[$i]})" >/dev/null
  done
  url
}

stop() {
  for i in 2 1 0; do
    local dir=$base/${names[$i]}
    [[ -f $dir/PG_VERSION ]] || continue
    if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null; fi
  done
  echo "citus: stopped"
}

status() {
  local up=0
  for i in 0 1 2; do
    if pg_isready -h 127.0.0.1 -p "${ports[$i]}" -q; then echo "${names[$i]} :${ports[$i]} up"; up=$((up + 1)); else echo "${names[$i]} :${ports[$i]} down"; fi
  done
  if pg_isready -h 127.0.0.1 -p "$port0" -q && psql_at "$port0" postgres "select 1 from pg_database where datname = '$db'" | grep -q 1; then
    psql_at "$port0" "$db" "select 'node ' || nodename || ':' || nodeport || case when groupid = 0 then ' (coordinator)' else '' end || case when isactive then '' else ' inactive' end from pg_dist_node order by groupid"
  fi
  ((up == 3))
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  *) echo "usage: $0 {start|stop|status|url}" >&2; exit 2 ;;
esac
