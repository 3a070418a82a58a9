"""The database goes away and comes back: 503 while down, 200 after, with the
same pool processes (no restart)."""
import os
import time
from harness import check, eq, err


def pool_pids(st):
    with open(os.path.join(st.var, "run", "fcgi.pid")) as f:
        return f.read().strip()


def test_database_down_then_back(st):
    c = st.client()
    c.signup("dbdown-user")
    eq(c.get("/api/v1/health").status, 200)
    before = pool_pids(st)
    st.script("pg-stop")
    try:
        for _ in range(3):
            r = c.get("/api/v1/health")
            eq(r.status, 503)
            eq(r.json["database"], "down")
        check(r.header("Retry-After"), "no Retry-After")
        err(c.get("/api/v1/me"), 503, "database_unavailable")
        err(st.client().post("/api/v1/users", {"name": "dbdown-2", "password": "correct horse battery"}),
            503, "database_unavailable")
        eq(c.get("/api/v1/version").status, 200)  # needs no database
    finally:
        st.script("pg-start")
    # Every worker reconnects by itself on its next request.
    for _ in range(6):
        eq(c.get("/api/v1/health").status, 200)
    eq(c.get("/api/v1/me").json["name"], "dbdown-user")
    eq(pool_pids(st), before)
