/* Escalation policies to and from their JSON form (contract section 5):
 * {"steps": [{"after_s": 0, "notify": ["tier:primary", ...]}, ...],
 *  "repeat_s": 300}. The document of a site holds "p1".."p4". */
#ifndef CN_ESC_POLICY_JSON_H
#define CN_ESC_POLICY_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "esc_policy.h"

/* Reads one priority's policy from `j` and validates it
 * (esc_policy_validate). `name` ("p1") prefixes the field named in err.
 * CN_OK, or CN_ERR_INVALID with err set. Unknown members are refused. */
enum cn_err esc_policy_from_json(const json_t *j, const char *name, struct esc_policy *p, char *err,
                                 size_t err_size);

/* The JSON form of p (new reference). */
json_t *esc_policy_to_json(const struct esc_policy *p);

#endif
