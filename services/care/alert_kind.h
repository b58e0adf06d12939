/* Alert kinds of care-model.md "From events to alerts", with their default
 * priority and how repeats fold. Pure tables. */
#ifndef CN_ALERT_KIND_H
#define CN_ALERT_KIND_H

#include <stdbool.h>

enum alert_kind {
	AK_SOS,
	AK_FALL,
	AK_SMOKE,
	AK_GAS,
	AK_WATER_LEAK,
	AK_INACTIVITY,
	AK_NIGHT_EXIT,
	AK_MISSED_CHECKIN,
	AK_MISSED_VISIT,
	AK_DEVICE_OFFLINE,
	AK_LOW_BATTERY,
	AK_MANUAL,
	AK_CARBON_MONOXIDE,
	AK_COUNT
};

/* "sos", "fall", ... Never NULL for a valid kind. */
const char *alert_kind_name(enum alert_kind kind);
/* Looks a name up; false when unknown. */
bool alert_kind_from_name(const char *name, enum alert_kind *out);
/* 1 (most urgent) .. 4. */
int alert_kind_priority(enum alert_kind kind);
/* Technical kinds (device_offline, low_battery) fold per device and clear
 * themselves; the others fold per resident and are cleared by staff. */
bool alert_kind_is_technical(enum alert_kind kind);

#endif
