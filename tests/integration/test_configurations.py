"""Configurations in five layers: ownership, the merge strategies with their
provenance, validation (every 422 names its field, nothing invalid is stored),
revisions, diff, fork, share links, the hash and the archiso profile."""
import io
import json
import os
import subprocess
import tarfile
import tempfile
from harness import check, eq, err

CFG = "/api/v1/configurations"


def signed(st, name=None):
    c = st.client()
    c.signup(name)
    return c


def create(c, doc, status=201):
    r = c.post(CFG, doc)
    eq(r.status, status, r.raw[:500])
    return r.json


def revisions(st, cid):
    return int(st.psql("SELECT count(*) FROM configurations.revisions WHERE configuration_id = '%s'" % cid))


BASIC = {"name": "Basic", "layers": {"opening_statement": {"packages": ["base", "linux"]}}}


def test_layers_describe_five_in_order(st):
    r = st.client().get("/api/v1/layers")
    eq(r.status, 200)
    eq([l["name"] for l in r.json["layers"]],
       ["opening_statement", "platform", "rhetoric", "talking_points", "closing_argument"])
    eq([l["order"] for l in r.json["layers"]], [1, 2, 3, 4, 5])


def test_create_read_list_delete(st):
    c = signed(st)
    err(st.client().post(CFG, BASIC), 401)
    made = create(c, BASIC)
    eq((made["revision"], made["solvable"], made["draft"]), (1, True, False))
    eq(c.get(CFG + "/" + made["id"]).json["document"], BASIC)
    create(c, dict(BASIC, name="Second"))
    lst = c.get(CFG + "?limit=1").json
    eq(lst["total"], 2)
    eq(len(lst["configurations"]), 1)
    eq(lst["configurations"][0]["name"], "Second")
    check("document" not in lst["configurations"][0], "list carries documents")
    eq(c.delete(CFG + "/" + made["id"]).status, 204)
    err(c.get(CFG + "/" + made["id"]), 404)
    eq(c.get(CFG).json["total"], 1)


def test_other_accounts_get_404_everywhere(st):
    a, b = signed(st), signed(st)
    cid = create(a, BASIC)["id"]
    base = CFG + "/" + cid
    for method, path, body in [("GET", base, None), ("PUT", base, BASIC), ("PATCH", base, {"name": "x"}),
                               ("DELETE", base, None), ("GET", base + "/revisions", None),
                               ("GET", base + "/revisions/1", None), ("GET", base + "/diff", None),
                               ("GET", base + "/effective", None), ("GET", base + "/profile.tar.gz", None),
                               ("POST", base + "/share", None), ("DELETE", base + "/share", None),
                               ("POST", base + "/fork", None)]:
        err(b.request(method, path, body), 404, "not_found")
    eq(b.get(CFG).json["total"], 0)
    eq(a.get(base).status, 200)
    eq(revisions(st, cid), 1)
    err(a.get(CFG + "/not-a-uuid"), 404)
    err(a.get(CFG + "/00000000-0000-0000-0000-000000000000"), 404)


def effective(c, cid):
    return c.get(CFG + "/" + cid + "/effective").json["effective"]


def test_merge_strategies_with_provenance(st):
    c = signed(st)
    doc = {"layers": {
        "opening_statement": {"packages": ["base", "linux", "nano"], "files": [
            {"path": "/etc/motd", "content": "welcome\n", "strategy": "append"},
            {"path": "/etc/issue", "content": "low\n"},
            {"path": "/etc/pacman.conf", "content": "[options]\nHoldPkg = pacman\nParallelDownloads = 2\n", "strategy": "deep"},
            {"path": "/etc/debate/settings.json", "content": "{\"a\": 1, \"b\": {\"c\": 2}}", "strategy": "deep"}]},
        "platform": {"files": [
            {"path": "/etc/motd", "content": "platform line\n", "strategy": "append"},
            {"path": "/etc/pacman.conf", "content": "[options]\nParallelDownloads = 5\n", "strategy": "deep"}]},
        "rhetoric": {"files": [{"path": "/etc/issue", "content": "high\n", "mode": "0600"}]},
        "talking_points": {"files": [
            {"path": "/etc/debate/settings.json", "content": "{\"b\": {\"d\": 3}}", "strategy": "deep"}]},
        "closing_argument": {"remove": ["nano"]}}}
    cid = create(c, doc)["id"]
    eff = effective(c, cid)
    files = {f["path"]: f for f in eff["files"]}
    motd = files["/etc/motd"]
    eq(motd["content"], "welcome\nplatform line\n")
    eq([(l["text"], l["layer"]) for l in motd["lines"]],
       [("welcome", "opening_statement"), ("platform line", "platform")])
    issue = files["/etc/issue"]
    eq((issue["content"], issue["layer"], issue["overrode"], issue["mode"]),
       ("high\n", "rhetoric", ["opening_statement"], "0600"))
    keys = {(k["section"], k["key"]): k for k in files["/etc/pacman.conf"]["keys"]}
    eq((keys[("options", "ParallelDownloads")]["value"], keys[("options", "ParallelDownloads")]["layer"]), ("5", "platform"))
    eq(keys[("options", "ParallelDownloads")]["overrode"], ["opening_statement"])
    eq(keys[("options", "HoldPkg")]["layer"], "opening_statement")
    js = json.loads(files["/etc/debate/settings.json"]["content"])
    eq(js, {"a": 1, "b": {"c": 2, "d": 3}})
    pk = {p["name"]: p for p in eff["packages"]}
    check("nano" not in pk, "nano removed by closing_argument")
    eq([(r["name"], r["layer"], r["removed_from"]) for r in eff["removed"]],
       [("nano", "closing_argument", ["opening_statement"])])
    eq(pk["base"]["layer"], "opening_statement")


def bad(c, doc, field, code="invalid"):
    r = c.post(CFG, doc)
    err(r, 422, code, field)
    return r


def test_every_invalid_field_is_named_and_nothing_stored(st):
    c = signed(st)
    before = c.get(CFG).json["total"]
    f = lambda p, **kw: {"layers": {"rhetoric": {"files": [dict({"path": p, "content": "x"}, **kw)]}}}
    three = lambda p: {"layers": {"rhetoric": {"files": [{"path": "/etc/a"}, {"path": "/etc/b"}, {"path": p}]}}}
    bad(c, three("/etc/../shadow"), "layers.rhetoric.files[2].path")
    for p in ("relative/path", "/etc//x", "/etc/./x", "/proc/self/mem", "/sys/x", "/dev/sda",
              "/bin/sh", "/etc/x\u0000y", "/" + "a" * 4096, "/etc/"):
        bad(c, f(p), "layers.rhetoric.files[0].path")
    bad(c, f("/etc/x", mode="9999"), "layers.rhetoric.files[0].mode")
    bad(c, f("/etc/x", strategy="sideways"), "layers.rhetoric.files[0].strategy")
    bad(c, f("/etc/x", encoding="base64", content="%%%"), "layers.rhetoric.files[0].content")
    bad(c, f("/etc/x.json", strategy="deep", content="{not json"), "layers.rhetoric.files[0].content")
    bad(c, f("/etc/x.conf", strategy="deep", content="[unclosed\nkey=1\n"), "layers.rhetoric.files[0].content")
    bad(c, {"iso": {"install_dir": "TooLongDir"}}, "iso.install_dir")
    bad(c, {"iso": {"install_dir": "UPPER"}}, "iso.install_dir")
    bad(c, {"iso": {"label": "lower case"}}, "iso.label")
    bad(c, {"iso": {"label": "A" * 33}}, "iso.label")
    bad(c, {"iso": {"bootmodes": ["bios.floppy"]}}, "iso.bootmodes[0]")
    bad(c, {"iso": {"image_type": "ext4"}}, "iso.image_type")
    bad(c, {"layers": {"sixth_layer": {}}}, "layers.sixth_layer")
    bad(c, {"layers": {"platform": {"packages": "vim"}}}, "layers.platform.packages")
    bad(c, {"layers": {"platform": {"packages": ["vim", 3]}}}, "layers.platform.packages[1]")
    bad(c, {"unknown": 1}, "unknown")
    bad(c, {"draft": "yes"}, "draft")
    many = {"layers": {"talking_points": {"files": [{"path": "/etc/f%d" % i} for i in range(300)]}}}
    r = c.post(CFG, many)
    eq(r.status, 422)
    # An unknown package is a resolver problem, named with its layer.
    r = bad(c, {"layers": {"platform": {"packages": ["no-such-pkg"]}}}, "layers", "unsatisfiable")
    check(r.json["error"]["problems"][0]["suggestions"] is not None, r.json)
    eq(c.get(CFG).json["total"], before)


def test_several_errors_at_once(st):
    c = signed(st)
    r = bad(c, {"iso": {"install_dir": "BAD!", "label": "bad"}}, Ellipsis)
    fields = sorted(e["field"] for e in r.json["error"]["errors"])
    eq(fields, ["iso.install_dir", "iso.label"])


def test_unsatisfiable_refused_draft_kept_and_not_buildable(st):
    c = signed(st)
    doc = {"layers": {"platform": {"packages": ["vim"]}, "talking_points": {"packages": ["gvim"]}}}
    r = bad(c, doc, "layers", "unsatisfiable")
    p = r.json["error"]["problems"][0]
    eq(sorted(p["layers"]), ["platform", "talking_points"])
    d = create(c, dict(doc, draft=True))
    eq((d["draft"], d["solvable"]), (True, False))
    check(d["problems"], "problems kept with the draft")
    err(c.get(CFG + "/" + d["id"] + "/profile.tar.gz"), 409, "unsolvable")
    # Fixing it (not a draft any more) makes revision 2, solvable.
    fixed = {"layers": {"platform": {"packages": ["vim"]}}}
    r = c.put(CFG + "/" + d["id"], fixed)
    eq(r.status, 200)
    eq((r.json["revision"], r.json["solvable"], r.json["draft"]), (2, True, False))


def test_revisions_diff_and_stale_edit(st):
    c = signed(st)
    made = create(c, BASIC)
    cid = made["id"]
    r = c.patch(CFG + "/" + cid, {"layers": {"rhetoric": {"packages": ["vim"], "files": [
        {"path": "/etc/motd", "content": "one\ntwo\n"}]}}})
    eq(r.status, 200)
    eq(r.json["revision"], 2)
    eq(r.json["document"]["layers"]["opening_statement"], BASIC["layers"]["opening_statement"])
    r = c.patch(CFG + "/" + cid, {"layers": {"rhetoric": {"files": [{"path": "/etc/motd", "content": "one\nthree\n"}]}}})
    eq(r.json["revision"], 3)
    revs = c.get(CFG + "/" + cid + "/revisions").json["revisions"]
    eq([x["revision"] for x in revs], [1, 2, 3])
    eq(c.get(CFG + "/" + cid + "/revisions/1").json["document"], BASIC)
    err(c.get(CFG + "/" + cid + "/revisions/9"), 404)
    d = c.get(CFG + "/" + cid + "/diff?from=1&to=2").json["diff"]
    eq(d["layers"]["rhetoric"]["packages"]["added"], ["vim"])
    d = c.get(CFG + "/" + cid + "/diff").json
    eq((d["from"], d["to"]), (2, 3))
    changed = d["diff"]["layers"]["rhetoric"]["files"]["changed"][0]
    check("-two" in changed["diff"] and "+three" in changed["diff"], changed)
    err(c.get(CFG + "/" + cid + "/diff?from=0"), 422, "invalid", "from")
    # Someone saved since revision 2: an edit based on it is refused.
    err(c.put(CFG + "/" + cid, dict(BASIC, revision=2)), 409, "conflict", "revision")
    eq(c.put(CFG + "/" + cid, dict(BASIC, revision=3)).json["revision"], 4)
    eq(revisions(st, cid), 4)


def test_fork_share_and_revoke(st):
    a, b = signed(st), signed(st)
    src = create(a, dict(BASIC, name="Shared one"))
    mine = a.post(CFG + "/" + src["id"] + "/fork")
    eq(mine.status, 201)
    eq((mine.json["forked_from"], mine.json["revision"], mine.json["document"]),
       (src["id"], 1, src["document"]))
    link = a.post(CFG + "/" + src["id"] + "/share")
    eq(link.status, 201)
    url = link.json["url"]
    anon = st.client()
    r = anon.get(url)
    eq(r.status, 200)
    eq(r.json["name"], "Shared one")
    for private in ("id", "forked_from", "shared"):     # the owner's, not the reader's
        check(private not in r.json, r.json)
    err(anon.post(url + "/fork"), 401)
    f = b.post(url + "/fork")
    eq(f.status, 201)
    eq(f.json["document"], src["document"])
    eq(b.get(CFG).json["total"], 1)
    err(b.put(url, BASIC), 405)     # read-only
    eq(a.delete(CFG + "/" + src["id"] + "/share").status, 204)
    err(anon.get(url), 404)
    err(b.post(url + "/fork"), 404)
    err(anon.get("/api/v1/shared/" + "0" * 64), 404)
    err(anon.get("/api/v1/shared/short"), 404)


def test_hash_equal_across_accounts_and_sensitive(st):
    a, b = signed(st), signed(st)
    doc1 = {"name": "A", "layers": {"opening_statement": {"packages": ["base", "linux"]}}}
    doc2 = {"layers": {"opening_statement": {"packages": ["linux", "base"]}}, "name": "B, other name"}
    h1 = create(a, doc1)["config_hash"]
    h2 = create(b, doc2)["config_hash"]
    eq(h1, h2)
    h3 = create(a, {"layers": {"opening_statement": {"packages": ["base", "linux", "vim"]}}})["config_hash"]
    h4 = create(a, dict(doc1, iso={"label": "OTHER"}))["config_hash"]
    h5 = create(a, {"layers": {"opening_statement": {"packages": ["base", "linux"], "files": [{"path": "/etc/x", "content": "1"}]}}})["config_hash"]
    eq(len({h1, h3, h4, h5}), 4)


def test_profile_tarball_and_debatectl_profile(st):
    c = signed(st)
    hostile = "Eve's $(touch /tmp/debate-pwned) `id` \"ISO\"\nline two ✓"
    cid = create(c, {"iso": {"publisher": hostile, "install_dir": "deb8"},
                     "layers": {"opening_statement": {"packages": ["base", "linux"], "files": [
                         {"path": "/etc/motd", "content": "hi\n", "mode": "0640"}]}}})["id"]
    r = c.get(CFG + "/" + cid + "/profile.tar.gz")
    eq(r.status, 200)
    eq(r.header("Content-Type"), "application/gzip")
    # The harness decodes bodies as text; read the bytes directly.
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", st.port)
    conn.request("GET", CFG + "/" + cid + "/profile.tar.gz",
                 headers={"Cookie": "; ".join("%s=%s" % kv for kv in c.cookies.items())})
    data = conn.getresponse().read()
    conn.close()
    names = tarfile.open(fileobj=io.BytesIO(data)).getnames()
    for need in ("profile/profiledef.sh", "profile/packages.x86_64", "profile/pacman.conf",
                 "profile/airootfs/etc/motd", "profile/syslinux/syslinux.cfg",
                 "profile/efiboot/loader/loader.conf"):
        check(need in names, "%s missing from %r" % (need, names))
    out = tempfile.mkdtemp()
    try:
        dest = os.path.join(out, "p")
        r = st.ctl("profile", cid, dest)
        eq(r.returncode, 0, r.stderr)
        pd = os.path.join(dest, "profiledef.sh")
        eq(subprocess.run(["bash", "-n", pd]).returncode, 0)
        got = subprocess.run(["env", "-i", "bash", "-c", 'source "$1"; printf %s "$iso_publisher"', "_", pd],
                             capture_output=True, text=True).stdout
        eq(got, hostile)
        check(not os.path.exists("/tmp/debate-pwned"), "profiledef.sh executed user input")
        pk = open(os.path.join(dest, "packages.x86_64")).read().split()
        check("base" in pk and "linux" in pk, pk)
        eq(st.ctl("profile", cid, dest).returncode, 1)   # exists already
        eq(st.ctl("profile", "nope", dest + "2").returncode, 2)
    finally:
        subprocess.run(["rm", "-rf", out])
