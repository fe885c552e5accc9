#!/usr/bin/env bash
# Publish benchmark: build, sign and store a generated workspace (100,000 sources by default),
# then a one-source republish; in the same run, Python's json module serialises the same
# documents as a baseline. Usage: bench/publish.sh [sources]
set -euo pipefail
cd "$(dirname "$0")/.."
sources="${1:-100000}"
documents="$(mktemp -d)/documents.jsonl"
trap 'rm -rf "$(dirname "$documents")"' EXIT

./scripts/setup
swift build -c release --product PublishBench >&2
swift_json="$(.build/release/PublishBench "$sources" "$documents")"
python_json="$(python3 bench/json_baseline.py "$documents")"

python3 - "$swift_json" "$python_json" <<'PY'
import json, sys
swift, python = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"swift": swift, "python_baseline": python}, indent=2))
print()
print("| sources | instances | manifests | publish (validate+compile+sign+store) | manifests/s "
      "| RSS with the workspace in memory | RSS before the publish | peak RSS during the publish | added by the publish "
      "| Python json.dumps, same documents | ratio | republish one source: whole workspace | by id | by id with index |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
print(f"| {swift['sources']:,} | {swift['instances']:,} | {swift['manifests']:,} | {swift['full_publish_s']:.2f} s "
      f"| {swift['manifests_per_s']:,.0f} | {swift['workspace_rss_mib']:,.0f} MiB "
      f"| {swift['rss_before_full_publish_mib']:,.0f} MiB | {swift['peak_rss_after_full_publish_mib']:,.0f} MiB "
      f"| {swift['peak_rss_after_full_publish_mib'] - swift['rss_before_full_publish_mib']:,.0f} MiB "
      f"| {python['python_json_dumps_s']:.2f} s | {swift['full_publish_s']/python['python_json_dumps_s']:.2f} "
      f"| {swift['republish_one_changed_full_workspace_s']*1000:,.0f} ms | {swift['republish_one_source_s']*1000:.1f} ms "
      f"| {swift['republish_one_source_indexed_s']*1000:.1f} ms |")
PY
