#!/usr/bin/env bash
# HTTPS benchmark: cache hits over TLS from our edge and from nginx (proxy_cache, ssl, http2,
# gzip), in front of the same origin, with the same ECDSA P-256 certificate, in the same run:
#   - HTTP/1.1 keep-alive over TLS with wrk, with Accept-Encoding: gzip (as browsers send it) and
#     without (identity: TLS and serving alone);
#   - HTTP/2 with h2load (64 connections, 10 streams each), with and without gzip;
#   - new TLS connections per second: h2load with one request per connection (full handshakes).
# nginx compresses with gzip at level 6 like the edge; it compresses on every hit, the edge once
# per stored response. Usage: bench/tls.sh [keys] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
keys="${1:-1000}"
seconds="${2:-15}"
source bench/lib.sh

./scripts/setup
for tool in wrk nginx h2load; do
    command -v "$tool" >/dev/null || apt-get install -y -qq \
        "$(case $tool in nginx) echo nginx-light ;; h2load) echo nghttp2-client ;; *) echo "$tool" ;; esac)" >/dev/null
done
swift build -c release --product manifest >&2
manifest=.build/release/manifest
origin_port=18281; edge_port=18280; nginx_port=18282

python3 bench/make_workspace.py "$keys" "$work/workspace.json" "$work/paths.txt"
$manifest keygen --data-dir "$work/data" >/dev/null
$manifest publish "$work/workspace.json" --data-dir "$work/data" --cdn-url "https://127.0.0.1:$edge_port" >/dev/null
$manifest dev-cert --dir "$work/tls" --host 127.0.0.1 >/dev/null
ca="$work/tls/ca.pem"

$manifest serve origin --data-dir "$work/data" --port $origin_port --log-level error & pids+=($!)
$manifest serve edge --origin "http://127.0.0.1:$origin_port" --port $edge_port --log-level error \
    --tls-cert "$work/tls/cert.pem" --tls-key "$work/tls/key.pem" --compression gzip & pids+=($!)
tls_extra="ssl_certificate $work/tls/cert.pem; ssl_certificate_key $work/tls/key.pem; ssl_protocols TLSv1.2 TLSv1.3;"
tls_extra+=" gzip on; gzip_comp_level 6; gzip_min_length 256; gzip_proxied any; gzip_vary on;"
tls_extra+=" gzip_types application/json application/javascript text/javascript;"
# nginx ends a connection after 1,000 requests by default (GOAWAY on HTTP/2), and h2load does
# not reconnect: the edge sets no such limit.
tls_extra+=" keepalive_requests 100000000;"
sed -e "s|__DIR__|$work|g" -e "s|__ORIGIN_PORT__|$origin_port|g" -e "s|__NGINX_PORT__|$nginx_port|g" \
    -e "s|__USER__|$(id -un)|g" -e "s|__LISTEN_FLAGS__|ssl http2|" -e "s|__SERVER_EXTRA__|$tls_extra|" \
    bench/nginx.conf.template > "$work/nginx.conf"
nginx -c "$work/nginx.conf"

wait_for_url() {
    for _ in $(seq 100); do curl -fs --cacert "$ca" "$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "$1 did not come up" >&2; exit 1
}
wait_for_url "http://127.0.0.1:$origin_port"; wait_for_url "https://127.0.0.1:$edge_port"
warm() { while read -r path; do curl -fs --cacert "$ca" -o /dev/null "https://127.0.0.1:$1$path"; done < "$work/paths.txt"; }
warm $edge_port; warm $nginx_port

# Same answer from both: gzip, decoding to the same document.
path="$(head -1 "$work/paths.txt")"
for port in $edge_port $nginx_port; do
    curl -fs --cacert "$ca" -H "Accept-Encoding: gzip" -D "$work/headers-$port" "https://127.0.0.1:$port$path" | gunzip \
        > "$work/body-$port"
    grep -qi "^content-encoding: gzip" "$work/headers-$port" || { echo "port $port did not compress" >&2; exit 1; }
done
cmp -s "$work/body-$edge_port" "$work/body-$nginx_port" || { echo "the two bodies differ" >&2; exit 1; }

sed "s|^|https://127.0.0.1:$edge_port|" "$work/paths.txt" > "$work/urls-$edge_port"
sed "s|^|https://127.0.0.1:$nginx_port|" "$work/paths.txt" > "$work/urls-$nginx_port"
# $3: gzip or identity.
run_wrk() {
    local encoding=""; [ "$3" = gzip ] && encoding=gzip
    ACCEPT_ENCODING="$encoding" PATHS_FILE="$work/paths.txt" wrk -t2 -c64 -d"${seconds}s" --latency \
        -s bench/paths.lua "https://127.0.0.1:$1" > "$work/wrk-$1-$2-$3.txt"
}
run_h2() {
    local header=(); [ "$3" = gzip ] && header=(-H "accept-encoding: gzip")
    h2load -t2 -c64 -m10 -D "$seconds" "${header[@]}" -i "$work/urls-$1" \
        --log-file "$work/h2-$1-$2-$3.log" > "$work/h2-$1-$2-$3.txt"
}
run_handshakes() {
    h2load -t2 -c1000 -n1000 "https://127.0.0.1:$1$path" > "$work/hs-$1-$2.txt"
}
for round in 1 2; do
    for encoding in gzip identity; do
        for port in $edge_port $nginx_port; do run_wrk $port $round $encoding; done
        for port in $edge_port $nginx_port; do run_h2 $port $round $encoding; done
    done
    for port in $edge_port $nginx_port; do run_handshakes $port $round; done
done

python3 - "$work" "$edge_port" "$nginx_port" <<'PY'
import re, statistics, sys
work, edge, nginx = sys.argv[1], sys.argv[2], sys.argv[3]

def wrk(port, round, encoding):
    text = open(f"{work}/wrk-{port}-{round}-{encoding}.txt").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def latency(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return rps, latency(50), latency(99)

def h2(port, round, encoding):
    text = open(f"{work}/h2-{port}-{round}-{encoding}.txt").read()
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1))
    failed = int(re.search(r"(\d+) failed", text).group(1))
    # --log-file: start time, status, latency in microseconds, one request a line.
    log = f"{work}/h2-{port}-{round}-{encoding}.log"
    latencies = sorted(int(line.split()[2]) / 1000 for line in open(log) if line.strip())
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    return rps, pick(0.50), pick(0.99), failed

def handshakes(port, round):
    text = open(f"{work}/hs-{port}-{round}.txt").read()
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1))
    ok = int(re.search(r"(\d+) succeeded", text).group(1))
    return rps, ok

print("| round | test | edge req/s | nginx req/s | ratio | edge p50 | nginx p50 | edge p99 | nginx p99 |")
print("|---|---|---|---|---|---|---|---|---|")
for round in (1, 2):
    for encoding in ("gzip", "identity"):
        e, n = wrk(edge, round, encoding), wrk(nginx, round, encoding)
        print(f"| {round} | HTTP/1.1 + TLS (wrk), {encoding} | {e[0]:,.0f} | {n[0]:,.0f} | {e[0]/n[0]:.2f} "
              f"| {e[1]:.2f} ms | {n[1]:.2f} ms | {e[2]:.2f} ms | {n[2]:.2f} ms |")
        e, n = h2(edge, round, encoding), h2(nginx, round, encoding)
        print(f"| {round} | HTTP/2 (h2load), {encoding} | {e[0]:,.0f} | {n[0]:,.0f} | {e[0]/n[0]:.2f} "
              f"| {e[1]:.2f} ms | {n[1]:.2f} ms | {e[2]:.2f} ms | {n[2]:.2f} ms |")
    e, n = handshakes(edge, round), handshakes(nginx, round)
    print(f"| {round} | new TLS connections (h2load, 1 request each) | {e[0]:,.0f} | {n[0]:,.0f} | {e[0]/n[0]:.2f} "
          f"| | | | |")
PY
