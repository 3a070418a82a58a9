"""Builds: submit, join, cached ISOs, limits, cancel, live progress over SSE
(replay with Last-Event-ID, 1,000 open streams), the real builder, warming,
and the admin views.  The stack runs no builder; tests that need one start it,
and the SSE tests write progress rows as a builder does."""
import os
import resource
import socket
import subprocess
import threading
import time
from harness import check, eq, err

CFG = "/api/v1/configurations"
B = "/api/v1/builds"


def config(c, pkgs, **kw):
    r = c.post(CFG, dict({"layers": {"opening_statement": {"packages": pkgs}}}, **kw))
    assert r.status == 201, r
    return r.json["id"]


def signed(st):
    c = st.client()
    c.signup()
    return c


def submit(c, cid, status=202):
    r = c.post(B, {"configuration_id": cid})
    eq(r.status, status, r.raw[:300])
    return r.json


def test_submit_rules(st):
    a, b = signed(st), signed(st)
    cid = config(a, ["bash"])
    err(a.post(B, {}), 422, "invalid", "configuration_id")
    err(a.post(B, {"configuration_id": cid, "revision": "one"}), 422, "invalid", "revision")
    err(a.post(B, {"configuration_id": "00000000-0000-0000-0000-000000000000"}), 404)
    err(b.post(B, {"configuration_id": cid}), 404)
    draft = a.post(CFG, {"draft": True, "layers": {"platform": {"packages": ["vim", "gvim"]}}}).json["id"]
    err(a.post(B, {"configuration_id": draft}), 409, "unsolvable")
    err(a.post(B, {"configuration_id": cid, "revision": 7}), 404)


def test_submit_queues_joins_and_isolates(st):
    a, b, c = signed(st), signed(st), signed(st)
    ba = submit(a, config(a, ["bash", "sed"]))
    eq((ba["state"], ba["cached"]), ("queued", False))
    eq(st.psql("SELECT state || ' ' || kind || ' ' || priority FROM builds.jobs WHERE id = "
               "(SELECT job_id FROM builds.builds WHERE id = '%s')" % ba["id"]), "queued build 100")
    bb = submit(b, config(b, ["sed", "bash"]))      # same configuration, another account
    eq(bb["id"], ba["id"])
    eq(st.psql("SELECT count(*) FROM builds.jobs WHERE dedupe_key = '%s'" % ba["config_hash"]), "1")
    eq([x["id"] for x in a.get(B).json["builds"]], [ba["id"]])
    eq([x["id"] for x in b.get(B + "?state=queued").json["builds"]], [ba["id"]])
    eq(b.get(B + "?state=failed").json["total"], 0)
    err(b.get(B + "?state=bogus"), 422, "invalid", "state")
    err(c.get(B + "/" + ba["id"]), 404)
    err(c.get(B + "/" + ba["id"] + "/events"), 404)
    err(c.delete(B + "/" + ba["id"]), 404)
    # B leaves; A still wants it, so it stays queued.
    eq(b.delete(B + "/" + ba["id"]).status, 204)
    err(b.get(B + "/" + ba["id"]), 404)
    eq(a.get(B + "/" + ba["id"]).json["state"], "queued")


def test_list_pages_newest_first(st):
    """?limit= and ?offset= page through my builds, newest first; total counts
    them all (limit used to apply to the one aggregated row)."""
    a = signed(st)
    ids = []
    for pkgs in (["gzip"], ["tar"], ["which"]):
        ids.append(submit(a, config(a, pkgs))["id"])
        # finished, so the next one is within builds_concurrent
        st.psql("UPDATE builds.builds SET state = 'cancelled', stage = 'cancelled', finished_at = now() "
                "WHERE id = '%s'; UPDATE builds.jobs SET state = 'cancelled' WHERE id = "
                "(SELECT job_id FROM builds.builds WHERE id = '%s')" % (ids[-1], ids[-1]))
    newest = list(reversed(ids))
    page = a.get(B + "?limit=2").json
    eq((page["total"], page["limit"], page["offset"]), (3, 2, 0))
    eq([x["id"] for x in page["builds"]], newest[:2])
    page = a.get(B + "?limit=2&offset=2").json
    eq([x["id"] for x in page["builds"]], newest[2:])
    eq(a.get(B + "?offset=3").json["builds"], [])
    eq([x["id"] for x in a.get(B + "?state=cancelled&limit=1&offset=1").json["builds"]], newest[1:2])
    err(a.get(B + "?limit=0"), 422, "invalid", "limit")


def test_cached_iso_answers_200_without_a_job(st):
    a, d = signed(st), signed(st)
    first = submit(a, config(a, ["grep"]))
    iso = os.path.join(st.var, "artifacts", "test-%s.iso" % first["id"])
    with open(iso, "wb") as f:
        f.write(b"ISO bytes " * 1000)
    st.psql("UPDATE builds.builds SET state = 'succeeded', stage = 'done', percent = 100, "
            "finished_at = now(), artifact_path = '%s', artifact_size = 10000, artifact_sha256 = 'ab' "
            "WHERE id = '%s'; UPDATE builds.jobs SET state = 'succeeded' WHERE id = "
            "(SELECT job_id FROM builds.builds WHERE id = '%s')" % (iso, first["id"], first["id"]))
    jobs = st.psql("SELECT count(*) FROM builds.jobs")
    got = submit(d, config(d, ["grep"]), status=200)
    eq((got["id"], got["state"], got["cached"]), (first["id"], "succeeded", True))
    eq(got["artifact"]["url"], B + "/" + first["id"] + "/iso")
    eq(st.psql("SELECT count(*) FROM builds.jobs"), jobs)
    r = d.get(got["artifact"]["url"])
    eq(r.status, 200)
    eq(len(r.raw), 10000)
    check("attachment" in (r.header("Content-Disposition") or ""), r.headers)
    # Once the file is gone, the next submission builds again.
    os.unlink(iso)
    n = signed(st)
    eq(submit(n, config(n, ["grep"]))["state"], "queued")


def test_limits_429_with_the_limit_named(st):
    a = signed(st)
    submit(a, config(a, ["which"]))
    submit(a, config(a, ["which", "gzip"]))
    r = a.post(B, {"configuration_id": config(a, ["which", "tar"])})
    err(r, 429, "limit_builds_concurrent")
    check("builds_concurrent" in r.json["error"]["message"], r.json)
    check(int(r.header("Retry-After")) > 0, "Retry-After")


def test_cancel_queued_build(st):
    a = signed(st)
    b = submit(a, config(a, ["less"]))
    r = a.delete(B + "/" + b["id"])
    eq(r.status, 200)
    eq(r.json["state"], "cancelled")
    eq(st.psql("SELECT state FROM builds.jobs WHERE id = (SELECT job_id FROM builds.builds "
               "WHERE id = '%s')" % b["id"]), "cancelled")
    err(a.delete(B + "/" + b["id"]), 409, "finished")
    events = read_stream(st, a, b["id"], timeout=10)
    eq(events[-1][0], "failed")


def read_stream(st, client, build, last_id=None, timeout=30, on_open=None, stop_after=None):
    """Read an SSE stream until it closes; returns [(event, id, data)]."""
    s = socket.create_connection(("127.0.0.1", st.port), timeout=timeout)
    hdr = "GET %s/%s/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\nAccept: text/event-stream\r\n" % (
        B, build, st.port, "; ".join("%s=%s" % kv for kv in client.cookies.items()))
    if last_id is not None:
        hdr += "Last-Event-ID: %d\r\n" % last_id
    s.sendall((hdr + "Connection: close\r\n\r\n").encode())
    buf = b""
    events = []
    opened = False
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
        if not opened and b"\r\n\r\n" in buf:
            head, buf = buf.split(b"\r\n\r\n", 1)
            assert b" 200 " in head.split(b"\r\n")[0], head
            assert b"text/event-stream" in head, head
            opened = True
            if on_open:
                on_open()
        while opened and b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            ev, eid, data = "message", None, None
            for line in block.decode().splitlines():
                if line.startswith("event: "):
                    ev = line[7:]
                elif line.startswith("id: "):
                    eid = int(line[4:])
                elif line.startswith("data: "):
                    data = line[6:]
            if data is not None:
                events.append((ev, eid, data))
            if stop_after and len(events) >= stop_after:
                s.close()
                return events
    s.close()
    return events


def test_sse_streams_live_and_replays_without_gaps(st):
    a = signed(st)
    b = submit(a, config(a, ["nano"]))
    bid = b["id"]
    st.psql("UPDATE builds.builds SET state = 'running' WHERE id = '%s'" % bid)

    def builder():
        for i in range(1, 6):
            st.psql("INSERT INTO builds.progress (build_id, stage, percent, message) "
                    "VALUES ('%s', 'stage%d', %d, 'step %d')" % (bid, i, i * 10, i))
            time.sleep(0.1)
        st.psql("UPDATE builds.builds SET state = 'succeeded' WHERE id = '%s'; "
                "INSERT INTO builds.progress (build_id, stage, percent, message) "
                "VALUES ('%s', 'done', 100, 'the ISO is ready')" % (bid, bid))

    t = threading.Thread(target=builder)
    events = read_stream(st, a, bid, on_open=t.start)
    t.join()
    kinds = [e[0] for e in events]
    eq(kinds[-1], "done")
    prog = [e for e in events if e[0] == "progress"]
    ids = [e[1] for e in prog]
    eq(ids, sorted(set(ids)))                 # in order, none twice
    eq([e for e in prog if "step" in e[2]].__len__(), 5)
    # Reconnect after the third event: exactly the rest, then done.
    third = prog[2][1]
    again = read_stream(st, a, bid, last_id=third)
    eq([e[1] for e in again if e[0] == "progress"], ids[3:])
    eq(again[-1][0], "done")


def test_1000_open_streams_do_not_starve_the_api(st):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    a = signed(st)
    bid = submit(a, config(a, ["bzip2"]))["id"]
    cookie = "; ".join("%s=%s" % kv for kv in a.cookies.items())
    socks = []
    try:
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", st.port), timeout=30)
            s.sendall(("GET %s/%s/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\n\r\n"
                       % (B, bid, st.port, cookie)).encode())
            socks.append(s)
        opened = 0
        for s in socks:
            if b" 200 " in s.recv(4096):
                opened += 1
        eq(opened, 1000)
        c = st.client()
        t0 = time.time()
        for _ in range(20):
            eq(c.get("/api/v1/health").status, 200)
        eq(a.get(B + "/" + bid).status, 200)
        # One row reaches every stream.
        st.psql("INSERT INTO builds.progress (build_id, stage, percent, message) "
                "VALUES ('%s', 'fanout', 1, 'to everyone')" % bid)
        got = 0
        for s in socks:
            s.settimeout(20)
            data = b""
            while b"fanout" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            got += b"fanout" in data
        eq(got, 1000)
    finally:
        for s in socks:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_builder_runs_a_build_and_reports_why_it_cannot_finish(st):
    a = signed(st)
    b = submit(a, config(a, ["base", "linux"]))
    env = dict(st.env, DEBATE_CONF=st.conf)
    proc = subprocess.Popen([os.path.join(st.bindir, "debate-builder")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        events = read_stream(st, a, b["id"], timeout=60)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    stages = [e[2] for e in events if e[0] == "progress"]
    check(any('"profile"' in s for s in stages), stages)
    eq(events[-1][0], "failed")
    info = a.get(B + "/" + b["id"]).json
    eq((info["state"], info["attempts"]), ("failed", 2))
    check("mkarchiso" in info["error"] or "sandbox" in info["error"], info["error"])
    eq(st.psql("SELECT state FROM builds.jobs WHERE id = (SELECT job_id FROM builds.builds "
               "WHERE id = '%s')" % b["id"]), "dead")
    dead = st.psql("SELECT count(*) FROM builds.dead_letters WHERE id = "
                   "(SELECT job_id FROM builds.builds WHERE id = '%s')" % b["id"])
    eq(dead, "1")


def test_warm_cache_queues_popular_configurations(st):
    a = signed(st)
    cid = config(a, ["patch"])
    b = submit(a, cid)
    eq(a.delete(B + "/" + b["id"]).status, 200)        # cancelled: no ISO, nothing live
    r = st.ctl("warm-cache", "--days", "1", "--top", "1000")
    eq(r.returncode, 0, r.stderr)
    row = st.psql("SELECT b.kind || ' ' || j.priority FROM builds.builds b JOIN builds.jobs j "
                  "ON j.id = b.job_id WHERE b.configuration_id = '%s' AND b.state = 'queued'" % cid)
    eq(row, "warm 10")
    r = st.ctl("warm-cache", "--days", "1", "--top", "1000")   # nothing new the second time
    check(" 0 build(s) queued" in " " + r.stdout.splitlines()[-1], r.stdout)
    eq(st.ctl("warm-cache", "--days", "zero").returncode, 2)


def test_admin_views(st):
    for view in ("queue_overview", "dead_letters", "worker_health", "cache_usage", "account_usage"):
        st.psql("SELECT * FROM builds.%s LIMIT 5" % view)
    # Every account that submitted a new build today is counted.
    check(int(st.psql("SELECT count(*) FROM builds.account_usage WHERE last_day > 0")) >= 5, "account_usage")
    check(int(st.psql("SELECT count(*) FROM builds.queue_overview")) >= 1, "queue_overview")
