#!/usr/bin/env bash
# Origin throughput (release build): wrk asks one origin for the latest settings of the acme
# workspace's write keys (every request reads the store: the origin keeps no cache), first on
# SQLite, then on a throwaway PostgreSQL cluster; prints requests/s and the ratio.
# Usage: bench/origin.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
work="$(mktemp -d)"
pid=""
pgdata=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    if [ -n "$pgdata" ] && [ -f "$pgdata/postmaster.pid" ]; then kill -INT "$(head -1 "$pgdata/postmaster.pid")" || true; sleep 1; fi
    rm -rf "$work"
}
trap cleanup EXIT
[ "${SKIP_BUILD:-}" = 1 ] || swift build -c release --product manifest >&2
manifest=.build/release/manifest
cat > "$work/keys.lua" <<'LUA'
local keys = {"wk_acme_web_store_3f9a", "wk_acme_web_docs_81c2", "wk_acme_ios_shop_5d17"}
local n = 0
request = function()
    n = n + 1
    return wrk.format("GET", "/v1/projects/" .. keys[(n % #keys) + 1] .. "/settings")
end
LUA

run() { # name, store arguments...
    local name="$1"; shift
    rm -rf "$work/data"
    $manifest keygen --data-dir "$work/data" >/dev/null
    $manifest publish fixtures/workspaces/acme.json --data-dir "$work/data" "$@" >/dev/null
    $manifest serve origin --data-dir "$work/data" "$@" --port 18391 --log-level error &
    pid=$!
    for _ in $(seq 100); do curl -fs http://127.0.0.1:18391/healthz >/dev/null 2>&1 && break; sleep 0.1; done
    local rps
    rps=$(wrk -t2 -c32 -d"${seconds}s" -s "$work/keys.lua" http://127.0.0.1:18391 | awk '/Requests\/sec/ {print $2}')
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    echo "$name $rps"
}

sqlite=$(run sqlite | awk '{print $2}')
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then chown postgres "$work"; as_postgres=(setpriv --reuid=postgres --regid=postgres --clear-groups --); fi
pgdata="$work/pg"
"${as_postgres[@]}" "$bin/initdb" -D "$pgdata" -U postgres --auth=trust --no-sync >/dev/null
"${as_postgres[@]}" "$bin/pg_ctl" -D "$pgdata" -w -l "$work/pg.log" \
    -o "-p 18392 -k $work -c listen_addresses=127.0.0.1" start >/dev/null
postgres=$(run postgres --store "postgres://postgres@127.0.0.1:18392/postgres?sslmode=disable" | awk '{print $2}')
echo "origin requests/s, ${seconds} s each, wrk -t2 -c32 on the same 2 cores"
echo "SQLite:     $sqlite"
echo "PostgreSQL: $postgres (the server on the same 2 cores)"
python3 -c "print(f'ratio PostgreSQL / SQLite: {float(\"$postgres\") / float(\"$sqlite\"):.2f}')"
