#!/usr/bin/env bash
# Console page-render benchmark (release build): every console page with [sources] web sources
# (14 destinations each) and the whole catalog. Goal: every page under 50 ms.
# Usage: bench/console.sh [sources] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/make_workspace.py "${1:-1000}" "$work/workspace.json" "$work/paths.txt"
swift build -c release --product ConsoleBench >&2
.build/release/ConsoleBench "$work/workspace.json" "${2:-50}"
