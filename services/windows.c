#include "windows.h"

#include "alerts.h"
#include "db_residents.h"
#include "db_windows.h"
#include "outbox.h"

enum cn_err windows_on_activity(struct app *app, struct db *db, const char *resident_id,
                                int64_t at, const char *actor, struct outbox *ob)
{
	enum cn_err rc = db_resident_touch_activity(db, resident_id, at);
	if (rc != CN_OK)
		return rc;
	int64_t alert_id = 0;
	return alerts_note_active(app, db, AK_INACTIVITY, resident_id, NULL, "activity",
	                          "activity after the alert", actor, at, ob, &alert_id);
}

enum cn_err windows_on_checkin(struct app *app, struct db *db, const char *resident_id,
                               int64_t at, struct outbox *ob)
{
	(void)app;
	(void)ob;
	return db_resident_touch_activity(db, resident_id, at);
}

enum cn_err windows_fire_due(struct app *app, struct db *db, int64_t now, struct outbox *ob)
{
	(void)app;
	(void)db;
	(void)now;
	(void)ob;
	return CN_OK;
}

enum cn_err windows_next_due(struct db *db, int64_t *at)
{
	return db_rule_timers_next_due(db, at);
}
