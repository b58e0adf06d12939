#include "policy.h"

#include <string.h>

static bool same_site(const struct principal *who, const struct pol_target *t)
{
	return t && t->site_id && who->site_id[0] && strcmp(t->site_id, who->site_id) == 0;
}

/* Admin: everything. */
static enum pol_decision admin(void) { return POL_ALLOW; }

/* Coordinator: everything of their own site; another site's objects do
 * not exist for them. Sites themselves: read and edit their own only. */
static enum pol_decision coordinator(const struct principal *who, enum pol_resource res,
                                     enum pol_action act, const struct pol_target *t)
{
	if (res == PR_SITE && (act == PA_CREATE || act == PA_DELETE))
		return POL_FORBIDDEN;
	if (res == PR_SERVICE)
		return (act == PA_LIST || act == PA_READ || act == PA_CREATE || act == PA_UPDATE)
		               ? POL_ALLOW
		               : POL_FORBIDDEN; /* one catalogue shared by every site */
	if (res == PR_STAFF && (act == PA_CREATE || act == PA_UPDATE || act == PA_DELETE) && t &&
	    t->privileged && !t->own)
		return POL_FORBIDDEN; /* admins and coordinators are made by admins */
	if (act == PA_LIST)
		return POL_ALLOW; /* narrowed to the site by policy_scope */
	if (t && t->own)
		return POL_ALLOW;
	return same_site(who, t) ? POL_ALLOW : POL_HIDDEN;
}

/* Caregiver: the guardian net of their site, their own requests. */
static enum pol_decision caregiver(const struct principal *who, enum pol_resource res,
                                   enum pol_action act, const struct pol_target *t)
{
	bool site = act == PA_LIST || same_site(who, t);
	bool hidden_or_allow = site; /* another site's objects do not exist for her */
	switch (res) {
	case PR_RESIDENT:
		/* Reads, and presence updates (the handler limits the fields). */
		if (act == PA_LIST || act == PA_READ || act == PA_UPDATE)
			return hidden_or_allow ? POL_ALLOW : POL_HIDDEN;
		return site ? POL_FORBIDDEN : POL_HIDDEN;
	case PR_DEVICE:
	case PR_EVENT:
		if (act == PA_LIST || act == PA_READ)
			return hidden_or_allow ? POL_ALLOW : POL_HIDDEN;
		return site ? POL_FORBIDDEN : POL_HIDDEN;
	case PR_ALERT:
		if (act == PA_DELETE)
			return POL_FORBIDDEN;
		return hidden_or_allow ? POL_ALLOW : POL_HIDDEN; /* list, read, raise, act */
	case PR_SHIFT:
		if (act == PA_LIST || act == PA_READ)
			return hidden_or_allow ? POL_ALLOW : POL_HIDDEN;
		return POL_FORBIDDEN;
	case PR_ATTENDANCE:
		if (act == PA_LIST || act == PA_CREATE)
			return hidden_or_allow ? POL_ALLOW : POL_HIDDEN;
		return POL_FORBIDDEN;
	case PR_REQUEST:
		if (act == PA_LIST || act == PA_READ || act == PA_CREATE)
			return hidden_or_allow ? POL_ALLOW : POL_HIDDEN;
		if (act == PA_ACT)
			return (t && t->own) ? POL_ALLOW : (site ? POL_FORBIDDEN : POL_HIDDEN);
		return site ? POL_FORBIDDEN : POL_HIDDEN;
	case PR_SERVICE:
		return (act == PA_LIST || act == PA_READ) ? POL_ALLOW : POL_FORBIDDEN;
	case PR_SITE:
		if (act == PA_READ)
			return hidden_or_allow ? POL_ALLOW : POL_HIDDEN;
		return act == PA_LIST ? POL_ALLOW : POL_FORBIDDEN;
	case PR_STAFF:
		if (act == PA_READ && t && t->own)
			return POL_ALLOW;
		if (act == PA_UPDATE && t && t->own)
			return POL_ALLOW; /* own name, phone, password: the handler limits it */
		return POL_FORBIDDEN;
	default:
		return POL_FORBIDDEN;
	}
}

/* Volunteer: requests open to or assigned to her, the catalogue, herself. */
static enum pol_decision volunteer(enum pol_resource res, enum pol_action act,
                                   const struct pol_target *t)
{
	switch (res) {
	case PR_REQUEST:
		if (act == PA_LIST)
			return POL_ALLOW; /* narrowed by policy_scope */
		if (act == PA_READ)
			return (t && (t->own || t->open_to_volunteers)) ? POL_ALLOW : POL_HIDDEN;
		if (act == PA_ACT)
			return (t && t->own) ? POL_ALLOW : POL_HIDDEN;
		return POL_FORBIDDEN;
	case PR_SERVICE:
		return (act == PA_LIST || act == PA_READ) ? POL_ALLOW : POL_FORBIDDEN;
	case PR_STAFF:
		if ((act == PA_READ || act == PA_UPDATE) && t && t->own)
			return POL_ALLOW;
		return POL_FORBIDDEN;
	default:
		return POL_FORBIDDEN;
	}
}

/* Family: their relatives' status, presence and alerts; may raise a
 * manual alert and order services for them. Other residents: 404. */
static enum pol_decision family(enum pol_resource res, enum pol_action act,
                                const struct pol_target *t)
{
	bool mine = t && t->family_member;
	switch (res) {
	case PR_RESIDENT:
		if (act == PA_LIST)
			return POL_ALLOW;
		if (act == PA_READ)
			return mine ? POL_ALLOW : POL_HIDDEN;
		return mine ? POL_FORBIDDEN : POL_HIDDEN;
	case PR_ALERT:
		if (act == PA_LIST)
			return POL_ALLOW;
		if (act == PA_READ || act == PA_CREATE)
			return mine ? POL_ALLOW : POL_HIDDEN;
		return mine ? POL_FORBIDDEN : POL_HIDDEN;
	case PR_REQUEST:
		if (act == PA_LIST)
			return POL_ALLOW;
		if (act == PA_READ || act == PA_CREATE)
			return mine ? POL_ALLOW : POL_HIDDEN;
		return mine ? POL_FORBIDDEN : POL_HIDDEN;
	case PR_SERVICE:
		return (act == PA_LIST || act == PA_READ) ? POL_ALLOW : POL_FORBIDDEN;
	case PR_STAFF:
		if ((act == PA_READ || act == PA_UPDATE) && t && t->own)
			return POL_ALLOW;
		return POL_FORBIDDEN;
	default:
		return POL_FORBIDDEN;
	}
}

enum pol_decision policy_decide(const struct principal *who, enum pol_resource res,
                                enum pol_action act, const struct pol_target *t)
{
	if (!who)
		return POL_FORBIDDEN;
	if ((res == PR_REPORT || res == PR_AUDIT) && act != PA_LIST && act != PA_READ)
		return POL_FORBIDDEN;
	switch (who->role) {
	case ROLE_ADMIN:
		return admin();
	case ROLE_COORDINATOR:
		return coordinator(who, res, act, t);
	case ROLE_CAREGIVER:
		if (res == PR_REPORT || res == PR_AUDIT)
			return POL_FORBIDDEN;
		return caregiver(who, res, act, t);
	case ROLE_VOLUNTEER:
		return volunteer(res, act, t);
	case ROLE_FAMILY:
		return family(res, act, t);
	default:
		return POL_FORBIDDEN;
	}
}

void policy_scope(const struct principal *who, enum pol_resource res, struct pol_scope *out)
{
	memset(out, 0, sizeof(*out));
	switch (who->role) {
	case ROLE_ADMIN:
		break;
	case ROLE_COORDINATOR:
	case ROLE_CAREGIVER:
		if (res != PR_SERVICE)
			out->site_id = who->site_id;
		if (who->role == ROLE_CAREGIVER && res == PR_STAFF)
			out->self = who->id;
		break;
	case ROLE_VOLUNTEER:
		if (res == PR_REQUEST)
			out->volunteer = who->id;
		if (res == PR_STAFF)
			out->self = who->id;
		break;
	case ROLE_FAMILY:
		out->family = who->id;
		if (res == PR_STAFF)
			out->self = who->id;
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
		api_error(r, CN_ERR_NOT_FOUND, "not found");
	else
		api_error(r, CN_ERR_FORBIDDEN, "your role (%s) may not do this", role_name(r->who->role));
	return false;
}
