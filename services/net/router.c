#include "router.h"

#include <string.h>

static bool param_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ':' || c == '-';
}

/* Matches one pattern against a path, filling params. */
static bool pattern_match(const char *pattern, const char *path, struct route_match *m)
{
	const char *p = pattern, *s = path;
	m->n_params = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			if (!close || m->n_params >= ROUTE_MAX_PARAMS)
				return false;
			size_t len = 0;
			while (s[len] && s[len] != '/') {
				if (!param_char(s[len]))
					return false;
				len++;
			}
			if (len == 0 || len > ROUTE_PARAM_MAX)
				return false;
			if (len == 1 && s[0] == '.')
				return false;
			if (len == 2 && s[0] == '.' && s[1] == '.')
				return false;
			memcpy(m->params[m->n_params], s, len);
			m->params[m->n_params][len] = '\0';
			m->n_params++;
			s += len;
			p = close + 1;
		} else {
			if (*p != *s)
				return false;
			p++;
			s++;
		}
	}
	return *p == '\0' && *s == '\0';
}

enum route_result router_match(const struct route *table, size_t n, const char *method,
                               const char *path, struct route_match *m)
{
	memset(m, 0, sizeof(*m));
	bool path_known = false;
	struct route_match tmp;
	memset(&tmp, 0, sizeof(tmp));
	for (size_t i = 0; i < n; i++) {
		if (!pattern_match(table[i].pattern, path, &tmp))
			continue;
		if (strcmp(table[i].method, method) == 0) {
			*m = tmp;
			m->route = &table[i];
			return ROUTE_OK;
		}
		/* Collect the methods this path does take, for the Allow header;
		 * a literal route shadows later parameter ones of the same path. */
		size_t used = strlen(m->allow), need = strlen(table[i].method);
		if (!strstr(m->allow, table[i].method) && used + need + 3 < sizeof(m->allow)) {
			if (used)
				memcpy(m->allow + used, ", ", 2), used += 2;
			memcpy(m->allow + used, table[i].method, need + 1);
		}
		path_known = true;
	}
	return path_known ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}
