/* Unit tests for services/policy.c: policy_decide() as a table of every
 * role x every resource x every action, each cell checked against every
 * kind of target (own site, another site, family member or not, own
 * object, open to volunteers, a privileged staff record, ...); then
 * policy_scope()'s narrowing of lists and policy_require()'s answers.
 *
 * The table is the contract's "Who sees what" and proto/openapi.yaml's
 * per-operation role notes, written as one letter per action. The letters
 * (see `expect`) say what the spec says in words: "their own site (another
 * site is 404)", "403 for their own, 404 otherwise", ... A role that may
 * never call an operation gets 403 whatever the target; a role that may
 * see an object but not make this change gets 403; an object outside the
 * caller's scope is 404 (POL_HIDDEN) so its existence does not leak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "api.h"
#include "policy.h"

#define MY_SITE    "site-1"
#define OTHER_SITE "site-2"
#define ME         "me-1"
#define MY_REGION  "region-1"

/* ---- the targets ---- */

enum variant {
	V_NONE,       /* no target: a list, or an id that does not exist */
	V_SITE,       /* an object of the caller's site (not theirs) */
	V_OTHER,      /* an object of another site */
	V_OWN,        /* the caller's own record / shift / assignment, at their site */
	V_FAM,        /* a resident (or their alert, request) in the caller's resident_ids */
	V_OPEN,       /* a request open to volunteers, at the caller's site */
	V_PRIV,       /* the staff record of an admin or coordinator of the caller's site */
	V_PRIV_OTHER, /* the same at another site */
	V_REQUESTER,  /* a request the caller made, at their site */
	V_REGION,     /* an object of another site that lies in the caller's region */
	V_COUNT
};

static const char *const variant_names[V_COUNT] = {
	"no target",       "own site",           "other site",           "own object",
	"family member's", "open to volunteers", "privileged, own site", "privileged, other site",
	"made by caller",  "in caller's region",
};

static const struct pol_target *target_of(enum variant v, struct pol_target *t)
{
	memset(t, 0, sizeof(*t));
	switch (v) {
	case V_NONE:
		return NULL;
	case V_SITE:
		t->site_id = MY_SITE;
		break;
	case V_OTHER:
		t->site_id = OTHER_SITE;
		break;
	case V_OWN:
		t->site_id = MY_SITE;
		t->own = true;
		break;
	case V_FAM:
		/* A family member's relative may live at any site. */
		t->site_id = OTHER_SITE;
		t->family_member = true;
		break;
	case V_OPEN:
		t->site_id = MY_SITE;
		t->open_to_volunteers = true;
		break;
	case V_PRIV:
		t->site_id = MY_SITE;
		t->privileged = true;
		break;
	case V_PRIV_OTHER:
		t->site_id = OTHER_SITE;
		t->privileged = true;
		break;
	case V_REQUESTER:
		t->site_id = MY_SITE;
		t->requester = true;
		break;
	case V_REGION:
		t->site_id = OTHER_SITE;
		t->in_region = true;
		break;
	case V_COUNT:
		break;
	}
	return t;
}

/* ---- what each letter of the table means, per target ---- */

#define A POL_ALLOW
#define F POL_FORBIDDEN
#define H POL_HIDDEN

struct letter {
	char code;
	const char *meaning;
	/* by variant: none, site, other, own, fam, open, priv, priv_other, requester,
	 * region */
	enum pol_decision want[V_COUNT];
};

static const struct letter letters[] = {
	{'-', "may never: 403 whatever the target", {F, F, F, F, F, F, F, F, F, F}},
	{'A',
         "allowed whatever the target (lists are narrowed by policy_scope)",
         {A, A, A, A, A, A, A, A, A, A}},
	{'S', "their site: allowed; another site's (or none): 404", {H, A, H, A, H, A, A, H, A, H}},
	{'s',
         "sees their site's but may not change it: 403; another site's: 404",
         {H, F, H, F, H, F, F, H, F, H}},
	{'C', "creates at their own site; at another site 403", {F, A, F, A, F, A, A, F, A, F}},
	{'Q',
         "creates caregivers, volunteers, family at their site; admins, coordinators or another site 403",
         {F, A, F, A, F, A, F, F, A, F}},
	{'P',
         "users of their site; admins and coordinators 403; another site's 404",
         {H, A, H, A, H, A, F, H, A, H}},
	{'M', "their own record only; anyone else 403", {F, F, F, A, F, F, F, F, F, F}},
	{'F',
         "residents in their resident_ids (and their alerts, requests); others 404",
         {H, H, H, H, A, H, H, H, H, H}},
	{'f', "their residents': 403; others 404", {H, H, H, H, F, H, H, H, H, H}},
	{'V', "requests open to or assigned to them; others 404", {H, H, H, A, H, A, H, H, H, H}},
	{'W',
         "works requests assigned to them; an open one they see 403; others 404",
         {H, H, H, A, H, F, H, H, H, H}},
	{'v',
         "requests they see (open, assigned): 403; others 404",
         {H, H, H, F, H, F, H, H, H, H}},
	{'G',
         "works requests assigned to them; their site's others 403; another site's 404",
         {H, F, H, A, H, F, F, H, F, H}},
	{'K',
         "cancels requests they made; their site's others 403; another site's 404",
         {H, F, H, F, H, F, F, H, A, H}},
	{'O', "their own shifts; anyone else's 404", {H, H, H, A, H, H, H, H, H, H}},
	{'o', "their own shifts: 403; anyone else's 404", {H, H, H, F, H, H, H, H, H, H}},
	{'R', "in their region or below (officer); others 404", {H, H, H, H, H, H, H, H, H, A}},
};

#undef A
#undef F
#undef H

static const struct letter *letter_of(char code)
{
	for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
		if (letters[i].code == code)
			return &letters[i];
	return NULL;
}

/* ---- the table: one letter per action ---- */

/* Actions in this order: */
static const enum pol_action actions[PA_COUNT] = {PA_LIST,   PA_READ, PA_CREATE, PA_UPDATE,
                                                  PA_DELETE, PA_ACT,  PA_ASSIGN};
static const char *const action_names[PA_COUNT] = {"LIST",   "READ", "CREATE", "UPDATE",
                                                   "DELETE", "ACT",  "ASSIGN"};
static const char *const resource_names[PR_COUNT] = {
	"sites",        "staff",      "residents", "devices",  "events",     "shifts",
	"alerts",       "attendance", "services",  "requests", "reports",    "audit",
	"measurements", "thresholds", "activity",  "regions",  "settlement", "channels",
};
static const char *const role_names[ROLE_COUNT] = {
	"admin", "coordinator", "caregiver", "volunteer", "family", "clinician", "officer"};

struct row {
	enum role role;
	enum pol_resource res;
	const char *codes; /* LIST READ CREATE UPDATE DELETE ACT ASSIGN */
};

/* Notes on cells that are not obvious:
 * - sites are never deleted and have no actions; shifts are never edited
 *   (replaced); services never deleted (withdrawn with active: false);
 *   nobody writes events, reports or the audit log through the API.
 * - requests: DELETE is cancelling; ACT is start/complete; ASSIGN is
 *   scheduling (caregivers and volunteers take a request on themselves:
 *   the handler checks staff_id).
 * - alerts: CREATE is a manual alert; for a resident outside the caller's
 *   scope the answer is 404 here, which the handler turns into 400 naming
 *   resident_id. Residents' and devices' creation at another site works
 *   the same way (400 naming site_id, resident_id); staff and shifts at
 *   another site are 403 (openapi.yaml createStaff, createShift). */
static const struct row table[] = {
	/*                                    L R C U D T G */
	{ROLE_ADMIN, PR_SITE, /*           */ "AAAAAAA"},
	{ROLE_ADMIN, PR_STAFF, /*          */ "AAAAAAA"},
	{ROLE_ADMIN, PR_RESIDENT, /*       */ "AAAAAAA"},
	{ROLE_ADMIN, PR_DEVICE, /*         */ "AAAAAAA"},
	{ROLE_ADMIN, PR_EVENT, /*          */ "AAAAAAA"},
	{ROLE_ADMIN, PR_SHIFT, /*          */ "AAAAAAA"},
	{ROLE_ADMIN, PR_ALERT, /*          */ "AAAAAAA"},
	{ROLE_ADMIN, PR_ATTENDANCE, /*     */ "AAAAAAA"},
	{ROLE_ADMIN, PR_SERVICE, /*        */ "AAAAAAA"},
	{ROLE_ADMIN, PR_REQUEST, /*        */ "AAAAAAA"},
	{ROLE_ADMIN, PR_REPORT, /*         */ "AA-----"},
	{ROLE_ADMIN, PR_AUDIT, /*          */ "AA-----"},
	{ROLE_ADMIN, PR_MEASUREMENT, /*    */ "AAA----"},
	{ROLE_ADMIN, PR_THRESHOLD, /*      */ "AA-A---"},
	{ROLE_ADMIN, PR_ACTIVITY, /*       */ "AA-----"},
	{ROLE_ADMIN, PR_REGION, /* */ "AAAA---"},
	{ROLE_ADMIN, PR_SETTLEMENT, /* */ "AAA----"},
	{ROLE_ADMIN, PR_CHANNEL, /*        */ "AAAAA--"},

	{ROLE_COORDINATOR, PR_SITE, /*     */ "AS-S---"},
	{ROLE_COORDINATOR, PR_STAFF, /*    */ "ASQPP--"},
	{ROLE_COORDINATOR, PR_RESIDENT, /* */ "ASSSS--"},
	{ROLE_COORDINATOR, PR_DEVICE, /*   */ "ASSSS--"},
	{ROLE_COORDINATOR, PR_EVENT, /*    */ "AS-----"},
	{ROLE_COORDINATOR, PR_SHIFT, /*    */ "ASC-S--"},
	{ROLE_COORDINATOR, PR_ALERT, /*    */ "ASS--S-"},
	{ROLE_COORDINATOR, PR_ATTENDANCE, /**/ "ASS----"},
	{ROLE_COORDINATOR, PR_SERVICE, /*  */ "AAAA---"},
	{ROLE_COORDINATOR, PR_REQUEST, /*  */ "ASS-SSS"},
	{ROLE_COORDINATOR, PR_REPORT, /*   */ "AS-----"},
	{ROLE_COORDINATOR, PR_AUDIT, /*    */ "AS-----"},
	{ROLE_COORDINATOR, PR_MEASUREMENT, "ASS----"},
	{ROLE_COORDINATOR, PR_THRESHOLD, "AS-S---"},
	{ROLE_COORDINATOR, PR_ACTIVITY, /* */ "AS-----"},
	{ROLE_COORDINATOR, PR_REGION, /* */ "AA-----"},
	{ROLE_COORDINATOR, PR_SETTLEMENT, /* */ "AS-----"},
	{ROLE_COORDINATOR, PR_CHANNEL, /*  */ "ASCSS--"},

	{ROLE_CAREGIVER, PR_SITE, /*       */ "AS-s---"},
	{ROLE_CAREGIVER, PR_STAFF, /*      */ "-M-M---"},
	{ROLE_CAREGIVER, PR_RESIDENT, /*   */ "AS-Ss--"},
	{ROLE_CAREGIVER, PR_DEVICE, /*     */ "AS-ss--"},
	{ROLE_CAREGIVER, PR_EVENT, /*      */ "AS-----"},
	{ROLE_CAREGIVER, PR_SHIFT, /*      */ "AO--o--"},
	{ROLE_CAREGIVER, PR_ALERT, /*      */ "ASS--S-"},
	{ROLE_CAREGIVER, PR_ATTENDANCE, /* */ "ASS----"},
	{ROLE_CAREGIVER, PR_SERVICE, /*    */ "AA-----"},
	{ROLE_CAREGIVER, PR_REQUEST, /*    */ "ASS-KGS"},
	{ROLE_CAREGIVER, PR_REPORT, /*     */ "-------"},
	{ROLE_CAREGIVER, PR_AUDIT, /*      */ "-------"},
	{ROLE_CAREGIVER, PR_MEASUREMENT, /**/ "ASS----"},
	{ROLE_CAREGIVER, PR_THRESHOLD, /*  */ "AS-s---"},
	{ROLE_CAREGIVER, PR_ACTIVITY, /*   */ "AS-----"},
	{ROLE_CAREGIVER, PR_REGION, /* */ "-------"},
	{ROLE_CAREGIVER, PR_SETTLEMENT, /* */ "-------"},
	{ROLE_CAREGIVER, PR_CHANNEL, /*    */ "-------"},

	{ROLE_VOLUNTEER, PR_SITE, /*       */ "-------"},
	{ROLE_VOLUNTEER, PR_STAFF, /*      */ "-M-M---"},
	{ROLE_VOLUNTEER, PR_RESIDENT, /*   */ "-------"},
	{ROLE_VOLUNTEER, PR_DEVICE, /*     */ "-------"},
	{ROLE_VOLUNTEER, PR_EVENT, /*      */ "-------"},
	{ROLE_VOLUNTEER, PR_SHIFT, /*      */ "-------"},
	{ROLE_VOLUNTEER, PR_ALERT, /*      */ "-------"},
	{ROLE_VOLUNTEER, PR_ATTENDANCE, /* */ "-------"},
	{ROLE_VOLUNTEER, PR_SERVICE, /*    */ "AA-----"},
	{ROLE_VOLUNTEER, PR_REQUEST, /*    */ "AV--vWV"},
	{ROLE_VOLUNTEER, PR_REPORT, /*     */ "-------"},
	{ROLE_VOLUNTEER, PR_AUDIT, /*      */ "-------"},
	{ROLE_VOLUNTEER, PR_MEASUREMENT, /**/ "-------"},
	{ROLE_VOLUNTEER, PR_THRESHOLD, /*  */ "-------"},
	{ROLE_VOLUNTEER, PR_ACTIVITY, /*   */ "-------"},
	{ROLE_VOLUNTEER, PR_REGION, /* */ "-------"},
	{ROLE_VOLUNTEER, PR_SETTLEMENT, /* */ "-------"},
	{ROLE_VOLUNTEER, PR_CHANNEL, /*    */ "-------"},

	{ROLE_FAMILY, PR_SITE, /*          */ "-------"},
	{ROLE_FAMILY, PR_STAFF, /*         */ "-M-M---"},
	{ROLE_FAMILY, PR_RESIDENT, /*      */ "AF-f---"},
	{ROLE_FAMILY, PR_DEVICE, /*        */ "-------"},
	{ROLE_FAMILY, PR_EVENT, /*         */ "-------"},
	{ROLE_FAMILY, PR_SHIFT, /*         */ "-------"},
	{ROLE_FAMILY, PR_ALERT, /*         */ "AFF--f-"},
	{ROLE_FAMILY, PR_ATTENDANCE, /*    */ "-------"},
	{ROLE_FAMILY, PR_SERVICE, /*       */ "AA-----"},
	{ROLE_FAMILY, PR_REQUEST, /*       */ "AFF-F--"},
	{ROLE_FAMILY, PR_REPORT, /*        */ "-------"},
	{ROLE_FAMILY, PR_AUDIT, /*         */ "-------"},
	{ROLE_FAMILY, PR_MEASUREMENT, /*   */ "AFf----"},
	{ROLE_FAMILY, PR_THRESHOLD, /*     */ "-------"},
	{ROLE_FAMILY, PR_ACTIVITY, /*      */ "AF-----"},
	{ROLE_FAMILY, PR_CHANNEL, /*       */ "-------"},

	/* The partner clinic: residents of their site with their health;
	 * nothing of devices, events, shifts, attendance, services, requests,
	 * reports or audit (api_alerts.c narrows alerts to health kinds). */
	{ROLE_CLINICIAN, PR_SITE, /*       */ "AS-----"},
	{ROLE_CLINICIAN, PR_STAFF, /*      */ "-M-M---"},
	{ROLE_CLINICIAN, PR_RESIDENT, /*   */ "AS-----"},
	{ROLE_CLINICIAN, PR_DEVICE, /*     */ "-------"},
	{ROLE_CLINICIAN, PR_EVENT, /*      */ "-------"},
	{ROLE_CLINICIAN, PR_SHIFT, /*      */ "-------"},
	{ROLE_CLINICIAN, PR_ALERT, /*      */ "AS---S-"},
	{ROLE_CLINICIAN, PR_ATTENDANCE, /* */ "-------"},
	{ROLE_CLINICIAN, PR_SERVICE, /*    */ "-------"},
	{ROLE_CLINICIAN, PR_REQUEST, /*    */ "-------"},
	{ROLE_CLINICIAN, PR_REPORT, /*     */ "-------"},
	{ROLE_CLINICIAN, PR_AUDIT, /*      */ "-------"},
	{ROLE_CLINICIAN, PR_MEASUREMENT, /**/ "ASS----"},
	{ROLE_CLINICIAN, PR_THRESHOLD, /*  */ "AS-S---"},
	{ROLE_CLINICIAN, PR_ACTIVITY, /*   */ "AS-----"},
	{ROLE_CLINICIAN, PR_REGION, /*     */ "-------"},
	{ROLE_CLINICIAN, PR_SETTLEMENT, /* */ "-------"},
	{ROLE_FAMILY, PR_REGION, /* */ "-------"},
	{ROLE_FAMILY, PR_SETTLEMENT, /* */ "-------"},
	/* officer: read-only along the region tree; nothing of health */
	{ROLE_OFFICER, PR_SITE, /*         */ "AR-----"},
	{ROLE_OFFICER, PR_STAFF, /*        */ "-M-M---"},
	{ROLE_OFFICER, PR_RESIDENT, /*     */ "AR-----"},
	{ROLE_OFFICER, PR_DEVICE, /*       */ "-------"},
	{ROLE_OFFICER, PR_EVENT, /*        */ "-------"},
	{ROLE_OFFICER, PR_SHIFT, /*        */ "-------"},
	{ROLE_OFFICER, PR_ALERT, /*        */ "-------"},
	{ROLE_OFFICER, PR_ATTENDANCE, /*   */ "-------"},
	{ROLE_OFFICER, PR_SERVICE, /*      */ "AA-----"},
	{ROLE_OFFICER, PR_REQUEST, /*      */ "AR-----"},
	{ROLE_OFFICER, PR_REPORT, /*       */ "AR-----"},
	{ROLE_OFFICER, PR_AUDIT, /*        */ "-------"},
	{ROLE_OFFICER, PR_REGION, /*       */ "AR-----"},
	{ROLE_OFFICER, PR_SETTLEMENT, /*   */ "AR-----"},
	{ROLE_OFFICER, PR_MEASUREMENT, /*  */ "-------"},
	{ROLE_OFFICER, PR_THRESHOLD, /*    */ "-------"},
	{ROLE_OFFICER, PR_ACTIVITY, /*     */ "-------"},
	{ROLE_CLINICIAN, PR_CHANNEL, /*    */ "-------"},
	{ROLE_OFFICER, PR_CHANNEL, /*      */ "-------"},
};

#define N_ROWS (sizeof(table) / sizeof(table[0]))

static struct principal caller(enum role role)
{
	struct principal p;
	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", ME);
	p.role = role;
	/* Admins and family members have no site of their own. */
	if (role != ROLE_ADMIN && role != ROLE_FAMILY && role != ROLE_OFFICER)
		snprintf(p.site_id, sizeof(p.site_id), "%s", MY_SITE);
	/* An officer has a region instead of a site. */
	if (role == ROLE_OFFICER)
		snprintf(p.region_id, sizeof(p.region_id), "%s", MY_REGION);
	return p;
}

static const char *decision_name(enum pol_decision d)
{
	return d == POL_ALLOW       ? "ALLOW"
	       : d == POL_FORBIDDEN ? "403"
	       : d == POL_HIDDEN    ? "404"
	                            : "?";
}

/* The table itself is well formed: every role x resource once, every
 * letter known. */
static void test_policy_table_is_complete(void **state)
{
	(void)state;
	assert_int_equal(N_ROWS, ROLE_COUNT * PR_COUNT);
	for (int role = 0; role < ROLE_COUNT; role++) {
		for (int res = 0; res < PR_COUNT; res++) {
			int seen = 0;
			for (size_t i = 0; i < N_ROWS; i++) {
				if ((int)table[i].role != role || (int)table[i].res != res)
					continue;
				seen++;
				assert_int_equal(strlen(table[i].codes), PA_COUNT);
				for (int a = 0; a < PA_COUNT; a++) {
					if (!letter_of(table[i].codes[a]))
						fail_msg("unknown letter '%c' for %s %s",
						         table[i].codes[a], role_names[role],
						         resource_names[res]);
				}
			}
			if (seen != 1)
				fail_msg("%s x %s appears %d times", role_names[role],
				         resource_names[res], seen);
		}
	}
}

/* Every cell against every target; all differences are printed before
 * the test fails, so one run shows the whole gap. */
static void test_policy_table(void **state)
{
	(void)state;
	int checked = 0, wrong = 0;
	for (size_t i = 0; i < N_ROWS; i++) {
		struct principal who = caller(table[i].role);
		for (int a = 0; a < PA_COUNT; a++) {
			const struct letter *l = letter_of(table[i].codes[a]);
			for (int v = 0; v < V_COUNT; v++) {
				struct pol_target t;
				const struct pol_target *tp = target_of((enum variant)v, &t);
				enum pol_decision got =
					policy_decide(&who, table[i].res, actions[a], tp);
				checked++;
				if (got != l->want[v]) {
					wrong++;
					print_error(
						"%-11s %-10s %-6s %-22s: want %-5s got %-5s ('%c': %s)\n",
						role_names[table[i].role],
						resource_names[table[i].res], action_names[a],
						variant_names[v], decision_name(l->want[v]),
						decision_name(got), l->code, l->meaning);
				}
			}
		}
	}
	print_message("policy table: %d cells checked, %d wrong\n", checked, wrong);
	assert_int_equal(wrong, 0);
}

/* Without a caller nothing is allowed. */
static void test_policy_no_principal(void **state)
{
	(void)state;
	struct pol_target t = {.site_id = MY_SITE, .own = true, .family_member = true};
	for (int res = 0; res < PR_COUNT; res++)
		for (int a = 0; a < PA_COUNT; a++)
			assert_int_equal(
				policy_decide(NULL, (enum pol_resource)res, (enum pol_action)a, &t),
				POL_FORBIDDEN);
}

/* A caller whose site is empty (a coordinator record without a site) is
 * not "of the same site" as an object without a site. */
static void test_policy_empty_sites_do_not_match(void **state)
{
	(void)state;
	struct principal who = caller(ROLE_COORDINATOR);
	who.site_id[0] = '\0';
	struct pol_target none = {.site_id = NULL};
	struct pol_target empty = {.site_id = ""};
	assert_int_equal(policy_decide(&who, PR_RESIDENT, PA_READ, &none), POL_HIDDEN);
	assert_int_equal(policy_decide(&who, PR_RESIDENT, PA_READ, &empty), POL_HIDDEN);
	struct principal cg = caller(ROLE_CAREGIVER);
	assert_int_equal(policy_decide(&cg, PR_ALERT, PA_ACT, &none), POL_HIDDEN);
}

/* The family flag means nothing for other roles, and a site means nothing
 * for a family member. */
static void test_policy_flags_belong_to_their_roles(void **state)
{
	(void)state;
	struct pol_target fam_other = {.site_id = OTHER_SITE, .family_member = true};
	struct principal cg = caller(ROLE_CAREGIVER);
	assert_int_equal(policy_decide(&cg, PR_RESIDENT, PA_READ, &fam_other), POL_HIDDEN);
	struct principal fam = caller(ROLE_FAMILY);
	snprintf(fam.site_id, sizeof(fam.site_id), "%s", MY_SITE);
	struct pol_target site = {.site_id = MY_SITE};
	assert_int_equal(policy_decide(&fam, PR_RESIDENT, PA_READ, &site), POL_HIDDEN);
	assert_int_equal(policy_decide(&fam, PR_ALERT, PA_READ, &site), POL_HIDDEN);
	struct principal vol = caller(ROLE_VOLUNTEER);
	struct pol_target open_other = {.site_id = OTHER_SITE, .open_to_volunteers = false};
	assert_int_equal(policy_decide(&vol, PR_REQUEST, PA_READ, &open_other), POL_HIDDEN);
}

/* ---- policy_scope ---- */

struct scope_want {
	enum role role;
	enum pol_resource res;
	bool site, family, volunteer, self;
	bool region; /* narrowed to the caller's region and below */
};

static void test_policy_scope(void **state)
{
	(void)state;
	static const struct scope_want wants[] = {
		/* admin: everything */
		{ROLE_ADMIN, PR_RESIDENT, false, false, false, false},
		{ROLE_ADMIN, PR_ALERT, false, false, false, false},
		{ROLE_ADMIN, PR_AUDIT, false, false, false, false},
		/* coordinator: their site, the shared catalogue whole */
		{ROLE_COORDINATOR, PR_SITE, true, false, false, false},
		{ROLE_COORDINATOR, PR_STAFF, true, false, false, false},
		{ROLE_COORDINATOR, PR_RESIDENT, true, false, false, false},
		{ROLE_COORDINATOR, PR_SHIFT, true, false, false, false},
		{ROLE_COORDINATOR, PR_ALERT, true, false, false, false},
		{ROLE_COORDINATOR, PR_AUDIT, true, false, false, false},
		{ROLE_COORDINATOR, PR_CHANNEL, true, false, false, false},
		{ROLE_COORDINATOR, PR_SERVICE, false, false, false, false},
		/* caregiver: their site; shifts: only their own */
		{ROLE_CAREGIVER, PR_RESIDENT, true, false, false, false},
		{ROLE_CAREGIVER, PR_DEVICE, true, false, false, false},
		{ROLE_CAREGIVER, PR_EVENT, true, false, false, false},
		{ROLE_CAREGIVER, PR_ALERT, true, false, false, false},
		{ROLE_CAREGIVER, PR_SHIFT, true, false, false, true},
		{ROLE_CAREGIVER, PR_REQUEST, true, false, false, false},
		{ROLE_CAREGIVER, PR_SERVICE, false, false, false, false},
		/* volunteer: requests open to or assigned to them */
		{ROLE_VOLUNTEER, PR_REQUEST, false, false, true, false},
		{ROLE_VOLUNTEER, PR_SERVICE, false, false, false, false},
		/* family: their residents, their alerts and requests */
		{ROLE_FAMILY, PR_RESIDENT, false, true, false, false},
		{ROLE_FAMILY, PR_ALERT, false, true, false, false},
		{ROLE_FAMILY, PR_REQUEST, false, true, false, false},
		{ROLE_FAMILY, PR_MEASUREMENT, false, true, false, false},
		/* clinician: their site */
		{ROLE_CLINICIAN, PR_RESIDENT, true, false, false, false},
		{ROLE_CLINICIAN, PR_ALERT, true, false, false, false},
		{ROLE_CLINICIAN, PR_MEASUREMENT, true, false, false, false},
		/* officer: their region and below; their own staff record */
		{ROLE_OFFICER, PR_SITE, false, false, false, false, true},
		{ROLE_OFFICER, PR_RESIDENT, false, false, false, false, true},
		{ROLE_OFFICER, PR_REQUEST, false, false, false, false, true},
		{ROLE_OFFICER, PR_SETTLEMENT, false, false, false, false, true},
		{ROLE_OFFICER, PR_STAFF, false, false, false, true, false},
		{ROLE_OFFICER, PR_SERVICE, false, false, false, false, false},
	};
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct scope_want *w = &wants[i];
		struct principal who = caller(w->role);
		struct pol_scope s;
		memset(&s, 0xa5, sizeof(s)); /* policy_scope must set every field */
		policy_scope(&who, w->res, &s);
		const char *what = resource_names[w->res];
		if (w->site) {
			assert_non_null(s.site_id);
			assert_string_equal(s.site_id, MY_SITE);
		} else if (s.site_id) {
			fail_msg("%s %s: narrowed to site %s", role_names[w->role], what,
			         s.site_id);
		}
		if (w->family) {
			assert_non_null(s.family);
			assert_string_equal(s.family, ME);
		} else if (s.family) {
			fail_msg("%s %s: narrowed to a family", role_names[w->role], what);
		}
		if (w->volunteer) {
			assert_non_null(s.volunteer);
			assert_string_equal(s.volunteer, ME);
		} else {
			assert_null(s.volunteer);
		}
		if (w->self) {
			assert_non_null(s.self);
			assert_string_equal(s.self, ME);
		} else if (s.self) {
			fail_msg("%s %s: narrowed to the caller's own rows", role_names[w->role],
			         what);
		}
		if (w->region) {
			assert_non_null(s.region_id);
			assert_string_equal(s.region_id, MY_REGION);
		} else if (s.region_id) {
			fail_msg("%s %s: narrowed to a region", role_names[w->role], what);
		}
	}
}

/* The region flag means nothing for other roles, and an officer without
 * a region sees nothing. */
static void test_policy_region_flag_is_the_officers(void **state)
{
	(void)state;
	struct pol_target in = {.site_id = OTHER_SITE, .in_region = true};
	struct principal co = caller(ROLE_COORDINATOR);
	assert_int_equal(policy_decide(&co, PR_SETTLEMENT, PA_READ, &in), POL_HIDDEN);
	assert_int_equal(policy_decide(&co, PR_RESIDENT, PA_READ, &in), POL_HIDDEN);
	struct principal off = caller(ROLE_OFFICER);
	assert_int_equal(policy_decide(&off, PR_RESIDENT, PA_READ, &in), POL_ALLOW);
	assert_int_equal(policy_decide(&off, PR_ALERT, PA_READ, &in), POL_FORBIDDEN);
	assert_int_equal(policy_decide(&off, PR_EVENT, PA_LIST, &in), POL_FORBIDDEN);
	assert_int_equal(policy_decide(&off, PR_RESIDENT, PA_UPDATE, &in), POL_FORBIDDEN);
	off.region_id[0] = '\0';
	assert_int_equal(policy_decide(&off, PR_RESIDENT, PA_READ, &in), POL_HIDDEN);
}

/* ---- policy_require: the answer it sets ---- */

static void test_policy_require_sets_the_answer(void **state)
{
	(void)state;
	struct principal vol = caller(ROLE_VOLUNTEER);
	struct api_req r;
	memset(&r, 0, sizeof(r));
	r.who = &vol;
	assert_false(policy_require(&r, PR_ALERT, PA_LIST, NULL));
	assert_int_equal(r.status, 403);
	json_t *err = json_object_get(r.out, "error");
	assert_string_equal(json_string_value(json_object_get(err, "code")), "forbidden");
	json_decref(r.out);

	struct principal cg = caller(ROLE_CAREGIVER);
	memset(&r, 0, sizeof(r));
	r.who = &cg;
	struct pol_target other = {.site_id = OTHER_SITE};
	assert_false(policy_require(&r, PR_RESIDENT, PA_READ, &other));
	assert_int_equal(r.status, 404);
	err = json_object_get(r.out, "error");
	assert_string_equal(json_string_value(json_object_get(err, "code")), "not_found");
	json_decref(r.out);

	memset(&r, 0, sizeof(r));
	r.who = &cg;
	struct pol_target mine = {.site_id = MY_SITE};
	assert_true(policy_require(&r, PR_RESIDENT, PA_READ, &mine));
	assert_int_equal(r.status, 0);
	assert_null(r.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_table_is_complete),
		cmocka_unit_test(test_policy_table),
		cmocka_unit_test(test_policy_no_principal),
		cmocka_unit_test(test_policy_empty_sites_do_not_match),
		cmocka_unit_test(test_policy_flags_belong_to_their_roles),
		cmocka_unit_test(test_policy_scope),
		cmocka_unit_test(test_policy_region_flag_is_the_officers),
		cmocka_unit_test(test_policy_require_sets_the_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
