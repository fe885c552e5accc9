#!/usr/bin/env bash
# Edge memory benchmark (issue 17): does the edge's resident memory come back when its cache
# lets go? Publishes N sources (copies of the Acme storefront, 7.4 KB manifests, so more than
# the budget: the cache fills up and evicts), starts the origin and an edge with a small cache
# budget on loopback, and reads the edge's VmRSS (/proc/PID/status) next to the cache's own
# byte count: idle, after filling the cache, after a hard purge of everything, after an idle
# period, and after a second fill and purge (is freed memory reused, or does it grow?).
# Usage: bench/memory.sh [sources] [cache MiB] [idle seconds]
# SKIP_BUILD=1 uses .build/release/manifest as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
sources="${1:-12000}"
cache_mib="${2:-64}"
idle="${3:-15}"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

./scripts/setup
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --product manifest >&2
manifest=.build/release/manifest
origin_port=18191; edge_port=18190
token="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"

python3 bench/make_workspace.py "$sources" "$work/workspace.json" "$work/paths.txt"
$manifest keygen --data-dir "$work/data" >/dev/null
$manifest publish "$work/workspace.json" --data-dir "$work/data" --cdn-url "http://127.0.0.1:$edge_port" >/dev/null

wait_for() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "port $1 did not come up" >&2; exit 1; }

$manifest serve origin --data-dir "$work/data" --port $origin_port --log-level error & pids+=($!)
$manifest serve edge --origin "http://127.0.0.1:$origin_port" --port $edge_port --log-level error \
    --cache-bytes $((cache_mib << 20)) --purge-token "$token" & edge_pid=$!; pids+=($edge_pid)
wait_for $origin_port; wait_for $edge_port

# Every settings URL once, four keep-alive curl processes in parallel (one config file each).
awk -v base="http://127.0.0.1:$edge_port" '{ printf "url = \"%s%s\"\noutput = /dev/null\n", base, $0 }' \
    "$work/paths.txt" > "$work/urls.cfg"
split -n l/4 -d "$work/urls.cfg" "$work/part."
fill() {
    local curls=()
    for part in "$work"/part.*; do curl -s -K "$part" & curls+=($!); done
    wait "${curls[@]}"
}
purge() { curl -fs -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$edge_port/.edge/purge?all=1" >/dev/null; }
metric() { curl -fs "http://127.0.0.1:$edge_port/metrics" | awk -v name="$1" '$1 == name { print $2 }'; }
measure() {
    local rss
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$edge_pid/status")
    printf '| %s | %.1f MiB | %.1f MiB | %.0f | %.0f |\n' "$1" "$(echo "$rss / 1024" | bc -l)" \
        "$(echo "$(metric edge_cache_bytes) / 1048576" | bc -l)" "$(metric edge_cache_entries)" \
        "$(metric edge_evictions_total)"
}

echo "Edge with a ${cache_mib} MiB cache, ${sources} sources ($(du -m "$work/data" | tail -1 | cut -f1) MiB store):"
echo
echo "| stage | edge RSS | cache bytes | entries | evictions so far |"
echo "|---|---|---|---|---|"
sleep 1
measure "idle, after start"
fill
measure "cache filled (every source once)"
purge; sleep 1
measure "1 s after a hard purge of everything"
sleep "$idle"
measure "after ${idle} s more idle"
fill
measure "filled again"
purge; sleep 1
measure "1 s after a second purge"
