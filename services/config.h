/* carenetd configuration: one typed table (contract section 1), loaded once
 * into an immutable struct config that is passed explicitly to each part.
 *
 * Precedence, lowest first: built-in defaults, the file named by -c FILE
 * (mosquitto.conf style "key value" lines, # comments), CARENET_<KEY>
 * environment variables, then --key value flags. */
#ifndef CN_CONFIG_H
#define CN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config {
	char *db_path;
	char *db_url;    /* PostgreSQL when set; NULL: SQLite at db_path */
	char *node_name; /* this node among several on one database */
	char *mqtt_host;
	long mqtt_port;
	char *mqtt_username;
	char *mqtt_password;
	char *mqtt_cafile;
	char *mqtt_client_id;
	long mqtt_max_payload;
	char *topic_root;
	char *z2m_base;
	char *http_bind;
	long http_port;
	char *http_tls_cert;
	char *http_tls_key;
	char *http_cors_origins; /* comma-separated; NULL: no CORS headers */
	long http_max_connections;
	long http_timeout_s;
	long http_per_ip_connections;
	long http_sse_per_user;
	long http_min_body_rate;
	long http_header_timeout_s;
	char *http_trusted_proxies;
	long login_max_hashes;
	char *timezone;
	char *bootstrap_token;
	long token_ttl_s;
	long escalate_p1_s;
	long escalate_p2_s;
	long escalate_p3_s;
	long low_battery_pct;
	long battery_ok_pct;
	long offline_after;
	long event_retention_days;
	long activity_retention_days;
	long wellbeing_check_s;
	char *log_level;
	char *public_url; /* NULL: http://{http_bind}:{http_port} */
	char *smtp_url;
	char *smtp_from;
	char *smtp_username;
	char *smtp_password;
	long notify_max_active;
};

enum config_result {
	CONFIG_OK = 0,
	CONFIG_HELP = 1,  /* --help was asked for and printed; exit 0 */
	CONFIG_ERROR = 2, /* `err` names the key (and file:line); exit 2 */
};

/* Loads defaults, then -c FILE, then `envp` (NULL-terminated, may be NULL),
 * then argv. On CONFIG_ERROR `err` holds one line naming the key and
 * nothing needs freeing; otherwise free the result with config_free().
 * --help prints the table to `help_out`. */
enum config_result config_load(int argc, char **argv, char **envp, struct config *out,
                               FILE *help_out, char *err, size_t err_size);

/* Applies the "key value" lines of `text` (`len` bytes, need not be
 * NUL-terminated; # starts a comment line) on top of `out`, as -c FILE
 * does: `out` is a zeroed struct or one already loaded, and owns its
 * strings (replaced ones are freed). `name` is used in messages
 * ("name:12: unknown key 'x'"). Lines are at most 4350 bytes and must not
 * hold NUL. Only the per-key rules (type, range, length) are checked here;
 * the rules between keys and of string values run in config_load() after
 * every source is read. Returns false with one line in `err` at the first
 * bad line; keys set before it stay set (free them with config_free()). */
bool config_load_text(const char *text, size_t len, const char *name, struct config *out, char *err,
                      size_t err_size);

/* Frees the strings of a loaded config; safe on a zeroed struct. */
void config_free(struct config *cfg);

/* Writes the generated --help text to `out`. */
void config_print_help(FILE *out);

/* The number of keys in the table (for tests). */
size_t config_key_count(void);
/* The name of key `i` < config_key_count() (for tests). */
const char *config_key_name(size_t i);

#endif
