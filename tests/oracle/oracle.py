#!/usr/bin/env python3
"""Compare `debatectl resolve --each` with pacman -Sp on real sync databases.

usage: oracle.py check              fixed sample (make check); exit 1 on any
                                    unexplained difference
       oracle.py sweep              every package of every snapshot (make oracle)
       oracle.py run SNAPSHOT NAME... | all
                                    one snapshot, given names or all of them

Environment: DEBATECTL (default build/bin/debatectl), DEBATE_TESTDATA (default
../shared/data/arch), ORACLE_JOBS (parallel pacman runs, default: CPU count).

For each name both tools resolve `NAME` alone on the same databases.
  agree      same install set (name, version, repository)
  explained  (a) both succeed, the sets differ only where the two chose different
                 providers of a virtual dependency, and our set is closed: every
                 dependency of every member satisfied inside the set (pacman's
                 rules) and no two members conflict;
             (b) pacman gives up on a conflict it does not try to route around,
                 and our set is closed;
             (c) both succeed, pacman's set holds a conflicting pair (pacman -Sp
                 does not check conflicts pacman itself resolves later) and ours
                 is closed;
             (d) pacman fails on a dependency that a package satisfies only by
                 provisioning its own name (ghc provides ghc=7.8.3-1 at version
                 7.8.3-2): pacman's resolvedep skips such packages although its
                 own checkdeps accepts them; ours is closed.
  agree also covers: both fail because a dependency resolves nowhere and every
  name we report missing is one pacman reports too.
  failed     anything else.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ORDER = ["core", "extra", "community", "multilib"]
SAMPLE_FILE = os.path.join(HERE, "sample-2014-08.txt")


def testdata():
    d = os.environ.get("DEBATE_TESTDATA")
    if d:
        return d
    for cand in ("../shared/data/arch", "../../shared/data/arch",
                 os.path.join(HERE, "../../../shared/data/arch")):
        if os.path.isdir(cand):
            return cand
    sys.exit("oracle: test data not found; set DEBATE_TESTDATA")


# ---------------------------------------------------------------- versions
def _rpmvercmp(a, b):
    """pacman's rpmvercmp (lib/libalpm/version.c), on strings."""
    if a == b:
        return 0
    one = two = 0          # cursors
    p1 = p2 = 0            # ends of the previous segments
    la, lb = len(a), len(b)

    def alnum(c):
        return c.isascii() and c.isalnum()

    while one < la and two < lb:
        while one < la and not alnum(a[one]):
            one += 1
        while two < lb and not alnum(b[two]):
            two += 1
        if not (one < la and two < lb):
            break
        if one - p1 != two - p2:
            return -1 if one - p1 < two - p2 else 1
        p1, p2 = one, two
        if a[p1].isdigit():
            while p1 < la and a[p1].isdigit():
                p1 += 1
            while p2 < lb and b[p2].isdigit():
                p2 += 1
            isnum = True
        else:
            while p1 < la and a[p1].isascii() and a[p1].isalpha():
                p1 += 1
            while p2 < lb and b[p2].isascii() and b[p2].isalpha():
                p2 += 1
            isnum = False
        if two == p2:
            return 1 if isnum else -1
        sa, sb = a[one:p1], b[two:p2]
        if isnum:
            sa, sb = sa.lstrip("0"), sb.lstrip("0")
            if len(sa) != len(sb):
                return 1 if len(sa) > len(sb) else -1
        if sa != sb:
            return 1 if sa > sb else -1
        one, two = p1, p2
    if one >= la and two >= lb:
        return 0
    if (one >= la and not (b[two].isascii() and b[two].isalpha())) or \
       (one < la and a[one].isascii() and a[one].isalpha()):
        return -1
    return 1


def _split_evr(v):
    m = re.match(r"^(\d*)(.*)$", v, re.S)
    digits, rest = m.group(1), m.group(2)
    rel = None
    if "-" in rest:
        i = len(digits) + rest.rindex("-")
        v, rel = v[:i], v[i + 1:]
    if rest.startswith(":"):
        return digits or "0", v[len(digits) + 1:], rel
    return "0", v, rel


def vercmp(a, b):
    """alpm_pkg_vercmp: epoch, version, then release only if both have one."""
    if a == b:
        return 0
    ea, va, ra = _split_evr(a)
    eb, vb, rb = _split_evr(b)
    r = _rpmvercmp(ea, eb)
    if r == 0:
        r = _rpmvercmp(va, vb)
        if r == 0 and ra is not None and rb is not None:
            r = _rpmvercmp(ra, rb)
    return r


def parse_dep(s):
    s = s.split(": ", 1)[0]
    m = re.match(r"^([^<>=]+)(>=|<=|=|<|>)?(.*)$", s)
    if not m:
        return (s, None, None)
    return (m.group(1), m.group(2), m.group(3) if m.group(2) else None)


def ver_ok(have, op, want):
    r = vercmp(have, want)
    return {"=": r == 0, ">=": r >= 0, "<=": r <= 0, ">": r > 0,
            "<": r < 0}[op]


def satisfies(pkg, dep):
    """_alpm_depcmp: literal name+version, or a provision."""
    name, op, ver = dep
    if pkg["name"] == name and (op is None or ver_ok(pkg["version"], op, ver)):
        return True
    for pname, pop, pver in pkg["provides"]:
        if pname != name:
            continue
        if op is None:
            return True
        if pop == "=" and ver_ok(pver, op, ver):
            return True
    return False


# ---------------------------------------------------------------- databases
def read_db(path, repo):
    pkgs = {}
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile():
                continue
            d, _, base = m.name.rpartition("/")
            if base not in ("desc", "depends"):
                continue
            text = tf.extractfile(m).read().decode("utf-8", "replace")
            p = pkgs.setdefault(d, {"repo": repo, "depends": [],
                                    "provides": [], "conflicts": []})
            sect = None
            for line in text.split("\n"):
                line = line.strip()
                if not line:
                    sect = None
                    continue
                if sect is None:
                    sect = line
                    continue
                if sect == "%NAME%":
                    p["name"] = line
                elif sect == "%VERSION%":
                    p["version"] = line
                elif sect in ("%DEPENDS%", "%PROVIDES%", "%CONFLICTS%"):
                    p[sect.strip("%").lower()].append(parse_dep(line))
    return {p["name"]: p for p in pkgs.values()}


def snapshot_repos(snapdir):
    return [r for r in REPO_ORDER
            if os.path.exists(os.path.join(snapdir, r + ".db"))]


def load_snapshot(snapdir):
    """name -> package of the first repository that has it (pacman order)."""
    allp = {}
    for r in snapshot_repos(snapdir):
        for n, p in read_db(os.path.join(snapdir, r + ".db"), r).items():
            allp.setdefault(n, p)
    return allp


# ---------------------------------------------------------------- the tools
def pacman_setup(snapdir):
    t = tempfile.mkdtemp(prefix="oracle-")
    os.makedirs(os.path.join(t, "db", "sync"))
    os.makedirs(os.path.join(t, "root"))
    conf = "[options]\nArchitecture = x86_64\nSigLevel = Never\n"
    for r in snapshot_repos(snapdir):
        shutil.copy(os.path.join(snapdir, r + ".db"),
                    os.path.join(t, "db", "sync", r + ".db"))
        conf += "[%s]\nServer = file:///nonexistent\n" % r
    with open(os.path.join(t, "pacman.conf"), "w") as f:
        f.write(conf)
    return t


def pacman_one(t, name):
    cmd = ["pacman", "--config", os.path.join(t, "pacman.conf"),
           "--dbpath", os.path.join(t, "db"), "-r", os.path.join(t, "root"),
           "-Sp", "--noconfirm", "--print-format", "%n %v %r", name]
    pr = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                        text=True, env=dict(os.environ, LC_ALL="C"))
    if pr.returncode == 0:
        s = set()
        for line in pr.stdout.splitlines():
            parts = line.split()
            if len(parts) == 3:
                s.add(tuple(parts))
        return {"ok": True, "set": s}
    both = pr.stdout + pr.stderr     # pacman prints the ":: " lines on stdout
    missing = set(re.findall(r"unable to satisfy dependency '([^']+)'", both))
    kind = "missing" if missing else (
        "conflict" if "conflict" in both else "other")
    return {"ok": False, "kind": kind, "missing": missing,
            "err": pr.stderr.strip().splitlines()[-1:] }


def pacman_all(snapdir, names):
    """pacman's answer per name.  With ORACLE_PACMAN_CACHE=DIR the answers
    are kept in DIR/SNAPSHOT.json and reused (pacman is the slow side)."""
    cache = os.environ.get("ORACLE_PACMAN_CACHE")
    path = os.path.join(cache, os.path.basename(os.path.normpath(snapdir)) +
                        ".json") if cache else None
    known = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for n, r in json.load(f).items():
                if r["ok"]:
                    r["set"] = {tuple(x) for x in r["set"]}
                else:
                    r["missing"] = set(r["missing"])
                known[n] = r
    todo = [n for n in names if n not in known]
    if todo:
        known.update(pacman_run(snapdir, todo))
        if path:
            os.makedirs(cache, exist_ok=True)
            with open(path, "w") as f:
                json.dump({n: dict(r, set=sorted(r.get("set", ())),
                                   missing=sorted(r.get("missing", ())))
                           for n, r in known.items()}, f)
    return {n: known[n] for n in names}


def pacman_run(snapdir, names):
    t = pacman_setup(snapdir)
    try:
        jobs = int(os.environ.get("ORACLE_JOBS", os.cpu_count() or 2))
        # the first run creates the local database; racing it fails
        res = [pacman_one(t, n) for n in names[:1]]
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            res += list(ex.map(lambda n: pacman_one(t, n), names[1:]))
    finally:
        shutil.rmtree(t)
    return dict(zip(names, res))


def ours_all(snapdir, names, debatectl):
    repos = []
    for r in snapshot_repos(snapdir):
        repos += ["--repo", "%s=%s" % (r, os.path.join(snapdir, r + ".db"))]
    out = {}
    for i in range(0, len(names), 2000):
        chunk = names[i:i + 2000]
        pr = subprocess.run([debatectl, "resolve", "--each"] + repos + chunk,
                            capture_output=True, text=True)
        if pr.returncode not in (0, 1):
            sys.exit("oracle: %s failed (%d): %s" % (debatectl, pr.returncode,
                                                     pr.stderr[-2000:]))
        cur = None
        for line in pr.stdout.splitlines():
            if line.startswith("## "):
                f = line.split()
                cur = f[1]
                if f[2] == "OK":
                    out[cur] = {"ok": True, "set": set()}
                else:
                    detail = f[4] if len(f) > 4 else "-"
                    out[cur] = {"ok": False, "kind": f[3],
                                "missing": set(detail.split(","))
                                if f[3] == "missing-dependency" else set(),
                                "msg": []}
            elif line.startswith("# "):
                out[cur]["msg"].append(line[2:])
            elif cur is not None and out[cur]["ok"]:
                parts = line.split()
                if len(parts) == 3:
                    out[cur]["set"].add(tuple(parts))
    return out


# ---------------------------------------------------------------- judging
def closed(names, db):
    """None if the set is closed and conflict-free, else why not."""
    pk = [db[n] for n in names if n in db]
    if len(pk) != len(names):
        return "unknown package in set"
    for p in pk:
        for d in p["depends"]:
            if not any(satisfies(q, d) for q in pk):
                return "%s: unsatisfied %s" % (p["name"], "".join(
                    x for x in d if x))
    for p in pk:
        for c in p["conflicts"]:
            for q in pk:
                if q is not p and q["name"] != p["name"] and satisfies(q, c):
                    return "%s conflicts with %s" % (p["name"], q["name"])
    return None


def provider_difference(ours, theirs, db):
    """1 if some dependency is met by different providers in the two sets."""
    only_o = [db[n] for n in ours - theirs if n in db]
    only_t = [db[n] for n in theirs - ours if n in db]
    for p in (db[n] for n in ours & theirs if n in db):
        for d in p["depends"]:
            if any(satisfies(q, d) for q in only_o) and \
               any(satisfies(q, d) for q in only_t):
                return True
    # a provider picked by a package only one side has is still a choice:
    for p in only_o + only_t:
        for d in p["depends"]:
            if any(satisfies(q, d) for q in only_o) and \
               any(satisfies(q, d) for q in only_t):
                return True
    return False


def self_provided(missing, names, db):
    """A missing dep 'N op V' met in NAMES only by package N's provision."""
    for m in sorted(missing):
        d = parse_dep(m)
        p = db.get(d[0])
        if d[1] and p and p["name"] in names and satisfies(p, d) and \
           not (p["version"] and ver_ok(p["version"], d[1], d[2])):
            return "%s provides %s" % (p["name"], m)
    return None


def judge(name, pac, our, db):
    if pac["ok"] and our["ok"]:
        if pac["set"] == our["set"]:
            return "agree", ""
        on = {x[0] for x in our["set"]}
        pn = {x[0] for x in pac["set"]}
        why = closed(on, db)
        if why is None and provider_difference(on, pn, db):
            return "explained", "provider choice: ours +%s, pacman +%s" % (
                ",".join(sorted(on - pn)) or "-",
                ",".join(sorted(pn - on)) or "-")
        theirs = closed(pn, db)
        if why is None and theirs is not None and "conflicts" in theirs:
            return "explained", "pacman's set is not conflict-free (%s); " \
                "ours is closed: ours +%s, pacman +%s" % (
                    theirs, ",".join(sorted(on - pn)) or "-",
                    ",".join(sorted(pn - on)) or "-")
        return "failed", "sets differ (ours +%s, pacman +%s)%s" % (
            ",".join(sorted(on - pn)) or "-", ",".join(sorted(pn - on)) or "-",
            "; ours not closed: " + why if why else "")
    if not pac["ok"] and pac["kind"] == "missing":
        if not our["ok"] and our["kind"] == "missing-dependency" and \
           our["missing"] and our["missing"] <= pac["missing"]:
            return "agree", ""
        if our["ok"] and closed({x[0] for x in our["set"]}, db) is None:
            quirk = self_provided(pac["missing"], {x[0] for x in our["set"]},
                                  db)
            if quirk:
                return "explained", "pacman skips self-provisions: %s" % quirk
        return "failed", "pacman: unable to satisfy %s; ours: %s" % (
            ",".join(sorted(pac["missing"])),
            "ok" if our["ok"] else our["kind"] + " " +
            ",".join(sorted(our["missing"])))
    if not pac["ok"] and pac["kind"] == "conflict":
        if not our["ok"] and our["kind"] == "conflict":
            return "agree", ""
        if our["ok"]:
            why = closed({x[0] for x in our["set"]}, db)
            if why is None:
                return "explained", "pacman stops at a conflict, ours " \
                    "found a closed set of %d" % len(our["set"])
        return "failed", "pacman: conflict; ours: %s" % (
            "ok" if our["ok"] else our["kind"])
    return "failed", "pacman: %s; ours: %s" % (
        pac.get("err"), "ok" if our["ok"] else our["kind"])


def run_snapshot(label, snapdir, names, debatectl, verbose=True):
    db = load_snapshot(snapdir)
    if names == "all":
        names = sorted(db)
    pac = pacman_all(snapdir, names)
    our = ours_all(snapdir, names, debatectl)
    counts = {"agree": 0, "explained": 0, "failed": 0}
    for n in names:
        if n not in our:
            verdict, why = "failed", "no answer from debatectl"
        else:
            verdict, why = judge(n, pac[n], our[n], db)
        counts[verdict] += 1
        if verdict != "agree" and verdict != "explained" or \
           (verbose and verdict == "explained"):
            print("%s %s: %s: %s" % (label, verdict.upper(), n, why))
    total = len(names)
    print("%s: %d names, %d agree (%.2f%%), %d explained, %d failed" % (
        label, total, counts["agree"], 100.0 * counts["agree"] / max(total, 1),
        counts["explained"], counts["failed"]))
    return counts


def make_sample(snapdir, n=300):
    """The fixed sample: the N names with the smallest SHA-256 digests."""
    names = sorted(load_snapshot(snapdir))
    names.sort(key=lambda x: hashlib.sha256(x.encode()).hexdigest())
    return sorted(names[:n])


def main(argv):
    debatectl = os.environ.get("DEBATECTL", "build/bin/debatectl")
    if not os.access(debatectl, os.X_OK):
        sys.exit("oracle: %s is not executable (set DEBATECTL)" % debatectl)
    data = testdata()
    mode = argv[1] if len(argv) > 1 else "check"
    total = {"agree": 0, "explained": 0, "failed": 0}

    def add(c):
        for k in total:
            total[k] += c[k]

    if mode == "check":
        with open(SAMPLE_FILE) as f:
            sample = [l.strip() for l in f if l.strip() and
                      not l.startswith("#")]
        add(run_snapshot("2014-08", os.path.join(data, "2014-08"), sample,
                         debatectl))
        add(run_snapshot("2026-03", os.path.join(data, "2026-03"),
                         sorted(read_db(os.path.join(data, "2026-03",
                                                     "core.db"), "core")),
                         debatectl))
    elif mode == "sweep":
        for snap in sorted(os.listdir(data)):
            if os.path.isdir(os.path.join(data, snap)):
                add(run_snapshot(snap, os.path.join(data, snap), "all",
                                 debatectl, verbose=True))
    elif mode == "run" and len(argv) > 3:
        names = "all" if argv[3:] == ["all"] else argv[3:]
        add(run_snapshot(argv[2], os.path.join(data, argv[2]), names,
                         debatectl))
    elif mode == "make-sample":
        print("# 300 package names of 2014-08: the smallest SHA-256 digests")
        print("\n".join(make_sample(os.path.join(data, "2014-08"))))
        return 0
    else:
        sys.exit(__doc__)
    print("%d passed, %d failed" % (total["agree"] + total["explained"],
                                    total["failed"]))
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
