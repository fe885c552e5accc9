# Sourced by the benchmark scripts that start servers: a temporary directory `work`, the PIDs
# of what they start in `pids` (and nginx by its pid file in `work`), all stopped and removed on
# exit; and `wait_for PORT`, which returns once http://127.0.0.1:PORT/healthz answers.
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

wait_for() {
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "port $1 did not come up" >&2
    exit 1
}
