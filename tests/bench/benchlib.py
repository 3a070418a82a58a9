"""Shared by the Python benchmarks: a throwaway stack built from the optimised
binaries (build/bin), a keep-alive HTTP client, percentiles."""
import http.client
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import harness  # noqa: E402


def stack():
    """A stack without the per-address resolve limit (one client measures)."""
    os.environ["DEBATE_ACCESS_LOG"] = "off"
    return harness.Stack(os.path.join(TOP, "build", "bin"),
                         conf_extra="[limits]\nresolve_per_minute = 1000000\nresolve_burst = 1000000\n")


def pct(samples, p):
    s = sorted(samples)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


class Conn:
    """One kept-alive connection to nginx, like a browser tab."""

    def __init__(self, port, cookie=None):
        self.port = port
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.h = {"Origin": "http://127.0.0.1:%d" % port, "Content-Type": "application/json"}
        if cookie:
            self.h["Cookie"] = cookie

    def timed(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        t0 = time.perf_counter()
        try:
            self.c.request(method, path, body=data, headers=self.h)
            r = self.c.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # nginx closed the kept-alive connection: reconnect, as a browser does.
            self.c.close()
            self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            t0 = time.perf_counter()
            self.c.request(method, path, body=data, headers=self.h)
            r = self.c.getresponse()
        raw = r.read()
        if r.status >= 400:
            raise RuntimeError("%s %s: %d %s" % (method, path, r.status, raw[:200]))
        return (time.perf_counter() - t0) * 1000.0, r.status, raw


def signin(st):
    c = st.client()
    c.signup("bench-%d" % os.getpid())
    return "; ".join("%s=%s" % kv for kv in c.cookies.items())


def row(label, ours, theirs, unit="ms", goal=""):
    ratio = ours / theirs if theirs else float("nan")
    print("%-44s %10.2f %s %10.2f %s   ratio %6.3f %s" % (label, ours, unit, theirs, unit, ratio, goal))
