"""Accounts: sign up, log in, log out, /me; ownership; CSRF; throttling."""
import time
from harness import check, eq, err

PW = "correct horse battery staple"


def test_signup_signs_in(st):
    c = st.client()
    u = c.signup("signup-alice")
    eq(u["name"], "signup-alice")
    r = c.get("/api/v1/me")
    eq(r.status, 200)
    eq(r.json["id"], u["id"])
    eq(r.json["name"], "signup-alice")


def test_session_cookie_flags(st):
    c = st.client()
    r = c.post("/api/v1/users", {"name": "cookie-flags", "password": PW})
    eq(r.status, 201)
    sc = r.header("Set-Cookie")
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
        check(flag in sc, "cookie lacks %s: %s" % (flag, sc))
    check("Secure" not in sc, "Secure set over plain HTTP")


def test_signup_taken_name_409_case_insensitive(st):
    st.client().signup("Taken-Name")
    err(st.client().post("/api/v1/users", {"name": "taken-name", "password": PW}),
        409, "name_taken", "name")


def test_signup_weak_passwords_422(st):
    c = st.client()
    for pw in ("short", "aaaaaaaaaaaaaaa", "password123", "weak-name-1", "ababababababab"):
        err(c.post("/api/v1/users", {"name": "weak-name-1", "password": pw}),
            422, None, "password")
    eq(st.psql("SELECT count(*) FROM accounts.users WHERE name = 'weak-name-1'"), "0")


def test_signup_missing_and_wrong_types_422(st):
    c = st.client()
    err(c.post("/api/v1/users", {"password": PW}), 422, "invalid", "name")
    err(c.post("/api/v1/users", {"name": "x-types"}), 422, "invalid", "password")
    err(c.post("/api/v1/users", {"name": 5, "password": PW}), 422, "invalid", "name")
    err(c.post("/api/v1/users", {"name": "a\u0000b", "password": PW}), 422, None, "name")


def test_signup_10kb_name_422(st):
    r = st.client().post("/api/v1/users", {"name": "n" * 10240, "password": PW})
    err(r, 422, "invalid", "name")
    eq(st.psql("SELECT count(*) FROM accounts.users WHERE length(name) > 64"), "0")


def test_signup_bad_names_422(st):
    c = st.client()
    for name in ("", " leading", "trailing ", "tab\there", "bell\u0007", "c1\u0085x"):
        err(c.post("/api/v1/users", {"name": name, "password": PW}), 422, "invalid", "name")


def test_signup_sql_metacharacters_stored_verbatim(st):
    name = "Robert'); DROP TABLE accounts.users;--"
    c = st.client()
    u = c.signup(name)
    eq(u["name"], name)
    eq(c.get("/api/v1/me").json["name"], name)
    eq(st.psql("SELECT count(*) FROM accounts.users WHERE name = $$%s$$" % name), "1")
    # And it can log in again.
    c2 = st.client()
    eq(c2.post("/api/v1/sessions", {"name": name, "password": PW}).status, 201)


def test_signup_unicode_names(st):
    for name in ("Zoë Ångström", "论辩者", "🦀 crab", "a" * 64, "é" * 64):
        c = st.client()
        u = c.signup(name)
        eq(u["name"], name)
        eq(c.get("/api/v1/me").json["name"], name)
    err(st.client().post("/api/v1/users", {"name": "é" * 65, "password": PW}), 422, "invalid", "name")


def test_login_logout(st):
    st.client().signup("login-bob")
    c = st.client()
    err(c.get("/api/v1/me"), 401, "unauthorized")
    r = c.post("/api/v1/sessions", {"name": "LOGIN-BOB", "password": PW})
    eq(r.status, 201)
    eq(r.json["user"]["name"], "login-bob")
    eq(c.get("/api/v1/me").status, 200)
    token = c.cookies["debate_session"]
    r = c.delete("/api/v1/sessions")
    eq(r.status, 204)
    check("Max-Age=0" in r.header("Set-Cookie"), "cookie not cleared")
    err(c.get("/api/v1/me"), 401)
    # The old token is dead on the server, not just forgotten by the client.
    c.cookies["debate_session"] = token
    err(c.get("/api/v1/me"), 401)


def test_login_wrong_password_and_unknown_user_look_alike(st):
    st.client().signup("login-carol")
    a = st.client(source="127.0.0.5").post("/api/v1/sessions", {"name": "login-carol", "password": "wrong password 1"})
    b = st.client(source="127.0.0.5").post("/api/v1/sessions", {"name": "nobody-here", "password": "wrong password 1"})
    err(a, 401, "invalid_credentials")
    err(b, 401, "invalid_credentials")
    eq(a.json, b.json)


def test_me_is_per_account(st):
    a, b = st.client(), st.client()
    ua, ub = a.signup("iso-a"), b.signup("iso-b")
    eq(a.get("/api/v1/me").json["id"], ua["id"])
    eq(b.get("/api/v1/me").json["id"], ub["id"])
    # A forged or foreign cookie never reads another account.
    a.cookies["debate_session"] = "0" * 64
    err(a.get("/api/v1/me"), 401)
    a.cookies["debate_session"] = "not-a-token"
    err(a.get("/api/v1/me"), 401)


def test_csrf_unsafe_requests_refused(st):
    c = st.client(origin=False)
    err(c.post("/api/v1/users", {"name": "csrf-1", "password": PW}), 403, "csrf")
    err(c.post("/api/v1/users", {"name": "csrf-1", "password": PW},
               headers={"Origin": "http://evil.example"}), 403, "csrf")
    err(c.post("/api/v1/users", {"name": "csrf-1", "password": PW},
               headers={"Referer": "http://evil.example/x"}), 403, "csrf")
    err(c.post("/api/v1/users", {"name": "csrf-1", "password": PW},
               headers={"Origin": "http://127.0.0.1:%d" % st.port, "Sec-Fetch-Site": "cross-site"}), 403)
    eq(st.psql("SELECT count(*) FROM accounts.users WHERE name = 'csrf-1'"), "0")
    # Same origin by Origin, by Referer, or a scripted client's X-Requested-With: accepted.
    eq(c.post("/api/v1/users", {"name": "csrf-1", "password": PW},
              headers={"Origin": "http://127.0.0.1:%d" % st.port}).status, 201)
    eq(c.post("/api/v1/users", {"name": "csrf-2", "password": PW},
              headers={"Referer": "http://127.0.0.1:%d/signup" % st.port}).status, 201)
    eq(c.post("/api/v1/users", {"name": "csrf-3", "password": PW},
              headers={"X-Requested-With": "debate-cli"}).status, 201)
    # Logout is unsafe too.
    signed = st.client()
    signed.signup("csrf-4")
    signed.origin = False
    err(signed.delete("/api/v1/sessions"), 403, "csrf")
    signed.origin = True
    eq(signed.get("/api/v1/me").status, 200)


def test_login_brute_force_throttled_per_account(st):
    st.client().signup("brute-dave")
    codes = []
    for i in range(7):
        c = st.client(source="127.0.0.%d" % (20 + i))  # many addresses, one account
        codes.append(c.post("/api/v1/sessions", {"name": "brute-dave", "password": "wrong password %d" % i}))
    eq([r.status for r in codes], [401] * 5 + [429] * 2)
    r = codes[-1]
    err(r, 429, "too_many_attempts")
    wait = int(r.header("Retry-After"))
    check(850 < wait <= 900, "Retry-After %d" % wait)
    # Even the right password waits now.
    err(st.client().post("/api/v1/sessions", {"name": "brute-dave", "password": PW}), 429)
    # Another account is not affected.
    st.client().signup("brute-erin")
    eq(st.client().post("/api/v1/sessions", {"name": "brute-erin", "password": PW}).status, 201)


def test_login_brute_force_throttled_per_address(st):
    c = st.client(source="127.0.0.9")
    statuses = [c.post("/api/v1/sessions", {"name": "spray-%d" % i, "password": "wrong password"}).status
                for i in range(52)]
    eq(statuses[:50], [401] * 50)
    eq(statuses[50:], [429, 429])
    # A different address still may try.
    st.client().signup("spray-ok")
    eq(st.client(source="127.0.0.10").post("/api/v1/sessions",
                                           {"name": "spray-ok", "password": PW}).status, 201)
    st.psql("DELETE FROM accounts.login_failures WHERE address = '127.0.0.9'")


def test_debatectl_user_add(st):
    r = st.ctl("user", "add", "ctl-frank", input=PW + "\n")
    eq(r.returncode, 0, r.stderr)
    c = st.client()
    eq(c.post("/api/v1/sessions", {"name": "ctl-frank", "password": PW}).status, 201)
    r = st.ctl("user", "add", "ctl-frank", input=PW + "\n")
    eq(r.returncode, 1)
    check("taken" in r.stderr, r.stderr)
    r = st.ctl("user", "add", "ctl-gina", input="short\n")
    eq(r.returncode, 1)


def test_migrate_is_idempotent(st):
    r = st.ctl("migrate")
    eq(r.returncode, 0, r.stderr)
    check("0 migration(s) applied" in r.stdout, r.stdout)
