#include "policy.h"

#include <string.h>

/* What a role may do with one action on one resource, as the spec words
 * it. Each rule turns the facts of the target into the decision. */
enum rule {
	NO,          /* may never: 403 whatever the target */
	ALL,         /* anything (lists are narrowed by policy_scope) */
	SITE,        /* objects of their site; others 404 */
	SITE_SEEN,   /* sees their site's but may not change it: 403; others 404 */
	SITE_NEW,    /* creates at their own site; elsewhere 403 */
	STAFF_NEW,   /* creates caregivers, volunteers, family at their site; else 403 */
	STAFF_SITE,  /* users of their site, but admins and coordinators 403; others 404 */
	SELF,        /* their own record; anyone else's 403 */
	FAMILY,      /* residents in their resident_ids (their alerts, requests); others 404 */
	FAMILY_SEEN, /* their residents': 403; others 404 */
	VOL_SEE,     /* requests open to or assigned to them; others 404 */
	VOL_WORK,    /* works requests assigned to them; an open one 403; others 404 */
	VOL_SEEN,    /* requests they see: 403; others 404 */
	OWN_WORK,    /* works what is assigned to them; their site's others 403; others 404 */
	REQUESTER,   /* what they asked for; their site's others 403; others 404 */
	OWN_ONLY,    /* their own (shifts); anyone else's 404 */
	OWN_SEEN,    /* their own: 403; anyone else's 404 */
	REGION,      /* objects in their region or below (officer); others 404 */
};

/* The contract's "Who sees what" and openapi.yaml's per-operation notes.
 * Columns: LIST READ CREATE UPDATE DELETE ACT ASSIGN (enum pol_action).
 * For requests DELETE is cancelling, ACT start/complete, ASSIGN
 * scheduling; for alerts CREATE is a manual alert and ACT the steps.
 * Sites, services and the audit log are never deleted, shifts never
 * edited; nobody writes events, reports or audit rows through the API.
 *
 * CREATE for a resident or at a site outside the caller's scope is 404
 * here: the handler answers 400 naming the body field (openapi.yaml: a
 * body field naming an object outside the caller's scope). Staff and
 * shifts at another site are 403 instead, as their operations say. */
static const enum rule rules[ROLE_COUNT][PR_COUNT][PA_COUNT] =
	{
		[ROLE_ADMIN] =
			{
				[PR_SITE] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_STAFF] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_RESIDENT] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_DEVICE] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_EVENT] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_SHIFT] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_ALERT] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_ATTENDANCE] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_SERVICE] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_REQUEST] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
				[PR_REPORT] = {ALL, ALL, NO, NO, NO, NO, NO},
				[PR_AUDIT] = {ALL, ALL, NO, NO, NO, NO, NO},
				/* regions are never deleted; CREATE of a settlement is
				 * closing a month or an adjustment line */
				[PR_REGION] = {ALL, ALL, ALL, ALL, NO, NO, NO},
				[PR_SETTLEMENT] = {ALL, ALL, ALL, NO, NO, NO, NO},
				[PR_MEASUREMENT] = {ALL, ALL, ALL, NO, NO, NO, NO},
				[PR_THRESHOLD] = {ALL, ALL, NO, ALL, NO, NO, NO},
				[PR_ACTIVITY] = {ALL, ALL, NO, NO, NO, NO, NO},
				[PR_CHANNEL] = {ALL, ALL, ALL, ALL, ALL, NO, NO},
			},
		[ROLE_COORDINATOR] =
			{
				[PR_SITE] = {ALL, SITE, NO, SITE, NO, NO, NO},
				[PR_STAFF] = {ALL, SITE, STAFF_NEW, STAFF_SITE, STAFF_SITE, NO, NO},
				[PR_RESIDENT] = {ALL, SITE, SITE, SITE, SITE, NO, NO},
				[PR_DEVICE] = {ALL, SITE, SITE, SITE, SITE, NO, NO},
				[PR_EVENT] = {ALL, SITE, NO, NO, NO, NO, NO},
				[PR_SHIFT] = {ALL, SITE, SITE_NEW, NO, SITE, NO, NO},
				[PR_ALERT] = {ALL, SITE, SITE, NO, NO, SITE, NO},
				[PR_ATTENDANCE] = {ALL, SITE, SITE, NO, NO, NO, NO},
				[PR_SERVICE] = {ALL, ALL, ALL, ALL, NO,
                                                NO, NO}, /* one shared catalogue */
				[PR_REQUEST] = {ALL, SITE, SITE, NO, SITE, SITE, SITE},
				[PR_REPORT] = {ALL, SITE, NO, NO, NO, NO, NO},
				[PR_AUDIT] = {ALL, SITE, NO, NO, NO, NO, NO},
				/* regions: names of places, nobody's data */
				[PR_REGION] = {ALL, ALL, NO, NO, NO, NO, NO},
				[PR_SETTLEMENT] = {ALL, SITE, NO, NO, NO, NO, NO},
				[PR_MEASUREMENT] = {ALL, SITE, SITE, NO, NO, NO, NO},
				[PR_THRESHOLD] = {ALL, SITE, NO, SITE, NO, NO, NO},
				[PR_ACTIVITY] = {ALL, SITE, NO, NO, NO, NO, NO},
				[PR_CHANNEL] = {ALL, SITE, SITE_NEW, SITE, SITE, NO, NO},
			},
		[ROLE_CAREGIVER] =
			{
				[PR_SITE] = {ALL, SITE, NO, SITE_SEEN, NO, NO, NO},
				[PR_STAFF] = {NO, SELF, NO, SELF, NO, NO, NO},
				/* presence updates only: the handler limits the fields */
				[PR_RESIDENT] = {ALL, SITE, NO, SITE, SITE_SEEN, NO, NO},
				[PR_DEVICE] = {ALL, SITE, NO, SITE_SEEN, SITE_SEEN, NO, NO},
				[PR_EVENT] = {ALL, SITE, NO, NO, NO, NO, NO},
				[PR_SHIFT] = {ALL, OWN_ONLY, NO, NO, OWN_SEEN, NO, NO},
				[PR_ALERT] = {ALL, SITE, SITE, NO, NO, SITE, NO},
				[PR_ATTENDANCE] = {ALL, SITE, SITE, NO, NO, NO, NO},
				[PR_SERVICE] = {ALL, ALL, NO, NO, NO, NO, NO},
				/* takes requests on herself: the handler checks staff_id */
				[PR_REQUEST] = {ALL, SITE, SITE, NO, REQUESTER, OWN_WORK, SITE},
				[PR_REPORT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_AUDIT] = {NO, NO, NO, NO, NO, NO, NO},
				/* a carer takes a reading on a visit; the clinic sets thresholds */
				[PR_MEASUREMENT] = {ALL, SITE, SITE, NO, NO, NO, NO},
				[PR_THRESHOLD] = {ALL, SITE, NO, SITE_SEEN, NO, NO, NO},
				[PR_ACTIVITY] = {ALL, SITE, NO, NO, NO, NO, NO},
				[PR_CHANNEL] = {NO, NO, NO, NO, NO, NO, NO},
			},
		[ROLE_VOLUNTEER] =
			{
				[PR_SITE] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_STAFF] = {NO, SELF, NO, SELF, NO, NO, NO},
				[PR_RESIDENT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_DEVICE] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_EVENT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_SHIFT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_ALERT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_ATTENDANCE] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_SERVICE] = {ALL, ALL, NO, NO, NO, NO, NO},
				[PR_REQUEST] = {ALL, VOL_SEE, NO, NO, VOL_SEEN, VOL_WORK, VOL_SEE},
				[PR_REPORT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_AUDIT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_CHANNEL] = {NO, NO, NO, NO, NO, NO, NO},
			},
		[ROLE_FAMILY] =
			{
				[PR_SITE] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_STAFF] = {NO, SELF, NO, SELF, NO, NO, NO},
				[PR_RESIDENT] = {ALL, FAMILY, NO, FAMILY_SEEN, NO, NO, NO},
				[PR_DEVICE] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_EVENT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_SHIFT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_ALERT] = {ALL, FAMILY, FAMILY, NO, NO, FAMILY_SEEN, NO},
				[PR_ATTENDANCE] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_SERVICE] = {ALL, ALL, NO, NO, NO, NO, NO},
				[PR_REQUEST] = {ALL, FAMILY, FAMILY, NO, FAMILY, NO, NO},
				[PR_REPORT] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_AUDIT] = {NO, NO, NO, NO, NO, NO, NO},
				/* their relatives' readings and days, read only */
				[PR_MEASUREMENT] = {ALL, FAMILY, FAMILY_SEEN, NO, NO, NO, NO},
				[PR_THRESHOLD] = {NO, NO, NO, NO, NO, NO, NO},
				[PR_ACTIVITY] = {ALL, FAMILY, NO, NO, NO, NO, NO},
				[PR_CHANNEL] = {NO, NO, NO, NO, NO, NO, NO},
			},
		/* The partner clinic: their site's residents with their health
	 * (readings, thresholds, days, health alerts: api_alerts.c narrows
	 * alerts to vital_sign and wellbeing); nothing of service orders,
	 * attendance, devices, events or audit. */
		[ROLE_CLINICIAN] =
			{
				[PR_SITE] = {ALL, SITE, NO, NO, NO, NO, NO},
				[PR_STAFF] = {NO, SELF, NO, SELF, NO, NO, NO},
				[PR_RESIDENT] = {ALL, SITE, NO, NO, NO, NO, NO},
				[PR_ALERT] = {ALL, SITE, NO, NO, NO, SITE, NO},
				[PR_MEASUREMENT] = {ALL, SITE, SITE, NO, NO, NO, NO},
				[PR_THRESHOLD] = {ALL, SITE, NO, SITE, NO, NO, NO},
				[PR_ACTIVITY] = {ALL, SITE, NO, NO, NO, NO, NO},
				[PR_CHANNEL] = {NO, NO, NO, NO, NO, NO, NO},
			},
		/* Read-only, along the region tree (issue 19). Residents: the
		 * handler answers names and services received only; requests:
		 * the services received. Devices, events, alerts, attendance,
		 * health: never. */
		[ROLE_OFFICER] =
			{
				[PR_SITE] = {ALL, REGION, NO, NO, NO, NO, NO},
				[PR_STAFF] = {NO, SELF, NO, SELF, NO, NO, NO},
				[PR_RESIDENT] = {ALL, REGION, NO, NO, NO, NO, NO},
				[PR_SERVICE] = {ALL, ALL, NO, NO, NO, NO, NO},
				[PR_REQUEST] = {ALL, REGION, NO, NO, NO, NO, NO},
				[PR_REPORT] = {ALL, REGION, NO, NO, NO, NO, NO},
				[PR_REGION] = {ALL, REGION, NO, NO, NO, NO, NO},
				[PR_SETTLEMENT] = {ALL, REGION, NO, NO, NO, NO, NO},
			},
};

static bool same_site(const struct principal *who, const struct pol_target *t)
{
	return t && t->site_id && who->site_id[0] && strcmp(t->site_id, who->site_id) == 0;
}

static enum pol_decision apply(enum rule rule, const struct principal *who,
                               const struct pol_target *t)
{
	bool site = same_site(who, t);
	bool own = t && t->own;
	bool fam = t && t->family_member && who->role == ROLE_FAMILY;
	bool open = t && t->open_to_volunteers;
	bool region = t && t->in_region && who->role == ROLE_OFFICER && who->region_id[0];
	switch (rule) {
	case NO:
		return POL_FORBIDDEN;
	case ALL:
		return POL_ALLOW;
	case SITE:
		return site ? POL_ALLOW : POL_HIDDEN;
	case SITE_SEEN:
		return site ? POL_FORBIDDEN : POL_HIDDEN;
	case SITE_NEW:
		return site ? POL_ALLOW : POL_FORBIDDEN;
	case STAFF_NEW:
		return site && !t->privileged ? POL_ALLOW : POL_FORBIDDEN;
	case STAFF_SITE:
		if (!site)
			return POL_HIDDEN;
		return t->privileged && !own ? POL_FORBIDDEN : POL_ALLOW;
	case SELF:
		return own ? POL_ALLOW : POL_FORBIDDEN;
	case FAMILY:
		return fam ? POL_ALLOW : POL_HIDDEN;
	case FAMILY_SEEN:
		return fam ? POL_FORBIDDEN : POL_HIDDEN;
	case VOL_SEE:
		return own || open ? POL_ALLOW : POL_HIDDEN;
	case VOL_WORK:
		return own ? POL_ALLOW : open ? POL_FORBIDDEN : POL_HIDDEN;
	case VOL_SEEN:
		return own || open ? POL_FORBIDDEN : POL_HIDDEN;
	case OWN_WORK:
		return !site ? POL_HIDDEN : own ? POL_ALLOW : POL_FORBIDDEN;
	case REQUESTER:
		return !site ? POL_HIDDEN : t->requester ? POL_ALLOW : POL_FORBIDDEN;
	case OWN_ONLY:
		return own ? POL_ALLOW : POL_HIDDEN;
	case OWN_SEEN:
		return own ? POL_FORBIDDEN : POL_HIDDEN;
	case REGION:
		return region ? POL_ALLOW : POL_HIDDEN;
	}
	return POL_FORBIDDEN;
}

enum pol_decision policy_decide(const struct principal *who, enum pol_resource res,
                                enum pol_action act, const struct pol_target *t)
{
	if (!who || who->role < 0 || who->role >= ROLE_COUNT || res < 0 || res >= PR_COUNT ||
	    act < 0 || act >= PA_COUNT)
		return POL_FORBIDDEN;
	return apply(rules[who->role][res][act], who, t);
}

void policy_scope(const struct principal *who, enum pol_resource res, struct pol_scope *out)
{
	memset(out, 0, sizeof(*out));
	switch (who->role) {
	case ROLE_ADMIN:
		break;
	case ROLE_COORDINATOR:
	case ROLE_CAREGIVER:
	case ROLE_CLINICIAN:
		if (res != PR_SERVICE)
			out->site_id = who->site_id;
		/* A caregiver sees her own shifts (the roster is /v1/oncall). */
		if ((who->role == ROLE_CAREGIVER || who->role == ROLE_CLINICIAN) &&
		    (res == PR_STAFF || res == PR_SHIFT))
			out->self = who->id;
		break;
	case ROLE_VOLUNTEER:
		if (res == PR_REQUEST)
			out->volunteer = who->id;
		if (res == PR_STAFF)
			out->self = who->id;
		break;
	case ROLE_FAMILY:
		if (res != PR_SERVICE)
			out->family = who->id;
		if (res == PR_STAFF)
			out->self = who->id;
		break;
	case ROLE_OFFICER:
		if (res == PR_STAFF)
			out->self = who->id;
		else if (res != PR_SERVICE)
			out->region_id = who->region_id;
		break;
	default:
		out->self = who->id;
		break;
	}
}

bool policy_require(struct api_req *r, enum pol_resource res, enum pol_action act,
                    const struct pol_target *t)
{
	enum pol_decision d = policy_decide(r->who, res, act, t);
	if (d == POL_ALLOW)
		return true;
	if (d == POL_HIDDEN)
		api_not_found(r);
	else
		api_error(r, CN_ERR_FORBIDDEN, "your role (%s) may not do this",
		          r->who ? role_name(r->who->role) : "none");
	return false;
}
