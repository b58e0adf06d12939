/* Topic codec: which device and which kind of message a topic names.
 * Pure: no I/O, no allocation. */
#ifndef CN_TOPIC_H
#define CN_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#include "reject.h"

#define CN_DEVICE_ID_MAX 64  /* longest native device id, without the NUL */
#define CN_Z2M_NAME_MAX  128 /* longest Zigbee2MQTT friendly name, without NUL */
#define CN_TOPIC_MAX     256 /* longest topic we accept, without the NUL */
#define CN_Z2M_BASES_MAX 8   /* at most this many comma-separated z2m bases */

enum cn_topic_kind {
	CN_TOPIC_DEV_EVENT,        /* {root}/dev/{id}/event */
	CN_TOPIC_DEV_STATUS,       /* {root}/dev/{id}/status */
	CN_TOPIC_DEV_HEARTBEAT,    /* {root}/dev/{id}/heartbeat */
	CN_TOPIC_Z2M_STATE,        /* {base}/{friendly_name} */
	CN_TOPIC_Z2M_AVAILABILITY, /* {base}/{friendly_name}/availability */
	CN_TOPIC_IGNORED,          /* well-formed traffic not for us: our own
	                             {root}/dev/{id}/ack|cmd, {root}/staff/...,
	                             {root}/site/..., {root}/service/...; z2m
	                             {base}/bridge/..., {name}/set, {name}/get,
	                             {name}/set/{attr}, {name}/get/{attr}, and
	                             {name}/action (legacy copy of the state's
	                             `action`, which would double-count) */
};

/* Which topics the daemon reads. Borrowed strings, valid while in use. */
struct cn_topic_config {
	const char *root;                        /* "carenet" */
	const char *z2m_bases[CN_Z2M_BASES_MAX]; /* "zigbee2mqtt", ... */
	size_t z2m_base_count;
};

struct cn_topic {
	enum cn_topic_kind kind;
	/* Device id (native) or friendly name (z2m), NUL-terminated. */
	char name[CN_Z2M_NAME_MAX + 1];
};

/* Parses `topic` (`len` bytes, not necessarily NUL-terminated).
 * Returns CN_REJECT_NONE and fills `out`, or a reason: CN_REJECT_BAD_TOPIC
 * for empty levels, `.` or `..` levels, `+` or `#`, control characters
 * (U+0000-U+001F, U+007F-U+009F), Unicode non-characters, bad UTF-8, a
 * topic over CN_TOPIC_MAX bytes, a device id that fails
 * cn_device_id_valid(), a friendly name over CN_Z2M_NAME_MAX bytes, an
 * unknown message kind under {root}/dev/{id}/, or a topic outside root
 * and the z2m bases. Root is tried before the bases.
 * With CN_TOPIC_IGNORED, `name` holds the device id for our own
 * ack/cmd topics and is empty otherwise. On a reject, out->kind is
 * CN_TOPIC_IGNORED and out->name is empty. Bases past CN_Z2M_BASES_MAX
 * and NULL or empty root/bases are skipped. Thread-safe. */
enum cn_reject cn_topic_parse(const char *topic, size_t len, const struct cn_topic_config *cfg,
                              struct cn_topic *out);

/* True when `id` is a valid native device id: 1-64 bytes of
 * [A-Za-z0-9._:-], not "." or "..", no "..". Used by the REST API too. */
bool cn_device_id_valid(const char *id);

#endif
