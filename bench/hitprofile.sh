#!/usr/bin/env bash
# Instructions per cache hit: the edge of bench/edge.sh (1,000 sources behind one origin) run
# under callgrind, warmed, then its counters zeroed and a fixed number of hits sent over 8
# keep-alive connections (bench/hitclient.py, the request wrk sends). Instruction counts do not
# depend on what else the machine runs, unlike wall-clock benchmarks.
# Usage: bench/hitprofile.sh [hits] [output file]   (prints instructions per hit; the profile
# stays in the output file for callgrind_annotate)
set -euo pipefail
cd "$(dirname "$0")/.."
hits="${1:-20000}"
out="$(realpath -m "${2:-callgrind.hits.out}")"
manifest=.build/release/manifest
[ -x "$manifest" ] || { echo "build first: swift build -c release --product manifest" >&2; exit 1; }
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
origin_port=18191; edge_port=18190

# Valgrind 3.19 cannot read the DWARF 5 the toolchain writes (symbols are enough for a profile),
# and it writes to the read-only mask libdispatch's main thread passes to sigsuspend: profile a
# copy without debug info, with a sigsuspend that passes a writable copy.
objcopy --strip-debug $manifest "$work/manifest"
cc -shared -fPIC -O2 -o "$work/sigsuspend.so" bench/valgrind/sigsuspend.c

python3 bench/make_workspace.py 1000 "$work/workspace.json" "$work/paths.txt"
$manifest keygen --data-dir "$work/data" >/dev/null
$manifest publish "$work/workspace.json" --data-dir "$work/data" --cdn-url "http://127.0.0.1:$edge_port" >/dev/null

wait_for() { for _ in $(seq 300); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "port $1 did not come up" >&2; exit 1; }
$manifest serve origin --data-dir "$work/data" --port $origin_port --log-level error & pids+=($!)
LD_PRELOAD="$work/sigsuspend.so" valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" --dump-instr=no \
    "$work/manifest" serve edge --origin "http://127.0.0.1:$origin_port" --port $edge_port --log-level error \
    2>"$work/valgrind.log" & pids+=($!)
edge=$!
wait_for $origin_port; wait_for $edge_port
# Misses fill the cache, then a round of hits runs anything done once.
python3 bench/hitclient.py $edge_port "$work/paths.txt" 1000 1 >/dev/null
python3 bench/hitclient.py $edge_port "$work/paths.txt" 2000 8 >/dev/null
callgrind_control -z $edge >/dev/null
python3 bench/hitclient.py $edge_port "$work/paths.txt" "$hits" 8 >/dev/null
callgrind_control -d $edge >/dev/null
sleep 1
dump="$(ls -t "$work"/callgrind.out.* 2>/dev/null | head -1 || true)"
[ -n "$dump" ] || { cat "$work/valgrind.log" >&2; exit 1; }
mv "$dump" "$out"
total=$(awk '/^summary:|^totals:/ {print $2; exit}' "$out")
echo "$hits hits: $total instructions, $((total / hits)) per hit ($out)"
