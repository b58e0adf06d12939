/* carenet-sim evaluate --policy/--rota: the policy what-if (issue 15).
 * For each alert the trace raises, who a proposed escalation policy and
 * rota would have paged, and when, if nobody answered: the same decisions
 * carenetd takes (care/rota.c for who is on call in wall time,
 * care/page_plan.c for whom each step reaches, care/esc_policy.c for the
 * steps and repeats), linked in, not copied. */
#ifndef SIM_POLICY_H
#define SIM_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct sim_policy;

/* Loads a policy document (the body of PUT /v1/sites/{id}/escalation;
 * missing priorities follow the default ladder of 60/300/1800 s) and a
 * rota document ({"rotas": [the bodies of POST /v1/rotas],
 * "coordinators": [staff ids]}); each argument is JSON or @FILE. Pages
 * are followed for `unanswered_s` after each alert's raise. NULL after
 * an error, which is printed. Free with sim_policy_free(). */
struct sim_policy *sim_policy_load(const char *policy, const char *rota, long unanswered_s);
void sim_policy_free(struct sim_policy *p);

/* One alert of `kind` raised at `at` (ms): prints one {"page": ...} line
 * per step that would page somebody. */
void sim_policy_alert(struct sim_policy *p, const char *kind, int64_t at);

/* Prints {"policy_summary": {...}}: alerts, pages, the alerts that would
 * have passed 60 s unacknowledged if nobody answered level 0 (no step
 * after the first pages anyone within 60 s), and the pages per person
 * and night (the local date the night began; a night runs 12:00-12:00). */
void sim_policy_summary(const struct sim_policy *p);

#endif
