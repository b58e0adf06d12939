/* Delivery decisions (services/notify/delivery_policy.c), ack link tokens
 * (proto/ack_link.c) and the ack page's escaping and language
 * (proto/ack_page.c). Pure, with the clock passed in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "ack_link.h"
#include "ack_page.h"
#include "delivery_policy.h"

static const int64_t t0 = 1795000000000;

static void test_backoff_doubles_from_two_seconds_to_five_minutes(void **state)
{
	(void)state;
	assert_int_equal(delivery_backoff_ms(1), 2000);
	assert_int_equal(delivery_backoff_ms(2), 4000);
	assert_int_equal(delivery_backoff_ms(3), 8000);
	assert_int_equal(delivery_backoff_ms(8), 256000);
	assert_int_equal(delivery_backoff_ms(9), 300000);
	assert_int_equal(delivery_backoff_ms(1000), 300000);
}

static enum delivery_next decide(long status, bool transport, bool smtp, bool open, int64_t *at)
{
	struct delivery_attempt a = {status, transport, smtp, 1, open, t0};
	*at = 0;
	return delivery_decide(&a, at);
}

static void test_outcomes_2xx_sent_4xx_failed_5xx_and_timeouts_retried(void **state)
{
	(void)state;
	int64_t at;
	assert_int_equal(decide(200, false, false, true, &at), DN_SENT);
	assert_int_equal(decide(204, false, false, true, &at), DN_SENT);
	assert_int_equal(decide(400, false, false, true, &at), DN_FAILED);
	assert_int_equal(decide(410, false, false, true, &at), DN_FAILED);
	assert_int_equal(decide(503, false, false, true, &at), DN_RETRY);
	assert_int_equal(at, t0 + 2000);
	assert_int_equal(decide(0, true, false, true, &at), DN_RETRY); /* timeout, refused */
	assert_int_equal(decide(302, false, false, true, &at), DN_RETRY);
	/* Retries only while the alert is unacknowledged. */
	assert_int_equal(decide(503, false, false, false, &at), DN_FAILED);
	assert_int_equal(decide(200, false, false, false, &at), DN_SENT);
	/* SMTP: 2xx/3xx fine, 5xx final, 4xx later. */
	assert_int_equal(decide(250, false, true, true, &at), DN_SENT);
	assert_int_equal(decide(550, false, true, true, &at), DN_FAILED);
	assert_int_equal(decide(451, false, true, true, &at), DN_RETRY);
}

static void test_rate_window_counts_the_last_minute(void **state)
{
	(void)state;
	struct rate_window *w = calloc(1, sizeof(*w));
	assert_int_equal(rate_free(w, 0, t0), INT32_MAX);
	assert_int_equal(rate_free(w, 2, t0), 2);
	rate_record(w, t0);
	rate_record(w, t0 + 1000);
	assert_int_equal(rate_free(w, 2, t0 + 1000), 0);
	assert_int_equal(rate_next_free(w, 2, t0 + 1000), t0 + 60000);
	assert_int_equal(rate_free(w, 2, t0 + 60000), 1);
	assert_int_equal(rate_free(w, 2, t0 + 61000), 2);
	assert_int_equal(rate_next_free(w, 2, t0 + 61000), t0 + 61000);
	free(w);
}

static void test_tokens_are_128_bit_hex_and_parse_strictly(void **state)
{
	(void)state;
	char tok[ACK_TOKEN_CHARS + 1];
	unsigned char h1[32], h2[32];
	ack_token_new(tok, h1);
	assert_int_equal(strlen(tok), 32);
	assert_true(ack_token_parse(tok, strlen(tok), h2));
	assert_memory_equal(h1, h2, 32);
	char other[ACK_TOKEN_CHARS + 1];
	ack_token_new(other, h2);
	assert_string_not_equal(tok, other);
	assert_false(ack_token_parse(tok, 31, h2));
	char up[ACK_TOKEN_CHARS + 1];
	memcpy(up, tok, sizeof(up));
	up[0] = 'G';
	assert_false(ack_token_parse(up, 32, h2));
	assert_false(ack_token_parse("0123456789ABCDEF0123456789abcdef", 32, h2));
	assert_false(ack_token_parse(NULL, 0, h2));
	char path[64] = "/a/";
	strcat(path, tok);
	assert_true(ack_link_path(path, h2));
	assert_memory_equal(h1, h2, 32);
	assert_false(ack_link_path("/a/", h2));
	assert_false(ack_link_path("/b/0123456789abcdef0123456789abcdef", h2));
	char url[128];
	assert_true(ack_link_url("https://care.example.org/", tok, url, sizeof(url)));
	assert_int_equal(strncmp(url, "https://care.example.org/a/", 27), 0);
	assert_false(ack_link_url("https://care.example.org", tok, url, 20));
}

static void test_ack_page_escapes_and_picks_the_language(void **state)
{
	(void)state;
	assert_true(ack_page_wants_zh("zh-CN,zh;q=0.9,en;q=0.8", false));
	assert_false(ack_page_wants_zh("en-GB,en;q=0.9,zh;q=0.5", true));
	assert_true(ack_page_wants_zh(NULL, true));
	assert_false(ack_page_wants_zh("fr-FR", false));
	struct ack_page p = {.state = ACK_PAGE_VIEW,
	                     .zh = false,
	                     .priority = 1,
	                     .kind = "fall",
	                     .resident_name = "<script>alert(1)</script>",
	                     .address = "1 \"Quote\" St",
	                     .status = "open",
	                     .action = "/a/x"};
	char *html = ack_page_render(&p);
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "&lt;script&gt;"));
	assert_non_null(strstr(html, "1 &quot;Quote&quot; St"));
	assert_non_null(strstr(html, ">Acknowledge<"));
	free(html);
	p.status = "acknowledged";
	html = ack_page_render(&p);
	assert_null(strstr(html, "<form"));
	free(html);
	char out[32];
	ack_page_escape(out, sizeof(out), "a&b<'>");
	assert_string_equal(out, "a&amp;b&lt;&#39;&gt;");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_from_two_seconds_to_five_minutes),
		cmocka_unit_test(test_outcomes_2xx_sent_4xx_failed_5xx_and_timeouts_retried),
		cmocka_unit_test(test_rate_window_counts_the_last_minute),
		cmocka_unit_test(test_tokens_are_128_bit_hex_and_parse_strictly),
		cmocka_unit_test(test_ack_page_escapes_and_picks_the_language),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
