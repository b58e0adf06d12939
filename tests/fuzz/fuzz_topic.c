/* libFuzzer target for proto/topic.c: cn_topic_parse and
 * cn_device_id_valid on arbitrary bytes, with invariant checks.
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iproto \
 *        proto/topic.c proto/reject.c tests/fuzz/fuzz_topic.c */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topic.h"

/* Two configurations: the default, and one whose bases overlap the root
 * and each other, to reach the priority rules. */
static const struct cn_topic_config fuzz_topic_cfgs[] = {
	{.root = "carenet", .z2m_bases = {"zigbee2mqtt"}, .z2m_base_count = 1},
	{.root = "a/b", .z2m_bases = {"a", "a/b", "z", NULL, ""}, .z2m_base_count = 5},
};

/* True when needle[0..n) occurs in hay[0..size). */
static int fuzz_topic_contains(const uint8_t *hay, size_t size, const char *needle, size_t n)
{
	for (size_t i = 0; i + n <= size; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

static void fuzz_topic_check(const uint8_t *data, size_t size, const struct cn_topic_config *cfg)
{
	struct cn_topic t;
	enum cn_reject rc = cn_topic_parse((const char *)data, size, cfg, &t);
	size_t name_len = strnlen(t.name, sizeof(t.name));

	/* the name is always terminated inside the struct */
	if (name_len >= sizeof(t.name))
		abort();
	if (rc != CN_REJECT_NONE) {
		if (rc != CN_REJECT_BAD_TOPIC || t.kind != CN_TOPIC_IGNORED || name_len != 0)
			abort();
		return;
	}
	if (size == 0 || size > CN_TOPIC_MAX)
		abort();
	switch (t.kind) {
	case CN_TOPIC_DEV_EVENT:
	case CN_TOPIC_DEV_STATUS:
	case CN_TOPIC_DEV_HEARTBEAT:
		if (!cn_device_id_valid(t.name))
			abort();
		break;
	case CN_TOPIC_Z2M_STATE:
	case CN_TOPIC_Z2M_AVAILABILITY:
		if (name_len == 0 || name_len > CN_Z2M_NAME_MAX)
			abort();
		/* the name is a run of the topic's own bytes */
		if (!fuzz_topic_contains(data, size, t.name, name_len))
			abort();
		break;
	case CN_TOPIC_IGNORED:
		break;
	default:
		abort();
	}
	/* an accepted topic never holds wildcards, NUL or ".." levels */
	if (memchr(data, '+', size) || memchr(data, '#', size) || memchr(data, 0, size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[CN_DEVICE_ID_MAX + 8];

	for (size_t i = 0; i < sizeof(fuzz_topic_cfgs) / sizeof(fuzz_topic_cfgs[0]); i++)
		fuzz_topic_check(data, size, &fuzz_topic_cfgs[i]);

	/* cn_device_id_valid takes a C string: feed a terminated prefix */
	size_t n = size < sizeof(id) - 1 ? size : sizeof(id) - 1;
	memcpy(id, data, n);
	id[n] = '\0';
	if (cn_device_id_valid(id)) {
		size_t len = strlen(id);
		if (len == 0 || len > CN_DEVICE_ID_MAX || strstr(id, ".."))
			abort();
	}
	return 0;
}
