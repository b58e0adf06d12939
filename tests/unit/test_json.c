/* Unit tests for the JSON helpers: db_row_json()'s column markers (db/db.c)
 * and the request checks of services/validate.c, driven through a fake
 * struct api_req whose query and header lookups are ours. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "db.h"
#include "validate.h"

/* ---- db_row_json ---- */

/* Runs one SELECT on an in-memory database and returns its first row as
 * db_row_json() encodes it. The caller decrefs. */
static json_t *row_json(const char *select)
{
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open(":memory:", &h), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h, select, -1, &st, NULL);
	if (rc != SQLITE_OK)
		print_error("%s: %s\n", select, sqlite3_errmsg(h));
	assert_int_equal(rc, SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	json_t *row = db_row_json(st);
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_non_null(row);
	assert_true(json_is_object(row));
	return row;
}

static void test_json_row_plain_types(void **state)
{
	(void)state;
	json_t *row = row_json("SELECT 42 AS n, -9007199254740993 AS big, 1.5 AS f, 'hi' AS s, "
	                       "NULL AS z, '' AS e, 'K\xc3\xbc"
	                       "che' AS u");
	assert_int_equal(json_object_size(row), 7);
	assert_true(json_is_integer(json_object_get(row, "n")));
	assert_int_equal(json_integer_value(json_object_get(row, "n")), 42);
	/* 64-bit integers survive (jansson's json_int_t is long long) */
	assert_true(json_integer_value(json_object_get(row, "big")) == -9007199254740993LL);
	assert_true(json_is_real(json_object_get(row, "f")));
	assert_true(json_real_value(json_object_get(row, "f")) == 1.5);
	assert_string_equal(json_string_value(json_object_get(row, "s")), "hi");
	assert_true(json_is_null(json_object_get(row, "z")));
	assert_string_equal(json_string_value(json_object_get(row, "e")), "");
	assert_string_equal(json_string_value(json_object_get(row, "u")), "K\xc3\xbc"
	                                                                  "che");
	json_decref(row);
}

static void test_json_row_time_marker(void **state)
{
	(void)state;
	json_t *row = row_json("SELECT 0 AS \"a@t\", 1764235373123 AS \"b@t\", NULL AS \"c@t\", "
	                       "253402300799999 AS \"d@t\"");
	assert_string_equal(json_string_value(json_object_get(row, "a")),
	                    "1970-01-01T00:00:00.000Z");
	assert_string_equal(json_string_value(json_object_get(row, "b")),
	                    "2025-11-27T09:22:53.123Z");
	assert_true(json_is_null(json_object_get(row, "c")));
	assert_string_equal(json_string_value(json_object_get(row, "d")),
	                    "9999-12-31T23:59:59.999Z");
	/* the marker is not part of the key */
	assert_null(json_object_get(row, "a@t"));
	json_decref(row);
}

static void test_json_row_string_marker(void **state)
{
	(void)state;
	json_t *row = row_json("SELECT 17 AS \"id@s\", 'already' AS \"t@s\", NULL AS \"n@s\"");
	assert_true(json_is_string(json_object_get(row, "id")));
	assert_string_equal(json_string_value(json_object_get(row, "id")), "17");
	assert_string_equal(json_string_value(json_object_get(row, "t")), "already");
	assert_true(json_is_null(json_object_get(row, "n")));
	json_decref(row);
}

static void test_json_row_bool_marker(void **state)
{
	(void)state;
	json_t *row = row_json("SELECT 0 AS \"f@b\", 1 AS \"t@b\", 7 AS \"x@b\", NULL AS \"n@b\"");
	assert_true(json_is_false(json_object_get(row, "f")));
	assert_true(json_is_true(json_object_get(row, "t")));
	assert_true(json_is_true(json_object_get(row, "x")));
	assert_true(json_is_null(json_object_get(row, "n")));
	json_decref(row);
}

static void test_json_row_json_marker(void **state)
{
	(void)state;
	json_t *row =
		row_json("SELECT '[1,\"two\",{\"x\":null}]' AS \"a@j\", '{\"k\":true}' AS \"o@j\", "
	                 "'3' AS \"n@j\", '\"s\"' AS \"s@j\", 'true' AS \"b@j\", "
	                 "'{broken' AS \"bad@j\", NULL AS \"z@j\", '' AS \"e@j\"");
	json_t *a = json_object_get(row, "a");
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(json_string_value(json_array_get(a, 1)), "two");
	assert_true(json_is_true(json_object_get(json_object_get(row, "o"), "k")));
	assert_int_equal(json_integer_value(json_object_get(row, "n")), 3);
	assert_string_equal(json_string_value(json_object_get(row, "s")), "s");
	assert_true(json_is_true(json_object_get(row, "b")));
	/* stored text that is not JSON comes out as null, never as raw text */
	assert_true(json_is_null(json_object_get(row, "bad")));
	assert_true(json_is_null(json_object_get(row, "z")));
	assert_true(json_is_null(json_object_get(row, "e")));
	json_decref(row);
}

static void test_json_row_invalid_utf8(void **state)
{
	(void)state;
	json_t *row =
		row_json("SELECT CAST(x'fffe41' AS TEXT) AS bad, CAST(x'4142' AS TEXT) AS good");
	assert_true(json_is_null(json_object_get(row, "bad")));
	assert_string_equal(json_string_value(json_object_get(row, "good")), "AB");
	json_decref(row);
}

static void test_json_row_odd_names(void **state)
{
	(void)state;
	/* an unknown marker and a bare '@' map by type; a long name is cut */
	json_t *row = row_json(
		"SELECT 5 AS \"u@q\", 'v' AS \"w@\", 1 AS "
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"");
	assert_int_equal(json_integer_value(json_object_get(row, "u")), 5);
	assert_string_equal(json_string_value(json_object_get(row, "w")), "v");
	const char *key;
	json_t *v;
	bool found_long = false;
	json_object_foreach (row, key, v) {
		if (key[0] == 'a') {
			assert_int_equal(strlen(key), 63);
			found_long = true;
		}
	}
	assert_true(found_long);
	json_decref(row);
}

/* ---- the fake request ---- */

struct test_json_query {
	const char *name;
	const char *value;
};

/* `conn` of the fake request: a NULL-terminated list of query pairs. */
static const char *fake_query(void *conn, const char *name)
{
	for (const struct test_json_query *q = conn; q && q->name; q++)
		if (strcmp(q->name, name) == 0)
			return q->value;
	return NULL;
}

static const char *fake_header(void *conn, const char *name)
{
	(void)conn;
	(void)name;
	return NULL;
}

static void req_init(struct api_req *r, const struct test_json_query *query)
{
	memset(r, 0, sizeof(*r));
	r->method = "POST";
	r->path = "/v1/test";
	r->conn = (void *)query;
	r->query_fn = fake_query;
	r->header_fn = fake_header;
}

static void req_done(struct api_req *r)
{
	json_decref(r->out);
	json_decref(r->body);
	free(r->out_text);
	r->out = NULL;
	r->body = NULL;
	r->out_text = NULL;
}

/* Asserts the request holds the contract's 400 body and that its message
 * contains `needle`. */
static void expect_400(struct api_req *r, const char *needle)
{
	assert_int_equal(r->status, 400);
	assert_non_null(r->out);
	json_t *e = json_object_get(r->out, "error");
	assert_true(json_is_object(e));
	assert_string_equal(json_string_value(json_object_get(e, "code")), "bad_request");
	const char *msg = json_string_value(json_object_get(e, "message"));
	assert_non_null(msg);
	if (!strstr(msg, needle))
		print_error("message '%s' lacks '%s'\n", msg, needle);
	assert_non_null(strstr(msg, needle));
}

/* ---- validate_fields ---- */

static const char *const test_json_tiers[] = {"primary", "backup", "supervisor", NULL};

static const struct field_spec test_json_fields[] = {
	{"id", FIELD_ID, false, 0, 0, NULL, false},
	{"name", FIELD_STRING, true, 1, 10, NULL, false},
	{"age", FIELD_INT, false, 0, 130, NULL, false},
	{"active", FIELD_BOOL, false, 0, 0, NULL, false},
	{"at", FIELD_TIME, false, 0, 0, NULL, false},
	{"from", FIELD_HHMM, false, 0, 0, NULL, false},
	{"born", FIELD_DATE, false, 0, 0, NULL, false},
	{"tier", FIELD_ENUM, false, 0, 0, test_json_tiers, false},
	{"tags", FIELD_ARRAY, false, 0, 3, NULL, false},
	{"monitoring", FIELD_OBJECT, false, 0, 0, NULL, false},
	{"phone", FIELD_STRING, false, 0, 32, NULL, true},
};

#define N_FIELDS (sizeof(test_json_fields) / sizeof(test_json_fields[0]))

/* Checks `text` as a body; returns whether it passed, leaving the
 * response in r for the caller to inspect and req_done() to free. */
static bool check_body(struct api_req *r, const char *text, bool patch)
{
	req_init(r, NULL);
	json_error_t jerr;
	json_t *obj = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!obj)
		print_error("test JSON does not parse: %s: %s\n", text, jerr.text);
	assert_non_null(obj);
	r->body = obj;
	return validate_fields(r, obj, "", test_json_fields, N_FIELDS, patch);
}

static void expect_body_ok(const char *text, bool patch)
{
	struct api_req r;
	bool ok = check_body(&r, text, patch);
	if (!ok)
		print_error("%s refused: %s\n", text,
		            json_string_value(
				    json_object_get(json_object_get(r.out, "error"), "message")));
	assert_true(ok);
	assert_int_equal(r.status, 0);
	assert_null(r.out);
	req_done(&r);
}

static void expect_body_400(const char *text, bool patch, const char *needle)
{
	struct api_req r;
	bool ok = check_body(&r, text, patch);
	if (ok)
		print_error("%s was accepted\n", text);
	assert_false(ok);
	expect_400(&r, needle);
	req_done(&r);
}

static void test_json_fields_accepts_good_bodies(void **state)
{
	(void)state;
	expect_body_ok("{\"name\": \"Mei\"}", false);
	expect_body_ok("{\"id\": \"r-1.a_b:c\", \"name\": \"0123456789\", \"age\": 130, "
	               "\"active\": false, \"at\": \"2026-11-27T09:22:53.123+08:00\", "
	               "\"from\": \"07:30\", \"born\": \"1984-02-29\", \"tier\": \"backup\", "
	               "\"tags\": [1, 2, 3], \"monitoring\": {\"anything\": 1}, \"phone\": null}",
	               false);
	expect_body_ok("{\"age\": 0}", true); /* a patch needs no required field */
	expect_body_ok("{}", true);
	expect_body_ok("{\"name\": \"K\xc3\xbc"
	               "che\"}",
	               false); /* 6 bytes */
}

static void test_json_fields_unknown_and_required(void **state)
{
	(void)state;
	expect_body_400("{\"name\": \"Mei\", \"nmae\": 1}", false, "nmae: unknown field");
	expect_body_400("{\"nmae\": 1}", true, "nmae: unknown field");
	expect_body_400("{}", false, "name: required");
	expect_body_400("{\"age\": 3}", false, "name: required");
	/* a non-object is refused, naming the body */
	expect_body_400("[]", false, "body: must be a JSON object");
	expect_body_400("\"name\"", true, "body");
	expect_body_400("null", false, "body");
}

static void test_json_fields_strings(void **state)
{
	(void)state;
	expect_body_400("{\"name\": \"\"}", false, "name: must be 1 to 10 bytes long");
	expect_body_400("{\"name\": \"01234567890\"}", false, "name: must be 1 to 10 bytes long");
	/* the bound counts bytes, not characters: 4 x 3 bytes = 12 */
	expect_body_400("{\"name\": \"\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80\"}", false,
	                "name");
	expect_body_400("{\"name\": \"a\\u0000b\"}", false, "name: must not contain NUL");
	expect_body_400("{\"name\": 5}", false, "name: must be a string");
	expect_body_400("{\"name\": null}", false, "name: must not be null");
	expect_body_400("{\"phone\": 12345}", true, "phone: must be a string");
}

static void test_json_fields_numbers_and_bools(void **state)
{
	(void)state;
	expect_body_400("{\"age\": 131}", true, "age: must be from 0 to 130");
	expect_body_400("{\"age\": -1}", true, "age: must be from 0 to 130");
	expect_body_400("{\"age\": 1.5}", true, "age: must be an integer");
	expect_body_400("{\"age\": \"5\"}", true, "age: must be an integer");
	expect_body_400("{\"age\": 99999999999999999}", true, "age");
	expect_body_400("{\"active\": 1}", true, "active: must be true or false");
	expect_body_400("{\"active\": \"true\"}", true, "active");
	expect_body_ok("{\"active\": true}", true);
}

static void test_json_fields_times(void **state)
{
	(void)state;
	expect_body_400("{\"at\": \"2026-11-27 09:22:53\"}", true, "at: must be an RFC 3339 time");
	expect_body_400("{\"at\": \"2026-02-29T00:00:00Z\"}", true, "at");
	expect_body_400("{\"at\": 1764235373123}", true, "at");
	expect_body_400("{\"from\": \"24:00\"}", true, "from: must be a time of day HH:MM");
	expect_body_400("{\"from\": \"7:30\"}", true, "from");
	expect_body_400("{\"from\": 730}", true, "from");
	expect_body_400("{\"born\": \"1944-02-30\"}", true, "born: must be a date YYYY-MM-DD");
	expect_body_400("{\"born\": \"1983-02-29\"}", true, "born");
	expect_body_400("{\"born\": \"19440229\"}", true, "born");
	expect_body_400("{\"born\": \"1944-02-29T00:00:00Z\"}", true, "born");
	expect_body_ok("{\"from\": \"00:00\", \"at\": \"2026-11-27T01:02:03Z\"}", true);
}

/* The people CareNet cares for were born long before 1970. */
static void test_json_fields_dates_before_1970(void **state)
{
	(void)state;
	struct api_req r;
	bool ok = check_body(&r, "{\"born\": \"1944-02-29\"}", true);
	req_done(&r);
	/* Was a bug: a date was checked as an RFC 3339 time (1970..9999). */
	assert_true(ok);
	expect_body_ok("{\"born\": \"1930-01-01\"}", true);
	expect_body_ok("{\"born\": \"1969-12-31\"}", true);
	expect_body_400("{\"born\": \"1900-02-29\"}", true, "born");
}

static void test_json_fields_enum_id_array_object(void **state)
{
	(void)state;
	expect_body_400("{\"tier\": \"chief\"}", true,
	                "tier: must be one of primary, backup, supervisor");
	expect_body_400("{\"tier\": \"Primary\"}", true, "tier");
	expect_body_400("{\"tier\": 1}", true, "tier: must be a string");
	expect_body_400("{\"id\": \"a/b\"}", true, "id: must be 1-64 characters");
	expect_body_400("{\"id\": \"..\"}", true, "id");
	expect_body_400("{\"id\": \"\"}", true, "id");
	expect_body_400("{\"id\": 7}", true, "id");
	expect_body_400("{\"tags\": [1, 2, 3, 4]}", true, "tags: at most 3 items");
	expect_body_400("{\"tags\": {}}", true, "tags: must be an array");
	expect_body_400("{\"monitoring\": []}", true, "monitoring: must be an object");
	expect_body_ok("{\"tags\": []}", true);
}

/* Nested objects are checked with a prefix that the message carries. */
static void test_json_fields_prefix(void **state)
{
	(void)state;
	static const struct field_spec inner[] = {
		{"inactivity_minutes", FIELD_INT, true, 30, 1440, NULL, false},
	};
	struct api_req r;
	req_init(&r, NULL);
	json_t *obj = json_pack("{s:i}", "inactivity_minutes", 5);
	assert_false(validate_fields(&r, obj, "monitoring.", inner, 1, false));
	expect_400(&r, "monitoring.inactivity_minutes: must be from 30 to 1440");
	req_done(&r);
	req_init(&r, NULL);
	assert_false(validate_fields(&r, json_null(), "monitoring", inner, 1, false));
	expect_400(&r, "monitoring: must be a JSON object");
	req_done(&r);
	json_decref(obj);
}

static void test_json_body_and_patch(void **state)
{
	(void)state;
	struct api_req r;
	/* no body counts as {} for a create: required fields are missing */
	req_init(&r, NULL);
	assert_false(validate_body(&r, test_json_fields, N_FIELDS));
	expect_400(&r, "name: required");
	req_done(&r);
	/* a PATCH without a body is refused */
	req_init(&r, NULL);
	assert_false(validate_patch(&r, test_json_fields, N_FIELDS));
	expect_400(&r, "body");
	req_done(&r);
	req_init(&r, NULL);
	r.body = json_pack("{s:s}", "name", "Li");
	assert_true(validate_body(&r, test_json_fields, N_FIELDS));
	assert_true(validate_patch(&r, test_json_fields, N_FIELDS));
	assert_null(r.out);
	req_done(&r);
}

/* ---- pagination ---- */

static bool page(const struct test_json_query *q, int *limit, int64_t *after, struct api_req *r)
{
	req_init(r, q);
	return validate_page(r, limit, after);
}

static void test_json_page_defaults_and_bounds(void **state)
{
	(void)state;
	struct api_req r;
	int limit = -1;
	int64_t after = -1;
	assert_true(page(NULL, &limit, &after, &r));
	assert_int_equal(limit, 50);
	assert_int_equal(after, 0);
	req_done(&r);

	static const char *const good[] = {"1", "50", "500"};
	for (size_t i = 0; i < 3; i++) {
		struct test_json_query q[] = {{"limit", good[i]}, {NULL, NULL}};
		assert_true(page(q, &limit, &after, &r));
		assert_int_equal(limit, (int)strtol(good[i], NULL, 10));
		req_done(&r);
	}
	static const char *const bad[] = {"0",   "501", "-1",  "",
	                                  "ten", "10x", "1e2", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct test_json_query q[] = {{"limit", bad[i]}, {NULL, NULL}};
		assert_false(page(q, &limit, &after, &r));
		expect_400(&r, "limit");
		req_done(&r);
	}
}

static void test_json_page_cursor(void **state)
{
	(void)state;
	struct api_req r;
	int limit;
	int64_t after;
	static const int64_t keys[] = {0, 1, 123456789, INT64_MAX};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *c = page_cursor(keys[i]);
		assert_non_null(c);
		struct test_json_query q[] = {{"cursor", c}, {"limit", "7"}, {NULL, NULL}};
		assert_true(page(q, &limit, &after, &r));
		assert_true(after == keys[i]); /* round trip */
		assert_int_equal(limit, 7);
		req_done(&r);
		free(c);
	}
	static const char *const bad[] = {"",   "c",   "123", "c-1",
	                                  "cx", "c1x", "C1",  "c99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct test_json_query q[] = {{"cursor", bad[i]}, {NULL, NULL}};
		if (page(q, &limit, &after, &r))
			print_error("cursor '%s' was accepted\n", bad[i]);
		assert_int_equal(r.status, 400);
		expect_400(&r, "cursor");
		req_done(&r);
	}
}

static void test_json_page_body(void **state)
{
	(void)state;
	/* a full page points past its last key */
	json_t *items = json_pack("[i,i]", 1, 2);
	json_t *body = page_body(items, 2, 99);
	assert_int_equal(json_array_size(json_object_get(body, "items")), 2);
	char *expect = page_cursor(99);
	assert_string_equal(json_string_value(json_object_get(body, "next_cursor")), expect);
	free(expect);
	json_decref(body);
	/* a short page is the last one */
	body = page_body(json_pack("[i]", 1), 2, 1);
	assert_true(json_is_null(json_object_get(body, "next_cursor")));
	json_decref(body);
	body = page_body(json_array(), 50, 0);
	assert_int_equal(json_array_size(json_object_get(body, "items")), 0);
	assert_true(json_is_null(json_object_get(body, "next_cursor")));
	json_decref(body);
}

/* ---- query parameters and ids ---- */

static void test_json_query_helpers(void **state)
{
	(void)state;
	static const struct test_json_query q[] = {
		{"since", "2026-11-27T00:00:00Z"},
		{"until", "yesterday"},
		{"resident_id", "r-1"},
		{"device_id", "a/b"},
		{"status", "active"},
		{"kind", "bogus"},
		{NULL, NULL},
	};
	static const char *const statuses[] = {"open", "active", "resolved", NULL};
	struct api_req r;
	int64_t ms = 0;
	bool present = true;
	const char *v = NULL;

	req_init(&r, q);
	assert_true(validate_query_time(&r, "since", &ms, &present));
	assert_true(present);
	assert_true(ms == INT64_C(1795737600000));
	assert_true(validate_query_time(&r, "absent", &ms, &present));
	assert_false(present);
	assert_false(validate_query_time(&r, "until", &ms, &present));
	expect_400(&r, "until: must be an RFC 3339 time");
	req_done(&r);

	req_init(&r, q);
	assert_true(validate_query_id(&r, "resident_id", &v));
	assert_string_equal(v, "r-1");
	assert_true(validate_query_id(&r, "absent", &v));
	assert_null(v);
	assert_false(validate_query_id(&r, "device_id", &v));
	expect_400(&r, "device_id");
	req_done(&r);

	req_init(&r, q);
	assert_true(validate_query_enum(&r, "status", statuses, &v));
	assert_string_equal(v, "active");
	assert_true(validate_query_enum(&r, "absent", statuses, &v));
	assert_null(v);
	assert_false(validate_query_enum(&r, "kind", statuses, &v));
	expect_400(&r, "kind");
	req_done(&r);

	/* without a query function every parameter is absent */
	req_init(&r, NULL);
	r.query_fn = NULL;
	assert_true(validate_query_id(&r, "resident_id", &v));
	assert_null(v);
	req_done(&r);
}

static void test_json_validate_id(void **state)
{
	(void)state;
	char longest[ID_MAX + 2];
	memset(longest, 'x', sizeof(longest));
	longest[ID_MAX] = '\0';
	assert_true(validate_id(longest));
	longest[ID_MAX] = 'x';
	longest[ID_MAX + 1] = '\0';
	assert_false(validate_id(longest));
	assert_true(validate_id("AA:BB:CC:DD:EE:FF"));
	assert_true(validate_id("..."));
	assert_false(validate_id(NULL));
	assert_false(validate_id(""));
	assert_false(validate_id("."));
	assert_false(validate_id(".."));
	assert_false(validate_id("a b"));
	assert_false(validate_id("a/b"));
	assert_false(validate_id("\xc3\xa9"));
}

static void test_json_new_id(void **state)
{
	(void)state;
	char a[ID_MAX + 1], b[ID_MAX + 1];
	new_id("al_", a);
	new_id("al_", b);
	assert_int_equal(strlen(a), 3 + 16);
	assert_memory_equal(a, "al_", 3);
	for (size_t i = 3; i < strlen(a); i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_string_not_equal(a, b);
	assert_true(validate_id(a));
}

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_row_plain_types),
		cmocka_unit_test(test_json_row_time_marker),
		cmocka_unit_test(test_json_row_string_marker),
		cmocka_unit_test(test_json_row_bool_marker),
		cmocka_unit_test(test_json_row_json_marker),
		cmocka_unit_test(test_json_row_invalid_utf8),
		cmocka_unit_test(test_json_row_odd_names),
		cmocka_unit_test(test_json_fields_accepts_good_bodies),
		cmocka_unit_test(test_json_fields_unknown_and_required),
		cmocka_unit_test(test_json_fields_strings),
		cmocka_unit_test(test_json_fields_numbers_and_bools),
		cmocka_unit_test(test_json_fields_times),
		cmocka_unit_test(test_json_fields_dates_before_1970),
		cmocka_unit_test(test_json_fields_enum_id_array_object),
		cmocka_unit_test(test_json_fields_prefix),
		cmocka_unit_test(test_json_body_and_patch),
		cmocka_unit_test(test_json_page_defaults_and_bounds),
		cmocka_unit_test(test_json_page_cursor),
		cmocka_unit_test(test_json_page_body),
		cmocka_unit_test(test_json_query_helpers),
		cmocka_unit_test(test_json_validate_id),
		cmocka_unit_test(test_json_new_id),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
