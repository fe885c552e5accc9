#!/usr/bin/env bash
# Chaos run: an origin, one shield edge and two edges (release builds, 127.0.0.1 only) under wrk
# load while a loop kills (kill -9) and restarts random processes and another publishes changes.
# Reports requests, non-2xx answers and socket errors, versions seen going backwards, and the
# longest time any edge served an old version after a publish.
# Usage: bench/chaos.sh [seconds]   (default 60; everything it starts is stopped by PID)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
work="$(mktemp -d)"
declare -A pid=()
helpers=()
cleanup() {
    for p in "${helpers[@]}" "${pid[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    { wait; } 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get install -y -qq wrk >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk >/dev/null; }
fi
[ -x .build/release/manifest ] || swift build -c release --product manifest >&2
manifest=.build/release/manifest
origin_port=18281; shield_port=18282; edge1_port=18283; edge2_port=18284
declare -A port=([origin]=$origin_port [shield]=$shield_port [edge1]=$edge1_port [edge2]=$edge2_port)
key=wk_acme_web_store_3f9a

cp fixtures/workspaces/acme.json "$work/workspace.json"
$manifest keygen --data-dir "$work/data" >/dev/null
$manifest publish "$work/workspace.json" --data-dir "$work/data" --cdn-url "http://127.0.0.1:$edge1_port" >/dev/null
python3 -c "import json; [print(f'/v1/projects/{s[\"writeKey\"]}/settings') for s in json.load(open('$work/workspace.json'))['sources'] if s['kind'] != 'server']" \
    > "$work/paths.txt"

start() {  # start NAME: (re)start one server on its port, in the background, recording its PID
    case "$1" in
        origin) $manifest serve origin --data-dir "$work/data" --port $origin_port --log-level critical & ;;
        shield) $manifest serve edge --name shield --origin "http://127.0.0.1:$origin_port" --port $shield_port \
                    --log-level critical & ;;
        edge*) $manifest serve edge --name "$1" --origin "http://127.0.0.1:$shield_port" --port "${port[$1]}" \
                    --log-level critical & ;;
    esac
    pid[$1]=$!
}
wait_for() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done; }
for name in origin shield edge1 edge2; do start $name; wait_for "${port[$name]}"; done
for edge in $edge1_port $edge2_port; do while read -r path; do curl -fs -o /dev/null "http://127.0.0.1:$edge$path"; done < "$work/paths.txt"; done

now_ms() { date +%s%3N; }

# Watcher: every 20 ms, the version each edge serves for $key (time ms, edge, version).
python3 - "$work/versions.log" "$key" $edge1_port $edge2_port <<'PY' &
import sys, time, urllib.request
log, key, ports = open(sys.argv[1], "w", buffering=1), sys.argv[2], sys.argv[3:]
while True:
    for port in ports:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/projects/{key}/settings", timeout=1) as r:
                log.write(f"{int(time.time() * 1000)} {port} {r.headers.get('Manifest-Version')}\n")
        except Exception:
            pass
    time.sleep(0.02)
PY
helpers+=($!)

# Load: one wrk per edge over every settings path.
for edge in $edge1_port $edge2_port; do
    PATHS_FILE="$work/paths.txt" wrk -t1 -c16 -d"${seconds}s" -s bench/paths.lua "http://127.0.0.1:$edge" \
        > "$work/wrk-$edge.txt" 2>&1 &
    helpers+=($!)
done

# Publisher: every 4 s a changed setting on $key's source, recording when it committed and its version.
(
    n=0
    while true; do
        sleep 4; n=$((n + 1))
        python3 - "$work/workspace.json" "$n" <<'PY'
import json, sys
path, n = sys.argv[1], sys.argv[2]
w = json.load(open(path))
w["sources"][0]["instances"][0]["settings"]["apiKey"] = f"chaos-{n}"
json.dump(w, open(path, "w"))
PY
        out=$($manifest publish "$work/workspace.json" --data-dir "$work/data" \
            --cdn-url "http://127.0.0.1:$edge1_port" 2>&1 || true)
        version=$(grep -o "$key v[0-9]*" <<<"$out" | head -1 | cut -d v -f2 || true)
        [ -n "$version" ] && echo "$(now_ms) $version" >> "$work/publishes.log"
    done
) &
helpers+=($!)

# Chaos: every 3 s kill -9 a random server, restart it 0.5-1.5 s later.
names=(origin shield edge1 edge2)
end=$(( $(date +%s) + seconds - 2 ))
kills=0
while [ "$(date +%s)" -lt "$end" ]; do
    sleep 3
    victim=${names[$((RANDOM % 4))]}
    kill -9 "${pid[$victim]}" 2>/dev/null || true
    wait "${pid[$victim]}" 2>/dev/null || true
    echo "$(now_ms) $victim" >> "$work/kills.log"
    kills=$((kills + 1))
    sleep "0.$((5 + RANDOM % 10))"
    start "$victim"
done
wait "${helpers[1]}" "${helpers[2]}" 2>/dev/null || true   # the two wrk runs
kill -9 "${helpers[0]}" "${helpers[3]}" 2>/dev/null || true  # watcher and publisher
wait "${helpers[0]}" "${helpers[3]}" 2>/dev/null || true

python3 - "$work" "$seconds" $edge1_port $edge2_port <<'PY'
import re, sys
work, seconds, ports = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
requests = non2xx = socket_errors = 0
for port in ports:
    text = open(f"{work}/wrk-{port}.txt").read()
    requests += int(re.search(r"(\d+) requests in", text).group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    non2xx += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    socket_errors += sum(map(int, m.groups())) if m else 0
observations = [line.split() for line in open(f"{work}/versions.log")]
observations = [(int(t), p, int(v)) for t, p, v in observations if v != "None"]
backwards, highest = 0, {}
for t, p, v in observations:
    if v < highest.get(p, 0):
        backwards += 1
    highest[p] = max(highest.get(p, 0), v)
try:
    publishes = [tuple(map(int, line.split())) for line in open(f"{work}/publishes.log")]
except FileNotFoundError:
    publishes = []
kills = [line.split() for line in open(f"{work}/kills.log")] if __import__("os").path.exists(f"{work}/kills.log") else []
worst, worst_at = 0, None
for t_pub, version in publishes:
    for port in ports:
        old = [t for t, p, v in observations if p == port and t > t_pub and v < version]
        if old and max(old) - t_pub > worst:
            worst, worst_at = max(old) - t_pub, (version, port)
print(f"duration {seconds} s; kill -9 + restart: {len(kills)} ({', '.join(sorted(set(k[1] for k in kills)))}); publishes: {len(publishes)}")
print(f"wrk requests: {requests}; non-2xx: {non2xx}; socket errors (connections to a killed edge): {socket_errors}")
print(f"watcher observations: {len(observations)}; versions going backwards: {backwards}")
print(f"longest an edge served an old version after a publish: {worst} ms" + (f" (v{worst_at[0]}, port {worst_at[1]})" if worst_at else ""))
PY
