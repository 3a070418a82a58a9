"""The package catalogue and the resolver, over Arch's 2014-08 databases
(core, extra, community), through nginx."""
import json
import urllib.parse
import os
import shutil
import tempfile
from harness import DATA, SNAPSHOT, check, eq, err


def names(r):
    return [p["name"] for p in r.json["packages"]]


def test_search_ranks_exact_prefix_substring_description(st):
    r = st.client().get("/api/v1/packages?q=firefox&limit=500")
    eq(r.status, 200)
    got = names(r)
    eq(got[0], "firefox")
    check(r.json["total"] == len(got), "total %d, got %d" % (r.json["total"], len(got)))

    def rank(n):
        return 0 if n == "firefox" else 1 if n.startswith("firefox") else 2 if "firefox" in n else 3
    ranks = [rank(n) for n in got]
    eq(ranks, sorted(ranks), "ranking order")
    check(1 in ranks, "expected prefix matches: %r" % got[:20])
    # A word only in descriptions still finds the package, after name matches.
    eq(names(st.client().get("/api/v1/packages?q=Bourne")), ["bash"])


def test_search_paging_and_repo_filter(st):
    c = st.client()
    a = c.get("/api/v1/packages?q=lib&limit=5&offset=0").json
    b = c.get("/api/v1/packages?q=lib&limit=5&offset=5").json
    eq(a["total"], b["total"])
    check(not set(n["name"] for n in a["packages"]) & set(n["name"] for n in b["packages"]), "pages overlap")
    core = c.get("/api/v1/packages?q=lib&repo=core&limit=500").json
    check(core["total"] > 0 and all(p["repo"] == "core" for p in core["packages"]), "repo filter")
    check(core["total"] < a["total"], "filter narrows")
    far = c.get("/api/v1/packages?q=lib&offset=100000").json
    eq(far["packages"], [])
    eq(far["total"], a["total"])


def _catalogue():
    """(priority, lower-cased name, name, lower-cased description) of every package
    of the snapshot, read from the sync databases themselves, as bytes."""
    import re
    import tarfile
    rows = []
    for prio, repo in enumerate(("core", "extra", "community")):
        with tarfile.open(os.path.join(SNAPSHOT, repo + ".db")) as t:
            for m in t.getmembers():
                if not m.name.endswith("/desc"):
                    continue
                f = dict(re.findall(rb"%([A-Z0-9]+)%\n(.*?)(?:\n\n|\n?$)", t.extractfile(m).read(), re.S))
                rows.append((prio, f[b"NAME"].lower(), f[b"NAME"].decode(), f.get(b"DESC", b"").lower()))
    return rows


def test_search_finds_exactly_what_a_scan_finds(st):
    # Every package whose name contains the query, or whose description has every
    # query word as a whole word, in rank, repository, name order: computed here by
    # brute force from the sync databases, and compared with the API's answer.
    import re
    rows = _catalogue()
    c = st.client()
    for q in ("gtk", "Python2-", "text editor", "GNOME shell", "xml parser", "zz", "lib32-",
              "c++", "x", "Bourne again", "3d", "a b"):
        lq = q.lower().encode()
        words = re.findall(rb"[a-z0-9]+", lq)
        hits = []
        for prio, lname, name, desc in rows:
            if lq in lname:
                r = 0 if lname == lq else 1 if lname.startswith(lq) else 2
            elif words and desc and all(re.search(rb"(?<![a-z0-9])" + re.escape(w) + rb"(?![a-z0-9])", desc)
                                        for w in words):
                r = 3
            else:
                continue
            hits.append((r, prio, lname, name))
        want = [h[3] for h in sorted(hits)]
        got = c.get("/api/v1/packages?limit=500&q=" + urllib.parse.quote(q))
        eq(got.json["total"], len(want), q)
        eq(names(got), want[:500], q)


def test_search_hostile_input(st):
    c = st.client()
    for q in ("%", "_", "%%", "'; DROP TABLE packages.packages; --", "\\", "ß∂ƒ", "a" * 256):
        r = c.get("/api/v1/packages?q=" + urllib.parse.quote(q))
        eq(r.status, 200, q)
    # LIKE wildcards are literal: no name has a '%'.
    eq(c.get("/api/v1/packages?q=%25").json["total"], 0)
    err(c.get("/api/v1/packages?q=" + "a" * 300), 422, "invalid", "q")
    err(c.get("/api/v1/packages?q=%zz"), 422, "invalid", "q")
    err(c.get("/api/v1/packages?q=%00"), 422, "invalid", "q")
    err(c.get("/api/v1/packages?limit=0"), 422, "invalid", "limit")
    err(c.get("/api/v1/packages?limit=ten"), 422, "invalid", "limit")
    err(c.get("/api/v1/packages?offset=-1"), 422, "invalid", "offset")
    check(int(st.psql("SELECT count(*) FROM packages.packages")) > 6000, "catalogue intact")


def test_package_page(st):
    c = st.client()
    r = c.get("/api/v1/packages/core/bash")
    eq(r.status, 200)
    p = r.json
    eq((p["repo"], p["name"], p["version"]), ("core", "bash", "4.3.018-3"))
    check("glibc" in p["depends"], p["depends"])
    check("readline>=6.3" in p["depends"], p["depends"])
    eq(p["provides"], ["sh"])
    check("base" in p["groups"], p["groups"])
    check("bash-completion" in p["required_by"], "required_by")
    check(p["download_size"] > 0 and p["installed_size"] > 0, "sizes")
    eq(c.get("/api/v1/packages/bash").json["repo"], "core")
    err(c.get("/api/v1/packages/extra/bash"), 404, "not_found")
    err(c.get("/api/v1/packages/no-such-package"), 404, "not_found")
    err(c.get("/api/v1/packages/core/bash/extra"), 404)


def test_groups(st):
    c = st.client()
    g = {x["name"]: x["count"] for x in c.get("/api/v1/groups").json["groups"]}
    check(g.get("base", 0) > 40, "base group: %r" % g.get("base"))
    r = c.get("/api/v1/groups/base")
    eq(r.status, 200)
    check("bash" in [p["name"] for p in r.json["packages"]], "bash in base")
    eq(len(r.json["packages"]), g["base"])
    err(c.get("/api/v1/groups/no-such-group"), 404, "not_found")


def resolve(c, body, **kw):
    return c.post("/api/v1/resolve", body, **kw)


def test_resolve_install_set(st):
    r = resolve(st.client(), {"packages": ["bash"]})
    eq(r.status, 200)
    a = r.json
    eq(a["ok"], True)
    inst = {p["name"]: p for p in a["install"]}
    eq(inst["bash"]["reason"], "explicit")
    eq(inst["glibc"]["reason"], "dependency")
    check("bash" in inst["readline"]["required_by"], inst["readline"])
    eq([p["name"] for p in a["install"]], sorted(inst))
    eq(a["download_size"], sum(p.get("download_size", 0) for p in a["install"]) or a["download_size"])


def test_resolve_unknown_name_suggests(st):
    a = resolve(st.client(), {"packages": ["firefx"]}).json
    eq(a["ok"], False)
    p = a["problems"][0]
    check("firefx" in p["message"], p["message"])
    check("firefox" in p["suggestions"], p["suggestions"])
    check(any(act["op"] == "replace" and act["with"] == "firefox"
              for s in p["solutions"] for act in s["actions"]), "no replace solution")


def test_resolve_conflict_between_layers_with_solutions(st):
    c = st.client()
    req = {"layers": {"platform": {"packages": ["vim"]}, "talking_points": {"packages": ["gvim"]}}}
    a = resolve(c, req).json
    eq(a["ok"], False)
    p = a["problems"][0]
    check("vim" in p["message"] and "gvim" in p["message"], p["message"])
    eq(sorted(p["layers"]), ["platform", "talking_points"])
    check(p["solutions"], "no solutions")
    for sol in p["solutions"]:
        fixed = json.loads(json.dumps(req))
        for act in sol["actions"]:
            if act["op"] == "remove":
                fixed["layers"][act["layer"]]["packages"].remove(act["package"])
        b = resolve(c, fixed).json
        check(b["ok"] or len(b["problems"]) < len(a["problems"]), "solution %r did not help" % sol)


def test_resolve_malformed_422_with_field(st):
    c = st.client()
    err(resolve(c, {"packages": "bash"}), 422, "invalid", "packages")
    err(resolve(c, {"packages": ["bash", 7]}), 422, "invalid", "packages[1]")
    err(resolve(c, {"layers": {"nope": {"packages": ["bash"]}}}), 422, "invalid", "layers.nope")
    err(resolve(c, {"packages": ["bash; rm -rf /"]}), 422, "invalid", "packages[0]")
    err(resolve(c, {"nonsense": 1}), 422, "invalid")
    err(c.post("/api/v1/resolve", raw="{"), 400, "malformed_json")


def test_resolve_empty_and_huge_selections(st):
    c = st.client(source="127.0.0.60")
    a = resolve(c, {"packages": []}).json
    eq((a["ok"], a["install"]), (True, []))
    r = resolve(c, {"packages": ["nopkg-%d" % i for i in range(10000)]})
    eq(r.status, 200)
    eq(r.json["ok"], False)
    everything = st.psql("SELECT string_agg(DISTINCT name, ' ') FROM packages.packages WHERE repo = 'core'").split()
    r = resolve(c, {"packages": everything})
    eq(r.status, 200)


def test_resolve_rate_limited_per_address(st):
    c = st.client(source="127.0.0.61")
    statuses = [resolve(c, {"packages": []}).status for _ in range(45)]
    eq(statuses[:30], [200] * 30)
    check(429 in statuses[30:], "never throttled: %r" % statuses)
    r = resolve(c, {"packages": []})
    if r.status == 429:
        check(int(r.header("Retry-After")) >= 1, "Retry-After")
    # Another address is not throttled.
    eq(resolve(st.client(source="127.0.0.62"), {"packages": []}).status, 200)


def test_debatectl_resolve_configured_and_given_repos(st):
    r = st.ctl("resolve", "bash")
    eq(r.returncode, 0, r.stderr)
    lines = dict((l.split()[0], l.split()[1:]) for l in r.stdout.splitlines())
    eq(lines["bash"], ["4.3.018-3", "core"])
    check("glibc" in lines, r.stdout)
    r = st.ctl("resolve", "--json", "--repo", "core=" + os.path.join(SNAPSHOT, "core.db"), "vim")
    eq(r.returncode, 1)
    eq(json.loads(r.stdout)["ok"], False)
    r = st.ctl("resolve", "--repo", "core=/nonexistent.db", "bash")
    eq(r.returncode, 2)


def test_sync_unchanged_does_nothing(st):
    r = st.ctl("repo", "sync")
    eq(r.returncode, 0, r.stderr)
    eq(r.stdout.split(), ["core:", "unchanged", "extra:", "unchanged", "community:", "unchanged"])


def test_sync_corrupt_database_keeps_previous_rows(st):
    before = st.psql("SELECT count(*) FROM packages.packages WHERE repo = 'extra'")
    tmp = tempfile.mkdtemp()
    bad = os.path.join(tmp, "extra.db")
    with open(os.path.join(SNAPSHOT, "extra.db"), "rb") as f:
        data = f.read()
    with open(bad, "wb") as f:
        f.write(data[: len(data) // 2])          # truncated
    conf = open(st.conf).read()
    try:
        with open(st.conf, "w") as f:
            f.write(conf.replace(os.path.join(SNAPSHOT, "extra.db"), bad))
        r = st.ctl("repo", "sync")
        eq(r.returncode, 1)
        check("extra" in r.stderr and "previous packages are kept" in r.stderr, r.stderr)
        eq(st.psql("SELECT count(*) FROM packages.packages WHERE repo = 'extra'"), before)
        with open(bad, "wb") as f:
            f.write(b"this is not a tarball at all\n" * 100)
        r = st.ctl("repo", "sync")
        eq(r.returncode, 1)
        eq(st.psql("SELECT count(*) FROM packages.packages WHERE repo = 'extra'"), before)
        # Still resolvable from the last good copy.
        eq(resolve(st.client(), {"packages": ["vim"]}).json["ok"], True)
    finally:
        with open(st.conf, "w") as f:
            f.write(conf)
        shutil.rmtree(tmp)


def test_sync_unreachable_mirror_keeps_previous_rows(st):
    """A mirror that cannot be reached (a closed port: refused at once) fails
    that repository with a message and keeps its rows and its packages in the
    pool; the others are untouched."""
    before = st.psql("SELECT count(*) FROM packages.packages WHERE repo = 'extra'")
    conf = open(st.conf).read()
    try:
        with open(st.conf, "w") as f:
            f.write(conf.replace(os.path.join(SNAPSHOT, "extra.db"), "http://127.0.0.1:9/extra.db"))
        r = st.ctl("repo", "sync")
        eq(r.returncode, 1)
        check("extra: cannot download" in r.stderr and "previous packages are kept" in r.stderr,
              r.stderr)
        check("Success" not in r.stderr, r.stderr)
        eq(st.psql("SELECT count(*) FROM packages.packages WHERE repo = 'extra'"), before)
        eq(st.psql("SELECT count(*) FROM packages.repos WHERE name = 'extra'"), "1")
        eq(resolve(st.client(), {"packages": ["vim"]}).json["ok"], True)
    finally:
        with open(st.conf, "w") as f:
            f.write(conf)
    eq(st.ctl("repo", "sync").returncode, 0)


def test_sync_reloads_the_pool_without_restart(st):
    c = st.client()
    eq(resolve(c, {"packages": ["gvim"]}).json["ok"], True)
    conf = open(st.conf).read()
    start = conf.index("[repo extra]")
    end = conf.index("[repo community]")
    try:
        with open(st.conf, "w") as f:
            f.write(conf[:start] + conf[end:])      # extra is gone
        r = st.ctl("repo", "sync")
        eq(r.returncode, 0, r.stderr)
        eq(st.psql("SELECT count(*) FROM packages.repos WHERE name = 'extra'"), "0")
        # Every worker process sees the new cache on its next resolve.
        for _ in range(8):
            a = resolve(c, {"packages": ["gvim"]}).json
            eq(a["ok"], False)
    finally:
        with open(st.conf, "w") as f:
            f.write(conf)
        eq(st.ctl("repo", "sync").returncode, 0)
    eq(resolve(c, {"packages": ["gvim"]}).json["ok"], True)


def _desc_count(db):
    """Packages in a sync database, counted straight from its tarball."""
    import tarfile
    with tarfile.open(db) as t:
        return sum(1 for m in t.getmembers() if m.isfile() and m.name.endswith("/desc"))


def test_sync_every_snapshot(st):
    """Every snapshot of the test data syncs: 2014 (desc+depends) to 2026
    (single desc), each repository's row count equal to its tarball's."""
    import re
    conf = open(st.conf).read()
    base = re.split(r"^\[repo ", conf, flags=re.M)[0]
    c = st.client()
    try:
        for snap in sorted(os.listdir(DATA)):
            d = os.path.join(DATA, snap)
            dbs = [f[:-3] for f in sorted(os.listdir(d)) if f.endswith(".db")]
            order = [r for r in ("core", "extra", "community", "multilib") if r in dbs]
            with open(st.conf, "w") as f:
                f.write(base + "".join("[repo %s]\ndb = %s\n\n" % (r, os.path.join(d, r + ".db"))
                                       for r in order))
            r = st.ctl("repo", "sync")
            eq(r.returncode, 0, "%s: %s" % (snap, r.stderr))
            for repo in order:
                eq(int(st.psql("SELECT count(*) FROM packages.packages WHERE repo = '%s'" % repo)),
                   _desc_count(os.path.join(d, repo + ".db")), "%s/%s rows" % (snap, repo))
            eq(st.psql("SELECT string_agg(name, ' ' ORDER BY priority) FROM packages.repos"),
               " ".join(order), snap)
            # the pool answers from the snapshot just synced
            a = resolve(c, {"packages": ["bash"]}).json
            check(a["ok"], "%s: %r" % (snap, a))
    finally:
        with open(st.conf, "w") as f:
            f.write(conf)
        eq(st.ctl("repo", "sync").returncode, 0)
