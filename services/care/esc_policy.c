#include "esc_policy.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *text;
	enum esc_target_kind kind;
} fixed_targets[] = {
	{"tier:primary", TGT_TIER_PRIMARY},
	{"tier:backup", TGT_TIER_BACKUP},
	{"tier:supervisor", TGT_TIER_SUPERVISOR},
	{"role:coordinator", TGT_COORDINATORS},
	{"contacts", TGT_CONTACTS},
	{"site", TGT_SITE},
};

/* Ids are the characters the API allows in ids. */
static bool id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > ESC_POLICY_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

enum cn_err esc_target_parse(const char *s, struct esc_target *t)
{
	if (!s)
		return CN_ERR_INVALID;
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sizeof(fixed_targets) / sizeof(fixed_targets[0]); i++) {
		if (strcmp(s, fixed_targets[i].text) == 0) {
			t->kind = fixed_targets[i].kind;
			return CN_OK;
		}
	}
	const char *id = NULL;
	if (strncmp(s, "staff:", 6) == 0) {
		t->kind = TGT_STAFF;
		id = s + 6;
	} else if (strncmp(s, "channel:", 8) == 0) {
		t->kind = TGT_CHANNEL;
		id = s + 8;
	}
	if (!id || !id_ok(id))
		return CN_ERR_INVALID;
	memcpy(t->id, id, strlen(id) + 1);
	return CN_OK;
}

void esc_target_format(const struct esc_target *t, char *out, size_t size)
{
	if (t->kind == TGT_STAFF || t->kind == TGT_CHANNEL) {
		snprintf(out, size, "%s:%s", t->kind == TGT_STAFF ? "staff" : "channel", t->id);
		return;
	}
	for (size_t i = 0; i < sizeof(fixed_targets) / sizeof(fixed_targets[0]); i++)
		if (fixed_targets[i].kind == t->kind)
			snprintf(out, size, "%s", fixed_targets[i].text);
}

enum cn_err esc_policy_validate(const struct esc_policy *p, char *err, size_t err_size)
{
	size_t targets = 0;
	if (p->n > ESC_POLICY_STEPS_MAX) {
		snprintf(err, err_size, "steps: at most %d", ESC_POLICY_STEPS_MAX);
		return CN_ERR_INVALID;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct esc_step *s = &p->steps[i];
		if (s->after_s < 0 || s->after_s > ESC_POLICY_AFTER_MAX) {
			snprintf(err, err_size, "steps[%zu].after_s: 0 to %ld", i,
			         ESC_POLICY_AFTER_MAX);
			return CN_ERR_INVALID;
		}
		if (i > 0 && s->after_s <= p->steps[i - 1].after_s) {
			snprintf(err, err_size,
			         "steps[%zu].after_s: must be later than the step before", i);
			return CN_ERR_INVALID;
		}
		if (s->n > ESC_POLICY_TARGETS_MAX) {
			snprintf(err, err_size, "steps[%zu].notify: at most %d targets", i,
			         ESC_POLICY_TARGETS_MAX);
			return CN_ERR_INVALID;
		}
		targets += s->n;
	}
	if (p->repeat_s != 0 && (p->repeat_s < 10 || p->repeat_s > 86400)) {
		snprintf(err, err_size, "repeat_s: 0 (no repeat) or 10 to 86400");
		return CN_ERR_INVALID;
	}
	if (p->n > 0 && targets == 0) {
		snprintf(err, err_size, "steps: the policy would page nobody at all");
		return CN_ERR_INVALID;
	}
	return CN_OK;
}

static void add(struct esc_step *s, enum esc_target_kind kind)
{
	s->targets[s->n].kind = kind;
	s->targets[s->n].id[0] = '\0';
	s->n++;
}

void esc_policy_default(int priority, const long steps_s[3], struct esc_policy *out)
{
	memset(out, 0, sizeof(*out));
	if (priority < 1 || priority > 3 || steps_s[priority - 1] <= 0)
		return;
	long step = steps_s[priority - 1];
	out->n = 4;
	for (int l = 0; l < 4; l++)
		out->steps[l].after_s = step * l;
	add(&out->steps[0], TGT_TIER_PRIMARY);
	add(&out->steps[1], TGT_TIER_PRIMARY);
	add(&out->steps[1], TGT_TIER_BACKUP);
	add(&out->steps[2], TGT_TIER_PRIMARY);
	add(&out->steps[2], TGT_TIER_BACKUP);
	add(&out->steps[2], TGT_TIER_SUPERVISOR);
	add(&out->steps[2], TGT_COORDINATORS);
	add(&out->steps[3], TGT_SITE);
	add(&out->steps[3], TGT_COORDINATORS);
	out->repeat_s = step;
}

struct esc_position esc_policy_position(const struct esc_policy *p, int64_t created_at, int64_t now)
{
	struct esc_position pos = {-1, 0};
	if (p->n == 0)
		return pos;
	for (size_t i = 0; i < p->n; i++)
		if (created_at + (int64_t)p->steps[i].after_s * 1000 <= now)
			pos.step = (int)i;
	if (pos.step + 1 < (int)p->n) {
		pos.next_at = created_at + (int64_t)p->steps[pos.step + 1].after_s * 1000;
		return pos;
	}
	if (p->repeat_s <= 0)
		return pos;
	int64_t base = created_at + (int64_t)p->steps[p->n - 1].after_s * 1000;
	int64_t every = (int64_t)p->repeat_s * 1000;
	pos.next_at = base + ((now - base) / every + 1) * every;
	return pos;
}

int64_t esc_onsite_reminder_at(int priority, int64_t acked_at, long timeout_s, int64_t last)
{
	if (priority < 1 || priority > 2 || timeout_s <= 0)
		return 0;
	int64_t every = (int64_t)timeout_s * 1000;
	if (last < acked_at + every)
		return acked_at + every;
	return acked_at + ((last - acked_at) / every + 1) * every;
}

int64_t esc_day_time_from(int64_t now, int local_minute, int day_from_min, int day_to_min)
{
	if (local_minute >= day_from_min && local_minute < day_to_min)
		return now;
	int wait = local_minute < day_from_min ? day_from_min - local_minute
	                                       : 24 * 60 - local_minute + day_from_min;
	return now - now % 60000 + (int64_t)wait * 60000;
}
