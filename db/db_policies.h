/* Storage of escalation policies (one JSON document per site and
 * priority) and of the policy an alert follows, recorded when it was
 * raised. The document's shape is services/alerting/esc_policy_json.h's;
 * this layer stores the text as given. */
#ifndef CN_DB_POLICIES_H
#define CN_DB_POLICIES_H

#include <stdint.h>

#include "db.h"

/* The site's policy for `priority` into *json (caller frees with free()),
 * or *json = NULL when the site has none (the default applies). CN_OK or
 * CN_ERR_DB. */
enum cn_err db_policy_get(struct db *db, const char *site_id, int priority, char **json);

/* Sets (insert or replace) the site's policy for `priority`. CN_OK or
 * CN_ERR_DB. */
enum cn_err db_policy_put(struct db *db, const char *site_id, int priority, const char *json,
                          int64_t now);

/* Records the policy an alert follows (NULL: the default ladder). */
enum cn_err db_alert_policy_set(struct db *db, int64_t alert_id, const char *json);

/* The policy an alert follows into *json (caller frees), NULL when it
 * follows the default ladder. CN_OK, CN_ERR_NOT_FOUND or CN_ERR_DB. */
enum cn_err db_alert_policy_get(struct db *db, int64_t alert_id, char **json);

#endif
