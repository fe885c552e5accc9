#!/usr/bin/env bash
# Long-poll fan-out (release build): [subscribers] long polls wait on one origin's invalidation
# stream; prints the origin's CPU while they wait and publish -> every subscriber answered.
# Goals: idle CPU near zero, p99 under 100 ms. Usage: bench/longpoll.sh [subscribers]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

[ "${SKIP_BUILD:-}" = 1 ] || swift build -c release --product manifest >&2
manifest=.build/release/manifest
port=18191
$manifest keygen --data-dir "$work/data" >/dev/null
$manifest publish fixtures/workspaces/acme.json --data-dir "$work/data" >/dev/null
# The change to publish: one setting of the storefront's Amplitude.
python3 - "$work/changed.json" <<'PY'
import json, sys
workspace = json.load(open("fixtures/workspaces/acme.json"))
workspace["sources"][0]["instances"][0]["settings"]["trackAllPages"] = False
json.dump(workspace, open(sys.argv[1], "w"))
PY
$manifest serve origin --data-dir "$work/data" --port $port --log-level error --max-connections $((count + 100)) &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
python3 bench/longpoll.py $port $pid "$count" $manifest publish "$work/changed.json" --data-dir "$work/data"
