/* Storage of device events and of quarantined messages. */
#ifndef CN_DB_EVENTS_H
#define CN_DB_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct db_event_new {
	int64_t id; /* time-ordered, chosen by the writer: see db_events_next_id */
	int64_t device_key;
	const char *type;
	const char *value_json; /* may be NULL */
	bool has_seq;
	int64_t seq;
	bool has_ts;
	int64_t ts;
	int64_t received_at;
	int battery; /* -1: none */
	const void *raw;
	size_t raw_len;
};

/* The earlier event with the same (device, seq). */
struct db_event_prior {
	int64_t event_id;
	int64_t alert_id; /* 0: none */
	int64_t received_at;
	char type[32];
	char value[128];
};

/* Whether `event_id` is one of the events the PostgreSQL writer holds
 * (db_held.h); then its alert_id is set there and stored with it. */
bool db_held_set_alert(struct db *db, int64_t event_id, int64_t alert_id);

/* Stores an event and sets *event_id. On PostgreSQL an event that cannot
 * be a repeat is held and stored with the rest of the transaction's in one
 * statement, at the commit or before the events table is next read. When this device's seq is stored
 * already, stores nothing, sets *duplicate and describes the earlier
 * event in *prior (so the caller can tell a retry from a reused seq). */
enum cn_err db_event_insert(struct db *db, const struct db_event_new *ev, bool *duplicate,
                            int64_t *event_id, struct db_event_prior *prior);

/* The highest event id stored (0 when none), for the writer to go on from.
 * On PostgreSQL it also makes the partitions of this month and the next
 * two ready (the writer calls it once, before it stores anything). */
enum cn_err db_events_max_id(struct db *db, int64_t *id);

/* The next event id for an event received at `received_at`: strictly
 * above `last`, and at least received_at x 1000, so ids follow time. */
int64_t db_events_next_id(int64_t last, int64_t received_at);

/* Quarantine: one row per topic (quarantine_topics) with the count of
 * refused messages, the last `len` bytes of `payload` and `reason`, and
 * first/last times; bounded by the number of topics seen lately, whatever
 * the network sends. Borrowed arguments, copied. Returns CN_OK, or
 * CN_ERR_DB / CN_ERR_FULL when the write fails. */
enum cn_err db_quarantine_insert(struct db *db, const char *topic, const void *payload, size_t len,
                                 const char *reason, int64_t now);

/* Deletes quarantine rows last hit before `before`, then all but the
 * `max_rows` hit most recently; *deleted gets the count. Returns CN_OK or
 * CN_ERR_DB. */
enum cn_err db_quarantine_prune(struct db *db, int64_t before, int max_rows, int *deleted);

/* The last kept value of a device's state attribute (device_state):
 * *found false when none was kept yet. Returns CN_OK or CN_ERR_DB. */
enum cn_err db_device_state_get(struct db *db, int64_t device_key, const char *attr, bool *found,
                                int *value, int64_t *changed_at);

/* Keeps `value` as the attribute's state since `changed_at`. Returns
 * CN_OK, or CN_ERR_DB / CN_ERR_FULL. */
enum cn_err db_device_state_set(struct db *db, int64_t device_key, const char *attr, int value,
                                int64_t changed_at);

/* Retention: removes events received before `before`; *deleted gets the
 * count. SQLite deletes at most `max` rows a call. PostgreSQL drops every
 * monthly partition that ends by `before` (whole months: an event stays
 * until its month has passed the cutoff), counts their rows from the
 * planner's estimate, deletes the stray rows of the default partition, and
 * creates the partitions of the next two months. Returns CN_OK or the
 * engine's error. */
enum cn_err db_events_prune(struct db *db, int64_t before, int max, int *deleted);

#endif
