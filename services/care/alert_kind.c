#include "alert_kind.h"

#include <string.h>

static const struct {
	const char *name;
	int priority;
	bool technical;
} kinds[AK_COUNT] = {
	[AK_SOS] = {"sos", 1, false},
	[AK_FALL] = {"fall", 1, false},
	[AK_SMOKE] = {"smoke", 1, false},
	[AK_GAS] = {"gas", 1, false},
	[AK_WATER_LEAK] = {"water_leak", 2, false},
	[AK_INACTIVITY] = {"inactivity", 2, false},
	[AK_NIGHT_EXIT] = {"night_exit", 2, false},
	[AK_MISSED_CHECKIN] = {"missed_checkin", 2, false},
	[AK_MISSED_VISIT] = {"missed_visit", 2, false},
	[AK_DEVICE_OFFLINE] = {"device_offline", 3, true},
	[AK_LOW_BATTERY] = {"low_battery", 4, true},
	[AK_MANUAL] = {"manual", 2, false},
	[AK_CARBON_MONOXIDE] = {"carbon_monoxide", 1, false},
};

const char *alert_kind_name(enum alert_kind kind)
{
	return (kind >= 0 && kind < AK_COUNT) ? kinds[kind].name : "unknown";
}

bool alert_kind_from_name(const char *name, enum alert_kind *out)
{
	for (int i = 0; name && i < AK_COUNT; i++) {
		if (strcmp(kinds[i].name, name) == 0) {
			*out = (enum alert_kind)i;
			return true;
		}
	}
	return false;
}

int alert_kind_priority(enum alert_kind kind)
{
	return (kind >= 0 && kind < AK_COUNT) ? kinds[kind].priority : 2;
}

bool alert_kind_is_technical(enum alert_kind kind)
{
	return kind >= 0 && kind < AK_COUNT && kinds[kind].technical;
}
