/* Authorization in one place: every handler asks policy_decide() and
 * applies the answer; no handler checks roles itself. The rules are the
 * contract's "Who sees what" (and proto/openapi.yaml's per-operation
 * notes): admin everything; coordinator everything of their site;
 * caregiver residents, devices, events and alerts of their site, acts on
 * alerts, works requests assigned to them; volunteer only requests open to
 * or assigned to them; family only their residents' status, presence and
 * alerts, and may raise a manual alert or order a service for them;
 * officer (civil affairs, contract section 8) reads only: the sites of
 * their region and below, their residents' names and the services they
 * received, reports and settlement; no health data, events or alerts.
 *
 * Where existence itself would leak (another site's resident, a family
 * member probing ids), the answer is POL_HIDDEN (404), not 403. */
#ifndef CN_POLICY_H
#define CN_POLICY_H

#include <stdbool.h>

#include "api.h"

enum pol_resource {
	PR_SITE,
	PR_STAFF,
	PR_RESIDENT,
	PR_DEVICE,
	PR_EVENT,
	PR_SHIFT,
	PR_ALERT,
	PR_ATTENDANCE,
	PR_SERVICE,
	PR_REQUEST,
	PR_REPORT,
	PR_AUDIT,
	PR_MEASUREMENT, /* a resident's health readings */
	PR_THRESHOLD,   /* vital-sign thresholds of a site (site_id) or resident */
	PR_ACTIVITY,    /* a resident's daily activity summaries */
	PR_REGION,      /* districts, streets, communities (contract section 8) */
	PR_SETTLEMENT,  /* the monthly settlement; CREATE is closing a month */
	PR_CHANNEL,     /* /v1/channels: admin; coordinator for their site */
	PR_COUNT
};

enum pol_action {
	PA_LIST, /* list the resource (scope filters apply, see policy_scope) */
	PA_READ, /* read one object */
	PA_CREATE,
	PA_UPDATE,
	PA_DELETE, /* also: cancelling a service request */
	PA_ACT,    /* alert steps (ack, dispatch, ...); request work (start, complete) */
	PA_ASSIGN, /* schedule a request to someone */
	PA_COUNT
};

/* What the handler knows about the object (NULL/false when not relevant,
 * e.g. for a list). */
struct pol_target {
	const char *site_id;       /* the object's site */
	bool family_member;        /* caller is family of the object's resident */
	bool own;                  /* the object is the caller's own record, shift or assignment */
	bool open_to_volunteers;   /* a request a volunteer may take */
	bool privileged;           /* staff record of an admin or coordinator */
	bool requester;            /* a request the caller made (they may cancel it) */
	bool in_region;            /* the object's site (or the region itself) lies in the
	                          * caller's region or below; the handler resolves the
	                          * region tree, and the flag counts for officers only */
	char site_buf[ID_MAX + 1]; /* room for a site_id the handler looked up */
};

enum pol_decision { POL_ALLOW = 0, POL_FORBIDDEN = 403, POL_HIDDEN = 404 };

enum pol_decision policy_decide(const struct principal *who, enum pol_resource res,
                                enum pol_action act, const struct pol_target *t);

/* How a list must be narrowed for the caller. */
struct pol_scope {
	const char *site_id;   /* only this site (coordinator, caregiver), or NULL */
	const char *family;    /* only residents of this family member, or NULL */
	const char *volunteer; /* only requests open to or assigned to this volunteer */
	const char *self;      /* only the caller's own rows (staff, shifts) */
	const char *region_id; /* only sites in this region or below (officer) */
};
void policy_scope(const struct principal *who, enum pol_resource res, struct pol_scope *out);

/* Sets the 403/404 response for a refusal and returns false; returns true
 * on POL_ALLOW. */
bool policy_require(struct api_req *r, enum pol_resource res, enum pol_action act,
                    const struct pol_target *t);

#endif
