/* Unit tests for proto/topic.c: table-driven, one row per topic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "topic.h"

static const struct cn_topic_config test_topic_cfg = {
	.root = "carenet",
	.z2m_bases = {"zigbee2mqtt", "home/z2m"},
	.z2m_base_count = 2,
};

struct test_topic_row {
	const char *topic;
	size_t len; /* 0: strlen(topic) */
	enum cn_reject rc;
	enum cn_topic_kind kind;
	const char *name;
};

#define OK(t, k, n)                        \
	{                                  \
		t, 0, CN_REJECT_NONE, k, n \
	}
#define BAD(t)                                                  \
	{                                                       \
		t, 0, CN_REJECT_BAD_TOPIC, CN_TOPIC_IGNORED, "" \
	}
/* for literals with a NUL inside */
#define BADS(t)                                                             \
	{                                                                   \
		t, sizeof(t) - 1, CN_REJECT_BAD_TOPIC, CN_TOPIC_IGNORED, "" \
	}

static const struct test_topic_row test_topic_rows[] = {
	/* native, device to service */
	OK("carenet/dev/btn-001/event", CN_TOPIC_DEV_EVENT, "btn-001"),
	OK("carenet/dev/btn-001/status", CN_TOPIC_DEV_STATUS, "btn-001"),
	OK("carenet/dev/btn-001/heartbeat", CN_TOPIC_DEV_HEARTBEAT, "btn-001"),
	OK("carenet/dev/AA:BB:CC:DD:EE:FF/event", CN_TOPIC_DEV_EVENT, "AA:BB:CC:DD:EE:FF"),
	OK("carenet/dev/a.b_c-d/event", CN_TOPIC_DEV_EVENT, "a.b_c-d"),
	/* native, ours: echoed back, never ingested */
	OK("carenet/dev/btn-001/ack", CN_TOPIC_IGNORED, "btn-001"),
	OK("carenet/dev/btn-001/cmd", CN_TOPIC_IGNORED, "btn-001"),
	OK("carenet/staff/st-7/notify", CN_TOPIC_IGNORED, ""),
	OK("carenet/site/s1/alerts", CN_TOPIC_IGNORED, ""),
	OK("carenet/service/status", CN_TOPIC_IGNORED, ""),
	/* Zigbee2MQTT state and availability; names may contain '/' */
	OK("zigbee2mqtt/hall_sos", CN_TOPIC_Z2M_STATE, "hall_sos"),
	OK("zigbee2mqtt/living/motion", CN_TOPIC_Z2M_STATE, "living/motion"),
	OK("zigbee2mqtt/0x00158d00023866e9", CN_TOPIC_Z2M_STATE, "0x00158d00023866e9"),
	OK("zigbee2mqtt/flat 3/bath/leak", CN_TOPIC_Z2M_STATE, "flat 3/bath/leak"),
	OK("zigbee2mqtt/K\xc3\xbc"
           "che T\xc3\xbcr",
           CN_TOPIC_Z2M_STATE,
           "K\xc3\xbc"
           "che T\xc3\xbcr"),
	OK("zigbee2mqtt/living/motion/availability", CN_TOPIC_Z2M_AVAILABILITY, "living/motion"),
	OK("zigbee2mqtt/hall_sos/availability", CN_TOPIC_Z2M_AVAILABILITY, "hall_sos"),
	/* a device that happens to be called "availability" */
	OK("zigbee2mqtt/availability", CN_TOPIC_Z2M_STATE, "availability"),
	OK("home/z2m/kitchen/door", CN_TOPIC_Z2M_STATE, "kitchen/door"),
	OK("home/z2m/kitchen/door/availability", CN_TOPIC_Z2M_AVAILABILITY, "kitchen/door"),
	/* Zigbee2MQTT traffic that is not a device reporting */
	OK("zigbee2mqtt/bridge/state", CN_TOPIC_IGNORED, ""),
	OK("zigbee2mqtt/bridge/devices", CN_TOPIC_IGNORED, ""),
	OK("zigbee2mqtt/bridge/request/permit_join", CN_TOPIC_IGNORED, ""),
	OK("zigbee2mqtt/bridge", CN_TOPIC_IGNORED, ""),
	OK("zigbee2mqtt/lamp/set", CN_TOPIC_IGNORED, ""),
	OK("zigbee2mqtt/lamp/get", CN_TOPIC_IGNORED, ""),
	OK("zigbee2mqtt/hall/lamp/set/state", CN_TOPIC_IGNORED, ""),
	OK("zigbee2mqtt/hall/lamp/get/state", CN_TOPIC_IGNORED, ""),
	OK("zigbee2mqtt/0x847127fffe0542eb/action", CN_TOPIC_IGNORED, ""),

	/* structure */
	BAD(""),
	BAD("carenet"),
	BAD("carenet/"),
	BAD("/carenet/dev/x/event"),
	BAD("carenet//dev/x/event"),
	BAD("carenet/dev/x/event/"),
	BAD("carenet/dev//event"),
	BAD("carenet/dev/x"),
	BAD("carenet/dev"),
	BAD("carenet/dev/x/event/extra"),
	BAD("carenet/dev/x/foo"),
	BAD("carenet/dev/x/EVENT"),
	BAD("carenet/other/x"),
	BAD("carenet/devices/x/event"),
	/* path tricks */
	BAD("carenet/dev/../event"),
	BAD("carenet/dev/x/../event"),
	BAD("carenet/dev/./event"),
	BAD("carenet/../carenet/dev/x/event"),
	BAD("zigbee2mqtt/a/../b"),
	BAD("zigbee2mqtt/.."),
	BAD("zigbee2mqtt/./x"),
	BAD("carenet/dev/a..b/event"),
	BAD("carenet/dev/.../event"),
	/* wildcards */
	BAD("carenet/dev/+/event"),
	BAD("carenet/dev/#"),
	BAD("carenet/dev/x+y/event"),
	BAD("zigbee2mqtt/#"),
	BAD("zigbee2mqtt/a+b"),
	/* bad ids */
	BAD("carenet/dev/a b/event"),
	BAD("carenet/dev/a%2F/event"),
	BAD("carenet/dev/\xc3\xa9/event"),
	/* control characters, bad UTF-8, non-characters */
	BAD("carenet/dev/x/event\n"),
	BAD("carenet/dev/x\x01/event"),
	BAD("carenet/dev/x\x7f/event"),
	BAD("zigbee2mqtt/tab\there"),
	BAD("zigbee2mqtt/c1\xc2\x85"),
	BAD("zigbee2mqtt/\xff"),
	BAD("zigbee2mqtt/\xc0\xaf"),
	BAD("zigbee2mqtt/\xe0\x80\xaf"),
	BAD("zigbee2mqtt/\xed\xa0\x80"),
	BAD("zigbee2mqtt/\xf4\x90\x80\x80"),
	BAD("zigbee2mqtt/\xe2\x82"),
	BAD("zigbee2mqtt/\xef\xbf\xbf"),
	BAD("zigbee2mqtt/\xef\xb7\x90"),
	BADS("carenet/dev/x\0y/event"),
	BADS("zigbee2mqtt/x\0"),
	/* outside root and bases */
	BAD("zigbee2mqtt"),
	BAD("zigbee2mqtt2/x"),
	BAD("zigbee2mqttx"),
	BAD("home/z2"),
	BAD("home/z2mm/x"),
	BAD("home"),
	BAD("carenet2/dev/x/event"),
	BAD("$SYS/broker/uptime"),
	BAD("other/topic"),
	BAD("Carenet/dev/x/event"),
};

static void test_topic_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(test_topic_rows) / sizeof(test_topic_rows[0]); i++) {
		const struct test_topic_row *r = &test_topic_rows[i];
		size_t len = r->len ? r->len : strlen(r->topic);
		struct cn_topic t;
		memset(&t, 0x5a, sizeof(t));
		enum cn_reject rc = cn_topic_parse(r->topic, len, &test_topic_cfg, &t);
		if (rc != r->rc || t.kind != r->kind || strcmp(t.name, r->name) != 0)
			print_error("row %zu: topic '%s': rc %d kind %d name '%s'\n", i, r->topic,
			            (int)rc, (int)t.kind, t.name);
		assert_int_equal(rc, r->rc);
		assert_int_equal(t.kind, r->kind);
		assert_string_equal(t.name, r->name);
	}
}

/* Builds "prefix" + n copies of c + "suffix" into buf. */
static size_t test_topic_build(char *buf, size_t size, const char *prefix, char c, size_t n,
                               const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix);
	assert_true(p + n + s < size);
	memcpy(buf, prefix, p);
	memset(buf + p, c, n);
	memcpy(buf + p + n, suffix, s + 1);
	return p + n + s;
}

static void test_topic_lengths(void **state)
{
	char buf[1024];
	struct cn_topic t;
	size_t len;
	(void)state;

	/* device id: 64 bytes is the maximum */
	len = test_topic_build(buf, sizeof(buf), "carenet/dev/", 'a', CN_DEVICE_ID_MAX, "/event");
	assert_int_equal(cn_topic_parse(buf, len, &test_topic_cfg, &t), CN_REJECT_NONE);
	assert_int_equal(strlen(t.name), CN_DEVICE_ID_MAX);
	len = test_topic_build(buf, sizeof(buf), "carenet/dev/", 'a', CN_DEVICE_ID_MAX + 1,
	                       "/event");
	assert_int_equal(cn_topic_parse(buf, len, &test_topic_cfg, &t), CN_REJECT_BAD_TOPIC);

	/* friendly name: 128 bytes */
	len = test_topic_build(buf, sizeof(buf), "zigbee2mqtt/", 'n', CN_Z2M_NAME_MAX, "");
	assert_int_equal(cn_topic_parse(buf, len, &test_topic_cfg, &t), CN_REJECT_NONE);
	assert_int_equal(t.kind, CN_TOPIC_Z2M_STATE);
	assert_int_equal(strlen(t.name), CN_Z2M_NAME_MAX);
	len = test_topic_build(buf, sizeof(buf), "zigbee2mqtt/", 'n', CN_Z2M_NAME_MAX,
	                       "/availability");
	assert_int_equal(cn_topic_parse(buf, len, &test_topic_cfg, &t), CN_REJECT_NONE);
	assert_int_equal(t.kind, CN_TOPIC_Z2M_AVAILABILITY);
	len = test_topic_build(buf, sizeof(buf), "zigbee2mqtt/", 'n', CN_Z2M_NAME_MAX + 1, "");
	assert_int_equal(cn_topic_parse(buf, len, &test_topic_cfg, &t), CN_REJECT_BAD_TOPIC);

	/* whole topic: 256 bytes; the z2m name limit bites first, so use
	 * an ignored set topic to reach the topic limit */
	len = test_topic_build(buf, sizeof(buf), "zigbee2mqtt/", 'x', CN_TOPIC_MAX - 16, "/set");
	assert_int_equal(len, CN_TOPIC_MAX);
	assert_int_equal(cn_topic_parse(buf, len, &test_topic_cfg, &t), CN_REJECT_NONE);
	assert_int_equal(t.kind, CN_TOPIC_IGNORED);
	len = test_topic_build(buf, sizeof(buf), "zigbee2mqtt/", 'x', CN_TOPIC_MAX - 15, "/set");
	assert_int_equal(cn_topic_parse(buf, len, &test_topic_cfg, &t), CN_REJECT_BAD_TOPIC);

	/* many levels */
	len = test_topic_build(buf, sizeof(buf), "zigbee2mqtt/a", 'x', 0, "");
	for (int i = 0; i < 60; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "/b");
	assert_int_equal(cn_topic_parse(buf, len, &test_topic_cfg, &t), CN_REJECT_NONE);
	assert_int_equal(t.kind, CN_TOPIC_Z2M_STATE);
}

static void test_topic_not_nul_terminated(void **state)
{
	/* Only `len` bytes count: the rest of the buffer is someone else's. */
	const char buf[] = "carenet/dev/btn-1/eventXYZ";
	struct cn_topic t;
	(void)state;
	assert_int_equal(cn_topic_parse(buf, 23, &test_topic_cfg, &t), CN_REJECT_NONE);
	assert_int_equal(t.kind, CN_TOPIC_DEV_EVENT);
	assert_string_equal(t.name, "btn-1");
	assert_int_equal(cn_topic_parse(buf, 20, &test_topic_cfg, &t), CN_REJECT_BAD_TOPIC);
}

static void test_topic_config_edges(void **state)
{
	struct cn_topic t;
	struct cn_topic_config cfg = {.root = "acme/carenet", .z2m_base_count = 0};
	(void)state;

	/* a multi-level root */
	assert_int_equal(cn_topic_parse("acme/carenet/dev/d1/event", 25, &cfg, &t), CN_REJECT_NONE);
	assert_int_equal(t.kind, CN_TOPIC_DEV_EVENT);
	assert_int_equal(cn_topic_parse("carenet/dev/d1/event", 20, &cfg, &t), CN_REJECT_BAD_TOPIC);
	/* no bases: Zigbee2MQTT topics are foreign */
	assert_int_equal(cn_topic_parse("zigbee2mqtt/x", 13, &cfg, &t), CN_REJECT_BAD_TOPIC);

	/* NULL and empty bases are skipped, the count is clamped */
	cfg.root = NULL;
	cfg.z2m_bases[0] = NULL;
	cfg.z2m_bases[1] = "";
	cfg.z2m_bases[2] = "z2m";
	cfg.z2m_base_count = 1000;
	assert_int_equal(cn_topic_parse("z2m/door", 8, &cfg, &t), CN_REJECT_NONE);
	assert_string_equal(t.name, "door");
	assert_int_equal(cn_topic_parse("carenet/dev/d1/event", 20, &cfg, &t), CN_REJECT_BAD_TOPIC);
	assert_int_equal(cn_topic_parse("/door", 5, &cfg, &t), CN_REJECT_BAD_TOPIC);

	/* root wins over an identical base */
	cfg.root = "same";
	cfg.z2m_bases[0] = "same";
	assert_int_equal(cn_topic_parse("same/dev/d1/heartbeat", 21, &cfg, &t), CN_REJECT_NONE);
	assert_int_equal(t.kind, CN_TOPIC_DEV_HEARTBEAT);

	/* NULL arguments */
	assert_int_equal(cn_topic_parse(NULL, 5, &cfg, &t), CN_REJECT_BAD_TOPIC);
	assert_int_equal(cn_topic_parse("a/b", 3, NULL, &t), CN_REJECT_BAD_TOPIC);
	assert_int_equal(cn_topic_parse("a/b", 3, &cfg, NULL), CN_REJECT_BAD_TOPIC);
}

static void test_topic_device_id_valid(void **state)
{
	static const char *const good[] = {
		"a",
		"btn-001",
		"AA:BB:CC:DD:EE:FF",
		"0x00158d00023866e9",
		"dev.1",
		"a.b.c",
		"_",
		"-",
		".a",
		"a.",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *const bad[] = {
		"",
		".",
		"..",
		"...",
		"a..b",
		"../x",
		"a/b",
		"a b",
		"a+b",
		"a#b",
		"\xc3\xa9",
		"a\n",
		"01234567890123456789012345678901234567890123456789012345678901234",
		"a%2e",
		"a\\b",
		"a,b",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!cn_device_id_valid(good[i]))
			print_error("expected valid: '%s'\n", good[i]);
		assert_true(cn_device_id_valid(good[i]));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cn_device_id_valid(bad[i]))
			print_error("expected invalid: '%s'\n", bad[i]);
		assert_false(cn_device_id_valid(bad[i]));
	}
	assert_false(cn_device_id_valid(NULL));
}

static void test_topic_reject_name(void **state)
{
	(void)state;
	assert_string_equal(cn_reject_name(CN_REJECT_BAD_TOPIC), "bad_topic");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topic_table),
		cmocka_unit_test(test_topic_lengths),
		cmocka_unit_test(test_topic_not_nul_terminated),
		cmocka_unit_test(test_topic_config_edges),
		cmocka_unit_test(test_topic_device_id_valid),
		cmocka_unit_test(test_topic_reject_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
