#!/usr/bin/env bash
# Edge memory per cached manifest (issue 16): the edge's resident memory holding N cached
# settings documents, against the bytes of those documents as served (header block and body),
# with compression off and on (browsers' Accept-Encoding: the compressed copies are stored, the
# identity bytes only once a client asks for them);
# next to it nginx's proxy_cache for the same keys: its processes' RSS plus the cache files,
# which live in the page cache (different kinds of memory: noted, not equated).
# Usage: bench/edge-memory.sh [sources]     SKIP_BUILD=1 uses .build/release/manifest as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
sources="${1:-100000}"
source bench/lib.sh

./scripts/setup
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --product manifest >&2
manifest=.build/release/manifest
origin_port=18391; plain_port=18390; compressed_port=18392; nginx_port=18393

python3 bench/make_workspace.py "$sources" "$work/workspace.json" "$work/paths.txt"
$manifest keygen --data-dir "$work/data" >/dev/null
$manifest publish "$work/workspace.json" --data-dir "$work/data" >/dev/null

rss_kib() { awk '/^VmRSS:/ { s += $2 } END { print s }' $(for pid in "$@"; do echo "/proc/$pid/status"; done); }
# nginx's processes share its keys zone: their proportional set sizes add up without counting it twice.
# nginx's cache loader exits a minute after the start: only the processes alive are counted.
pss_kib() {
    awk '/^Pss:/ { s += $2 } END { print s }' $(for pid in "$@"; do
        [ -r "/proc/$pid/smaps_rollup" ] && echo "/proc/$pid/smaps_rollup"; done)
}

$manifest serve origin --data-dir "$work/data" --port $origin_port --log-level error & pids+=($!)
$manifest serve edge --origin "http://127.0.0.1:$origin_port" --port $plain_port --log-level error \
    --cache-bytes $((8 << 30)) --compression none --no-invalidation-stream & plain_pid=$!; pids+=($plain_pid)
$manifest serve edge --origin "http://127.0.0.1:$origin_port" --port $compressed_port --log-level error \
    --cache-bytes $((8 << 30)) --no-invalidation-stream & compressed_pid=$!; pids+=($compressed_pid)
sed -e "s|__DIR__|$work|g" -e "s|__ORIGIN_PORT__|$origin_port|g" -e "s|__NGINX_PORT__|$nginx_port|g" \
    -e "s|__USER__|$(id -un)|g" -e "s|__LISTEN_FLAGS__||" -e "s|__SERVER_EXTRA__||" \
    bench/nginx.conf.template > "$work/nginx.conf"
nginx -c "$work/nginx.conf"
wait_for $origin_port; wait_for $plain_port; wait_for $compressed_port
sleep 1
plain_idle=$(rss_kib $plain_pid); compressed_idle=$(rss_kib $compressed_pid)
nginx_pids="$(cat "$work/nginx.pid") $(pgrep -P "$(cat "$work/nginx.pid")" | tr '\n' ' ')"
nginx_idle=$(pss_kib $nginx_pids)

# Every settings URL once per server, four keep-alive curl processes in parallel; the first
# server's transfers also report the bytes served (header block + body) for the payload. $2, when
# given, is an Accept-Encoding to send, as browsers do: the compressing edge then keeps only its
# compressed copies (identity is decoded, and kept, for a client that asks for it).
fill() {
    awk -v base="http://127.0.0.1:$1" '{ printf "url = \"%s%s\"\noutput = /dev/null\n", base, $0 }' \
        "$work/paths.txt" > "$work/urls-$1.cfg"
    split -n l/4 -d "$work/urls-$1.cfg" "$work/part-$1."
    local curls=() header=()
    [ -n "${2:-}" ] && header=(-H "Accept-Encoding: $2")
    for part in "$work"/part-"$1".*; do
        curl -s "${header[@]}" -w '%{size_header} %{size_download}\n' -K "$part" > "$part.sizes" & curls+=($!)
    done
    wait "${curls[@]}"
    cat "$work"/part-"$1".*.sizes | awk '{ s += $1 + $2 } END { print s }'
}
payload=$(fill $plain_port)
fill $compressed_port "gzip, deflate, br" >/dev/null
fill $nginx_port >/dev/null
sleep 1
metric() { curl -fs "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 == name { print $2 }'; }
plain_full=$(rss_kib $plain_pid); compressed_full=$(rss_kib $compressed_pid); nginx_full=$(pss_kib $nginx_pids)
nginx_files=$(du -sk "$work/cache" | cut -f1)

python3 - "$sources" "$payload" "$plain_idle" "$plain_full" "$compressed_idle" "$compressed_full" \
    "$(metric $plain_port edge_cache_bytes)" "$(metric $compressed_port edge_cache_bytes)" \
    "$(metric $plain_port edge_cache_entries)" "$(metric $compressed_port edge_cache_entries)" \
    "$nginx_idle" "$nginx_full" "$nginx_files" <<'PY'
import sys
(sources, payload, plain_idle, plain_full, comp_idle, comp_full, plain_bytes, comp_bytes, plain_entries,
 comp_entries, nginx_idle, nginx_full, nginx_files) = [float(v) for v in sys.argv[1:]]
mib = lambda b: b / 1048576
payload_mib = mib(payload)
print(f"{sources:,.0f} settings documents, {payload_mib:,.1f} MiB as served (header blocks and bodies, "
      f"{payload / sources:,.0f} bytes each)")
print()
print("| server | entries | cache's own count | RSS idle | RSS holding them | growth | growth / payload |")
print("|---|---|---|---|---|---|---|")
for name, entries, own, idle, full in [
    ("edge, --compression none", plain_entries, plain_bytes, plain_idle, plain_full),
    ("edge, br + gzip (default)", comp_entries, comp_bytes, comp_idle, comp_full),
]:
    growth = (full - idle) * 1024
    print(f"| {name} | {entries:,.0f} | {mib(own):,.1f} MiB | {idle / 1024:,.1f} MiB | {full / 1024:,.1f} MiB "
          f"| {mib(growth):,.1f} MiB | {growth / payload:.2f} |")
growth = (nginx_full - nginx_idle) * 1024
print(f"| nginx proxy_cache: processes' PSS (master, 2 workers, cache manager) | | | {nginx_idle / 1024:,.1f} MiB "
      f"| {nginx_full / 1024:,.1f} MiB | {mib(growth):,.1f} MiB | {growth / payload:.2f} |")
print(f"| nginx proxy_cache: cache files (page cache, not RSS) | | | | {nginx_files / 1024:,.1f} MiB | "
      f"| {nginx_files * 1024 / payload:.2f} |")
PY
