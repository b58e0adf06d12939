/* Unit tests for services/net/console_files.c: which console file answers a
 * path, the redirects, 304 on a matching ETag, 404 and 405, and that the
 * generated table holds the console's files with their content types. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "console_files.h"

static void test_root_and_bare_console_redirect(void **state)
{
	(void)state;
	struct console_reply r;
	assert_true(console_route("GET", "/", NULL, &r));
	assert_int_equal(r.status, 302);
	assert_string_equal(r.location, "/console/");
	assert_true(console_route("GET", "/console", NULL, &r));
	assert_int_equal(r.status, 302);
	assert_string_equal(r.location, "/console/");
}

static void test_console_slash_is_index_html(void **state)
{
	(void)state;
	struct console_reply r;
	assert_true(console_route("GET", "/console/", NULL, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.file->path, "/console/index.html");
	assert_string_equal(r.file->type, "text/html; charset=utf-8");
	assert_non_null(memmem(r.file->data, r.file->len, "/console/app.js", 15));
}

static void test_types_by_extension(void **state)
{
	(void)state;
	struct console_reply r;
	assert_true(console_route("HEAD", "/console/app.js", NULL, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.file->type, "text/javascript; charset=utf-8");
	assert_true(console_route("GET", "/console/style.css", NULL, &r));
	assert_string_equal(r.file->type, "text/css; charset=utf-8");
	assert_true(console_route("GET", "/console/i18n/zh-CN.js", NULL, &r));
	assert_int_equal(r.status, 200);
	assert_true(console_route("GET", "/favicon.ico", NULL, &r));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.file->type, "image/svg+xml");
}

static void test_etag_gives_304(void **state)
{
	(void)state;
	struct console_reply r;
	assert_true(console_route("GET", "/console/app.js", NULL, &r));
	const char *etag = r.file->etag;
	assert_true(etag[0] == '"' && etag[strlen(etag) - 1] == '"');
	assert_true(console_route("GET", "/console/app.js", etag, &r));
	assert_int_equal(r.status, 304);
	char list[128];
	memset(list, 0, sizeof(list));
	strncat(list, "\"other\", ", sizeof(list) - 1);
	strncat(list, etag, sizeof(list) - strlen(list) - 1);
	assert_true(console_route("GET", "/console/app.js", list, &r));
	assert_int_equal(r.status, 304);
	assert_true(console_route("GET", "/console/app.js", "\"stale\"", &r));
	assert_int_equal(r.status, 200);
	/* An ETag that is only a prefix of the real one does not match. */
	char prefix[64];
	size_t n = strlen(etag) - 3;
	memcpy(prefix, etag, n);
	prefix[n] = '\0';
	assert_true(console_route("GET", "/console/app.js", prefix, &r));
	assert_int_equal(r.status, 200);
}

static void test_unknown_files_and_methods(void **state)
{
	(void)state;
	struct console_reply r;
	assert_true(console_route("GET", "/console/nope.js", NULL, &r));
	assert_int_equal(r.status, 404);
	assert_null(r.file);
	assert_true(console_route("GET", "/console/../v1/me", NULL, &r));
	assert_int_equal(r.status, 404);
	assert_true(console_route("POST", "/console/", NULL, &r));
	assert_int_equal(r.status, 405);
	assert_true(console_route("DELETE", "/", NULL, &r));
	assert_int_equal(r.status, 405);
}

static void test_other_paths_are_not_the_consoles(void **state)
{
	(void)state;
	struct console_reply r;
	assert_false(console_route("GET", "/v1/me", NULL, &r));
	assert_false(console_route("GET", "/healthz", NULL, &r));
	assert_false(console_route("GET", "/consoles", NULL, &r));
	assert_false(console_route("GET", "", NULL, &r));
}

static void test_table_is_sorted_and_found(void **state)
{
	(void)state;
	assert_true(console_file_count >= 10);
	for (size_t i = 0; i < console_file_count; i++) {
		if (i > 0)
			assert_true(strcmp(console_files[i - 1].path, console_files[i].path) < 0);
		assert_ptr_equal(console_file_find(console_files[i].path), &console_files[i]);
		assert_true(console_files[i].len > 0);
	}
	assert_null(console_file_find("/console/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_and_bare_console_redirect),
		cmocka_unit_test(test_console_slash_is_index_html),
		cmocka_unit_test(test_types_by_extension),
		cmocka_unit_test(test_etag_gives_304),
		cmocka_unit_test(test_unknown_files_and_methods),
		cmocka_unit_test(test_other_paths_are_not_the_consoles),
		cmocka_unit_test(test_table_is_sorted_and_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
