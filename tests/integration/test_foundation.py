"""The web tier's contract: health, version, the placeholder page, and the one
error body for every way a request can be wrong."""
from harness import check, eq, err


def test_health_ok(st):
    r = st.client().get("/api/v1/health")
    eq(r.status, 200)
    eq(r.json["status"], "ok")
    eq(r.json["database"], "ok")
    check(r.json["version"], "version missing")
    eq(r.header("Content-Type"), "application/json")


def test_version_matches_health(st):
    c = st.client()
    v = c.get("/api/v1/version")
    eq(v.status, 200)
    eq(v.json["version"], c.get("/api/v1/health").json["version"])


def test_placeholder_page(st):
    r = st.client().get("/")
    eq(r.status, 200)
    check("<title>Debate</title>" in r.raw, "placeholder page not served")


def test_unknown_route_404(st):
    c = st.client()
    err(c.get("/api/v1/nope"), 404, "not_found", None)
    err(c.get("/api/v1/health/extra"), 404, "not_found")
    err(c.get("/api/v2/health"), 404, "not_found")


def test_wrong_method_405_with_allow(st):
    c = st.client()
    r = c.post("/api/v1/health", {})
    err(r, 405, "method_not_allowed")
    eq(r.header("Allow"), "GET, HEAD")
    r = c.request("PUT", "/api/v1/users", {"name": "x"})
    err(r, 405)
    eq(r.header("Allow"), "POST")


def test_head_has_no_body(st):
    r = st.client().request("HEAD", "/api/v1/version")
    eq(r.status, 200)
    eq(r.raw, "")


def test_malformed_json_400_with_position(st):
    r = st.client().post("/api/v1/users", raw='{"name": "a", "password": }')
    err(r, 400, "malformed_json", None)
    eq(r.json["error"]["position"], 27)  # bytes read when the error was seen
    check("column" in r.json["error"]["message"], r.json)


def test_invalid_utf8_json_400(st):
    r = st.client().post("/api/v1/users", raw=b'{"name": "\xff\xfe", "password": "x"}')
    err(r, 400, "malformed_json")


def test_json_not_object_422(st):
    err(st.client().post("/api/v1/users", raw="[1, 2]"), 422, "invalid")


def test_wrong_content_type_415(st):
    c = st.client()
    err(c.post("/api/v1/users", raw="name=a&password=b", ctype="application/x-www-form-urlencoded"),
        415, "unsupported_media_type")
    err(c.post("/api/v1/users", raw='{"name":"a"}', ctype=None), 415)


def test_oversized_body_413(st):
    c = st.client()
    # Over the pool's limit (1 MiB): the pool answers without reading it.
    big = '{"name": "' + "a" * (1 << 20) + '", "password": "x"}'
    err(c.post("/api/v1/users", raw=big), 413, "body_too_large")
    # Over nginx's cap too: nginx answers, in the same error shape.
    huge = "a" * (5 << 20)
    err(c.post("/api/v1/users", raw=huge), 413, "body_too_large")
    # And the pool still serves.
    eq(c.get("/api/v1/health").status, 200)


def test_errors_never_leak_internals(st):
    c = st.client()
    for r in (c.get("/api/v1/nope"), c.post("/api/v1/users", raw="{")):
        check("PQ" not in r.raw and "postgres" not in r.raw.lower(), r.raw)


def test_every_request_logged(st):
    st.client().get("/api/v1/version?marker=1")
    log = st.log("fcgi.log")
    check(any(l.startswith("GET /api/v1/version 200 ") and l.endswith("us")
              for l in log.splitlines()), "no log line for the request")
