#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL cluster on a private socket directory and a
# free loopback port, for the test suite. Usage: pg-throwaway.sh start DIR | stop DIR.
# On start it prints the SQLAlchemy URL of a ready, empty database.
set -euo pipefail
cmd=$1 dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_owner() {
  # The postgres user may not be allowed into the caller's folder (a root-only clone).
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cd /
case "$cmd" in
start)
  rm -rf "$dir" && mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  # Below the kernel's ephemeral range, so no outgoing connection takes it before the
  # server binds it (initdb takes seconds).
  port=$(python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for port in random.sample(range(10000, max(low, 10001)), min(200, max(low - 10000, 1))):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    break
else:  # a machine whose ephemeral range starts low: any free port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
PY
)
  as_owner "$bindir/initdb" -D "$dir/data" -U chemins --auth=trust -E UTF8 --no-locale >"$dir/initdb.log"
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U chemins chemins_test
  echo "$port" >"$dir/port"
  echo "postgresql+psycopg://chemins@127.0.0.1:$port/chemins_test"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  ;;
esac
