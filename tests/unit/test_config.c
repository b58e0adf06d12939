/* Unit tests for services/config.c: the key table, defaults, the three
 * sources and their precedence, and every way start-up can be refused.
 *
 * Each error case also checks that `out` was not touched and that nothing
 * is left allocated: the program runs under ASan/LSan, so a leak on an
 * error path fails the run at exit. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#define ERR_SIZE 512

/* A config file in a fresh temporary directory; removed by the test. */
struct tmp_file {
	char dir[256];
	char path[320];
};

static void write_tmp(struct tmp_file *t, const char *text)
{
	const char *base = getenv("TMPDIR");
	snprintf(t->dir, sizeof(t->dir), "%s/carenet-config-XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/carenetd.conf", t->dir);
	FILE *f = fopen(t->path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void remove_tmp(struct tmp_file *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

/* Runs config_load with argv[0] = "carenetd" followed by `args` (NULL
 * terminated) and the given environment. */
static enum config_result load(char **envp, struct config *cfg, char *err, const char *const *args)
{
	char *argv[32] = {"carenetd"};
	int argc = 1;
	for (; args && args[argc - 1]; argc++) {
		assert_true(argc < 31);
		argv[argc] = (char *)args[argc - 1];
	}
	argv[argc] = NULL;
	memset(cfg, 0, sizeof(*cfg));
	FILE *help = fopen("/dev/null", "w");
	assert_non_null(help);
	enum config_result rc = config_load(argc, argv, envp, cfg, help, err, ERR_SIZE);
	fclose(help);
	return rc;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Asserts a refused start: CONFIG_ERROR, `out` untouched, and the message
 * contains every one of `needles` (NULL terminated). */
static void expect_error(char **envp, const char *const *args, const char *const *needles)
{
	struct config cfg, zero;
	char err[ERR_SIZE];
	memset(&zero, 0, sizeof(zero));
	enum config_result rc = load(envp, &cfg, err, args);
	if (rc != CONFIG_ERROR)
		config_free(&cfg);
	assert_int_equal(rc, CONFIG_ERROR);
	assert_memory_equal(&cfg, &zero, sizeof(cfg)); /* nothing to free */
	assert_true(err[0] != '\0');
	assert_null(strchr(err, '\n'));
	for (const char *const *n = needles; *n; n++) {
		if (!strstr(err, *n))
			print_error("error message '%s' lacks '%s'\n", err, *n);
		assert_non_null(strstr(err, *n));
	}
}

#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_file_error(const char *text, const char *const *needles)
{
	struct tmp_file t = {"", ""};
	write_tmp(&t, text);
	expect_error(NULL, ARGS("-c", t.path), needles);
	remove_tmp(&t);
}

static char *help_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	struct config cfg;
	memset(&cfg, 0, sizeof(cfg));
	char err[ERR_SIZE];
	char *argv[] = {"carenetd", "--help", NULL};
	assert_int_equal(config_load(2, argv, NULL, &cfg, out, err, sizeof(err)), CONFIG_HELP);
	fclose(out);
	return buf;
}

/* --help lists every key of the table, one line each, and the keys the
 * contract promises are in the table. */
static void test_config_help_lists_every_key(void **state)
{
	(void)state;
	char *text = help_text();
	assert_non_null(strstr(text, "usage: carenetd"));
	size_t n = config_key_count();
	assert_true(n >= 27);
	for (size_t i = 0; i < n; i++) {
		const char *name = config_key_name(i);
		assert_non_null(name);
		char line_start[80];
		snprintf(line_start, sizeof(line_start), "\n  %s ", name);
		if (!strstr(text, line_start))
			print_error("--help lacks key '%s'\n", name);
		assert_non_null(strstr(text, line_start));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(name, config_key_name(j));
	}
	assert_null(config_key_name(n));
	free(text);

	static const char *const contract[] = {
		"db_path",         "mqtt_host",
		"mqtt_port",       "mqtt_username",
		"mqtt_password",   "mqtt_cafile",
		"mqtt_client_id",  "topic_root",
		"z2m_base",        "http_bind",
		"http_port",       "http_tls_cert",
		"http_tls_key",    "timezone",
		"bootstrap_token", "escalate_p1_s",
		"escalate_p2_s",   "escalate_p3_s",
		"low_battery_pct", "battery_ok_pct",
		"offline_after",   "event_retention_days",
		"log_level",
	};
	for (size_t c = 0; c < sizeof(contract) / sizeof(contract[0]); c++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(config_key_name(i), contract[c]) == 0;
		if (!found)
			print_error("contract key '%s' missing from the table\n", contract[c]);
		assert_true(found);
	}
}

static void test_config_help_variants(void **state)
{
	(void)state;
	struct config cfg;
	char err[ERR_SIZE];
	assert_int_equal(load(NULL, &cfg, err, ARGS("-h")), CONFIG_HELP);
	/* --help wins even after a bad flag would have been read */
	assert_int_equal(load(NULL, &cfg, err, ARGS("--http_port", "1", "--help")), CONFIG_HELP);
	struct config zero;
	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(&cfg, &zero, sizeof(cfg));
}

/* The defaults are the contract's (section 1). */
static void test_config_defaults(void **state)
{
	(void)state;
	struct config cfg;
	char err[ERR_SIZE];
	assert_int_equal(load(NULL, &cfg, err, NULL), CONFIG_OK);
	assert_string_equal(err, "");
	assert_string_equal(cfg.db_path, "var/carenet.db");
	assert_string_equal(cfg.mqtt_host, "127.0.0.1");
	assert_int_equal(cfg.mqtt_port, 1883);
	assert_null(cfg.mqtt_username);
	assert_null(cfg.mqtt_password);
	assert_null(cfg.mqtt_cafile);
	assert_string_equal(cfg.mqtt_client_id, "carenetd");
	assert_string_equal(cfg.topic_root, "carenet");
	assert_string_equal(cfg.z2m_base, "zigbee2mqtt");
	assert_string_equal(cfg.http_bind, "127.0.0.1");
	assert_int_equal(cfg.http_port, 8080);
	assert_null(cfg.http_tls_cert);
	assert_null(cfg.http_tls_key);
	assert_null(cfg.timezone);
	assert_null(cfg.bootstrap_token);
	assert_int_equal(cfg.escalate_p1_s, 60);
	assert_int_equal(cfg.escalate_p2_s, 300);
	assert_int_equal(cfg.escalate_p3_s, 1800);
	assert_int_equal(cfg.low_battery_pct, 15);
	assert_int_equal(cfg.battery_ok_pct, 25);
	assert_int_equal(cfg.offline_after, 3);
	assert_int_equal(cfg.event_retention_days, 365);
	assert_string_equal(cfg.log_level, "info");
	config_free(&cfg);
	config_free(&cfg); /* freeing twice is safe: config_free clears */
	config_free(NULL);
}

/* defaults < file < environment < command line, key by key. */
static void test_config_precedence(void **state)
{
	(void)state;
	struct tmp_file t = {"", ""};
	write_tmp(&t, "# a comment\n"
	              "\n"
	              "http_port 1001\n"
	              "mqtt_port 1002\n"
	              "offline_after 5\n"
	              "  log_level   debug  \n"
	              "\tdb_path /tmp/with spaces/care.db\n");
	char *envp[] = {"PATH=/usr/bin",
	                "CARENET_HTTP_PORT=2001",
	                "CARENET_MQTT_PORT=2002",
	                "CARENET_LOG_LEVEL=warn",
	                "CARENETX=ignored",
	                "carenet_http_port=9",
	                NULL};
	struct config cfg;
	char err[ERR_SIZE];
	/* -c after the flag: the file still ranks below it */
	assert_int_equal(load(envp, &cfg, err, ARGS("--http_port", "3001", "-c", t.path)),
	                 CONFIG_OK);
	assert_int_equal(cfg.http_port, 3001);                        /* flag over env over file */
	assert_int_equal(cfg.mqtt_port, 2002);                        /* env over file */
	assert_int_equal(cfg.offline_after, 5);                       /* file over default */
	assert_string_equal(cfg.log_level, "warn");                   /* env over file */
	assert_string_equal(cfg.db_path, "/tmp/with spaces/care.db"); /* value is the rest */
	assert_int_equal(cfg.escalate_p1_s, 60);                      /* default */
	config_free(&cfg);
	remove_tmp(&t);
}

static void test_config_flag_forms(void **state)
{
	(void)state;
	struct config cfg;
	char err[ERR_SIZE];
	assert_int_equal(load(NULL, &cfg, err,
	                      ARGS("--http_port=9090", "--mqtt_host", "broker.local",
	                           "--topic_root=care", "--http_port", "9091")),
	                 CONFIG_OK);
	assert_int_equal(cfg.http_port, 9091); /* the last one wins */
	assert_string_equal(cfg.mqtt_host, "broker.local");
	assert_string_equal(cfg.topic_root, "care");
	config_free(&cfg);

	/* "--key=" sets an empty value, which a non-empty key refuses */
	expect_error(NULL, ARGS("--mqtt_host="), NEEDLES("mqtt_host", "empty"));
	/* a value may contain '=' */
	assert_int_equal(load(NULL, &cfg, err, ARGS("--bootstrap_token=abc=def=ghi=jkl=mno")),
	                 CONFIG_OK);
	assert_string_equal(cfg.bootstrap_token, "abc=def=ghi=jkl=mno");
	config_free(&cfg);
}

static void test_config_secrets_and_pairs(void **state)
{
	(void)state;
	struct config cfg;
	char err[ERR_SIZE];
	char *envp[] = {"CARENET_MQTT_USERNAME=carenetd", "CARENET_MQTT_PASSWORD=s3cret", NULL};
	assert_int_equal(load(envp, &cfg, err, ARGS("--timezone", "Asia/Shanghai")), CONFIG_OK);
	assert_string_equal(cfg.mqtt_username, "carenetd");
	assert_string_equal(cfg.mqtt_password, "s3cret");
	assert_string_equal(cfg.timezone, "Asia/Shanghai");
	config_free(&cfg);
	assert_null(cfg.mqtt_password);

	expect_error(NULL, ARGS("--mqtt_username", "u"), NEEDLES("mqtt_password"));
	expect_error(NULL, ARGS("--mqtt_password", "p"), NEEDLES("mqtt_username"));
	expect_error(NULL, ARGS("--bootstrap_token", "short"), NEEDLES("bootstrap_token", "16"));
}

static void test_config_unknown_key_in_file(void **state)
{
	(void)state;
	struct tmp_file t = {"", ""};
	write_tmp(&t, "http_port 8081\n# comment\nhttp_prot 8082\nlog_level debug\n");
	char where[400];
	snprintf(where, sizeof(where), "%s:3", t.path);
	expect_error(NULL, ARGS("-c", t.path), NEEDLES(where, "unknown key", "http_prot"));
	remove_tmp(&t);
}

static void test_config_unknown_key_in_env(void **state)
{
	(void)state;
	char *envp[] = {"CARENET_HTTP_PORT=8081", "CARENET_NO_SUCH_KEY=1", NULL};
	expect_error(envp, NULL, NEEDLES("environment", "CARENET_NO_SUCH_KEY"));
	/* a very long name is refused, not truncated into a match */
	char *long_env[] = {
		"CARENET_HTTP_PORT_AND_A_GREAT_MANY_MORE_CHARACTERS_AFTER_IT_XXXXXXXXXXXX=1", NULL};
	expect_error(long_env, NULL, NEEDLES("environment", "unknown key"));
}

static void test_config_unknown_key_on_command_line(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("--http-port", "8081"), NEEDLES("command line", "--http-port"));
	expect_error(NULL, ARGS("--nope=1"), NEEDLES("command line", "--nope"));
	expect_error(NULL, ARGS("--"), NEEDLES("command line"));
	expect_error(NULL, ARGS("http_port", "8081"), NEEDLES("command line", "http_port"));
	expect_error(NULL, ARGS("-x"), NEEDLES("command line", "-x"));
}

static void test_config_bad_number(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("--http_port", "80x"), NEEDLES("http_port", "80x", "whole number"));
	expect_error(NULL, ARGS("--http_port", ""), NEEDLES("http_port", "whole number"));
	expect_error(NULL, ARGS("--http_port", "0x50"), NEEDLES("http_port"));
	expect_error(NULL, ARGS("--http_port", "8080.5"), NEEDLES("http_port"));
	expect_error(NULL, ARGS("--escalate_p1_s", "99999999999999999999999"),
	             NEEDLES("escalate_p1_s"));
	char *envp[] = {"CARENET_MQTT_PORT=one", NULL};
	expect_error(envp, NULL, NEEDLES("environment", "mqtt_port", "one"));
	expect_file_error("offline_after three\n", NEEDLES(":1", "offline_after", "three"));
}

static void test_config_out_of_range(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("--http_port", "0"),
	             NEEDLES("http_port", "out of range", "1 to 65535"));
	expect_error(NULL, ARGS("--http_port=65536"), NEEDLES("http_port", "out of range"));
	expect_error(NULL, ARGS("--mqtt_port", "-1"), NEEDLES("mqtt_port", "out of range"));
	expect_error(NULL, ARGS("--low_battery_pct", "100"), NEEDLES("low_battery_pct"));
	expect_error(NULL, ARGS("--offline_after", "0"), NEEDLES("offline_after"));
	expect_file_error("event_retention_days 0\n",
	                  NEEDLES(":1", "event_retention_days", "out of range"));
	/* the bounds themselves are accepted */
	struct config cfg;
	char err[ERR_SIZE];
	assert_int_equal(load(NULL, &cfg, err, ARGS("--http_port", "65535", "--mqtt_port", "1")),
	                 CONFIG_OK);
	assert_int_equal(cfg.http_port, 65535);
	assert_int_equal(cfg.mqtt_port, 1);
	config_free(&cfg);
}

static void test_config_unreadable_file(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("-c", "/nonexistent/carenetd.conf"),
	             NEEDLES("/nonexistent/carenetd.conf", "cannot read"));
	/* a directory opens but does not read (and root can read anything
	 * chmod 000, so this is the unreadable case that holds for root too) */
	struct tmp_file t = {"", ""};
	write_tmp(&t, "");
	expect_error(NULL, ARGS("-c", t.dir), NEEDLES(t.dir));
	remove_tmp(&t);
}

static void test_config_empty_file_is_fine(void **state)
{
	(void)state;
	struct tmp_file t = {"", ""};
	write_tmp(&t, "# nothing but comments\n\n   \n\t# indented comment\n");
	struct config cfg;
	char err[ERR_SIZE];
	assert_int_equal(load(NULL, &cfg, err, ARGS("-c", t.path)), CONFIG_OK);
	assert_int_equal(cfg.http_port, 8080);
	config_free(&cfg);
	remove_tmp(&t);
}

static void test_config_missing_value(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("--http_port"), NEEDLES("http_port", "missing value"));
	expect_error(NULL, ARGS("--log_level", "debug", "--db_path"),
	             NEEDLES("db_path", "missing value"));
	/* in a file, a key alone on its line has an empty value */
	expect_file_error("log_level debug\nmqtt_port\n", NEEDLES(":2", "mqtt_port"));
	/* string values are checked after all sources are read, so this
	 * message names the key but not the file line */
	expect_file_error("db_path   \n", NEEDLES("db_path", "empty"));
}

static void test_config_missing_file_argument(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("-c"), NEEDLES("-c", "missing"));
	expect_error(NULL, ARGS("--http_port", "8081", "-c"), NEEDLES("-c", "missing"));
}

static void test_config_line_too_long(void **state)
{
	(void)state;
	size_t n = 8192;
	char *text = malloc(n + 32);
	assert_non_null(text);
	memcpy(text, "db_path ", 8);
	memset(text + 8, 'a', n);
	memcpy(text + 8 + n, "\n", 2);
	expect_file_error(text, NEEDLES(":1", "too long"));
	free(text);
}

static void test_config_timezone(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("--timezone", "Mars/Olympus_Mons"), NEEDLES("timezone"));
	expect_error(NULL, ARGS("--timezone", "../../etc/passwd"), NEEDLES("timezone"));
	expect_error(NULL, ARGS("--timezone", "/etc/localtime"), NEEDLES("timezone"));
	expect_error(NULL, ARGS("--timezone", ""), NEEDLES("timezone"));
	expect_error(NULL, ARGS("--timezone", "Asia/Shanghai;rm"), NEEDLES("timezone"));
	struct config cfg;
	char err[ERR_SIZE];
	assert_int_equal(load(NULL, &cfg, err, ARGS("--timezone", "UTC")), CONFIG_OK);
	assert_string_equal(cfg.timezone, "UTC");
	config_free(&cfg);
}

static void test_config_tls_pair(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("--http_tls_cert", "/etc/carenet/cert.pem"),
	             NEEDLES("http_tls_key", "together"));
	expect_error(NULL, ARGS("--http_tls_key", "/etc/carenet/key.pem"),
	             NEEDLES("http_tls_cert", "together"));
	struct config cfg;
	char err[ERR_SIZE];
	assert_int_equal(load(NULL, &cfg, err,
	                      ARGS("--http_tls_cert", "/c.pem", "--http_tls_key", "/k.pem")),
	                 CONFIG_OK);
	assert_string_equal(cfg.http_tls_cert, "/c.pem");
	assert_string_equal(cfg.http_tls_key, "/k.pem");
	config_free(&cfg);
}

static void test_config_battery_thresholds(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("--battery_ok_pct", "15"),
	             NEEDLES("battery_ok_pct", "low_battery_pct"));
	expect_error(NULL, ARGS("--low_battery_pct", "30"),
	             NEEDLES("battery_ok_pct", "low_battery_pct"));
	char *envp[] = {"CARENET_LOW_BATTERY_PCT=20", NULL};
	expect_error(envp, ARGS("--battery_ok_pct=10"), NEEDLES("battery_ok_pct"));
	struct config cfg;
	char err[ERR_SIZE];
	assert_int_equal(load(NULL, &cfg, err, ARGS("--low_battery_pct", "24")), CONFIG_OK);
	assert_int_equal(cfg.low_battery_pct, 24);
	config_free(&cfg);
}

static void test_config_log_level(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("--log_level", "verbose"),
	             NEEDLES("log_level", "debug, info, warn"));
	expect_error(NULL, ARGS("--log_level", "INFO"), NEEDLES("log_level"));
	expect_file_error("log_level trace\n", NEEDLES("log_level"));
	static const char *const ok[] = {"debug", "info", "warn", "error"};
	for (size_t i = 0; i < 4; i++) {
		struct config cfg;
		char err[ERR_SIZE];
		assert_int_equal(load(NULL, &cfg, err, ARGS("--log_level", ok[i])), CONFIG_OK);
		assert_string_equal(cfg.log_level, ok[i]);
		config_free(&cfg);
	}
}

static void test_config_topic_names(void **state)
{
	(void)state;
	expect_error(NULL, ARGS("--topic_root", "care/net"), NEEDLES("topic_root"));
	expect_error(NULL, ARGS("--topic_root", "#"), NEEDLES("topic_root"));
	expect_error(NULL, ARGS("--z2m_base", "z2m,,other"), NEEDLES("z2m_base"));
	expect_error(NULL, ARGS("--z2m_base", "a,b,c,d,e,f,g,h,i"), NEEDLES("z2m_base", "8"));
	struct config cfg;
	char err[ERR_SIZE];
	assert_int_equal(load(NULL, &cfg, err, ARGS("--z2m_base", "zigbee2mqtt,flat-2.z2m")),
	                 CONFIG_OK);
	assert_string_equal(cfg.z2m_base, "zigbee2mqtt,flat-2.z2m");
	config_free(&cfg);
}

/* A later source's error does not leak what earlier sources set. */
static void test_config_error_after_strings_set(void **state)
{
	(void)state;
	struct tmp_file t = {"", ""};
	write_tmp(&t, "db_path /var/lib/carenet/care.db\nmqtt_username u\nmqtt_password p\n");
	char *envp[] = {"CARENET_MQTT_HOST=broker", "CARENET_BOOTSTRAP_TOKEN=0123456789abcdef",
	                NULL};
	expect_error(envp, ARGS("-c", t.path, "--mqtt_cafile", "/ca.pem", "--http_port", "x"),
	             NEEDLES("http_port"));
	expect_error(envp, ARGS("-c", t.path, "--mqtt_cafile", "/ca.pem", "--log_level", "x"),
	             NEEDLES("log_level"));
	remove_tmp(&t);
}

/* A short error buffer truncates the message but stays terminated. */
static void test_config_small_error_buffer(void **state)
{
	(void)state;
	struct config cfg;
	memset(&cfg, 0, sizeof(cfg));
	char err[8];
	memset(err, 'x', sizeof(err));
	char *argv[] = {"carenetd", "--http_port", "banana", NULL};
	assert_int_equal(config_load(3, argv, NULL, &cfg, stdout, err, sizeof(err)), CONFIG_ERROR);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

/* config_load_text: the -c FILE parser on bytes in memory. */
static void test_config_load_text(void **state)
{
	(void)state;
	struct config cfg;
	char err[ERR_SIZE];
	memset(&cfg, 0, sizeof(cfg));
	/* no final newline, CRLF-free, not NUL-terminated: only len counts */
	static const char text[] = "http_port 9000\n# note\n\nlog_level debug\nmqtt_port 1999XXXX";
	assert_true(config_load_text(text, sizeof(text) - 1 - 4, "mem", &cfg, err, sizeof(err)));
	assert_int_equal(cfg.http_port, 9000);
	assert_string_equal(cfg.log_level, "debug");
	assert_int_equal(cfg.mqtt_port, 1999);
	/* a later text replaces (and frees) an earlier value */
	static const char again[] = "log_level warn\n";
	assert_true(config_load_text(again, sizeof(again) - 1, "mem", &cfg, err, sizeof(err)));
	assert_string_equal(cfg.log_level, "warn");
	assert_true(config_load_text("", 0, "mem", &cfg, err, sizeof(err)));
	config_free(&cfg);

	/* an error names the line; keys before it stay set, to be freed */
	static const char bad[] = "db_path /tmp/x.db\nhttp_port 1\nnope 2\n";
	assert_false(config_load_text(bad, sizeof(bad) - 1, "mem", &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "mem:3"));
	assert_non_null(strstr(err, "nope"));
	assert_string_equal(cfg.db_path, "/tmp/x.db");
	config_free(&cfg);

	/* a NUL byte inside a line */
	static const char nul[] = "log_level de\0bug\n";
	assert_false(config_load_text(nul, sizeof(nul) - 1, "mem", &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "mem:1"));
	assert_non_null(strstr(err, "NUL"));
	config_free(&cfg);
}

/* A config file past the size limit is refused without reading it all. */
static void test_config_file_too_big(void **state)
{
	(void)state;
	struct tmp_file t = {"", ""};
	write_tmp(&t, "");
	FILE *f = fopen(t.path, "w");
	assert_non_null(f);
	for (int i = 0; i < 40000; i++) /* 40000 x 32 bytes = 1.28 MB */
		fputs("# a comment line of 32 bytes ..\n", f);
	assert_int_equal(fclose(f), 0);
	expect_error(NULL, ARGS("-c", t.path), NEEDLES(t.path, "bytes"));
	remove_tmp(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_help_lists_every_key),
		cmocka_unit_test(test_config_help_variants),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_precedence),
		cmocka_unit_test(test_config_flag_forms),
		cmocka_unit_test(test_config_secrets_and_pairs),
		cmocka_unit_test(test_config_unknown_key_in_file),
		cmocka_unit_test(test_config_unknown_key_in_env),
		cmocka_unit_test(test_config_unknown_key_on_command_line),
		cmocka_unit_test(test_config_bad_number),
		cmocka_unit_test(test_config_out_of_range),
		cmocka_unit_test(test_config_unreadable_file),
		cmocka_unit_test(test_config_empty_file_is_fine),
		cmocka_unit_test(test_config_missing_value),
		cmocka_unit_test(test_config_missing_file_argument),
		cmocka_unit_test(test_config_line_too_long),
		cmocka_unit_test(test_config_timezone),
		cmocka_unit_test(test_config_tls_pair),
		cmocka_unit_test(test_config_battery_thresholds),
		cmocka_unit_test(test_config_log_level),
		cmocka_unit_test(test_config_topic_names),
		cmocka_unit_test(test_config_error_after_strings_set),
		cmocka_unit_test(test_config_small_error_buffer),
		cmocka_unit_test(test_config_load_text),
		cmocka_unit_test(test_config_file_too_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
