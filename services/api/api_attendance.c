/* Day-care attendance over REST: check-in and check-out of a resident
 * (their presence moves, and with it the time rules of windows.c) and the
 * day's list for a site. The other service-net handlers are
 * api_requests.c and api_reports.c. */
#include <stdio.h>
#include <string.h>

#include "api_crud.h"
#include "api_refs.h"
#include "api_service_net.h"
#include "app.h"
#include "clock.h"
#include "db.h"
#include "db_records.h"
#include "db_service_net.h"
#include "db_windows.h"
#include "outbox.h"
#include "payload.h"
#include "policy.h"
#include "validate.h"
#include "windows.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

void api_attendance_record(struct api_req *r)
{
	static const char *const actions[] = {"check_in", "check_out", NULL};
	static const struct field_spec fields[] = {
		{"resident_id", FIELD_ID, true},
		{"action", FIELD_ENUM, true, 0, 0, actions},
	};
	if (!validate_body(r, fields, N(fields)))
		return;
	const char *resident = str(r->body, "resident_id");
	bool in = strcmp(str(r->body, "action"), "check_in") == 0;
	struct db_win_resident res;
	if (!api_ref_resident_may(r, PR_ATTENDANCE, PA_CREATE, resident, &res))
		return;
	if (strcmp(res.status, "discharged") == 0) {
		api_error(r, CN_ERR_CONFLICT, "resident_id: %s is discharged", resident);
		return;
	}
	char actor[80], day[11], entry_id[24];
	api_ref_actor(r, actor);
	clock_local_date(r->now, day);
	struct outbox ob;
	outbox_init(&ob);
	json_t *before = NULL, *after = NULL, *entry = NULL;
	int64_t id = 0;
	enum cn_err rc = db_begin(r->db);
	if (rc == CN_OK)
		rc = db_res_get(r->db, &db_residents, resident, &before);
	if (rc == CN_OK && in) {
		rc = db_attendance_check_in(r->db, resident, res.site_id, day, r->now, r->who->id,
		                            &id);
		if (rc == CN_ERR_CONFLICT)
			api_error(r, rc, "resident_id: %s is checked in already", resident);
	} else if (rc == CN_OK) {
		rc = db_attendance_check_out(r->db, resident, r->now, r->who->id, &id);
		if (rc == CN_ERR_CONFLICT)
			api_error(r, rc, "resident_id: %s is not checked in", resident);
	}
	if (rc == CN_OK)
		rc = db_resident_set_presence(r->db, resident, in ? "daycare" : "home", r->now);
	/* Arriving at day care is a sign of life; leaving it restarts the
	 * inactivity clock through the return home (windows.c). */
	if (rc == CN_OK && in)
		rc = windows_on_activity(r->app, r->db, resident, r->now, actor, &ob);
	if (rc == CN_OK)
		rc = windows_on_presence(r->app, r->db, resident, r->now, &ob);
	if (rc == CN_OK)
		rc = db_attendance_get(r->db, id, &entry);
	if (rc == CN_OK)
		rc = db_res_get(r->db, &db_residents, resident, &after);
	snprintf(entry_id, sizeof(entry_id), "%lld", (long long)id);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, res.site_id,
		                  in ? "check_in" : "check_out", "attendance", entry_id, NULL,
		                  entry);
	if (rc == CN_OK)
		rc = db_audit_add(r->db, r->now, r->who->id, res.site_id, "update", "residents",
		                  resident, before, after);
	if (api_commit(r, rc, &ob, "the resident's attendance does not allow this")) {
		api_reply(r, 200, after);
		after = NULL;
	}
	outbox_free(&ob);
	json_decref(before);
	json_decref(after);
	json_decref(entry);
}

void api_attendance_list(struct api_req *r)
{
	if (!policy_require(r, PR_ATTENDANCE, PA_LIST, NULL))
		return;
	int limit;
	int64_t after, midnight;
	const char *site = NULL;
	if (!validate_page(r, &limit, &after) || !api_ref_scoped_site(r, PR_ATTENDANCE, &site))
		return;
	if (!site) {
		api_error(r, CN_ERR_INVALID, "site_id: required");
		return;
	}
	char day[11];
	const char *date = api_query(r, "date");
	if (date && !clock_parse_local_date(date, &midnight)) {
		api_error(r, CN_ERR_INVALID, "date: must be a date YYYY-MM-DD");
		return;
	}
	if (date)
		snprintf(day, sizeof(day), "%s", date);
	else
		clock_local_date(r->now, day);
	json_t *items = NULL;
	int64_t last = 0;
	enum cn_err rc = db_attendance_list(r->db, site, day, after, limit, &items, &last);
	if (rc != CN_OK) {
		api_error(r, rc, "cannot list attendance");
		return;
	}
	api_reply(r, 200, page_body(items, limit, last));
}
