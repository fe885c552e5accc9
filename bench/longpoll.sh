#!/usr/bin/env bash
# Long-poll fan-out (release build): [subscribers] long polls wait on the origin's invalidation
# stream on kept connections (bench/longpoll_client.c); prints the origins' CPU while they wait and
# the time from the publish's commit to every subscriber's answer. Goals: idle CPU near zero,
# p99 under 100 ms.
#   bench/longpoll.sh [subscribers]             one origin on SQLite (the publish comes from
#                                               another process: seen by the 25 ms check)
#   bench/longpoll.sh [subscribers] postgres    two origin replicas on one throwaway PostgreSQL
#                                               cluster, subscribers split between them; the
#                                               publish is pushed to both by LISTEN/NOTIFY
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
mode="${2:-sqlite}"
work="$(mktemp -d)"
pids=()
pgdata=""
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ -n "$pgdata" ] && [ -f "$pgdata/postmaster.pid" ]; then kill -INT "$(head -1 "$pgdata/postmaster.pid")" || true; sleep 1; fi
    rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

[ "${SKIP_BUILD:-}" = 1 ] || swift build -c release --product manifest >&2
manifest=.build/release/manifest
store=()
if [ "$mode" = postgres ]; then
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    as_postgres=()
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$work"; as_postgres=(setpriv --reuid=postgres --regid=postgres --clear-groups --); fi
    pgdata="$work/pg"
    pgport=18290
    "${as_postgres[@]}" "$bin/initdb" -D "$pgdata" -U postgres --auth=trust --no-sync >/dev/null
    "${as_postgres[@]}" "$bin/pg_ctl" -D "$pgdata" -w -l "$work/pg.log" \
        -o "-p $pgport -k $work -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    store=(--store "postgres://postgres@127.0.0.1:$pgport/postgres?sslmode=disable")
fi
$manifest keygen --data-dir "$work/data" >/dev/null
$manifest publish fixtures/workspaces/acme.json --data-dir "$work/data" "${store[@]}" >/dev/null
# The change to publish: one setting of the storefront's Amplitude.
python3 - "$work/changed.json" <<'PY'
import json, sys
workspace = json.load(open("fixtures/workspaces/acme.json"))
workspace["sources"][0]["instances"][0]["settings"]["trackAllPages"] = False
json.dump(workspace, open(sys.argv[1], "w"))
PY
ports=(18191)
[ "$mode" = postgres ] && ports=(18191 18192)
for port in "${ports[@]}"; do
    $manifest serve origin --data-dir "$work/data" "${store[@]}" --port "$port" --log-level error \
        --max-connections $((count + 100)) &
    pids+=($!)
done
for port in "${ports[@]}"; do
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
done
cc -O2 -o "$work/longpoll_client" bench/longpoll_client.c
# Twice on the same origins: first through the router (the baseline), then on the event loop as
# edges are answered; the second publish changes the setting back.
"$work/longpoll_client" --router "$(IFS=,; echo "${ports[*]}")" "$(IFS=,; echo "${pids[*]}")" "$count" \
    $manifest publish "$work/changed.json" --data-dir "$work/data" "${store[@]}"
echo
"$work/longpoll_client" "$(IFS=,; echo "${ports[*]}")" "$(IFS=,; echo "${pids[*]}")" "$count" \
    $manifest publish fixtures/workspaces/acme.json --data-dir "$work/data" "${store[@]}"
