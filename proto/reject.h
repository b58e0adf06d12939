/* Why an incoming MQTT message was refused. The names are the `reason`
 * label of carenet_events_rejected_total and the `reason` column of the
 * quarantine table, so they never change once released. */
#ifndef CN_REJECT_H
#define CN_REJECT_H

enum cn_reject {
	CN_REJECT_NONE = 0,
	CN_REJECT_BAD_TOPIC,      /* "bad_topic" */
	CN_REJECT_TOO_LARGE,      /* "too_large": over mqtt payload cap */
	CN_REJECT_BAD_UTF8,       /* "bad_utf8" */
	CN_REJECT_BAD_JSON,       /* "bad_json": does not parse, duplicate keys */
	CN_REJECT_TOO_DEEP,       /* "too_deep": nesting over the cap */
	CN_REJECT_BAD_TYPE,       /* "bad_type": a field of the wrong JSON type */
	CN_REJECT_BAD_VALUE,      /* "bad_value": right type, out of range */
	CN_REJECT_MISSING_FIELD,  /* "missing_field" */
	CN_REJECT_BAD_TIMESTAMP,  /* "bad_timestamp" */
	CN_REJECT_UNKNOWN_DEVICE, /* "unknown_device": set by ingest, not codecs */
	CN_REJECT_COUNT
};

/* The stable name, e.g. "bad_json"; "none" for CN_REJECT_NONE and
 * "unknown" for a value outside the enum. Never NULL; static storage. */
const char *cn_reject_name(enum cn_reject reason);

#endif
