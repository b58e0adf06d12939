#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

enum key_type { KEY_STRING, KEY_INT, KEY_SECRET };

/* One row per key. `check` runs on the final value of string keys and
 * returns a reason, or NULL when the value is fine. */
struct key_def {
	const char *name;
	enum key_type type;
	size_t offset;
	long min, max;
	const char *def; /* default as text; NULL means unset */
	const char *help;
	const char *(*check)(const char *value);
};

static const char *check_log_level(const char *v);
static const char *check_z2m_base(const char *v);
static const char *check_topic_level(const char *v);
static const char *check_timezone(const char *v);
static const char *check_nonempty(const char *v);
static const char *check_token(const char *v);
static const char *check_public_url(const char *v);
static const char *check_smtp_url(const char *v);

#define OFF(f) offsetof(struct config, f)

static const struct key_def keys[] = {
	{"db_path", KEY_STRING, OFF(db_path), 0, 0, "var/carenet.db",
         "SQLite database file (created and migrated on start)", check_nonempty},
	{"db_url", KEY_SECRET, OFF(db_url), 0, 0, NULL,
         "PostgreSQL connection string or URI; when set, used instead of db_path", NULL},
	{"node_name", KEY_STRING, OFF(node_name), 0, 0, NULL,
         "name of this node among several on one database (default: the host name)", NULL},
	{"mqtt_host", KEY_STRING, OFF(mqtt_host), 0, 0, "127.0.0.1", "MQTT broker host",
         check_nonempty},
	{"mqtt_port", KEY_INT, OFF(mqtt_port), 1, 65535, "1883", "MQTT broker port", NULL},
	{"mqtt_username", KEY_STRING, OFF(mqtt_username), 0, 0, NULL, "MQTT username", NULL},
	{"mqtt_password", KEY_SECRET, OFF(mqtt_password), 0, 0, NULL, "MQTT password", NULL},
	{"mqtt_cafile", KEY_STRING, OFF(mqtt_cafile), 0, 0, NULL,
         "CA certificate file; connect to the broker over TLS when set", NULL},
	{"mqtt_client_id", KEY_STRING, OFF(mqtt_client_id), 0, 0, "carenetd",
         "fixed MQTT client id, so the broker keeps the session", check_nonempty},
	{"mqtt_max_payload", KEY_INT, OFF(mqtt_max_payload), 256, 1048576, "16384",
         "largest MQTT payload accepted, in bytes; larger ones are quarantined", NULL},
	{"topic_root", KEY_STRING, OFF(topic_root), 0, 0, "carenet", "root of all native topics",
         check_topic_level},
	{"z2m_base", KEY_STRING, OFF(z2m_base), 0, 0, "zigbee2mqtt",
         "Zigbee2MQTT base topic(s) to ingest, comma-separated", check_z2m_base},
	{"http_bind", KEY_STRING, OFF(http_bind), 0, 0, "127.0.0.1", "REST API bind address",
         check_nonempty},
	{"http_port", KEY_INT, OFF(http_port), 1, 65535, "8080", "REST API port", NULL},
	{"public_url", KEY_STRING, OFF(public_url), 0, 0, NULL,
         "the address people reach carenetd at; ack links in messages are built on it"
         " (default http://{http_bind}:{http_port})",
         check_public_url},
	{"smtp_url", KEY_STRING, OFF(smtp_url), 0, 0, NULL,
         "mail server for the email channel (smtp://host:25, smtps://host:465)", check_smtp_url},
	{"smtp_from", KEY_STRING, OFF(smtp_from), 0, 0, NULL, "sender address of pages by e-mail",
         NULL},
	{"smtp_username", KEY_STRING, OFF(smtp_username), 0, 0, NULL, "SMTP user name", NULL},
	{"smtp_password", KEY_SECRET, OFF(smtp_password), 0, 0, NULL, "SMTP password", NULL},
	{"notify_max_active", KEY_INT, OFF(notify_max_active), 1, 256, "16",
         "outgoing channel messages in flight at once", NULL},
	{"http_tls_cert", KEY_STRING, OFF(http_tls_cert), 0, 0, NULL,
         "PEM certificate; serve HTTPS when both cert and key are set", NULL},
	{"http_tls_key", KEY_STRING, OFF(http_tls_key), 0, 0, NULL, "PEM private key for HTTPS",
         NULL},
	{"http_cors_origins", KEY_STRING, OFF(http_cors_origins), 0, 0, NULL,
         "origins allowed to call the API from a browser, comma-separated "
         "(https://dash.example.org); unset: no CORS headers at all",
         NULL},
	{"http_max_connections", KEY_INT, OFF(http_max_connections), 4, 10000, "512",
         "simultaneous HTTP connections; more wait in the listen queue", NULL},
	{"http_timeout_s", KEY_INT, OFF(http_timeout_s), 1, 3600, "30",
         "seconds an idle HTTP connection is kept", NULL},
	{"http_per_ip_connections", KEY_INT, OFF(http_per_ip_connections), 1, 10000, "32",
         "simultaneous HTTP connections from one client address; more are refused", NULL},
	{"http_sse_per_user", KEY_INT, OFF(http_sse_per_user), 1, 1000, "8",
         "open event streams per user; more get 429", NULL},
	{"http_min_body_rate", KEY_INT, OFF(http_min_body_rate), 1, 1048576, "256",
         "bytes per second a request body must average after its first 5 s; slower ones are cut",
         NULL},
	{"http_header_timeout_s", KEY_INT, OFF(http_header_timeout_s), 1, 600, "10",
         "seconds a connection may take to send its request line and headers, however slowly it"
         " trickles them; later ones are closed",
         NULL},
	{"http_trusted_proxies", KEY_STRING, OFF(http_trusted_proxies), 0, 0, NULL,
         "comma-separated proxy addresses whose X-Forwarded-For is believed; unset = none", NULL},
	{"login_max_hashes", KEY_INT, OFF(login_max_hashes), 1, 64, "1",
         "password hashes computed at once; more logins get 503 at once", NULL},
	{"timezone", KEY_STRING, OFF(timezone), 0, 0, NULL,
         "IANA zone for daily windows (e.g. Asia/Shanghai); unset = system", check_timezone},
	{"bootstrap_token", KEY_SECRET, OFF(bootstrap_token), 0, 0, NULL,
         "if no admin exists yet, create user admin whose API token is this value", check_token},
	{"token_ttl_s", KEY_INT, OFF(token_ttl_s), 60, 31536000, "43200",
         "lifetime of a login token in seconds", NULL},
	{"escalate_p1_s", KEY_INT, OFF(escalate_p1_s), 1, 86400, "60",
         "seconds without acknowledgement before the next level, priority 1", NULL},
	{"escalate_p2_s", KEY_INT, OFF(escalate_p2_s), 1, 86400, "300",
         "seconds without acknowledgement before the next level, priority 2", NULL},
	{"escalate_p3_s", KEY_INT, OFF(escalate_p3_s), 1, 86400, "1800",
         "seconds without acknowledgement before the next level, priority 3", NULL},
	{"low_battery_pct", KEY_INT, OFF(low_battery_pct), 1, 99, "15",
         "battery below this raises low_battery", NULL},
	{"battery_ok_pct", KEY_INT, OFF(battery_ok_pct), 1, 100, "25",
         "battery above this clears low_battery", NULL},
	{"offline_after", KEY_INT, OFF(offline_after), 1, 100, "3",
         "heartbeats missed before a device is offline", NULL},
	{"event_retention_days", KEY_INT, OFF(event_retention_days), 1, 36500, "365",
         "raw events older than this are pruned; alerts and timelines are kept", NULL},
	{"activity_retention_days", KEY_INT, OFF(activity_retention_days), 1, 36500, "3650",
         "daily activity summaries older than this are pruned (they outlive raw events)", NULL},
	{"wellbeing_check_s", KEY_INT, OFF(wellbeing_check_s), 1, 86400, "60",
         "seconds between looks for finished days to judge by the wellbeing rule", NULL},
	{"log_level", KEY_STRING, OFF(log_level), 0, 0, "info", "debug, info, warn or error",
         check_log_level},
};

#define KEY_COUNT (sizeof(keys) / sizeof(keys[0]))
#define VALUE_MAX 4096 /* no config value is longer than this */

size_t config_key_count(void) { return KEY_COUNT; }

const char *config_key_name(size_t i) { return i < KEY_COUNT ? keys[i].name : NULL; }

static const char *check_nonempty(const char *v) { return (v && *v) ? NULL : "must not be empty"; }

static const char *check_log_level(const char *v)
{
	static const char *const levels[] = {"debug", "info", "warn", "error"};
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(v, levels[i]) == 0)
			return NULL;
	return "must be debug, info, warn or error";
}

static bool topic_level_ok(const char *s, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(isalnum(c) || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return !(len <= 2 && s[0] == '.' && (len == 1 || s[1] == '.'));
}

static const char *check_topic_level(const char *v)
{
	return topic_level_ok(v, strlen(v)) ? NULL : "must be 1-64 characters of A-Z a-z 0-9 _ - .";
}

static const char *check_z2m_base(const char *v)
{
	size_t n = 0;
	const char *p = v;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (!topic_level_ok(p, len))
			return "must be a comma-separated list of topic names";
		if (++n > 8)
			return "at most 8 base topics";
		if (!comma)
			return NULL;
		p = comma + 1;
	}
}

static const char *check_timezone(const char *v)
{
	if (!*v)
		return "must not be empty";
	if (strlen(v) > 64 || v[0] == '/' || strstr(v, ".."))
		return "is not an IANA zone name";
	for (const char *p = v; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("/_-+", *p)))
			return "is not an IANA zone name";
	char path[128];
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", v);
	if (access(path, R_OK) != 0)
		return "is not a zone known to this system (/usr/share/zoneinfo)";
	return NULL;
}

static const char *check_token(const char *v)
{
	return strlen(v) >= 16 ? NULL : "must be at least 16 characters";
}

static char **str_field(struct config *cfg, const struct key_def *k)
{
	return (char **)((char *)cfg + k->offset);
}

static long *int_field(struct config *cfg, const struct key_def *k)
{
	return (long *)((char *)cfg + k->offset);
}

static const struct key_def *find_key(const char *name, size_t len)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (strlen(keys[i].name) == len && strncmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

/* Sets one key from text. `where` says where the value came from, for the
 * error line ("file.conf:12", "environment", "command line"). */
static bool set_value(struct config *cfg, const struct key_def *k, const char *value,
                      const char *where, char *err, size_t err_size)
{
	if (strlen(value) > VALUE_MAX) {
		snprintf(err, err_size, "%s: %s: value is too long", where, k->name);
		return false;
	}
	if (k->type == KEY_INT) {
		char *end = NULL;
		errno = 0;
		long n = strtol(value, &end, 10);
		if (errno || end == value || *end != '\0') {
			snprintf(err, err_size, "%s: %s: '%s' is not a whole number", where,
			         k->name, value);
			return false;
		}
		if (n < k->min || n > k->max) {
			snprintf(err, err_size, "%s: %s: %ld is out of range (%ld to %ld)", where,
			         k->name, n, k->min, k->max);
			return false;
		}
		*int_field(cfg, k) = n;
		return true;
	}
	/* Checked where it was given, so the message can name the file and
	 * line (or the environment, or the command line). */
	const char *why = k->check ? k->check(value) : NULL;
	if (why) {
		snprintf(err, err_size, "%s: %s: %s", where, k->name, why);
		return false;
	}
	char **slot = str_field(cfg, k);
	free(*slot);
	*slot = xstrdup(value);
	return true;
}

static void trim(char **start, char **end)
{
	while (*start < *end && isspace((unsigned char)**start))
		(*start)++;
	while (*end > *start && isspace((unsigned char)(*end)[-1]))
		(*end)--;
}

#define LINE_MAX_CHARS (VALUE_MAX + 254) /* longest line, without its newline */
#define FILE_MAX_BYTES (1024 * 1024)     /* a config file is a few KiB */

bool config_load_text(const char *text, size_t len, const char *name, struct config *out, char *err,
                      size_t err_size)
{
	char line[LINE_MAX_CHARS + 1];
	char where[512];
	unsigned lineno = 0;
	size_t pos = 0;
	while (pos < len) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%u", name, lineno);
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		if (n > LINE_MAX_CHARS) {
			snprintf(err, err_size, "%s: line is too long", where);
			return false;
		}
		if (memchr(text + pos, '\0', n)) {
			snprintf(err, err_size, "%s: line contains a NUL byte", where);
			return false;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);

		char *p = line, *end = line + n;
		trim(&p, &end);
		if (p == end || *p == '#')
			continue;
		char *name_end = p;
		while (name_end < end && !isspace((unsigned char)*name_end))
			name_end++;
		const struct key_def *k = find_key(p, (size_t)(name_end - p));
		if (!k) {
			*name_end = '\0';
			snprintf(err, err_size, "%s: unknown key '%.64s'", where, p);
			return false;
		}
		char *value = name_end;
		trim(&value, &end);
		*end = '\0';
		if (!set_value(out, k, value, where, err, err_size))
			return false;
	}
	return true;
}

/* Reads the whole file (at most FILE_MAX_BYTES) and hands it to
 * config_load_text, so the file and the fuzzed text take one path. */
static bool load_file(struct config *cfg, const char *path, char *err, size_t err_size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, err_size, "-c %s: cannot read config file: %s", path,
		         strerror(errno));
		return false;
	}
	char *text = NULL;
	size_t len = 0, cap = 0;
	bool ok = true;
	for (;;) {
		if (len > FILE_MAX_BYTES) {
			snprintf(err, err_size, "-c %s: config file is over %d bytes", path,
			         FILE_MAX_BYTES);
			ok = false;
			break;
		}
		if (len == cap) {
			size_t grown_cap = cap ? cap * 2 : 8192;
			char *grown = xrealloc(text, grown_cap);
			text = grown;
			cap = grown_cap;
		}
		size_t n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ok && ferror(f)) {
		snprintf(err, err_size, "-c %s: read error", path);
		ok = false;
	}
	fclose(f);
	if (ok)
		ok = config_load_text(text, len, path, cfg, err, err_size);
	free(text);
	return ok;
}

static bool load_env(struct config *cfg, char **envp, char *err, size_t err_size)
{
	static const char prefix[] = "CARENET_";
	for (char **e = envp; e && *e; e++) {
		if (strncmp(*e, prefix, sizeof(prefix) - 1) != 0)
			continue;
		const char *name = *e + sizeof(prefix) - 1;
		const char *eq = strchr(name, '=');
		if (!eq)
			continue;
		char lower[64];
		size_t len = (size_t)(eq - name);
		if (len >= sizeof(lower)) {
			snprintf(err, err_size, "environment: unknown key CARENET_%.40s", name);
			return false;
		}
		for (size_t i = 0; i < len; i++)
			lower[i] = (char)tolower((unsigned char)name[i]);
		lower[len] = '\0';
		const struct key_def *k = find_key(lower, len);
		if (!k) {
			snprintf(err, err_size, "environment: unknown key CARENET_%.*s", (int)len,
			         name);
			return false;
		}
		if (!set_value(cfg, k, eq + 1, "environment", err, err_size))
			return false;
	}
	return true;
}

static const char *check_public_url(const char *v)
{
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
		return "must start with http:// or https://";
	if (strlen(v) > 200)
		return "longer than 200 characters";
	for (const char *c = v; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == '"' || *c == '<' || *c == '>')
			return "must not contain spaces, quotes or angle brackets";
	return NULL;
}

static const char *check_smtp_url(const char *v)
{
	if (strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0)
		return "must start with smtp:// or smtps://";
	return NULL;
}

/* Checks between keys, once every source is in (each value on its own
 * was checked by set_value where it was given). */
static bool validate(struct config *cfg, char *err, size_t err_size)
{
	if (!cfg->http_tls_cert != !cfg->http_tls_key) {
		snprintf(err, err_size, "%s: http_tls_cert and http_tls_key must be set together",
		         cfg->http_tls_cert ? "http_tls_key" : "http_tls_cert");
		return false;
	}
	if (cfg->battery_ok_pct <= cfg->low_battery_pct) {
		snprintf(err, err_size, "battery_ok_pct: %ld must be above low_battery_pct (%ld)",
		         cfg->battery_ok_pct, cfg->low_battery_pct);
		return false;
	}
	if (!cfg->mqtt_username != !cfg->mqtt_password) {
		snprintf(err, err_size, "%s: mqtt_username and mqtt_password must be set together",
		         cfg->mqtt_username ? "mqtt_password" : "mqtt_username");
		return false;
	}
	return true;
}

void config_print_help(FILE *out)
{
	fprintf(out,
	        "usage: carenetd [-c FILE] [--KEY VALUE]...\n"
	        "\n"
	        "CareNet daemon: ingests device events over MQTT, raises and escalates alerts,\n"
	        "and serves the REST API. Settings, lowest precedence first: defaults,\n"
	        "-c FILE (\"key value\" lines), CARENET_<KEY> environment, --key value.\n"
	        "\n"
	        "  %-22s %-16s %s\n",
	        "key", "default", "meaning");
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct key_def *k = &keys[i];
		char range[48] = "";
		if (k->type == KEY_INT)
			snprintf(range, sizeof(range), " (%ld-%ld)", k->min, k->max);
		fprintf(out, "  %-22s %-16s %s%s\n", k->name, k->def ? k->def : "(unset)", k->help,
		        range);
	}
}

enum config_result config_load(int argc, char **argv, char **envp, struct config *out,
                               FILE *help_out, char *err, size_t err_size)
{
	struct config cfg;
	memset(&cfg, 0, sizeof(cfg));
	err[0] = '\0';
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (keys[i].def &&
		    !set_value(&cfg, &keys[i], keys[i].def, "default", err, err_size))
			goto fail; /* a bad built-in default is a programming error */

	/* The file comes first whatever its position on the command line, so
	 * that flags always win over it. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			config_print_help(help_out);
			config_free(&cfg);
			return CONFIG_HELP;
		}
		if (strcmp(argv[i], "-c") == 0) {
			if (i + 1 >= argc) {
				snprintf(err, err_size, "-c: missing file name");
				goto fail;
			}
			if (!load_file(&cfg, argv[++i], err, err_size))
				goto fail;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			if (!strchr(argv[i], '='))
				i++; /* skip the value; flags are applied below */
		} else {
			snprintf(err, err_size, "command line: unexpected argument '%.64s'",
			         argv[i]);
			goto fail;
		}
	}
	if (!load_env(&cfg, envp, err, err_size))
		goto fail;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0) {
			i++;
			continue;
		}
		const char *name = argv[i] + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct key_def *k = find_key(name, len);
		if (!k) {
			snprintf(err, err_size, "command line: unknown key '--%.*s'",
			         (int)(len > 64 ? 64 : len), name);
			goto fail;
		}
		const char *value;
		if (eq) {
			value = eq + 1;
		} else {
			if (i + 1 >= argc) {
				snprintf(err, err_size, "command line: %s: missing value", k->name);
				goto fail;
			}
			value = argv[++i];
		}
		if (!set_value(&cfg, k, value, "command line", err, err_size))
			goto fail;
	}
	if (!validate(&cfg, err, err_size))
		goto fail;
	*out = cfg;
	return CONFIG_OK;
fail:
	config_free(&cfg);
	return CONFIG_ERROR;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < KEY_COUNT; i++) {
		if (keys[i].type == KEY_INT)
			continue;
		char **slot = str_field(cfg, &keys[i]);
		if (keys[i].type == KEY_SECRET && *slot)
			memset(*slot, 0, strlen(*slot)); /* don't leave secrets in freed memory */
		free(*slot);
		*slot = NULL;
	}
}
