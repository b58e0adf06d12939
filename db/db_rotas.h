/* Storage of rotas (the weekly plan) and the raw material of "who is on
 * call": the rota rows and the shifts of a site at one instant. Whether
 * a rota covers the instant is decided in services/care/rota.c, because
 * it needs the site's wall time. */
#ifndef CN_DB_ROTAS_H
#define CN_DB_ROTAS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "db_crud.h"

extern const struct res_desc db_rotas;

#define DB_ONCALL_MAX 128 /* rota rows or shifts read per site and instant */

struct db_rota_row {
	char staff_id[65];
	char tier[16];
	char days[96]; /* the JSON array as stored */
	char from[6], to[6];
	char starts_on[11], ends_on[11]; /* "" when open */
};

struct db_shift_claim {
	char staff_id[65];
	char tier[16]; /* "off" included */
	int64_t starts_at, ends_at;
};

/* The rotas of `site_id` whose staff are active and pageable (not
 * volunteers or family). Writes at most max rows. CN_OK or CN_ERR_DB. */
enum cn_err db_rotas_of_site(struct db *db, const char *site_id, struct db_rota_row *rows,
                             size_t max, size_t *n);

/* The shifts of `site_id` covering `at` (tier `off` included) of active,
 * pageable staff. CN_OK or CN_ERR_DB. */
enum cn_err db_shifts_covering(struct db *db, const char *site_id, int64_t at,
                               struct db_shift_claim *rows, size_t max, size_t *n);

/* The site's time zone (sites.timezone) into tz, "" when it has none
 * or the site is unknown. CN_OK or CN_ERR_DB. */
enum cn_err db_site_zone(struct db *db, const char *site_id, char *tz, size_t size);

/* The staff member as /v1/oncall shows them, into *out (new reference).
 * CN_ERR_NOT_FOUND when inactive or missing. */
enum cn_err db_oncall_staff_json(struct db *db, const char *staff_id, json_t **out);

#endif
