/*
 * test_api.c - the dispatcher and error bodies, driven without a web server.
 * The database handle points at a socket that does not exist, so anything that
 * needs the database must answer 503, never crash or hang.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "auth.h"

static struct conf	 conf;
static struct app	 app;

static void
setup(void)
{
	conf_defaults(&conf);
	free(conf.db_host);
	conf.db_host = strdup("/nonexistent-debate-socket-dir");
	conf.db_connect_timeout = 1;
	app.conf = &conf;
	app.db = db_new(&conf, DB_ROLE_WEB);
	auth_init();
}

static void
teardown(void)
{
	db_free(app.db);
	conf_free(&conf);
}

/* Dispatch method+path(+body) as a same-origin browser request. */
static void
run(struct api_resp *resp, const char *method, const char *path, const char *ctype,
    const char *body)
{
	struct api_req req;

	memset(&req, 0, sizeof(req));
	req.method_name = method;
	req.method = api_method_parse(method);
	req.path = path;
	req.query = "";
	req.content_type = ctype;
	req.body = body ? body : "";
	req.body_len = body ? strlen(body) : 0;
	req.content_length = body ? (long long)strlen(body) : -1;
	req.host = "example.org:8080";
	req.origin = "http://example.org:8080";
	api_dispatch(&app, &req, resp);
	api_req_clear(&req);
}

static const char *
code_of(const struct api_resp *resp)
{
	return json_string_value(json_object_get(json_object_get(resp->body, "error"), "code"));
}

static const char *
field_of(const struct api_resp *resp)
{
	return json_string_value(json_object_get(json_object_get(resp->body, "error"), "field"));
}

START_TEST(version_needs_nothing)
{
	struct api_resp r;

	run(&r, "GET", "/api/v1/version", NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.body, "version")), DEBATE_VERSION);
	json_decref(r.body);
}
END_TEST

START_TEST(health_503_when_database_down)
{
	struct api_resp r;

	run(&r, "GET", "/api/v1/health", NULL, NULL);
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(json_string_value(json_object_get(r.body, "database")), "down");
	ck_assert_ptr_nonnull(strstr(r.headers, "Retry-After: 5\r\n"));
	json_decref(r.body);
}
END_TEST

START_TEST(unknown_routes_404)
{
	static const char *const paths[] = { "/api/v1/nope", "/api/v1/health/", "/api/v1",
	    "/api/v1/health/x", "", "/api/v1//health", "/api/v1/me/../health" };
	struct api_resp r;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		run(&r, "GET", paths[i], NULL, NULL);
		ck_assert_int_eq(r.status, 404);
		ck_assert_str_eq(code_of(&r), "not_found");
		ck_assert(json_is_null(json_object_get(json_object_get(r.body, "error"), "field")));
		json_decref(r.body);
	}
}
END_TEST

START_TEST(wrong_method_405_lists_allowed)
{
	struct api_resp r;

	run(&r, "DELETE", "/api/v1/me", NULL, NULL);
	ck_assert_int_eq(r.status, 405);
	ck_assert_ptr_nonnull(strstr(r.headers, "Allow: GET, HEAD\r\n"));
	json_decref(r.body);
	run(&r, "GET", "/api/v1/sessions", NULL, NULL);
	ck_assert_int_eq(r.status, 405);
	ck_assert_ptr_nonnull(strstr(r.headers, "Allow: POST, DELETE\r\n"));
	json_decref(r.body);
	run(&r, "BREW", "/api/v1/version", NULL, NULL);
	ck_assert_int_eq(r.status, 405);
	json_decref(r.body);
}
END_TEST

START_TEST(body_checks_in_order)
{
	struct api_resp r;

	run(&r, "POST", "/api/v1/users", "text/plain", "{}");
	ck_assert_int_eq(r.status, 415);
	json_decref(r.body);
	run(&r, "POST", "/api/v1/users", NULL, "{}");
	ck_assert_int_eq(r.status, 415);
	json_decref(r.body);
	run(&r, "POST", "/api/v1/users", "application/json; charset=utf-8", "{\"a\":1,}");
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(code_of(&r), "malformed_json");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
	    json_object_get(r.body, "error"), "message")), "line 1"));
	json_decref(r.body);
	run(&r, "POST", "/api/v1/users", "application/json", "{\"a\":1,\"a\":2}");
	ck_assert_int_eq(r.status, 400);	/* duplicate keys are ambiguous */
	json_decref(r.body);
	run(&r, "POST", "/api/v1/users", "application/json", "\"text\"");
	ck_assert_int_eq(r.status, 422);
	json_decref(r.body);
	run(&r, "POST", "/api/v1/users", "application/jsonx", "{}");
	ck_assert_int_eq(r.status, 415);
	json_decref(r.body);
}
END_TEST

START_TEST(oversized_body_413_before_parsing)
{
	struct api_resp	 r;
	struct api_req	 req;

	memset(&req, 0, sizeof(req));
	req.method_name = "POST";
	req.method = M_POST;
	req.path = "/api/v1/users";
	req.body = "";
	req.content_length = conf.web_max_body + 1;
	req.content_type = "application/json";
	api_dispatch(&app, &req, &r);
	ck_assert_int_eq(r.status, 413);
	ck_assert_str_eq(code_of(&r), "body_too_large");
	json_decref(r.body);
}
END_TEST

START_TEST(signup_validation_before_database)
{
	struct api_resp r;

	run(&r, "POST", "/api/v1/users", "application/json", "{\"password\":\"long enough pw\"}");
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(field_of(&r), "name");
	json_decref(r.body);
	run(&r, "POST", "/api/v1/users", "application/json", "{\"name\":\"ok\",\"password\":7}");
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(field_of(&r), "password");
	json_decref(r.body);
	run(&r, "POST", "/api/v1/users", "application/json", "{\"name\":\"a\\u0000b\",\"password\":\"long enough pw\"}");
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(field_of(&r), "name");
	json_decref(r.body);
	run(&r, "POST", "/api/v1/users", "application/json", "{\"name\":\"ok\",\"password\":\"short\"}");
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(code_of(&r), "weak_password");
	json_decref(r.body);
	/* Valid input reaches the database, which is down: 503, not 500. */
	run(&r, "POST", "/api/v1/users", "application/json",
	    "{\"name\":\"ok\",\"password\":\"long enough pw\"}");
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(code_of(&r), "database_unavailable");
	json_decref(r.body);
}
END_TEST

START_TEST(me_without_cookie_401)
{
	struct api_resp r;

	run(&r, "GET", "/api/v1/me", NULL, NULL);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(code_of(&r), "unauthorized");
	json_decref(r.body);
}
END_TEST

START_TEST(cross_site_unsafe_403)
{
	struct api_req	 req;
	struct api_resp	 r;

	memset(&req, 0, sizeof(req));
	req.method_name = "POST";
	req.method = M_POST;
	req.path = "/api/v1/users";
	req.content_type = "application/json";
	req.body = "{}";
	req.body_len = 2;
	req.host = "example.org:8080";
	req.origin = "http://evil.example";
	api_dispatch(&app, &req, &r);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(code_of(&r), "csrf");
	json_decref(r.body);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("api");
	TCase	*tc = tcase_create("dispatch");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, version_needs_nothing);
	tcase_add_test(tc, health_503_when_database_down);
	tcase_add_test(tc, unknown_routes_404);
	tcase_add_test(tc, wrong_method_405_lists_allowed);
	tcase_add_test(tc, body_checks_in_order);
	tcase_add_test(tc, oversized_body_413_before_parsing);
	tcase_add_test(tc, signup_validation_before_database);
	tcase_add_test(tc, me_without_cookie_401);
	tcase_add_test(tc, cross_site_unsafe_403);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
