/* Encoders for everything the daemon sends: topics and bodies. The
 * decoders' other half (topic.h, payload.h); services/ prints none.
 * Pure: no I/O; bodies are allocated, topics written into the caller's
 * buffer. Thread-safe. The wire formats are in proto/asyncapi.yaml. */
#ifndef CN_ENCODE_H
#define CN_ENCODE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Topic builders. Each writes a NUL-terminated topic into `out` (`size`
 * bytes). Returns true, or false when an argument is NULL or the topic
 * would not fit (`out` then holds ""). */
/* {root}/dev/{device_id}/ack: the application-level ack of an event. */
bool cn_encode_topic_dev_ack(char *out, size_t size, const char *root, const char *device_id);
/* {root}/dev/{device_id}/cmd: commands to a device (help_coming). */
bool cn_encode_topic_dev_cmd(char *out, size_t size, const char *root, const char *device_id);
/* {root}/staff/{staff_id}/notify: a page to one staff member. */
bool cn_encode_topic_staff_page(char *out, size_t size, const char *root, const char *staff_id);
/* {root}/site/{site_id}/alerts: a site's alert changes; NULL site is "". */
bool cn_encode_topic_site_alerts(char *out, size_t size, const char *root, const char *site_id);
/* {root}/service/status: the retained online/offline status (and will). */
bool cn_encode_topic_service_status(char *out, size_t size, const char *root);
/* Subscription filters: {root}/dev/+/{kind}, and {base}/# for the first
 * `base_len` bytes of `base` (one entry of the comma-separated list). */
bool cn_encode_filter_dev(char *out, size_t size, const char *root, const char *kind);
bool cn_encode_filter_base(char *out, size_t size, const char *base, size_t base_len);

/* Body builders. Each returns a NUL-terminated string the caller frees
 * with free(), or NULL when out of memory or an argument is NULL. */
/* {"seq":N|null,"event_id":"E","alert_id":"A"|null}; alert_id <= 0 is null. */
char *cn_encode_dev_ack(bool has_seq, int64_t seq, int64_t event_id, int64_t alert_id);
/* {"cmd":"help_coming","alert_id":"A"} */
char *cn_encode_help_coming(int64_t alert_id);
/* The staff page: the alert object (borrowed, not changed) with "level",
 * "resident" (the resident card, borrowed) and "nobody_on_shift" set. */
char *cn_encode_staff_page(const json_t *alert, const json_t *resident_card, int level,
                           bool nobody_on_shift);
/* A site alert change: {"event":event,"alert":alert} (alert borrowed). */
char *cn_encode_site_alert(const char *event, const json_t *alert);
/* The service status body: "online" or "offline" (static, not freed). */
const char *cn_encode_service_status(bool online);

#endif
