/* GET /v1/alerts and GET /v1/events: the two hot lists, with statements
 * shaped for their indexes rather than the generic resource SQL. */
#ifndef CN_DB_ALERTS_LIST_H
#define CN_DB_ALERTS_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

struct db_alert_query {
	int limit;
	int64_t after;        /* cursor: alerts with a smaller id (newest first) */
	const char *status;   /* "active" = not resolved */
	const char *priority; /* "1".."4" */
	const char *kind;
	const char *resident_id;
	const char *site_id;
	bool has_since;
	int64_t since;            /* created_at >= */
	const char *scope_site;   /* policy: only this site */
	const char *scope_family; /* policy: only this family member's residents */
};

/* Newest first; *last_key is the last alert's id (the next cursor). */
enum cn_err db_alerts_list(struct db *db, const struct db_alert_query *q, json_t **items,
                           int64_t *last_key);

struct db_event_query {
	int limit;
	int64_t after; /* cursor: events with a smaller id (newest first) */
	const char *device_id;
	const char *resident_id;
	const char *type;
	bool has_since, has_until;
	int64_t since, until; /* received_at, [since, until) */
	const char *scope_site;
};

/* Newest first within the filters; *last_key the last event's id. */
enum cn_err db_events_list(struct db *db, const struct db_event_query *q, json_t **items,
                           int64_t *last_key);

#endif
