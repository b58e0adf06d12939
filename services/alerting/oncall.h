/* Who is on call at a site at an instant: the rotas that cover it in
 * wall time (the configured zone, with the offset in force at that
 * instant, so DST nights are right), overridden per person by their
 * shifts, `off` shifts taking them out (care/rota.h decides). Used by the
 * pages (alerts.c) and by GET /v1/oncall, so both always agree. */
#ifndef CN_ONCALL_H
#define CN_ONCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cn_error.h"
#include "rota.h"

struct db;

#define ONCALL_MAX 128

struct oncall_entry {
	char staff_id[65];
	enum rota_tier tier;
	int64_t starts_at, ends_at; /* the shift, or this occurrence of the rota */
	bool from_rota;
};

/* Fills out[0..*n) (at most max). CN_OK or CN_ERR_DB. A stored rota
 * that no longer parses is skipped (the API validates what it stores). */
enum cn_err oncall_at(struct db *db, const char *site_id, int64_t at, struct oncall_entry *out,
                      size_t max, size_t *n);

#endif
