/* Storage of channels, deliveries and ack links (migration 007). */
#ifndef CN_DB_DELIVERIES_H
#define CN_DB_DELIVERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"

struct db_channel {
	char id[65];
	char site_id[65];
	char kind[16];
	char url[1024];
	char secret[256];
	int rate_per_min; /* 0: the kind's default */
	bool enabled;
};
/* NOT_FOUND when unknown. */
enum cn_err db_channel_get(struct db *db, const char *id, struct db_channel *out);

struct db_delivery_new {
	int64_t alert_id;
	const char *channel_id, *kind;
	const char *staff_id; /* or */
	const char *contact;  /* JSON {name, relation, phone} text */
	const char *to_addr;
	int level;
	int64_t due_at, now;
};
enum cn_err db_delivery_add(struct db *db, const struct db_delivery_new *d, int64_t *id);

/* A delivery as the notifier works it. */
struct db_delivery {
	int64_t id, alert_id;
	char channel_id[65];
	char kind[16];
	char staff_id[65];
	char contact[512]; /* JSON text or "" */
	char to_addr[256];
	int level;
	int attempts;
	int64_t due_at, created_at;
};
/* Up to `max` queued or retrying deliveries due by `now`, oldest due first. */
enum cn_err db_deliveries_due(struct db *db, int64_t now, struct db_delivery *out, size_t max,
                              size_t *n);
/* The earliest due_at after `after` of a waiting delivery; 0 when none. */
enum cn_err db_deliveries_next_due(struct db *db, int64_t after, int64_t *at);

enum cn_err db_delivery_sent(struct db *db, int64_t id, int attempts, int64_t now);
enum cn_err db_delivery_retry(struct db *db, int64_t id, int attempts, int64_t due_at,
                              const char *error);
/* now = 0: given up without an attempt (no timeline line). */
enum cn_err db_delivery_failed(struct db *db, int64_t id, int attempts, int64_t now,
                               const char *error);
/* Carried by delivery `into` (a merged listing): status merged. */
enum cn_err db_delivery_merged(struct db *db, int64_t id, int64_t into, int64_t now);
enum cn_err db_delivery_set_token(struct db *db, int64_t id, const unsigned char hash[32]);

/* True when level `level` of the alert has deliveries and all failed. */
enum cn_err db_deliveries_level_failed(struct db *db, int64_t alert_id, int level, bool *all);

/* The deliveries of an alert as the API shows them (new array). */
enum cn_err db_deliveries_json(struct db *db, int64_t alert_id, json_t **out);

/* Counts by kind and status for /metrics: calls fn for each group. */
enum cn_err db_deliveries_counts(struct db *db,
                                 void (*fn)(void *ctx, const char *kind, const char *status,
                                            int64_t n),
                                 void *ctx);

/* What a message needs beyond the alert: the site's locale, and the staff
 * member's name and phone. */
enum cn_err db_site_locale(struct db *db, const char *site_id, char out[16]);
enum cn_err db_staff_reach(struct db *db, const char *staff_id, char name[201], char phone[41],
                           char email[255], json_t **contacts);
/* The resident's emergency contacts (new array, [] when none). */
enum cn_err db_resident_contacts(struct db *db, const char *resident_id, json_t **out);
/* The resident's access notes (out[0] = 0 when none). */
enum cn_err db_resident_access_notes(struct db *db, const char *resident_id, char *out,
                                     size_t size);

struct db_ack_token {
	int64_t alert_id;
	char staff_id[65];
	char contact[512]; /* JSON text or "" */
	char lang[16];
	int64_t created_at, expires_at, used_at;
};
enum cn_err db_ack_token_add(struct db *db, const unsigned char hash[32], int64_t alert_id,
                             const char *staff_id, const char *contact, const char *lang,
                             int64_t now, int64_t expires_at);
/* NOT_FOUND when no such hash. */
enum cn_err db_ack_token_get(struct db *db, const unsigned char hash[32], struct db_ack_token *out);
enum cn_err db_ack_token_use(struct db *db, const unsigned char hash[32], int64_t now);

/* Acknowledges an open alert as a resident's contact (JSON text).
 * CONFLICT when it is not open. */
enum cn_err db_alert_ack_contact(struct db *db, int64_t id, const char *contact, int64_t now);

#endif
