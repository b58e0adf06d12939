/* proto/encode: every outgoing topic and body, byte for byte as the
 * devices and staff apps read them (proto/asyncapi.yaml). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encode.h"

static void test_encode_topics(void **state)
{
	(void)state;
	char t[64];
	assert_true(cn_encode_topic_dev_ack(t, sizeof(t), "carenet", "pb-1"));
	assert_string_equal(t, "carenet/dev/pb-1/ack");
	assert_true(cn_encode_topic_dev_cmd(t, sizeof(t), "carenet", "pb-1"));
	assert_string_equal(t, "carenet/dev/pb-1/cmd");
	assert_true(cn_encode_topic_staff_page(t, sizeof(t), "carenet", "nurse-2"));
	assert_string_equal(t, "carenet/staff/nurse-2/notify");
	assert_true(cn_encode_topic_site_alerts(t, sizeof(t), "carenet", "site-a"));
	assert_string_equal(t, "carenet/site/site-a/alerts");
	assert_true(cn_encode_topic_site_alerts(t, sizeof(t), "carenet", NULL));
	assert_string_equal(t, "carenet/site//alerts");
	assert_true(cn_encode_topic_service_status(t, sizeof(t), "carenet"));
	assert_string_equal(t, "carenet/service/status");
	assert_true(cn_encode_filter_dev(t, sizeof(t), "carenet", "event"));
	assert_string_equal(t, "carenet/dev/+/event");
	assert_true(cn_encode_filter_base(t, sizeof(t), "zigbee2mqtt,other", 11));
	assert_string_equal(t, "zigbee2mqtt/#");
}

static void test_encode_topic_too_long_or_null(void **state)
{
	(void)state;
	char t[16];
	assert_false(cn_encode_topic_dev_ack(t, sizeof(t), "carenet", "a-very-long-device"));
	assert_string_equal(t, "");
	assert_false(cn_encode_topic_staff_page(t, sizeof(t), NULL, "x"));
	assert_string_equal(t, "");
	assert_false(cn_encode_topic_dev_cmd(t, sizeof(t), "carenet", NULL));
}

static void test_encode_dev_ack(void **state)
{
	(void)state;
	char *s = cn_encode_dev_ack(true, 7, 42, 9);
	assert_string_equal(s, "{\"seq\":7,\"event_id\":\"42\",\"alert_id\":\"9\"}");
	free(s);
	s = cn_encode_dev_ack(false, 0, 42, 0);
	assert_string_equal(s, "{\"seq\":null,\"event_id\":\"42\",\"alert_id\":null}");
	free(s);
}

static void test_encode_help_coming(void **state)
{
	(void)state;
	char *s = cn_encode_help_coming(123);
	assert_string_equal(s, "{\"cmd\":\"help_coming\",\"alert_id\":\"123\"}");
	free(s);
}

static void test_encode_staff_page(void **state)
{
	(void)state;
	json_t *alert = json_pack("{s:s,s:s}", "id", "5", "kind", "sos");
	json_t *card = json_pack("{s:s}", "name", "Mrs Chen");
	char *s = cn_encode_staff_page(alert, card, 2, true);
	assert_string_equal(s, "{\"id\":\"5\",\"kind\":\"sos\",\"level\":2,"
	                       "\"resident\":{\"name\":\"Mrs Chen\"},\"nobody_on_shift\":true}");
	free(s);
	/* The alert is borrowed and left as it was. */
	assert_int_equal(json_object_size(alert), 2);
	assert_null(cn_encode_staff_page(NULL, card, 1, false));
	json_decref(alert);
	json_decref(card);
}

static void test_encode_site_alert_and_status(void **state)
{
	(void)state;
	json_t *alert = json_pack("{s:s}", "id", "5");
	char *s = cn_encode_site_alert("raised", alert);
	assert_string_equal(s, "{\"event\":\"raised\",\"alert\":{\"id\":\"5\"}}");
	free(s);
	assert_null(cn_encode_site_alert(NULL, alert));
	json_decref(alert);
	assert_string_equal(cn_encode_service_status(true), "online");
	assert_string_equal(cn_encode_service_status(false), "offline");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_topics),
		cmocka_unit_test(test_encode_topic_too_long_or_null),
		cmocka_unit_test(test_encode_dev_ack),
		cmocka_unit_test(test_encode_help_coming),
		cmocka_unit_test(test_encode_staff_page),
		cmocka_unit_test(test_encode_site_alert_and_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
