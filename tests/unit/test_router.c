/* Unit tests for services/router.c: matching, path parameters and their
 * limits, 404 against 405 with the Allow list, and table-order rules; then
 * the same rules checked on the daemon's real route table (routes.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"
#include "routes.h"

/* Handlers are opaque to the router: distinct addresses are enough. */
static const int h_list, h_create, h_get, h_patch, h_delete, h_stream, h_ack, h_note, h_health;

/* clang-format off */
#define R(m, p, h) {m, p, &(h), 0}
/* clang-format on */

static const struct route test_router_table[] = {
	R("GET", "/healthz", h_health),
	R("GET", "/v1/alerts", h_list),
	R("POST", "/v1/alerts", h_create),
	R("GET", "/v1/alerts/stream", h_stream),
	R("GET", "/v1/alerts/{id}", h_get),
	R("POST", "/v1/alerts/{id}/ack", h_ack),
	R("POST", "/v1/alerts/{id}/notes", h_note),
	R("GET", "/v1/residents/{id}", h_get),
	R("PATCH", "/v1/residents/{id}", h_patch),
	R("DELETE", "/v1/residents/{id}", h_delete),
	R("GET", "/v1/sites/{site}/residents/{id}", h_get),
};

#define N_ROUTES (sizeof(test_router_table) / sizeof(test_router_table[0]))

static enum route_result match(const char *method, const char *path, struct route_match *m)
{
	return router_match(test_router_table, N_ROUTES, method, path, m);
}

static void expect_ok(const char *method, const char *path, const void *handler)
{
	struct route_match m;
	enum route_result rc = match(method, path, &m);
	if (rc != ROUTE_OK)
		print_error("%s %s: expected a match, got %d\n", method, path, (int)rc);
	assert_int_equal(rc, ROUTE_OK);
	assert_non_null(m.route);
	assert_ptr_equal(m.route->handler, handler);
	assert_string_equal(m.route->method, method);
}

static void expect_not_found(const char *method, const char *path)
{
	struct route_match m;
	enum route_result rc = match(method, path, &m);
	if (rc != ROUTE_NOT_FOUND)
		print_error("%s %s: expected 404, got %d\n", method, path, (int)rc);
	assert_int_equal(rc, ROUTE_NOT_FOUND);
	assert_null(m.route);
	assert_string_equal(m.allow, "");
}

static void test_router_literal_paths(void **state)
{
	(void)state;
	expect_ok("GET", "/healthz", &h_health);
	expect_ok("GET", "/v1/alerts", &h_list);
	expect_ok("POST", "/v1/alerts", &h_create);
	struct route_match m;
	assert_int_equal(match("GET", "/v1/alerts", &m), ROUTE_OK);
	assert_int_equal(m.n_params, 0);
	assert_ptr_equal(m.route, &test_router_table[1]); /* borrowed from the table */
}

static void test_router_params(void **state)
{
	(void)state;
	struct route_match m;
	assert_int_equal(match("GET", "/v1/alerts/42", &m), ROUTE_OK);
	assert_ptr_equal(m.route->handler, &h_get);
	assert_int_equal(m.n_params, 1);
	assert_string_equal(m.params[0], "42");

	assert_int_equal(match("POST", "/v1/alerts/a-1/ack", &m), ROUTE_OK);
	assert_ptr_equal(m.route->handler, &h_ack);
	assert_string_equal(m.params[0], "a-1");

	assert_int_equal(match("GET", "/v1/sites/s.1/residents/AA:BB_cc-9", &m), ROUTE_OK);
	assert_int_equal(m.n_params, 2);
	assert_string_equal(m.params[0], "s.1");
	assert_string_equal(m.params[1], "AA:BB_cc-9");

	/* "..x" and "x.." are ordinary ids; only "." and ".." are refused */
	assert_int_equal(match("GET", "/v1/alerts/..x", &m), ROUTE_OK);
	assert_string_equal(m.params[0], "..x");
	assert_int_equal(match("GET", "/v1/alerts/...", &m), ROUTE_OK);
}

/* "/v1/alerts/stream" is listed before "/v1/alerts/{id}", so it wins. */
static void test_router_literal_before_param(void **state)
{
	(void)state;
	expect_ok("GET", "/v1/alerts/stream", &h_stream);
	struct route_match m;
	assert_int_equal(match("GET", "/v1/alerts/stream", &m), ROUTE_OK);
	assert_int_equal(m.n_params, 0);
	expect_ok("GET", "/v1/alerts/streams", &h_get);
}

static void test_router_not_found(void **state)
{
	(void)state;
	expect_not_found("GET", "/");
	expect_not_found("GET", "");
	expect_not_found("GET", "/v1");
	expect_not_found("GET", "/v1/");
	expect_not_found("GET", "/v2/alerts");
	expect_not_found("GET", "/v1/alert");
	expect_not_found("GET", "/v1/alertsx");
	expect_not_found("GET", "/v1/alerts/"); /* trailing slash */
	expect_not_found("GET", "/v1/alerts/42/");
	expect_not_found("POST", "/v1/alerts/42/ack/");
	expect_not_found("GET", "/v1/alerts//ack"); /* empty parameter */
	expect_not_found("POST", "/v1/alerts//ack");
	expect_not_found("GET", "/v1/alerts/42/extra");
	expect_not_found("POST", "/v1/alerts/42/ack/more");
	expect_not_found("GET", "//v1/alerts");
	expect_not_found("GET", "/V1/ALERTS");   /* case matters */
	expect_not_found("GET", "/healthz?x=1"); /* the server strips queries */
}

static void test_router_bad_params(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"/v1/alerts/.",        "/v1/alerts/..",   "/v1/alerts/a%2Fb", "/v1/alerts/a b",
		"/v1/alerts/a+b",      "/v1/alerts/a;b",  "/v1/alerts/a'b",   "/v1/alerts/<script>",
		"/v1/alerts/\xc3\xa9", "/v1/alerts/a\\b", "/v1/alerts/a*",    "/v1/alerts/$1",
		"/v1/alerts/a?b",      "/v1/alerts/a#b",  "/v1/alerts/a\tb",  "/v1/residents/../x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_not_found("GET", bad[i]);
	/* ".." as one of several parameters */
	expect_not_found("GET", "/v1/sites/../residents/x");
	expect_not_found("GET", "/v1/sites/s1/residents/..");
}

static void test_router_param_length(void **state)
{
	(void)state;
	char path[512];
	char id[ROUTE_PARAM_MAX + 2];
	memset(id, 'a', sizeof(id));

	/* exactly the maximum: matches, copied whole and terminated */
	id[ROUTE_PARAM_MAX] = '\0';
	snprintf(path, sizeof(path), "/v1/alerts/%s/ack", id);
	struct route_match m;
	assert_int_equal(match("POST", path, &m), ROUTE_OK);
	assert_int_equal(strlen(m.params[0]), ROUTE_PARAM_MAX);
	assert_string_equal(m.params[0], id);

	/* one more: no match at all rather than a truncated id */
	id[ROUTE_PARAM_MAX] = 'a';
	id[ROUTE_PARAM_MAX + 1] = '\0';
	snprintf(path, sizeof(path), "/v1/alerts/%s/ack", id);
	expect_not_found("POST", path);
	snprintf(path, sizeof(path), "/v1/alerts/%s", id);
	expect_not_found("GET", path);
}

static void test_router_bad_method(void **state)
{
	(void)state;
	struct route_match m;
	assert_int_equal(match("DELETE", "/v1/alerts", &m), ROUTE_BAD_METHOD);
	assert_null(m.route);
	assert_string_equal(m.allow, "GET, POST");

	assert_int_equal(match("PUT", "/v1/residents/r1", &m), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "GET, PATCH, DELETE");

	assert_int_equal(match("GET", "/v1/alerts/9/ack", &m), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "POST");

	/* the literal and the parameter route both take GET: listed once */
	assert_int_equal(match("POST", "/v1/alerts/stream", &m), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "GET");

	assert_int_equal(match("POST", "/healthz", &m), ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "GET");

	/* methods are compared exactly */
	assert_int_equal(match("get", "/healthz", &m), ROUTE_BAD_METHOD);
	assert_int_equal(match("", "/healthz", &m), ROUTE_BAD_METHOD);
	assert_int_equal(match("GETX", "/healthz", &m), ROUTE_BAD_METHOD);
}

/* A match result never carries over anything from an earlier call. */
static void test_router_match_is_reset(void **state)
{
	(void)state;
	struct route_match m;
	assert_int_equal(match("GET", "/v1/sites/s1/residents/r1", &m), ROUTE_OK);
	assert_int_equal(match("GET", "/nowhere", &m), ROUTE_NOT_FOUND);
	assert_int_equal(m.n_params, 0);
	assert_null(m.route);
	assert_int_equal(match("DELETE", "/v1/alerts", &m), ROUTE_BAD_METHOD);
	/* m.allow is only defined with ROUTE_BAD_METHOD */
	assert_int_equal(match("GET", "/v1/alerts", &m), ROUTE_OK);
	assert_int_equal(m.n_params, 0);
	assert_ptr_equal(m.route, &test_router_table[1]);
}

static void test_router_empty_table(void **state)
{
	(void)state;
	struct route_match m;
	assert_int_equal(router_match(test_router_table, 0, "GET", "/healthz", &m),
	                 ROUTE_NOT_FOUND);
}

/* A pattern with more parameters than ROUTE_MAX_PARAMS never matches,
 * rather than writing past the params array. */
static void test_router_too_many_params(void **state)
{
	(void)state;
	static const struct route many[] = {
		{"GET", "/{a}/{b}/{c}/{d}/{e}", &h_get, 0},
		{"GET", "/{a}/{b}/{c}/{d}", &h_list, 0},
	};
	struct route_match m;
	assert_int_equal(router_match(many, 2, "GET", "/1/2/3/4/5", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(many, 2, "GET", "/1/2/3/4", &m), ROUTE_OK);
	assert_int_equal(m.n_params, 4);
	assert_string_equal(m.params[3], "4");
}

/* Fills each "{name}" of `pattern` with `id`. */
static void fill_pattern(const char *pattern, const char *id, char *out, size_t size)
{
	size_t o = 0;
	for (const char *p = pattern; *p && o + 1 < size;) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			assert_non_null(close);
			for (const char *s = id; *s && o + 1 < size; s++)
				out[o++] = *s;
			p = close + 1;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

/* The daemon's own table: every route is reachable (no earlier route with
 * the same method swallows it), no (method, pattern) is listed twice, and
 * every handler is set. Checked here so a route added in the wrong order
 * fails a unit test, not a user. */
static void test_router_real_table(void **state)
{
	(void)state;
	assert_true(api_route_count > 0);
	for (size_t i = 0; i < api_route_count; i++) {
		const struct route *r = &api_routes[i];
		assert_non_null(r->method);
		assert_non_null(r->pattern);
		assert_non_null(r->handler);
		assert_int_equal(r->pattern[0], '/');
		for (size_t j = 0; j < i; j++) {
			if (strcmp(api_routes[j].method, r->method) == 0 &&
			    strcmp(api_routes[j].pattern, r->pattern) == 0)
				print_error("route %s %s is listed twice\n", r->method, r->pattern);
			assert_false(strcmp(api_routes[j].method, r->method) == 0 &&
			             strcmp(api_routes[j].pattern, r->pattern) == 0);
		}
		char path[512];
		fill_pattern(r->pattern, "x-1", path, sizeof(path));
		struct route_match m;
		enum route_result rc =
			router_match(api_routes, api_route_count, r->method, path, &m);
		if (rc != ROUTE_OK || m.route != r)
			print_error("%s %s (as %s) is matched by %s %s\n", r->method, r->pattern,
			            path, m.route ? m.route->method : "-",
			            m.route ? m.route->pattern : "nothing");
		assert_int_equal(rc, ROUTE_OK);
		assert_ptr_equal(m.route, r);
	}
	/* the paths every deployment relies on */
	struct route_match m;
	assert_int_equal(router_match(api_routes, api_route_count, "GET", "/healthz", &m),
	                 ROUTE_OK);
	assert_int_equal(router_match(api_routes, api_route_count, "GET", "/metrics", &m),
	                 ROUTE_OK);
	assert_int_equal(router_match(api_routes, api_route_count, "POST", "/v1/auth/login", &m),
	                 ROUTE_OK);
	assert_int_equal(router_match(api_routes, api_route_count, "GET", "/v1/auth/login", &m),
	                 ROUTE_BAD_METHOD);
	assert_string_equal(m.allow, "POST");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router_literal_paths),
		cmocka_unit_test(test_router_params),
		cmocka_unit_test(test_router_literal_before_param),
		cmocka_unit_test(test_router_not_found),
		cmocka_unit_test(test_router_bad_params),
		cmocka_unit_test(test_router_param_length),
		cmocka_unit_test(test_router_bad_method),
		cmocka_unit_test(test_router_match_is_reset),
		cmocka_unit_test(test_router_empty_table),
		cmocka_unit_test(test_router_too_many_params),
		cmocka_unit_test(test_router_real_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
