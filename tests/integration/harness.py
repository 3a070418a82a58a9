"""Integration harness: a throwaway Debate stack and a real HTTP client.

The stack is the real one (scripts/stack): a private PostgreSQL cluster made
with initdb --nosync in a temporary folder, the FastCGI pool built by the test
build (sanitizers on), and nginx on a free loopback port.  Tests talk HTTP to
nginx only.  Each test_*.py module defines functions named test_*; they run in
file order and the run ends with one line "N passed, M failed".
"""
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Genuine Arch sync databases; a user's clone does not have them, CI's does.
DATA = os.environ.get("DEBATE_TESTDATA") or os.path.join(TOP, "..", "shared", "data", "arch")
SNAPSHOT = os.path.join(DATA, "2014-08")


def free_port():
    for _ in range(200):
        port = random.randint(20000, 60000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


class Stack:
    """One running stack.  stop() tears all of it down and removes the folder."""

    def __init__(self, bindir, conf_extra=""):
        self.var = tempfile.mkdtemp(prefix="debate-it-")
        os.chmod(self.var, 0o755)
        self.port = free_port()
        self.bindir = bindir
        if not os.path.isfile(os.path.join(SNAPSHOT, "core.db")):
            raise RuntimeError("test data missing: %s (set DEBATE_TESTDATA)" % SNAPSHOT)
        repos = " ".join("%s=%s" % (r, os.path.join(SNAPSHOT, r + ".db"))
                         for r in ("core", "extra", "community"))
        self.env = dict(os.environ, DEBATE_PORT=str(self.port), DEBATE_BIN=bindir, DEBATE_REPOS=repos,
                        DEBATE_PG_NOSYNC="1", DEBATE_WORKERS="3",
                        DEBATE_BUILDER="0",  # tests start their own builder
                        DEBATE_CONF_EXTRA=conf_extra)
        self.env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        self.script("start")
        self.conf = os.path.join(self.var, "debate.conf")

    def script(self, *args):
        subprocess.run([os.path.join(TOP, "scripts", "stack"), args[0], self.var] + list(args[1:]),
                       env=self.env, check=True, stdout=subprocess.DEVNULL)

    def ctl(self, *args, input=None):
        env = dict(self.env, DEBATE_CONF=self.conf)
        return subprocess.run([os.path.join(self.bindir, "debatectl")] + list(args), env=env,
                              input=input, capture_output=True, text=True)

    def psql(self, sql):
        sock = os.path.join(self.var, "pgsock")
        out = subprocess.run(["psql", "-h", os.path.realpath(sock), "-U", "debate", "-d", "debate",
                              "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def client(self, **kw):
        return Client(self.port, **kw)

    def log(self, name):
        with open(os.path.join(self.var, "log", name), errors="replace") as f:
            return f.read()

    def stop(self, keep=False):
        try:
            self.script("stop")
        finally:
            if not keep:
                shutil.rmtree(self.var, ignore_errors=True)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_named(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def __repr__(self):
        return "<%d %r>" % (self.status, self.raw[:300])


class Client:
    """A browser-like client: keeps cookies, sends Origin on unsafe requests."""

    def __init__(self, port, origin=True, source=None):
        self.port = port
        self.cookies = {}
        self.origin = origin
        self.source = source  # e.g. "127.0.0.2": another client address

    def request(self, method, path, body=None, headers=None, raw=None, ctype="application/json"):
        h = {}
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
            if ctype:
                h["Content-Type"] = ctype
        elif body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = ctype
        if self.origin and method not in ("GET", "HEAD"):
            h["Origin"] = "http://127.0.0.1:%d" % self.port
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        h.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60,
                                          source_address=(self.source, 0) if self.source else None)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            body = r.read()
            resp = Response(r.status, r.getheaders(), body.decode("utf-8", "replace"))
        finally:
            conn.close()
        for v in resp.headers_named("Set-Cookie"):
            kv = v.split(";", 1)[0]
            k, _, val = kv.partition("=")
            if "Max-Age=0" in v:
                self.cookies.pop(k, None)
            else:
                self.cookies[k] = val
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def signup(self, name=None, password="correct horse battery staple"):
        name = name or "user-%d-%d" % (os.getpid(), random.randint(0, 1 << 30))
        r = self.post("/api/v1/users", {"name": name, "password": password})
        assert r.status == 201, r
        return r.json


def check(cond, msg=""):
    if not cond:
        raise AssertionError(msg)


def eq(got, want, msg=""):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (msg, got, want) if msg else
                             "got %r, want %r" % (got, want))


def err(resp, status, code=None, field=Ellipsis):
    """Assert resp is the one error body with this status (and code, field)."""
    eq(resp.status, status, "status of %r" % (resp,))
    check(resp.json is not None and "error" in resp.json, "no error body: %r" % (resp,))
    e = resp.json["error"]
    check(isinstance(e.get("message"), str) and e["message"], "error without message")
    check("field" in e, "error without field key")
    if code is not None:
        eq(e["code"], code, "error code")
    if field is not Ellipsis:
        eq(e["field"], field, "error field")


def run_modules(stack, modules):
    passed = failed = 0
    for mod in modules:
        for name in [n for n in vars(mod) if n.startswith("test_")]:
            fn = getattr(mod, name)
            t0 = time.time()
            try:
                fn(stack)
                passed += 1
                print("ok   %s.%s (%.2fs)" % (mod.__name__, name, time.time() - t0), flush=True)
            except Exception:
                failed += 1
                print("FAIL %s.%s" % (mod.__name__, name), flush=True)
                traceback.print_exc()
    return passed, failed
