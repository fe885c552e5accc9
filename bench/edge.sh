#!/usr/bin/env bash
# Edge benchmark: wrk against our edge and against nginx (proxy_cache), both in front of the
# same origin, serving cache hits for 1,000 write keys; then a herd at expiry: with a 2-second
# edge TTL and no stale-while-revalidate, how many origin requests each key costs per TTL.
# Usage: bench/edge.sh [keys] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
keys="${1:-1000}"
seconds="${2:-15}"
source bench/lib.sh

./scripts/setup
for tool in wrk nginx; do
    command -v "$tool" >/dev/null || { apt-get install -y -qq "$([ "$tool" = nginx ] && echo nginx-light || echo wrk)" >/dev/null; }
done
swift build -c release --product manifest >&2
manifest=.build/release/manifest
origin_port=18181; edge_port=18180; nginx_port=18182; herd_origin_port=18183; herd_edge_port=18184

python3 bench/make_workspace.py "$keys" "$work/workspace.json" "$work/paths.txt"
$manifest keygen --data-dir "$work/data" >/dev/null
$manifest publish "$work/workspace.json" --data-dir "$work/data" --cdn-url "http://127.0.0.1:$edge_port" >/dev/null

warm() { while read -r path; do curl -fs -o /dev/null "http://127.0.0.1:$1$path"; done < "$work/paths.txt"; }
run_wrk() { PATHS_FILE="$work/paths.txt" wrk -t2 -c64 -d"${seconds}s" --latency -s bench/paths.lua "http://127.0.0.1:$1" ; }

$manifest serve origin --data-dir "$work/data" --port $origin_port --log-level error & pids+=($!)
$manifest serve edge --origin "http://127.0.0.1:$origin_port" --port $edge_port --log-level error & pids+=($!)
sed -e "s|__DIR__|$work|g" -e "s|__ORIGIN_PORT__|$origin_port|g" -e "s|__NGINX_PORT__|$nginx_port|g" -e "s|__USER__|$(id -un)|g" \
    -e "s|__LISTEN_FLAGS__||" -e "s|__SERVER_EXTRA__||" \
    bench/nginx.conf.template > "$work/nginx.conf"
nginx -c "$work/nginx.conf"
wait_for $origin_port; wait_for $edge_port
warm $edge_port; warm $nginx_port; warm $edge_port; warm $nginx_port

run_wrk $edge_port > "$work/edge.txt"
run_wrk $nginx_port > "$work/nginx.txt"
run_wrk $edge_port > "$work/edge2.txt"
run_wrk $nginx_port > "$work/nginx2.txt"

# Herd at expiry.
$manifest serve origin --data-dir "$work/data" --port $herd_origin_port --edge-ttl 2 --stale-while-revalidate 0 --log-level error & pids+=($!)
$manifest serve edge --origin "http://127.0.0.1:$herd_origin_port" --port $herd_edge_port --log-level error & pids+=($!)
wait_for $herd_origin_port; wait_for $herd_edge_port
warm $herd_edge_port
before=$(curl -fs "http://127.0.0.1:$herd_edge_port/metrics" | awk '/^edge_upstream_requests_total/ {print $2}')
run_wrk $herd_edge_port > "$work/herd.txt"
after=$(curl -fs "http://127.0.0.1:$herd_edge_port/metrics" | awk '/^edge_upstream_requests_total/ {print $2}')

python3 - "$work" "$keys" "$seconds" "$before" "$after" <<'PY'
import re, sys
work, keys, seconds, before, after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])

def parse(name):
    text = open(f"{work}/{name}.txt").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def latency(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, latency(50), latency(99), int(errors.group(1)) if errors else 0

print(f"| run | edge req/s | nginx req/s | ratio | edge p50 | nginx p50 | edge p99 | nginx p99 | non-2xx (edge/nginx) |")
print("|---|---|---|---|---|---|---|---|---|")
for index, (edge, nginx) in enumerate([("edge", "nginx"), ("edge2", "nginx2")], 1):
    e, n = parse(edge), parse(nginx)
    print(f"| {index} | {e[0]:,.0f} | {n[0]:,.0f} | {e[0]/n[0]:.2f} | {e[1]:.2f} ms | {n[1]:.2f} ms | {e[2]:.2f} ms | {n[2]:.2f} ms | {e[3]}/{n[3]} |")
periods = seconds / 2
print()
print(f"Herd at expiry: {after - before:.0f} origin requests for {keys} keys over {seconds} s with a 2 s TTL "
      f"= {(after - before) / (keys * periods):.2f} per key per TTL (goal: 1).")
PY
