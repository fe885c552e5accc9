"""Baseline for the publish benchmark: serialise the same documents with Python's json module.

Reads the JSON lines PublishBench wrote (not timed), then times json.dumps with sorted keys
and compact separators (the same canonical form) over all of them.

    python3 bench/json_baseline.py documents.jsonl
"""
import json
import sys
import time

with open(sys.argv[1], "rb") as handle:
    documents = [json.loads(line) for line in handle]

start = time.perf_counter()
total = 0
for document in documents:
    total += len(json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
elapsed = time.perf_counter() - start
print(json.dumps({"documents": len(documents), "bytes": total, "python_json_dumps_s": elapsed}))
