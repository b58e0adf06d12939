/* Internal to the payload codec: the helpers payload.c (native events,
 * status, heartbeat) shares with z2m.c (Zigbee2MQTT state). Nothing
 * outside proto/payload.c and proto/z2m.c includes this. */
#ifndef CN_PAYLOAD_INTERNAL_H
#define CN_PAYLOAD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "event.h"
#include "payload.h"
#include "reject.h"

/* Size cap, UTF-8 and depth checks on the raw bytes, then the parse with
 * duplicate keys refused. On success *out is a new reference. */
enum cn_reject payload__load_json(const void *payload, size_t len,
                                  const struct cn_payload_limits *lim, json_t **out);
/* Clears an event to "nothing decoded" (battery -1). */
void payload__event_reset(struct cn_event *ev);
/* Sets the type and its canonical name. */
void payload__event_set_type(struct cn_event *ev, enum cn_event_type type);
/* True when j is the JSON string `word`. */
bool payload__json_string_is(const json_t *j, const char *word);
/* The member `key`, or NULL when absent or JSON null (null = absent). */
const json_t *payload__get_optional(const json_t *obj, const char *key);
/* Whether a device time lies in the accepted range (2000..9999). */
bool payload__ts_in_range(int64_t ms);
/* Reads a battery percentage 0-100 (rounded). */
enum cn_reject payload__read_battery(const json_t *j, int *out);

#endif
