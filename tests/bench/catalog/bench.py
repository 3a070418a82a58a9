"""Benchmarks of issue 3, printed side by side with their baselines."""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402
from benchlib import harness, pct, row  # noqa: E402

SNAP = harness.SNAPSHOT
SAMPLE = os.path.join(benchlib.TOP, "tests", "oracle", "sample-2014-08.txt")


def pacman_root():
    t = tempfile.mkdtemp(prefix="debate-bench-pacman-")
    os.makedirs(os.path.join(t, "db", "sync"))
    os.makedirs(os.path.join(t, "root"))
    for r in ("core", "extra", "community"):
        subprocess.run(["cp", os.path.join(SNAP, r + ".db"), os.path.join(t, "db", "sync")], check=True)
    with open(os.path.join(t, "pacman.conf"), "w") as f:
        f.write("[options]\nArchitecture = x86_64\nSigLevel = Never\n")
        for r in ("core", "extra", "community"):
            f.write("[%s]\nServer = file:///nonexistent\n" % r)
    return t


def pacman_ms(t, names):
    t0 = time.perf_counter()
    subprocess.run(["pacman", "--config", os.path.join(t, "pacman.conf"), "--dbpath", os.path.join(t, "db"),
                    "-r", os.path.join(t, "root"), "-Sp", "--print-format", "%n"] + names,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t0) * 1000.0


def main():
    names = [l.strip() for l in open(SAMPLE) if l.strip() and not l.startswith("#")][:200]
    st = benchlib.stack()
    try:
        # Sync of all of 2014-08 (forced, so it parses and stores everything).
        syncs = []
        for _ in range(3):
            t0 = time.perf_counter()
            r = st.ctl("repo", "sync", "--force")
            syncs.append((time.perf_counter() - t0) * 1000.0)
            assert r.returncode == 0, r.stderr
        print("repo sync --force, all of 2014-08 (6594 packages): median %.0f ms (goal <= 2000 ms)" % pct(syncs, 50))
        loads = subprocess.run([os.path.join(benchlib.TOP, "build", "bench", "solvload"),
                                os.path.join(st.var, "cache", "packages.solv")] +
                               [os.path.join(SNAP, r + ".db") for r in ("core", "extra", "community")],
                               capture_output=True, text=True)
        print(loads.stdout.strip() or loads.stderr.strip())

        pm = pacman_root()
        conn = benchlib.Conn(st.port)
        for n in names[:5]:
            conn.timed("POST", "/api/v1/resolve", {"packages": [n]})
        ours = [conn.timed("POST", "/api/v1/resolve", {"packages": [n]})[0] for n in names]
        theirs = [pacman_ms(pm, [n]) for n in names]
        print("\nresolve, 200 single packages of 2014-08 (ours: HTTP through nginx; pacman: -Sp wall time)")
        row("  p50", pct(ours, 50), pct(theirs, 50))
        row("  p99 (ours) vs pacman median", pct(ours, 99), pct(theirs, 50), goal="(goal <= 0.1)")
        big = ["base", "gnome", "firefox"]
        ours = [conn.timed("POST", "/api/v1/resolve", {"packages": big})[0] for _ in range(30)]
        theirs = [pacman_ms(pm, big) for _ in range(10)]
        print("resolve base gnome firefox")
        row("  p50", pct(ours, 50), pct(theirs, 50))
        row("  p99 (ours) vs pacman median", pct(ours, 99), pct(theirs, 50), goal="(goal <= 0.1)")
        subprocess.run(["rm", "-rf", pm])

        # Search under 64 concurrent clients, with wrk; pacman -Ss as the baseline.
        out = subprocess.run(["wrk", "-t2", "-c64", "-d10s", "--latency",
                              "http://127.0.0.1:%d/api/v1/packages?q=lib&limit=20" % st.port],
                             capture_output=True, text=True).stdout
        rps = float([l.split()[1] for l in out.splitlines() if l.startswith("Requests/sec")][0])
        p99 = [l.split()[1] for l in out.splitlines() if l.strip().startswith("99%")][0]
        p99ms = float(p99[:-2]) if p99.endswith("ms") else float(p99[:-2]) / 1000 if p99.endswith("us") else float(p99[:-1]) * 1000
        pm = pacman_root()
        t0 = time.perf_counter()
        subprocess.run(["pacman", "--config", os.path.join(pm, "pacman.conf"), "--dbpath", os.path.join(pm, "db"),
                        "-Ss", "lib"], stdout=subprocess.DEVNULL)
        pss = (time.perf_counter() - t0) * 1000.0
        subprocess.run(["rm", "-rf", pm])
        print("\nsearch 'lib', 64 concurrent clients, 10 s: %.0f requests/s" % rps)
        row("  p99 (ours) vs one pacman -Ss", p99ms, pss, goal="(goal: p99 <= 20 ms)")
    finally:
        st.stop()


if __name__ == "__main__":
    main()
