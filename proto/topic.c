/* Topic codec (topic.h): which device and which kind of message a topic
 * names. Everything here works on the caller's bytes in place; the only
 * copy is the name written into struct cn_topic. */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include "topic.h"

#include <stdint.h>
#include <string.h>

/* One level of a topic: `len` bytes at `s`, not NUL-terminated. */
struct level {
	const char *s;
	size_t len;
};

/* The most levels we ever look at below root or a z2m base. Longer topics
 * are still parsed (a z2m friendly name may have many '/'), but only the
 * first and last two levels decide the kind. */
#define TOPIC_LEVELS_MAX (CN_TOPIC_MAX / 2 + 1)

/* Decodes one UTF-8 sequence at s[0..n); returns its length (1-4) and sets
 * *cp, or returns 0 when the bytes are not well-formed UTF-8: overlong
 * forms, surrogates, code points above U+10FFFF, truncated sequences.
 * payload.c has its own copy so that this file links without jansson and
 * the topic fuzz target stays small. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1Fu, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0Fu, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* MQTT 3.1.1 section 1.5.3 forbids U+0000 and says topics SHOULD NOT hold
 * the control characters U+0001-U+001F and U+007F-U+009F or Unicode
 * non-characters. A device that sends them is broken or hostile, and such
 * bytes would end up in log lines and in the quarantine table. */
static bool code_point_allowed(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return false;
	if (cp >= 0xFDD0 && cp <= 0xFDEF)
		return false;
	if ((cp & 0xFFFE) == 0xFFFE)
		return false;
	/* Wildcards are only legal in subscriptions; a broker should never
	 * deliver a PUBLISH carrying them. */
	return cp != '+' && cp != '#';
}

/* True when every byte of the topic is allowed and every level is
 * non-empty and not "." or "..": levels like those are how a name turns
 * into a path somewhere downstream. */
static bool topic_well_formed(const char *topic, size_t len)
{
	const unsigned char *s = (const unsigned char *)topic;
	size_t level_start = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0 || !code_point_allowed(cp))
			return false;
		i += n;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && topic[i] != '/')
			continue;
		size_t n = i - level_start;
		if (n == 0)
			return false;
		if (topic[level_start] == '.' &&
		    (n == 1 || (n == 2 && topic[level_start + 1] == '.')))
			return false;
		level_start = i + 1;
	}
	return true;
}

/* If `topic` starts with the whole levels of `prefix` followed by '/',
 * points *rest past that '/' and returns true. "zigbee2mqtt2/x" does not
 * start with "zigbee2mqtt". */
static bool strip_prefix(const char *topic, size_t len, const char *prefix, const char **rest,
                         size_t *rest_len)
{
	size_t plen;

	if (!prefix)
		return false;
	plen = strlen(prefix);
	if (plen == 0 || plen >= len || memcmp(topic, prefix, plen) != 0 || topic[plen] != '/')
		return false;
	*rest = topic + plen + 1;
	*rest_len = len - plen - 1;
	return true;
}

/* Splits s[0..len) at '/' into at most `max` levels; returns the count
 * (the last level takes the remainder when there are more). */
static size_t split_levels(const char *s, size_t len, struct level *levels, size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len && n < max; i++) {
		if (i < len && (s[i] != '/' || n == max - 1))
			continue;
		levels[n].s = s + start;
		levels[n].len = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

static bool level_is(const struct level *lv, const char *word)
{
	size_t n = strlen(word);
	return lv->len == n && memcmp(lv->s, word, n) == 0;
}

/* Copies `len` bytes into out->name; false when they do not fit in `max`. */
static bool set_name(struct cn_topic *out, const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max || len > CN_Z2M_NAME_MAX)
		return false;
	memcpy(out->name, s, len);
	out->name[len] = '\0';
	return true;
}

/* {root}/dev/{id}/{event|status|heartbeat|ack|cmd}, {root}/staff/...,
 * {root}/site/..., {root}/service/... */
static enum cn_reject parse_native(const char *rest, size_t len, struct cn_topic *out)
{
	struct level lv[4];
	size_t n = split_levels(rest, len, lv, 4);

	if (level_is(&lv[0], "staff") || level_is(&lv[0], "site") || level_is(&lv[0], "service")) {
		/* What carenetd itself publishes; we may see it echoed back if
		 * a subscription is wider than it should be. */
		out->kind = CN_TOPIC_IGNORED;
		return CN_REJECT_NONE;
	}
	if (!level_is(&lv[0], "dev") || n != 3)
		return CN_REJECT_BAD_TOPIC;
	if (!set_name(out, lv[1].s, lv[1].len, CN_DEVICE_ID_MAX) || !cn_device_id_valid(out->name))
		return CN_REJECT_BAD_TOPIC;
	if (level_is(&lv[2], "event"))
		out->kind = CN_TOPIC_DEV_EVENT;
	else if (level_is(&lv[2], "status"))
		out->kind = CN_TOPIC_DEV_STATUS;
	else if (level_is(&lv[2], "heartbeat"))
		out->kind = CN_TOPIC_DEV_HEARTBEAT;
	else if (level_is(&lv[2], "ack") || level_is(&lv[2], "cmd"))
		out->kind = CN_TOPIC_IGNORED;
	else
		return CN_REJECT_BAD_TOPIC;
	return CN_REJECT_NONE;
}

/* {base}/{friendly_name}[/availability]. Friendly names may contain '/'
 * ("living/motion"), so the kind is decided by the first and last levels
 * only and the name is everything in between. */
static enum cn_reject parse_z2m(const char *rest, size_t len, struct cn_topic *out)
{
	struct level lv[TOPIC_LEVELS_MAX];
	size_t n = split_levels(rest, len, lv, TOPIC_LEVELS_MAX);
	const struct level *last = &lv[n - 1];

	/* bridge/state, bridge/devices, bridge/request/...: Zigbee2MQTT's own
	 * traffic. {name}/set, {name}/get and {name}/set/{attribute} are
	 * commands to devices, possibly from us. {name}/action is the legacy
	 * per-attribute copy of `action`; the JSON state carries it too, so
	 * reading both would count every button press twice. */
	if (level_is(&lv[0], "bridge")) {
		out->kind = CN_TOPIC_IGNORED;
		return CN_REJECT_NONE;
	}
	if (n >= 2 &&
	    (level_is(last, "set") || level_is(last, "get") || level_is(last, "action"))) {
		out->kind = CN_TOPIC_IGNORED;
		return CN_REJECT_NONE;
	}
	if (n >= 3 && (level_is(&lv[n - 2], "set") || level_is(&lv[n - 2], "get"))) {
		out->kind = CN_TOPIC_IGNORED;
		return CN_REJECT_NONE;
	}
	if (n >= 2 && level_is(last, "availability")) {
		/* The name ends just before "/availability". */
		if (!set_name(out, rest, (size_t)(last->s - 1 - rest), CN_Z2M_NAME_MAX))
			return CN_REJECT_BAD_TOPIC;
		out->kind = CN_TOPIC_Z2M_AVAILABILITY;
		return CN_REJECT_NONE;
	}
	if (!set_name(out, rest, len, CN_Z2M_NAME_MAX))
		return CN_REJECT_BAD_TOPIC;
	out->kind = CN_TOPIC_Z2M_STATE;
	return CN_REJECT_NONE;
}

enum cn_reject cn_topic_parse(const char *topic, size_t len, const struct cn_topic_config *cfg,
                              struct cn_topic *out)
{
	const char *rest;
	size_t rest_len, bases;
	enum cn_reject rc;

	if (!out)
		return CN_REJECT_BAD_TOPIC;
	out->kind = CN_TOPIC_IGNORED;
	out->name[0] = '\0';
	if (!topic || !cfg || len == 0 || len > CN_TOPIC_MAX)
		return CN_REJECT_BAD_TOPIC;
	if (!topic_well_formed(topic, len))
		return CN_REJECT_BAD_TOPIC;

	/* Native first: if an operator ever set a z2m base equal to the root,
	 * our own devices keep working. */
	if (strip_prefix(topic, len, cfg->root, &rest, &rest_len)) {
		rc = parse_native(rest, rest_len, out);
		goto out;
	}
	bases = cfg->z2m_base_count;
	if (bases > CN_Z2M_BASES_MAX)
		bases = CN_Z2M_BASES_MAX;
	for (size_t i = 0; i < bases; i++) {
		if (strip_prefix(topic, len, cfg->z2m_bases[i], &rest, &rest_len)) {
			rc = parse_z2m(rest, rest_len, out);
			goto out;
		}
	}
	rc = CN_REJECT_BAD_TOPIC;
out:
	if (rc != CN_REJECT_NONE) {
		out->kind = CN_TOPIC_IGNORED;
		out->name[0] = '\0';
	}
	return rc;
}

bool cn_device_id_valid(const char *id)
{
	size_t len;

	if (!id)
		return false;
	len = strnlen(id, CN_DEVICE_ID_MAX + 1);
	if (len == 0 || len > CN_DEVICE_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
		if (!ok)
			return false;
	}
	/* Ids become file names in exports and path segments in the REST
	 * API: "." alone and any ".." are refused ("..." contains "..").
	 * Checked last, after the loop guaranteed printable ASCII. */
	if (strcmp(id, ".") == 0 || strstr(id, "..") != NULL)
		return false;
	return true;
}
