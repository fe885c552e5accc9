"""Writes a valid workspace of N web sources for the edge benchmark, each a copy of the Acme
storefront source of fixtures/workspaces/acme.json with its own ids and write key.

    python3 bench/make_workspace.py 1000 workspace.json paths.txt
"""
import copy
import json
import sys

count, workspace_file, paths_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open("fixtures/workspaces/acme.json") as handle:
    acme = json.load(handle)
template = next(source for source in acme["sources"] if source["kind"] == "web")

sources = []
for index in range(count):
    source = copy.deepcopy(template)
    source["id"] = f"bench-web-{index}"
    source["name"] = f"Bench Web {index}"
    source["writeKey"] = f"wk_bench_{index:05d}"
    for instance in source["instances"]:
        instance["id"] = f"{instance['id']}-{index}"
    sources.append(source)

with open(workspace_file, "w") as handle:
    json.dump({"id": "ws_bench", "name": "Edge benchmark", "ingestionHost": acme.get("ingestionHost", "api.segment.io/v1"),
               "sources": sources}, handle)
with open(paths_file, "w") as handle:
    for source in sources:
        handle.write(f"/v1/projects/{source['writeKey']}/settings\n")
