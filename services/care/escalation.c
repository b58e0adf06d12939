#include "escalation.h"

unsigned escalation_mask(int level)
{
	switch (level) {
	case 0:
		return ESC_PRIMARY;
	case 1:
		return ESC_PRIMARY | ESC_BACKUP;
	case 2:
		return ESC_PRIMARY | ESC_BACKUP | ESC_SUPERVISOR | ESC_COORDINATORS;
	default:
		return ESC_ON_DUTY | ESC_COORDINATORS;
	}
}

struct escalation escalation_next(int level, int priority, const long steps_s[3], int64_t now)
{
	struct escalation e = {0, 0, 0};
	if (priority < 1 || priority > 3)
		return e; /* P4: listed, never paged */
	e.level = level < 0 ? 0 : (level < ESCALATION_LEVEL_MAX ? level + 1 : ESCALATION_LEVEL_MAX);
	e.mask = escalation_mask(e.level);
	/* The next deadline counts from now, not from the one missed: after a
	 * restart an overdue step fires once, not once per step missed. */
	e.next_at = now + (int64_t)steps_s[priority - 1] * 1000;
	return e;
}
