#include "esc_policy_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool only_keys(const json_t *obj, const char *const *keys, const char **bad)
{
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)obj, k, v) {
		bool known = false;
		for (size_t i = 0; keys[i] && !known; i++)
			known = strcmp(k, keys[i]) == 0;
		if (!known) {
			*bad = k;
			return false;
		}
	}
	return true;
}

static enum cn_err step_from_json(const json_t *j, const char *name, size_t i, struct esc_step *s,
                                  char *err, size_t err_size)
{
	static const char *const keys[] = {"after_s", "notify", NULL};
	const char *bad = NULL;
	if (!json_is_object(j)) {
		snprintf(err, err_size, "%s.steps[%zu]: must be an object", name, i);
		return CN_ERR_INVALID;
	}
	if (!only_keys(j, keys, &bad)) {
		snprintf(err, err_size, "%s.steps[%zu].%.40s: unknown field", name, i, bad);
		return CN_ERR_INVALID;
	}
	json_t *after = json_object_get(j, "after_s"), *notify = json_object_get(j, "notify");
	if (!json_is_integer(after)) {
		snprintf(err, err_size, "%s.steps[%zu].after_s: an integer is required", name, i);
		return CN_ERR_INVALID;
	}
	json_int_t a = json_integer_value(after);
	s->after_s = (a < -1 || a > ESC_POLICY_AFTER_MAX + 1) ? -1 : (long)a;
	if (!json_is_array(notify) || json_array_size(notify) > ESC_POLICY_TARGETS_MAX) {
		snprintf(err, err_size, "%s.steps[%zu].notify: an array of at most %d targets",
		         name, i, ESC_POLICY_TARGETS_MAX);
		return CN_ERR_INVALID;
	}
	s->n = 0;
	size_t k;
	json_t *t;
	json_array_foreach (notify, k, t) {
		if (esc_target_parse(json_string_value(t), &s->targets[s->n]) != CN_OK) {
			snprintf(err, err_size,
			         "%s.steps[%zu].notify[%zu]: one of tier:primary|backup|supervisor,"
			         " role:coordinator, staff:<id>, contacts, channel:<id>, site",
			         name, i, k);
			return CN_ERR_INVALID;
		}
		s->n++;
	}
	return CN_OK;
}

enum cn_err esc_policy_from_json(const json_t *j, const char *name, struct esc_policy *p, char *err,
                                 size_t err_size)
{
	static const char *const keys[] = {"steps", "repeat_s", NULL};
	const char *bad = NULL;
	memset(p, 0, sizeof(*p));
	if (!json_is_object(j)) {
		snprintf(err, err_size, "%s: must be an object", name);
		return CN_ERR_INVALID;
	}
	if (!only_keys(j, keys, &bad)) {
		snprintf(err, err_size, "%s.%.40s: unknown field", name, bad);
		return CN_ERR_INVALID;
	}
	json_t *steps = json_object_get(j, "steps"), *repeat = json_object_get(j, "repeat_s");
	if (!json_is_array(steps) || json_array_size(steps) > ESC_POLICY_STEPS_MAX) {
		snprintf(err, err_size, "%s.steps: an array of at most %d steps", name,
		         ESC_POLICY_STEPS_MAX);
		return CN_ERR_INVALID;
	}
	if (repeat && !json_is_integer(repeat)) {
		snprintf(err, err_size, "%s.repeat_s: an integer is required", name);
		return CN_ERR_INVALID;
	}
	json_int_t r = repeat ? json_integer_value(repeat) : 0;
	p->repeat_s = (r < 0 || r > 86401) ? -1 : (long)r;
	size_t i;
	json_t *s;
	json_array_foreach (steps, i, s) {
		enum cn_err rc = step_from_json(s, name, i, &p->steps[i], err, err_size);
		if (rc != CN_OK)
			return rc;
		p->n = i + 1;
	}
	char why[160];
	if (esc_policy_validate(p, why, sizeof(why)) != CN_OK) {
		snprintf(err, err_size, "%s.%s", name, why);
		return CN_ERR_INVALID;
	}
	return CN_OK;
}

json_t *esc_policy_to_json(const struct esc_policy *p)
{
	json_t *steps = json_array();
	for (size_t i = 0; i < p->n; i++) {
		json_t *notify = json_array();
		for (size_t k = 0; k < p->steps[i].n; k++) {
			char t[ESC_POLICY_ID_MAX + 24];
			esc_target_format(&p->steps[i].targets[k], t, sizeof(t));
			json_array_append_new(notify, json_string(t));
		}
		json_array_append_new(steps,
		                      json_pack("{s:I,s:o}", "after_s",
		                                (json_int_t)p->steps[i].after_s, "notify", notify));
	}
	return json_pack("{s:o,s:I}", "steps", steps, "repeat_s", (json_int_t)p->repeat_s);
}
