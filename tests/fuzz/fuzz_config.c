/* libFuzzer target for the config loader (services/config.c).
 * 1. The bytes are the contents of a -c FILE: config_load_text() applies
 *    them on top of the built-in defaults, as load_file() does.
 * 2. The same bytes, one line per item, become a command line and an
 *    environment (lines starting CARENET_ go to the environment, the rest
 *    to argv; "-c" is dropped so no file is ever opened), and go through
 *    config_load(), which also runs the checks between keys.
 * Invariants: a failure leaves a one-line message and nothing to free; a
 * success leaves every number inside its documented range; no leak.
 * Build: make build/fuzz/fuzz_config */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define FZ_ARGS_MAX 32

static FILE *fz_devnull;

static void fz_check_err(const char *err, size_t size)
{
	size_t n = strnlen(err, size);
	if (n == 0 || n == size || strchr(err, '\n'))
		abort();
}

static void fz_range(long v, long lo, long hi)
{
	if (v < lo || v > hi)
		abort();
}

/* A loaded config keeps every number in its table range (a zero means
 * the text never set it, only in part 1 when starting from a zeroed
 * struct, which this target does not do). */
static void fz_check_config(const struct config *c)
{
	fz_range(c->mqtt_port, 1, 65535);
	fz_range(c->http_port, 1, 65535);
	fz_range(c->mqtt_max_payload, 256, 1048576);
	fz_range(c->http_max_connections, 4, 10000);
	fz_range(c->http_timeout_s, 1, 3600);
	fz_range(c->token_ttl_s, 60, 31536000);
	fz_range(c->escalate_p1_s, 1, 86400);
	fz_range(c->escalate_p2_s, 1, 86400);
	fz_range(c->escalate_p3_s, 1, 86400);
	fz_range(c->low_battery_pct, 1, 99);
	fz_range(c->battery_ok_pct, 1, 100);
	fz_range(c->offline_after, 1, 100);
	fz_range(c->event_retention_days, 1, 36500);
	if (!c->db_path || !c->mqtt_host || !c->mqtt_client_id || !c->topic_root || !c->z2m_base ||
	    !c->http_bind || !c->log_level)
		abort();
	/* values are trimmed and never hold a line break */
	const char *s[] = {c->db_path, c->mqtt_host, c->topic_root, c->z2m_base, c->log_level};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (strchr(s[i], '\n'))
			abort();
}

static void fz_as_file(const uint8_t *data, size_t size)
{
	char *argv[] = {"carenetd", NULL};
	char err[256];
	struct config cfg;
	if (config_load(1, argv, NULL, &cfg, fz_devnull, err, sizeof(err)) != CONFIG_OK)
		abort(); /* the built-in defaults always load */
	err[0] = '\0';
	if (config_load_text((const char *)data, size, "fuzz.conf", &cfg, err, sizeof(err))) {
		if (err[0])
			abort();
		fz_check_config(&cfg);
	} else {
		fz_check_err(err, sizeof(err));
		if (strncmp(err, "fuzz.conf:", 10) != 0)
			abort(); /* every file error names the file and line */
	}
	config_free(&cfg);
	config_free(&cfg); /* twice is safe */
}

static void fz_as_args(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	char *argv[FZ_ARGS_MAX + 2], *envp[FZ_ARGS_MAX + 1];
	int argc = 0;
	size_t envc = 0;
	argv[argc++] = "carenetd";
	char *p = copy;
	while (p && argc < FZ_ARGS_MAX && envc < FZ_ARGS_MAX) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (strcmp(p, "-c") != 0) {
			if (strncmp(p, "CARENET_", 8) == 0)
				envp[envc++] = p;
			else
				argv[argc++] = p;
		}
		p = nl ? nl + 1 : NULL;
	}
	argv[argc] = NULL;
	envp[envc] = NULL;

	char err[256];
	struct config cfg;
	memset(&cfg, 0, sizeof(cfg));
	enum config_result rc = config_load(argc, argv, envp, &cfg, fz_devnull, err, sizeof(err));
	if (rc == CONFIG_OK) {
		fz_check_config(&cfg);
		if (!cfg.http_tls_cert != !cfg.http_tls_key ||
		    !cfg.mqtt_username != !cfg.mqtt_password)
			abort();
		if (cfg.battery_ok_pct <= cfg.low_battery_pct)
			abort();
		config_free(&cfg);
	} else if (rc == CONFIG_ERROR) {
		fz_check_err(err, sizeof(err));
	} else if (rc != CONFIG_HELP) {
		abort();
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fz_devnull) {
		fz_devnull = fopen("/dev/null", "w");
		if (!fz_devnull)
			abort();
	}
	fz_as_file(data, size);
	fz_as_args(data, size);
	return 0;
}
