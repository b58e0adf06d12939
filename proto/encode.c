/* Encoders for outgoing topics and bodies (encode.h). */
#include "encode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool put(char *out, size_t size, const char *fmt, ...)
{
	bool ok = false;
	if (!out || size == 0)
		goto out;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	ok = n >= 0 && (size_t)n < size;
	if (!ok)
		out[0] = '\0';
out:
	return ok;
}

/* An argument was NULL: leave "" and say no. */
static bool clear(char *out, size_t size)
{
	if (out && size)
		out[0] = '\0';
	return false;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

bool cn_encode_topic_dev_ack(char *out, size_t size, const char *root, const char *device_id)
{
	if (!root || !device_id)
		return clear(out, size);
	return put(out, size, "%s/dev/%s/ack", root, device_id);
}

bool cn_encode_topic_dev_cmd(char *out, size_t size, const char *root, const char *device_id)
{
	if (!root || !device_id)
		return clear(out, size);
	return put(out, size, "%s/dev/%s/cmd", root, device_id);
}

bool cn_encode_topic_staff_page(char *out, size_t size, const char *root, const char *staff_id)
{
	if (!root || !staff_id)
		return clear(out, size);
	return put(out, size, "%s/staff/%s/notify", root, staff_id);
}

bool cn_encode_topic_site_alerts(char *out, size_t size, const char *root, const char *site_id)
{
	if (!root)
		return clear(out, size);
	return put(out, size, "%s/site/%s/alerts", root, site_id ? site_id : "");
}

bool cn_encode_topic_service_status(char *out, size_t size, const char *root)
{
	if (!root)
		return clear(out, size);
	return put(out, size, "%s/service/status", root);
}

bool cn_encode_filter_dev(char *out, size_t size, const char *root, const char *kind)
{
	if (!root || !kind)
		return clear(out, size);
	return put(out, size, "%s/dev/+/%s", root, kind);
}

bool cn_encode_filter_base(char *out, size_t size, const char *base, size_t base_len)
{
	if (!base || base_len > (size_t)INT32_MAX)
		return clear(out, size);
	return put(out, size, "%.*s/#", (int)base_len, base);
}

char *cn_encode_dev_ack(bool has_seq, int64_t seq, int64_t event_id, int64_t alert_id)
{
	char buf[160], seq_s[24] = "null", alert_s[32] = "null";
	if (has_seq)
		put(seq_s, sizeof(seq_s), "%lld", (long long)seq);
	if (alert_id > 0)
		put(alert_s, sizeof(alert_s), "\"%lld\"", (long long)alert_id);
	if (!put(buf, sizeof(buf), "{\"seq\":%s,\"event_id\":\"%lld\",\"alert_id\":%s}", seq_s,
	         (long long)event_id, alert_s))
		return NULL;
	return dup_str(buf);
}

char *cn_encode_help_coming(int64_t alert_id)
{
	char buf[96];
	if (!put(buf, sizeof(buf), "{\"cmd\":\"help_coming\",\"alert_id\":\"%lld\"}",
	         (long long)alert_id))
		return NULL;
	return dup_str(buf);
}

char *cn_encode_staff_page(const json_t *alert, const json_t *resident_card, int level,
                           bool nobody_on_shift)
{
	char *s = NULL;
	if (!alert || !json_is_object(alert))
		goto out;
	json_t *page = json_copy((json_t *)alert); /* shallow: values shared */
	if (!page)
		goto out;
	json_object_set_new(page, "level", json_integer(level));
	json_object_set(page, "resident", resident_card ? (json_t *)resident_card : json_null());
	json_object_set_new(page, "nobody_on_shift", json_boolean(nobody_on_shift));
	s = json_dumps(page, JSON_COMPACT);
	json_decref(page);
out:
	return s;
}

char *cn_encode_site_alert(const char *event, const json_t *alert)
{
	char *s = NULL;
	if (!event || !alert)
		goto out;
	json_t *msg = json_pack("{s:s,s:O}", "event", event, "alert", (json_t *)alert);
	if (!msg)
		goto out;
	s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
out:
	return s;
}

const char *cn_encode_service_status(bool online) { return online ? "online" : "offline"; }
