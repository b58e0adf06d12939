/* Stable names of the reasons an MQTT message is refused (reject.h). */
#include "reject.h"

/* Indexed by enum cn_reject. These strings are metric labels and database
 * values: add new reasons at the end, never rename one. */
static const char *const reject_names[CN_REJECT_COUNT] = {
	[CN_REJECT_NONE] = "none",
	[CN_REJECT_BAD_TOPIC] = "bad_topic",
	[CN_REJECT_TOO_LARGE] = "too_large",
	[CN_REJECT_BAD_UTF8] = "bad_utf8",
	[CN_REJECT_BAD_JSON] = "bad_json",
	[CN_REJECT_TOO_DEEP] = "too_deep",
	[CN_REJECT_BAD_TYPE] = "bad_type",
	[CN_REJECT_BAD_VALUE] = "bad_value",
	[CN_REJECT_MISSING_FIELD] = "missing_field",
	[CN_REJECT_BAD_TIMESTAMP] = "bad_timestamp",
	[CN_REJECT_UNKNOWN_DEVICE] = "unknown_device",
};

const char *cn_reject_name(enum cn_reject reason)
{
	/* Out-of-range values come from memory corruption or a cast; answer
	 * something printable rather than crash the logger that asked. */
	if ((unsigned)reason >= CN_REJECT_COUNT || !reject_names[reason])
		return "unknown";
	return reject_names[reason];
}
