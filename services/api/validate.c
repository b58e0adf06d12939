#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "payload.h"
#include "rules.h"
#include "xalloc.h"

bool validate_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > ID_MAX)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '-'))
			return false;
	}
	return true;
}

/* A calendar date YYYY-MM-DD from 1850 on: birth dates of today's
 * residents lie well before 1970, where epoch-based parsers stop. */
static bool valid_date(const char *s)
{
	int y, m, d;
	return cn_date_parse(s, &y, &m, &d) && y >= 1850;
}

static bool check_one(struct api_req *r, const char *prefix, const struct field_spec *f,
                      const json_t *v)
{
	const char *name = f->name;
	if (json_is_null(v)) {
		if (f->nullable)
			return true;
		api_error(r, CN_ERR_INVALID, "%s%s: must not be null", prefix, name);
		return false;
	}
	switch (f->type) {
	case FIELD_STRING: {
		if (!json_is_string(v))
			goto wrong_type;
		size_t len = json_string_length(v);
		if ((long)len < f->min || (long)len > f->max) {
			api_error(r, CN_ERR_INVALID, "%s%s: must be %ld to %ld bytes long", prefix, name,
			          f->min, f->max);
			return false;
		}
		if (strlen(json_string_value(v)) != len) {
			api_error(r, CN_ERR_INVALID, "%s%s: must not contain NUL", prefix, name);
			return false;
		}
		return true;
	}
	case FIELD_INT: {
		if (!json_is_integer(v))
			goto wrong_type;
		json_int_t n = json_integer_value(v);
		if (n < f->min || n > f->max) {
			api_error(r, CN_ERR_INVALID, "%s%s: must be from %ld to %ld", prefix, name, f->min,
			          f->max);
			return false;
		}
		return true;
	}
	case FIELD_BOOL:
		if (!json_is_boolean(v))
			goto wrong_type;
		return true;
	case FIELD_TIME: {
		int64_t ms;
		if (!json_is_string(v) ||
		    !cn_time_parse_rfc3339(json_string_value(v), json_string_length(v), &ms)) {
			api_error(r, CN_ERR_INVALID, "%s%s: must be an RFC 3339 time", prefix, name);
			return false;
		}
		return true;
	}
	case FIELD_HHMM: {
		int m;
		if (!json_is_string(v) || !rules_parse_hhmm(json_string_value(v), &m)) {
			api_error(r, CN_ERR_INVALID, "%s%s: must be a time of day HH:MM", prefix, name);
			return false;
		}
		return true;
	}
	case FIELD_DATE:
		if (!json_is_string(v) || !valid_date(json_string_value(v))) {
			api_error(r, CN_ERR_INVALID, "%s%s: must be a date YYYY-MM-DD", prefix, name);
			return false;
		}
		return true;
	case FIELD_ENUM: {
		if (!json_is_string(v))
			goto wrong_type;
		for (const char *const *p = f->values; p && *p; p++)
			if (strcmp(*p, json_string_value(v)) == 0)
				return true;
		char allowed[256] = "";
		size_t used = 0;
		for (const char *const *p = f->values; p && *p && used < sizeof(allowed) - 2; p++) {
			int w = snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
			                 used ? ", " : "", *p);
			if (w < 0)
				break;
			used += (size_t)w;
		}
		api_error(r, CN_ERR_INVALID, "%s%s: must be one of %s", prefix, name, allowed);
		return false;
	}
	case FIELD_ID:
		if (!json_is_string(v) || !validate_id(json_string_value(v))) {
			api_error(r, CN_ERR_INVALID, "%s%s: must be 1-64 characters of A-Z a-z 0-9 . _ : -",
			          prefix, name);
			return false;
		}
		return true;
	case FIELD_ARRAY:
		if (!json_is_array(v))
			goto wrong_type;
		if ((long)json_array_size(v) > f->max) {
			api_error(r, CN_ERR_INVALID, "%s%s: at most %ld items", prefix, name, f->max);
			return false;
		}
		return true;
	case FIELD_OBJECT:
		if (!json_is_object(v))
			goto wrong_type;
		return true;
	}
wrong_type:;
	static const char *const type_names[] = {"a string",  "an integer", "true or false",
	                                         "a string",  "a string",   "a string",
	                                         "a string",  "a string",   "an array",
	                                         "an object"};
	api_error(r, CN_ERR_INVALID, "%s%s: must be %s", prefix, name, type_names[f->type]);
	return false;
}

bool validate_fields(struct api_req *r, const json_t *obj, const char *prefix,
                     const struct field_spec *fields, size_t n, bool patch)
{
	if (!obj || !json_is_object(obj)) {
		api_error(r, CN_ERR_INVALID, "%s: must be a JSON object", *prefix ? prefix : "body");
		return false;
	}
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)obj, key, value)
	{
		const struct field_spec *f = NULL;
		for (size_t i = 0; i < n && !f; i++)
			if (strcmp(fields[i].name, key) == 0)
				f = &fields[i];
		if (!f) {
			api_error(r, CN_ERR_INVALID, "%s%.64s: unknown field", prefix, key);
			return false;
		}
		if (!check_one(r, prefix, f, value))
			return false;
	}
	if (!patch) {
		for (size_t i = 0; i < n; i++) {
			if (fields[i].required && !json_object_get(obj, fields[i].name)) {
				api_error(r, CN_ERR_INVALID, "%s%s: required", prefix, fields[i].name);
				return false;
			}
		}
	}
	return true;
}

bool validate_body(struct api_req *r, const struct field_spec *fields, size_t n)
{
	json_t *empty = NULL;
	const json_t *obj = r->body;
	if (!obj)
		obj = empty = json_object();
	bool ok = validate_fields(r, obj, "", fields, n, false);
	json_decref(empty);
	return ok;
}

bool validate_patch(struct api_req *r, const struct field_spec *fields, size_t n)
{
	if (!r->body) {
		api_error(r, CN_ERR_INVALID, "body: a JSON object with the fields to change is required");
		return false;
	}
	return validate_fields(r, r->body, "", fields, n, true);
}

/* Cursors are "c" + the decimal key: opaque to clients by contract, and
 * stable under inserts because keys only grow. */
char *page_cursor(int64_t last_key)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "c%lld", (long long)last_key);
	return xstrdup(buf);
}

bool validate_page(struct api_req *r, int *limit, int64_t *after)
{
	*limit = 50;
	*after = 0;
	const char *l = api_query(r, "limit");
	if (l) {
		char *end = NULL;
		errno = 0;
		long n = strtol(l, &end, 10);
		if (errno || end == l || *end || n < 1 || n > 500) {
			api_error(r, CN_ERR_INVALID, "limit: must be a whole number from 1 to 500");
			return false;
		}
		*limit = (int)n;
	}
	const char *c = api_query(r, "cursor");
	if (c) {
		char *end = NULL;
		errno = 0;
		long long n = c[0] == 'c' ? strtoll(c + 1, &end, 10) : -1;
		if (c[0] != 'c' || errno || end == c + 1 || *end || n < 0) {
			api_error(r, CN_ERR_INVALID, "cursor: not a cursor this API gave out");
			return false;
		}
		*after = n;
	}
	return true;
}

json_t *page_body(json_t *items, int limit, int64_t last_key)
{
	json_t *next = json_null();
	if ((int)json_array_size(items) == limit) {
		char *c = page_cursor(last_key);
		next = json_string(c);
		free(c);
	}
	return json_pack("{s:o,s:o}", "items", items, "next_cursor", next);
}

bool validate_query_time(struct api_req *r, const char *name, int64_t *ms, bool *present)
{
	const char *v = api_query(r, name);
	*present = v != NULL;
	if (!v)
		return true;
	if (!cn_time_parse_rfc3339(v, strlen(v), ms)) {
		api_error(r, CN_ERR_INVALID, "%s: must be an RFC 3339 time", name);
		return false;
	}
	return true;
}

bool validate_query_id(struct api_req *r, const char *name, const char **out)
{
	const char *v = api_query(r, name);
	*out = v;
	if (v && !validate_id(v)) {
		api_error(r, CN_ERR_INVALID, "%s: not a valid id", name);
		return false;
	}
	return true;
}

bool validate_query_enum(struct api_req *r, const char *name, const char *const *values,
                         const char **out)
{
	const char *v = api_query(r, name);
	*out = v;
	if (!v)
		return true;
	for (const char *const *p = values; *p; p++)
		if (strcmp(*p, v) == 0)
			return true;
	api_error(r, CN_ERR_INVALID, "%s: '%.32s' is not an allowed value", name, v);
	return false;
}

void new_id(const char *prefix, char out[ID_MAX + 1])
{
	unsigned char raw[8];
	randombytes_buf(raw, sizeof(raw));
	char hex[17];
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(out, ID_MAX + 1, "%s%s", prefix, hex);
}
