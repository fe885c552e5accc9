"""Sends a fixed number of GET requests over keep-alive connections, cycling through the paths
in a file, as wrk does (same request form: request line and Host only), and checks that every
answer is a 200. A fixed count rather than a duration, so that a profile under callgrind can be
divided by it.

    python3 bench/hitclient.py PORT PATHS_FILE REQUESTS [CONNECTIONS]
"""
import socket
import sys
import threading

port, paths_file, total = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
connections = int(sys.argv[4]) if len(sys.argv) > 4 else 8
paths = [line.strip() for line in open(paths_file) if line.strip()]
failures = []


def run(index, count):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pending = b""
    for number in range(count):
        path = paths[(index * count + number) % len(paths)]
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        while b"\r\n\r\n" not in pending:
            chunk = sock.recv(65536)
            if not chunk:
                failures.append("closed")
                return
            pending += chunk
        head, _, pending = pending.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        if not lines[0].startswith(b"HTTP/1.1 200"):
            failures.append(lines[0])
        length = next(int(line.split(b":", 1)[1]) for line in lines[1:] if line.lower().startswith(b"content-length:"))
        while len(pending) < length:
            pending += sock.recv(65536)
        pending = pending[length:]
    sock.close()


share = total // connections
threads = [threading.Thread(target=run, args=(index, share)) for index in range(connections)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
if failures:
    sys.exit(f"{len(failures)} failed answers, first: {failures[0]!r}")
print(f"{share * connections} requests answered 200")
