"""Long-poll fan-out benchmark client: N subscribers wait on the origins' invalidation streams
(split evenly between the replicas); reports the origins' CPU while they wait, then the time from
a publish to each answer.

    python3 bench/longpoll.py PORT[,PORT...] PID[,PID...] SUBSCRIBERS PUBLISH_COMMAND...
"""
import asyncio
import json
import os
import subprocess
import sys
import time

ports = [int(port) for port in sys.argv[1].split(",")]
pids = [int(pid) for pid in sys.argv[2].split(",")]
count = int(sys.argv[3])
publish = sys.argv[4:]
ticks = os.sysconf("SC_CLK_TCK")


def cpu_seconds():
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


async def request(path, port=ports[0]):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    return data.split(b"\r\n\r\n", 1)[1]


async def subscriber(index, after, answered):
    body = await request(f"/v1/events?after={after}&wait=30&edge=bench-{index}", ports[index % len(ports)])
    answered.append((time.monotonic(), len(json.loads(body)["events"])))


async def main():
    after = json.loads(await request("/v1/events"))["last"]
    answered = []
    tasks = [asyncio.create_task(subscriber(i, after, answered)) for i in range(count)]
    await asyncio.sleep(3)  # every subscriber connected and waiting
    before = cpu_seconds()
    if os.environ.get("PERF"):
        subprocess.Popen(["perf", "record", "-g", "-o", "/tmp/longpoll.perf", "-p", str(pids[0]), "--", "sleep", "4"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await asyncio.sleep(5)
    idle = (cpu_seconds() - before) / 5
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: subprocess.run(publish, check=True, stdout=subprocess.DEVNULL))
    published = time.monotonic()
    await asyncio.gather(*tasks)
    delays = sorted((at - published) * 1000 for at, _ in answered)
    with_event = sum(1 for _, events in answered if events > 0)

    def pct(p):
        return delays[min(len(delays) - 1, int(len(delays) * p))]

    print(f"subscribers: {count} on {len(ports)} origin(s), answered with the event: {with_event}")
    print(f"origin CPU while {count} polls wait: {idle * 100:.1f}% of one core (all origins)")
    print(f"publish -> answered: p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {delays[-1]:.1f} ms")


try:
    # A faster event loop, when installed (pip install uvloop): the client then costs less of
    # the two cores the origins also need.
    import uvloop
    uvloop.install()
except ImportError:
    pass
asyncio.run(main())
