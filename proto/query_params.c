/* Query parameter allow-list per operation (query_params.h). */
#include "query_params.h"

#include <stdio.h>
#include <string.h>

static const struct query_params_row *query_params_find(const char *method, const char *pattern)
{
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	for (unsigned i = 0; i < query_params_n; i++)
		if (strcmp(query_params_rows[i].method, method) == 0 &&
		    strcmp(query_params_rows[i].pattern, pattern) == 0)
			return &query_params_rows[i];
	return NULL;
}

bool query_params_allowed(const char *method, const char *pattern, const char *name)
{
	const struct query_params_row *row = query_params_find(method, pattern);
	const char *p;
	size_t n = strlen(name);

	if (!row)
		return true;
	if (n == 0)
		return false;
	for (p = strstr(row->names, name); p; p = strstr(p + 1, name))
		if (p[-1] == ',' && p[n] == ',')
			return true;
	return false;
}

const char *query_params_list(const char *method, const char *pattern, char *out, unsigned size)
{
	const struct query_params_row *row = query_params_find(method, pattern);
	size_t len = 0;

	if (size == 0)
		return out;
	out[0] = '\0';
	if (!row || strcmp(row->names, ",,") == 0) {
		snprintf(out, size, "none");
		return out;
	}
	for (const char *p = row->names + 1; *p && len + 3 < size; p++) {
		if (*p == ',') {
			if (p[1] == '\0')
				break;
			out[len++] = ',';
			out[len++] = ' ';
		} else {
			out[len++] = *p;
		}
	}
	out[len] = '\0';
	return out;
}
