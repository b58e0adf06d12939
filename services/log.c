#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "payload.h"

static atomic_int current_level = LOG_INFO;

enum log_level log_level_from_name(const char *name)
{
	if (name && strcmp(name, "debug") == 0)
		return LOG_DEBUG;
	if (name && strcmp(name, "warn") == 0)
		return LOG_WARN;
	if (name && strcmp(name, "error") == 0)
		return LOG_ERROR;
	return LOG_INFO;
}

void log_set_level(enum log_level level) { atomic_store(&current_level, level); }

bool log_enabled(enum log_level level) { return (int)level >= atomic_load(&current_level); }

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	if (!log_enabled(level))
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char ts[32];
	cn_time_format_rfc3339((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, ts);

	char line[2048];
	int n = snprintf(line, sizeof(line), "%s %-5s %s: ", ts, names[level], module);
	if (n < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	/* Control characters from the network never reach the terminal raw. */
	for (size_t i = (size_t)n; i < len; i++)
		if ((unsigned char)line[i] < 0x20)
			line[i] = '?';
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w; /* nowhere better to report a failing stderr */
}
