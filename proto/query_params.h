/* The query parameters each REST operation takes, as proto/openapi.yaml
 * lists them (the table is generated into build/gen/openapi.c), and the
 * check that refuses any other: a typo such as `?device=` is a 400 naming
 * it, never a silently unfiltered list. Pure: no I/O, no state. */
#ifndef CN_QUERY_PARAMS_H
#define CN_QUERY_PARAMS_H

#include <stdbool.h>

struct query_params_row {
	const char *method;  /* "GET", ... */
	const char *pattern; /* "/v1/alerts/{id}", as in the spec and the router */
	const char *names;   /* ",limit,cursor," (empty list: ",,") */
};

extern const struct query_params_row query_params_rows[];
extern const unsigned query_params_n;

/* True when the operation `method pattern` takes the query parameter
 * `name`, and for operations the spec does not list (then nothing is
 * known and nothing is refused). HEAD is checked as GET. */
bool query_params_allowed(const char *method, const char *pattern, const char *name);

/* The operation's allowed names as "a, b, c" into out (size bytes);
 * "none" when it takes none. Returns out. */
const char *query_params_list(const char *method, const char *pattern, char *out, unsigned size);

#endif
