/* Storage of health readings, threshold documents and daily activity
 * summaries (migration 007). Every function runs on the caller's
 * connection, inside the caller's transaction when there is one. SQL in
 * the dialect SQLite and PostgreSQL share (ON CONFLICT ... DO UPDATE,
 * CASE instead of two-argument MIN/MAX). */
#ifndef CN_DB_HEALTH_H
#define CN_DB_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cn_error.h"

struct db;

struct db_measurement_new {
	const char *resident_id;
	const char *type;       /* "blood_pressure", ... */
	const char *value_json; /* canonical JSON text of the value */
	int64_t taken_at;
	const char *source;    /* "device" or "staff" */
	const char *device_id; /* may be NULL */
	const char *taken_by;  /* staff id, may be NULL */
	int64_t event_id;      /* 0: none */
	int64_t created_at;
};

/* Stores a reading; *id gets its id. CN_OK, CN_ERR_CONFLICT (an unknown
 * resident), CN_ERR_DB. */
enum cn_err db_measurement_insert(struct db *db, const struct db_measurement_new *m, int64_t *id);

/* One reading as the API shows it (new reference in *out), or
 * CN_ERR_NOT_FOUND. */
enum cn_err db_measurement_get(struct db *db, int64_t id, json_t **out);

struct db_measurement_query {
	const char *resident_id;
	const char *type; /* NULL: all */
	bool has_since, has_until;
	int64_t since, until;
	int64_t after; /* cursor: rows with id below it; 0: from the newest */
	int limit;
};

/* Readings newest first; *items a new array, *last_key the cursor. */
enum cn_err db_measurements_list(struct db *db, const struct db_measurement_query *q,
                                 json_t **items, int64_t *last_key);

/* The stored threshold document of ("site"|"resident", owner); *doc is
 * NULL (and CN_OK) when none was ever stored. New reference. */
enum cn_err db_thresholds_get(struct db *db, const char *scope, const char *owner, json_t **doc);

/* Replaces the document (compact JSON text). */
enum cn_err db_thresholds_put(struct db *db, const char *scope, const char *owner,
                              const char *doc_json, int64_t now, const char *by);

/* Adds one batch of a resident's activity on one local day: the counts
 * are added, first/last widened, the hour mask OR-ed; `room` (may be
 * the device's room gets `events` more. One upsert per (resident, day)
 * and one for the room. */
struct db_activity_add {
	const char *resident_id;
	int32_t day;
	int events;
	int64_t first_at, last_at;
	uint32_t hours_mask;
	int night_events;
	int64_t device_key; /* its device's room gets the events in by_room; 0: none */
};
enum cn_err db_activity_add(struct db *db, const struct db_activity_add *a);

/* Summaries of days from..to (inclusive) that have a row, oldest first,
 * each {"day" (integer), "events", "first_at", "last_at", "hours_mask",
 * "night_events", "by_room": {room: n}}. New array in *out. */
enum cn_err db_activity_range(struct db *db, const char *resident_id, int32_t from, int32_t to,
                              json_t **out);

/* Minutes of [start, end) the resident spent checked in at day care
 * (an open check-in counts up to `now`). */
enum cn_err db_attendance_minutes(struct db *db, const char *resident_id, int64_t start,
                                  int64_t end, int64_t now, int *minutes);

/* Deletes summaries of days before `day`; *deleted how many. */
enum cn_err db_activity_prune(struct db *db, int32_t day, int *deleted);

/* Raises an active alert's priority (a critical reading folding into an
 * open P2 vital_sign). CN_ERR_CONFLICT when it is resolved. */
enum cn_err db_alert_set_priority(struct db *db, int64_t alert_id, int priority, int64_t now);

/* Enrolled residents with no wellbeing verdict for `day` yet: up to
 * `max` ids and their sites. */
struct db_wellbeing_pending {
	char resident_id[65];
	char site_id[65];
	char presence[12];
};
enum cn_err db_wellbeing_pending(struct db *db, int32_t day, struct db_wellbeing_pending *out,
                                 size_t max, size_t *n);

/* Events and night events of the resident's days from..to (rows that
 * exist, oldest first) and whether each day had a day-care stay
 * (`date` of attendance, YYYY-MM-DD, from activity_date_string). */
struct db_activity_brief {
	int32_t day;
	int events;
	int night_events;
};
enum cn_err db_activity_brief(struct db *db, const char *resident_id, int32_t from, int32_t to,
                              struct db_activity_brief *out, size_t max, size_t *n);
enum cn_err db_attendance_on(struct db *db, const char *resident_id, const char *date, bool *yes);

/* Records a verdict (once per resident and day). */
enum cn_err db_wellbeing_record(struct db *db, const char *resident_id, int32_t day,
                                const char *verdict, int64_t now);

/* Clinicians with a shift at the site covering `now` (the clinic's staff
 * on duty, paged for P1 vital_sign alerts): up to `max` ids. */
enum cn_err db_clinicians_on_duty(struct db *db, const char *site_id, int64_t now, char ids[][65],
                                  size_t max, size_t *n);

#endif
