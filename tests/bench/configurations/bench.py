"""Issue 4's benchmark: save-with-validation latency for a configuration of 300
packages and 50 files (goal p99 <= 50 ms), and the effective-configuration
read; the bare resolve of the same 300 packages is the baseline, since it is
the part of a save that cannot be skipped."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402
from benchlib import pct, row  # noqa: E402

LAYERS = ["opening_statement", "platform", "rhetoric", "talking_points", "closing_argument"]


def document(names):
    layers = {l: {"packages": [], "files": []} for l in LAYERS}
    for i, n in enumerate(names):
        layers[LAYERS[i % 5]]["packages"].append(n)
    for i in range(50):
        l = LAYERS[i % 5]
        strategy = ["replace", "append", "deep"][i % 3]
        path = "/etc/debate/file%02d.%s" % (i // 3, "conf" if strategy == "deep" else "txt")
        content = "[section]\nkey%d = value %d\n" % (i, i) if strategy == "deep" else "line %d\n" % i
        layers[l]["files"].append({"path": path, "content": content, "strategy": strategy})
    return {"name": "bench", "layers": layers}


def main():
    st = benchlib.stack()
    try:
        # 300 installable names: every package of core and extra that resolves alone.
        cand = st.psql("SELECT string_agg(name, ' ' ORDER BY name) FROM packages.packages "
                       "WHERE repo IN ('core', 'extra')").split()
        conn = benchlib.Conn(st.port, benchlib.signin(st))
        names = []
        for n in cand:
            if len(names) == 300:
                break
            _, _, raw = conn.timed("POST", "/api/v1/resolve", {"packages": names + [n]})
            if b'"ok":true' in raw:
                names.append(n)
        doc = document(names)
        _, _, raw = conn.timed("POST", "/api/v1/configurations", doc)
        import json
        cid = json.loads(raw)["id"]
        saves = [conn.timed("PUT", "/api/v1/configurations/" + cid, doc)[0] for _ in range(100)]
        reads = [conn.timed("GET", "/api/v1/configurations/%s/effective" % cid)[0] for _ in range(200)]
        flat = {"packages": names}
        resolves = [conn.timed("POST", "/api/v1/resolve", flat)[0] for _ in range(100)]
        print("configuration of %d packages and 50 files (ours vs a bare resolve of the same packages)" % len(names))
        row("  save with validation p50", pct(saves, 50), pct(resolves, 50))
        row("  save with validation p99", pct(saves, 99), pct(resolves, 99), goal="(goal: p99 <= 50 ms)")
        row("  effective read p50", pct(reads, 50), pct(resolves, 50))
        row("  effective read p99", pct(reads, 99), pct(resolves, 99))
    finally:
        st.stop()


if __name__ == "__main__":
    main()
