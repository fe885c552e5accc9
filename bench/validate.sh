#!/usr/bin/env bash
# File-path benchmark (issue 16): a generated workspace file of N web sources (10,000 by
# default, about 51 MB) read by the release `manifest`, against Python's json.load of the same
# file in the same run. Times `manifest validate`, a first `manifest publish` into a fresh
# store and an unchanged re-publish of the same file; /usr/bin/time -v gives each peak RSS.
# Usage: bench/validate.sh [sources]   (SKIP_BUILD=1 uses the existing release build;
# PYTHON=0 skips the baseline, which cannot load a million sources, 5 GB, in this machine's RAM)
set -euo pipefail
cd "$(dirname "$0")/.."
sources="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

./scripts/setup >/dev/null
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --product manifest >&2
manifest="${MANIFEST:-.build/release/manifest}" # MANIFEST=path compares another build

python3 bench/make_workspace.py "$sources" "$work/ws.json" "$work/paths.txt"
bytes=$(stat -c %s "$work/ws.json")
cat "$work/ws.json" >/dev/null # in the page cache for everyone

# measure NAME COMMAND...: elapsed seconds and peak RSS (KiB) into $work/NAME.
measure() {
    local name="$1"
    shift
    /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
        echo "$name failed:" >&2
        tail -5 "$work/$name.err" "$work/$name.out" >&2
        exit 1
    }
    python3 - "$work/$name.time" >"$work/$name" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
clock = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
seconds = 0.0
for part in clock.split(":"):
    seconds = seconds * 60 + float(part)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
print(seconds, rss)
PY
}

if [ "${PYTHON:-1}" = 1 ]; then
    measure python python3 -c 'import json, sys; json.load(open(sys.argv[1], "rb"))' "$work/ws.json"
fi
measure validate "$manifest" validate "$work/ws.json"
"$manifest" keygen --data-dir "$work/data" >/dev/null
measure publish "$manifest" publish "$work/ws.json" --data-dir "$work/data"
measure republish "$manifest" publish "$work/ws.json" --data-dir "$work/data"
grep -q "published 0 source" "$work/republish.out" || {
    echo "the unchanged re-publish published something:" >&2
    head -3 "$work/republish.out" >&2
    exit 1
}

python3 - "$work" "$sources" "$bytes" <<'PY'
import sys
work, sources, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
import os
def read(name):
    seconds, rss = open(f"{work}/{name}").read().split()
    return float(seconds), int(rss) * 1024
python_s = None
print(f"{sources:,} sources, {size / 1e6:.1f} MB of JSON")
print()
print("| run | time | ratio to Python json.load | peak RSS | RSS / file size |")
print("|---|---|---|---|---|")
if os.path.exists(f"{work}/python"):
    python_s, python_rss = read("python")
    print(f"| Python json.load | {python_s:.2f} s | 1.00 | {python_rss / 2**20:,.0f} MiB | {python_rss / size:.2f} |")
for name, label in [("validate", "manifest validate"), ("publish", "manifest publish, fresh store"),
                    ("republish", "manifest publish, unchanged")]:
    seconds, rss = read(name)
    ratio = f"{seconds / python_s:.2f}" if python_s else "(not run)"
    print(f"| {label} | {seconds:.2f} s | {ratio} | {rss / 2**20:,.0f} MiB | {rss / size:.2f} |")
PY
