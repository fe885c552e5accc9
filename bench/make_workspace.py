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

def sources():
    for index in range(count):
        source = copy.deepcopy(template)
        source["id"] = f"bench-web-{index}"
        source["name"] = f"Bench Web {index}"
        source["writeKey"] = f"wk_bench_{index:05d}"
        for instance in source["instances"]:
            instance["id"] = f"{instance['id']}-{index}"
        yield source


# Written a source at a time (the bytes json.dump of the whole would write), so that a million
# sources (5 GB) need no more memory than one.
head = json.dumps({"id": "ws_bench", "name": "Edge benchmark",
                   "ingestionHost": acme.get("ingestionHost", "api.segment.io/v1")})
with open(workspace_file, "w") as workspace, open(paths_file, "w") as paths:
    workspace.write(head[:-1] + ', "sources": [')
    for index, source in enumerate(sources()):
        workspace.write((", " if index else "") + json.dumps(source))
        paths.write(f"/v1/projects/{source['writeKey']}/settings\n")
    workspace.write("]}")
