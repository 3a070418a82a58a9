"""Issue 5's SSE benchmark.  A build with N open streams through nginx; a psql
session inserts progress rows as a builder would; each row's insert-to-arrival
time is measured at every stream.  Goal: p99 <= 50 ms with 1,000 streams."""
import os
import resource
import selectors
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402
from benchlib import pct, row  # noqa: E402


def pool_rss_kb():
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if b"debate-fcgi" not in f.read():
                    continue
            with open("/proc/%s/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def open_streams(st, bid, cookie, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", st.port))
        s.sendall(("GET /api/v1/builds/%s/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\n\r\n"
                   % (bid, st.port, cookie)).encode())
        socks.append(s)
    for s in socks:
        assert b" 200 " in s.recv(65536)
        s.setblocking(False)
    return socks


def measure(st, bid, socks, rows):
    sock = os.path.realpath(os.path.join(st.var, "pgsock"))
    psql = subprocess.Popen(["psql", "-h", sock, "-U", "debate", "-d", "debate", "-qAtX"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    lat = []
    # Row 0 is a warm-up: its time includes psql connecting and planning the
    # first INSERT, which no builder pays per row.
    for i in range(rows + 1):
        mark = "m%d-%d" % (len(socks), i)
        t0 = time.perf_counter()
        psql.stdin.write("INSERT INTO builds.progress (build_id, stage, percent, message) "
                         "VALUES ('%s', 'bench', 1, '%s');\n" % (bid, mark))
        psql.stdin.flush()
        waiting = set(socks)
        bufs = {}
        while waiting:
            for key, _ in sel.select(timeout=10):
                s = key.fileobj
                try:
                    data = s.recv(65536)
                except BlockingIOError:
                    continue
                bufs[s] = bufs.get(s, b"") + data
                if s in waiting and mark.encode() in bufs[s]:
                    waiting.discard(s)
                    if i > 0:
                        lat.append((time.perf_counter() - t0) * 1000.0)
        time.sleep(0.05)
    psql.stdin.close()
    psql.wait()
    return lat


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    os.environ["DEBATE_BUILDER"] = "0"
    st = benchlib.stack()
    try:
        c = st.client()
        c.signup("sse-bench")
        cookie = "; ".join("%s=%s" % kv for kv in c.cookies.items())
        cid = c.post("/api/v1/configurations", {"layers": {"opening_statement": {"packages": ["bash"]}}}).json["id"]
        bid = c.post("/api/v1/builds", {"configuration_id": cid}).json["id"]
        idle = pool_rss_kb()
        one = open_streams(st, bid, cookie, 1)
        lat1 = measure(st, bid, one, 50)
        many = open_streams(st, bid, cookie, 999) + one
        rss = pool_rss_kb()
        lat = measure(st, bid, many, 20)
        t0 = time.perf_counter()
        for _ in range(50):
            c.get("/api/v1/health")
        health = (time.perf_counter() - t0) * 1000.0 / 50
        for s in many:
            s.close()
        print("progress insert -> event at the client (1,000 streams vs 1 stream)")
        row("  p50", pct(lat, 50), pct(lat1, 50))
        row("  p99", pct(lat, 99), pct(lat1, 99), goal="(goal: p99 <= 50 ms)")
        print("pool memory: %.1f MiB idle, %.1f MiB with 1,000 streams (%.1f KiB a stream)"
              % (idle / 1024.0, rss / 1024.0, (rss - idle) / 1000.0))
        print("GET /api/v1/health with 1,000 streams open: %.2f ms mean" % health)
    finally:
        st.stop()


if __name__ == "__main__":
    main()
