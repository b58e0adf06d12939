/* Which console file answers a path (see console_files.h). */
#include "console_files.h"

#include <string.h>

const struct console_file *console_file_find(const char *path)
{
	size_t lo = 0, hi = console_file_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(path, console_files[mid].path);
		if (c == 0)
			return &console_files[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* An If-None-Match list ("a", "b" or *) names this ETag. */
static bool etag_matches(const char *header, const char *etag)
{
	if (!header)
		return false;
	if (strcmp(header, "*") == 0)
		return true;
	size_t n = strlen(etag);
	for (const char *p = strstr(header, etag); p; p = strstr(p + 1, etag)) {
		char after = p[n];
		if (after == '\0' || after == ',' || after == ' ')
			return true;
	}
	return false;
}

bool console_route(const char *method, const char *path, const char *if_none_match,
                   struct console_reply *out)
{
	memset(out, 0, sizeof(*out));
	bool ours = strcmp(path, "/") == 0 || strcmp(path, "/favicon.ico") == 0 ||
	            strcmp(path, "/console") == 0 || strncmp(path, "/console/", 9) == 0;
	if (!ours)
		return false;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		out->status = 405;
		out->text = "the console is read with GET or HEAD\n";
		return true;
	}
	if (strcmp(path, "/") == 0 || strcmp(path, "/console") == 0) {
		out->status = 302;
		out->location = "/console/";
		return true;
	}
	const char *name = path;
	if (strcmp(path, "/console/") == 0)
		name = "/console/index.html";
	else if (strcmp(path, "/favicon.ico") == 0)
		name = "/console/favicon.svg";
	const struct console_file *f = console_file_find(name);
	if (!f) {
		out->status = 404;
		out->text = "no such console file\n";
		return true;
	}
	out->file = f;
	out->status = etag_matches(if_none_match, f->etag) ? 304 : 200;
	return true;
}
