/* Logging to stderr: one line per message with UTC time, level and module.
 *
 * The level is set once at start-up (log_set_level) before any thread
 * starts and only read afterwards; it is the one process-wide setting. */
#ifndef CN_LOG_H
#define CN_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* "debug", "info", "warn", "error"; unknown names give LOG_INFO. */
enum log_level log_level_from_name(const char *name);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);

/* Writes "2026-11-27T09:22:53.123Z info  ingest: message" to stderr in one
 * write, so lines from different threads never interleave. */
void log_msg(enum log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)
#define log_info(mod, ...)  log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)

#endif
