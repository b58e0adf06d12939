/* Channel message encoders and signatures (proto/channel_msg.c). The
 * expected signatures were computed with Python's hmac module, the way
 * the receiving services verify them; RFC 4231 checks the HMAC itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "channel_msg.h"

static const char *url = "https://care.example.org/a/0123456789abcdef0123456789abcdef";

static struct chmsg_page page(const char *locale)
{
	struct chmsg_page p = {
		.locale = locale,
		.priority = 1,
		.kind = "sos",
		.alert_id = 42,
		.level = 0,
		.resident_name = "Ann Li",
		.address = "2 Garden Road",
		.phone = "+86 10 5555 0101",
		.ack_url = url,
		.delivery_id = 17,
		.to_staff_id = "s-mei",
		.to_name = "Mei",
		.to_addr = "+86 139 0000 0001",
		.mention_phone = "+86 139 0000 0001",
	};
	return p;
}

static void test_hmac_matches_rfc4231_and_python(void **state)
{
	(void)state;
	char sig[72];
	const char *msg = "what do ya want for nothing?";
	chmsg_sign_webhook("Jefe", msg, strlen(msg), sig);
	assert_string_equal(
		sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	chmsg_sign_webhook("key", "{\"a\":1}", 7, sig);
	assert_string_equal(
		sig, "sha256=88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342");
}

static void test_dingtalk_and_feishu_signs_as_their_receivers_compute_them(void **state)
{
	(void)state;
	char sign[128];
	chmsg_sign_dingtalk("SECtest", 1700000000000LL, sign, sizeof(sign));
	assert_string_equal(sign, "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D");
	chmsg_sign_feishu("SECtest", 1700000000LL, sign, sizeof(sign));
	assert_string_equal(sign, "G7XpBpG8NgG02fJOAhX6FRAObIljmFoxVReo8I62pEk=");
}

static void test_text_names_priority_kind_resident_address_and_link(void **state)
{
	(void)state;
	char t[CHMSG_TEXT_MAX + 1];
	struct chmsg_page zh = page("zh-CN"), en = page("en");
	chmsg_text(&zh, t, sizeof(t));
	assert_non_null(strstr(t, "P1"));
	assert_non_null(strstr(t, "紧急呼叫"));
	assert_non_null(strstr(t, "Ann Li"));
	assert_non_null(strstr(t, "2 Garden Road"));
	assert_non_null(strstr(t, url));
	chmsg_text(&en, t, sizeof(t));
	assert_string_equal(t, "CareNet P1 SOS: Ann Li, 2 Garden Road. Acknowledge: "
	                       "https://care.example.org/a/0123456789abcdef0123456789abcdef");
}

static void test_a_long_text_keeps_the_link_and_whole_characters(void **state)
{
	(void)state;
	char addr[1200] = "";
	for (int i = 0; i < 300; i++)
		strcat(addr, "路");
	struct chmsg_page p = page("zh-CN");
	p.address = addr;
	char t[CHMSG_TEXT_MAX + 1];
	size_t n = chmsg_text(&p, t, sizeof(t));
	assert_true(n <= CHMSG_TEXT_MAX);
	assert_int_equal(n, strlen(t));
	const char *tail = t + n - strlen(url);
	assert_string_equal(tail, url);
	/* Valid UTF-8 throughout: no sequence was split. */
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)t[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
		for (size_t k = 1; k < len; k++)
			assert_int_equal((unsigned char)t[i + k] & 0xC0, 0x80);
		i += len;
	}
}

static json_t *encode_json(enum chmsg_kind kind, const struct chmsg_page *p, size_t n,
                           const char *secret, struct chmsg_out *out)
{
	assert_int_equal(chmsg_encode(kind, p, n, secret, 1700000000000LL, NULL, out), 0);
	json_t *j = json_loads(out->body, 0, NULL);
	assert_non_null(j);
	return j;
}

static void test_webhook_and_gateway_bodies_are_signed_over_the_raw_body(void **state)
{
	(void)state;
	struct chmsg_page p = page("zh-CN");
	json_t *alert = json_pack("{s:s,s:s}", "id", "42", "kind", "sos");
	p.alert = alert;
	struct chmsg_out out;
	json_t *j = encode_json(CHK_WEBHOOK, &p, 1, "k", &out);
	assert_string_equal(json_string_value(json_object_get(j, "event")), "page");
	assert_string_equal(json_string_value(json_object_get(j, "delivery_id")), "17");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "to"), "staff_id")), "s-mei");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "alert"), "id")),
	                    "42");
	assert_string_equal(json_string_value(json_object_get(j, "ack_url")), url);
	char sig[72];
	chmsg_sign_webhook("k", out.body, out.len, sig);
	assert_string_equal(out.signature, sig);
	json_decref(j);
	chmsg_out_free(&out);

	j = encode_json(CHK_SMS, &p, 1, NULL, &out);
	assert_int_equal(json_object_size(j), 4);
	assert_string_equal(json_string_value(json_object_get(j, "to")), "+86 139 0000 0001");
	assert_null(out.signature);
	json_decref(j);
	chmsg_out_free(&out);
	json_decref(alert);
}

static void test_robots_mention_by_phone_and_sign_as_specified(void **state)
{
	(void)state;
	struct chmsg_page p = page("zh-CN");
	struct chmsg_out out;
	json_t *j = encode_json(CHK_WECOM, &p, 1, NULL, &out);
	json_t *text = json_object_get(j, "text");
	assert_string_equal(json_string_value(json_object_get(j, "msgtype")), "text");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(text, "mentioned_mobile_list"), 0)),
	                    "+86 139 0000 0001");
	json_decref(j);
	chmsg_out_free(&out);

	j = encode_json(CHK_DINGTALK, &p, 1, "SECtest", &out);
	assert_string_equal(
		out.query,
		"timestamp=1700000000000&sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(j, "at"), "atMobiles"), 0)),
	                    "+86 139 0000 0001");
	json_decref(j);
	chmsg_out_free(&out);

	j = encode_json(CHK_FEISHU, &p, 1, "SECtest", &out);
	assert_string_equal(json_string_value(json_object_get(j, "timestamp")), "1700000000");
	assert_string_equal(json_string_value(json_object_get(j, "sign")),
	                    "G7XpBpG8NgG02fJOAhX6FRAObIljmFoxVReo8I62pEk=");
	assert_string_equal(json_string_value(json_object_get(j, "msg_type")), "text");
	json_decref(j);
	chmsg_out_free(&out);
}

static void test_wecom_content_is_cut_to_the_robot_limit(void **state)
{
	(void)state;
	char name[8000] = "";
	for (int i = 0; i < 2000; i++)
		strcat(name, "张");
	struct chmsg_page p[3] = {page("zh-CN"), page("zh-CN"), page("zh-CN")};
	for (int i = 0; i < 3; i++)
		p[i].resident_name = name;
	struct chmsg_out out;
	json_t *j = encode_json(CHK_WECOM, p, 3, NULL, &out);
	const char *content =
		json_string_value(json_object_get(json_object_get(j, "text"), "content"));
	assert_true(strlen(content) <= CHMSG_WECOM_MAX);
	json_decref(j);
	chmsg_out_free(&out);
}

static void test_a_merged_message_lists_every_alert(void **state)
{
	(void)state;
	struct chmsg_page p[2] = {page("en"), page("en")};
	p[1].resident_name = "Bo Wang";
	p[1].delivery_id = 18;
	struct chmsg_out out;
	json_t *j = encode_json(CHK_DINGTALK, p, 2, NULL, &out);
	const char *content =
		json_string_value(json_object_get(json_object_get(j, "text"), "content"));
	assert_non_null(strstr(content, "2 alerts waiting"));
	assert_non_null(strstr(content, "Ann Li"));
	assert_non_null(strstr(content, "Bo Wang"));
	assert_null(out.query);
	json_decref(j);
	chmsg_out_free(&out);
}

static void test_email_has_an_encoded_subject_and_no_header_injection(void **state)
{
	(void)state;
	struct chmsg_page p = page("en");
	p.to_addr = "ann@example.org\r\nBcc: evil@example.org";
	struct chmsg_out out;
	assert_int_equal(
		chmsg_encode(CHK_EMAIL, &p, 1, NULL, 1700000000000LL, "carenet@example.org", &out),
		0);
	assert_non_null(strstr(out.body, "Subject: =?UTF-8?B?"));
	assert_null(strstr(out.body, "\r\nBcc:"));
	assert_non_null(strstr(out.body, "From: <carenet@example.org>\r\n"));
	assert_non_null(strstr(out.body, url));
	chmsg_out_free(&out);
	assert_int_not_equal(chmsg_encode(CHK_EMAIL, &p, 0, NULL, 0, NULL, &out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_matches_rfc4231_and_python),
		cmocka_unit_test(test_dingtalk_and_feishu_signs_as_their_receivers_compute_them),
		cmocka_unit_test(test_text_names_priority_kind_resident_address_and_link),
		cmocka_unit_test(test_a_long_text_keeps_the_link_and_whole_characters),
		cmocka_unit_test(test_webhook_and_gateway_bodies_are_signed_over_the_raw_body),
		cmocka_unit_test(test_robots_mention_by_phone_and_sign_as_specified),
		cmocka_unit_test(test_wecom_content_is_cut_to_the_robot_limit),
		cmocka_unit_test(test_a_merged_message_lists_every_alert),
		cmocka_unit_test(test_email_has_an_encoded_subject_and_no_header_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
