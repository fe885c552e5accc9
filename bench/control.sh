#!/usr/bin/env bash
# Control-plane propagation benchmark (release build): Config API write -> every loopback edge
# serving the new version. Goal: p50 under 100 ms, max under 1 s.
# Usage: bench/control.sh [rounds] [edges]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ControlBench >&2
.build/release/ControlBench "${1:-100}" "${2:-2}"
