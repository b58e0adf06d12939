/* Storage of the service net: day-care attendance, service requests (the
 * generic record descriptor plus their guarded status changes), request
 * candidates and the response report's figures. Every statement is static
 * SQL with bound values. */
#ifndef CN_DB_SERVICE_NET_H
#define CN_DB_SERVICE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "db_crud.h"

/* ---- attendance ---- */

/* Opens a day-care entry: *id gets its key. CONFLICT when the resident
 * has an open entry already. */
enum cn_err db_attendance_check_in(struct db *db, const char *resident_id, const char *site_id,
                                   const char *day, int64_t at, const char *by, int64_t *id);
/* Closes the resident's open entry: *id gets its key. CONFLICT when none
 * is open. */
enum cn_err db_attendance_check_out(struct db *db, const char *resident_id, int64_t at,
                                    const char *by, int64_t *id);
/* One entry as the API shows it (new reference). */
enum cn_err db_attendance_get(struct db *db, int64_t id, json_t **out);
/* A page of a site's entries of local day `day`, in check-in order. */
enum cn_err db_attendance_list(struct db *db, const char *site_id, const char *day, int64_t after,
                               int limit, json_t **items, int64_t *last_key);
/* Sets presence (home, daycare) and clears presence_until. */
enum cn_err db_resident_set_presence(struct db *db, const char *id, const char *presence,
                                     int64_t now);
/* Whether a site exists. */
enum cn_err db_site_exists(struct db *db, const char *id, bool *yes);

/* ---- service requests ---- */

/* The request resource: insert takes resident_id, service_id, note and
 * requested_by; rows show `resident: {id, name, address}`. The list's
 * :volunteer scope is "open to them (provider volunteer, status requested,
 * a resident of their site) or assigned to them"; newest first. */
extern const struct res_desc db_requests;

/* What the policy and the status rules need to know of a request. */
struct db_request_facts {
	char resident_id[65], site_id[65], status[16], provider[16], category[16];
	char assignee_id[65], requested_by[65]; /* "" when none */
	int64_t window_start, window_end;       /* 0 when none */
};
/* NOT_FOUND for an unknown request. */
enum cn_err db_request_facts(struct db *db, const char *id, struct db_request_facts *out);

/* Whether a service exists (NOT_FOUND) and is active. */
enum cn_err db_service_active(struct db *db, const char *id, bool *active);

/* Guarded status changes: CONFLICT when the request's status does not
 * allow the step. assign: requested -> scheduled, or a new assignee or
 * window for a scheduled request unless `only_requested`; clears a
 * recorded missed visit. */
enum cn_err db_request_assign(struct db *db, const char *id, const char *staff_id,
                              int64_t window_start, int64_t window_end, bool only_requested,
                              int64_t now);
enum cn_err db_request_start(struct db *db, const char *id, int64_t now);
/* note NULL keeps the request's note; rating 0 leaves it unset. */
enum cn_err db_request_complete(struct db *db, const char *id, const char *note, int rating,
                                int64_t now);
enum cn_err db_request_cancel(struct db *db, const char *id, int64_t now);

/* Active caregivers and volunteers of `site_id` (at most `max`), each row
 * the staff object plus "skill_match" (skills hold `category`), "on_duty"
 * (a shift covers [from, to]), "load" (their scheduled and in-progress
 * requests) and "available" (none of those overlaps [from, to), other than
 * `request_id`). *items is a new array. */
enum cn_err db_request_candidates(struct db *db, const char *site_id, const char *request_id,
                                  const char *category, int64_t from, int64_t to, int max,
                                  json_t **items);

/* ---- the response report ---- */

struct db_report_query {
	const char *site_id;   /* NULL: every site */
	const char *region_id; /* NULL: any; else only sites in this region or below */
	int64_t from, to;      /* alerts raised in [from, to) */
	int64_t now;           /* an unanswered alert counts as late once older than a threshold */
};

/* Counts over the period's alerts. "Paged" alerts are priority 1-3 and
 * not cleared by the system unanswered (a technical alert that cleared
 * itself). An alert is answered at its acknowledgement, or when staff
 * resolved it without one. */
struct db_report_counts {
	int64_t alerts;
	int64_t answered;                            /* paged and answered */
	int64_t ack_within[2], ack_decided[2];       /* 60 s, 180 s */
	int64_t onsite_within[2], onsite_decided[2]; /* 45 min, 60 min */
	int64_t false_alarms, with_outcome;
	int64_t visits_done, visits_missed, visits_rated;
	double rating_mean; /* over visits_rated */
};
enum cn_err db_report_counts(struct db *db, const struct db_report_query *q,
                             struct db_report_counts *out);
/* The k-th smallest (0-based) answer time in ms of the paged alerts. */
enum cn_err db_report_answer_ms(struct db *db, const struct db_report_query *q, int64_t k,
                                int64_t *ms);
/* Alerts per kind (by_outcome false) or per outcome of the resolved ones
 * (true), set into the object `into`. */
enum cn_err db_report_groups(struct db *db, const struct db_report_query *q, bool by_outcome,
                             json_t *into);
/* Paged alerts answered after 180 s, or unanswered 180 s after raise,
 * oldest first, at most `max`: {alert_id, kind, priority, resident_id,
 * created_at, acked_at, ack_s}. */
enum cn_err db_report_exceptions(struct db *db, const struct db_report_query *q, int max,
                                 json_t **items);

#endif
