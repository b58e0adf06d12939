/* The web console's static files, compiled into the binary
 * (proto/embed_console.py generates build/gen/console_files.c from
 * services/console/), and the answer for a console path: which file, its
 * type, its ETag, a redirect or a 404. No I/O, no libmicrohttpd: the
 * HTTP server turns a console_reply into a response, and unit tests call
 * console_route() directly. */
#ifndef CN_CONSOLE_FILES_H
#define CN_CONSOLE_FILES_H

#include <stdbool.h>
#include <stddef.h>

struct console_file {
	const char *path; /* "/console/app.js" */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
	const char *etag; /* quoted strong ETag: a hash of the bytes */
};

/* The generated table, sorted by path. */
extern const struct console_file console_files[];
extern const size_t console_file_count;

/* The console's Content-Security-Policy: scripts, styles and connections
 * only from this origin; no inline script, no frames, no plugins. */
#define CONSOLE_CSP                                                                       \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "      \
	"frame-ancestors 'none'"

/* Browsers revalidate every time (a new binary is a new console) and get a
 * 304 while the ETag still matches. */
#define CONSOLE_CACHE_CONTROL "no-cache"

struct console_reply {
	int status;                      /* 200, 304, 302, 404 or 405 */
	const struct console_file *file; /* 200 and 304; borrowed from the table */
	const char *location;            /* 302: where to */
	const char *text;                /* 404, 405: a short plain-text body */
};

/* Whether `path` belongs to the console: "/", "/favicon.ico", "/console"
 * and everything under "/console/". When it does, fills *out and returns
 * true; `if_none_match` (may be NULL) is the request's If-None-Match.
 * GET and HEAD only (405 otherwise); "/" and "/console" redirect to
 * "/console/", which is index.html; "/favicon.ico" is the SVG icon. */
bool console_route(const char *method, const char *path, const char *if_none_match,
                   struct console_reply *out);

/* The file at `path` ("/console/app.js"), or NULL. Borrowed, static. */
const struct console_file *console_file_find(const char *path);

#endif
