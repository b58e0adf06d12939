/* The Zigbee2MQTT corpus (tests/data/z2m/corpus.json): real payloads of
 * real device models, each with the events CareNet must read from it.
 * Every case also seeds the payload fuzz target, which runs the Zigbee2MQTT
 * decoder (tests/fuzz/corpus/payload/z2m-corpus-*.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "event.h"
#include "payload.h"

#define TEST_Z2M_CORPUS "tests/data/z2m/corpus.json"

static json_t *test_z2m_corpus_load(void)
{
	json_error_t err;
	json_t *root = json_load_file(TEST_Z2M_CORPUS, JSON_REJECT_DUPLICATES, &err);

	if (!root)
		print_error("%s:%d: %s\n", TEST_Z2M_CORPUS, err.line, err.text);
	assert_non_null(root);
	return root;
}

/* One case: decode the payload, compare events, battery and phase. */
static void test_z2m_corpus_case(size_t i, const json_t *c)
{
	const json_t *want = json_object_get(c, "events");
	const json_t *bat = json_object_get(c, "battery");
	const json_t *low = json_object_get(c, "battery_low");
	const char *action = json_string_value(json_object_get(c, "action"));
	const char *model = json_string_value(json_object_get(c, "model"));
	char *text =
		json_dumps(json_object_get(c, "payload"), JSON_COMPACT | JSON_REAL_PRECISION(15));
	struct cn_z2m_state st;
	enum cn_reject rc;

	assert_non_null(text);
	rc = cn_payload_decode_z2m_state(text, strlen(text), NULL, &st);
	if (rc != CN_REJECT_NONE || st.n_events != json_array_size(want))
		print_error("case %zu (%s) %s: %s, %zu events\n", i, model, text,
		            cn_reject_name(rc), st.n_events);
	assert_int_equal(rc, CN_REJECT_NONE);
	assert_int_equal(st.n_events, json_array_size(want));
	for (size_t k = 0; k < st.n_events; k++) {
		const json_t *w = json_array_get(want, k);
		char got[64], exp[64];
		char *e = json_dumps(json_array_get(w, 1),
		                     JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		assert_non_null(e);
		snprintf(exp, sizeof(exp), "%s", e);
		free(e);
		cn_event_value_json(&st.events[k], got, sizeof(got));
		if (strcmp(st.events[k].type_name, json_string_value(json_array_get(w, 0))) != 0 ||
		    strcmp(got, exp) != 0)
			print_error("case %zu (%s) %s: event %zu is %s %s\n", i, model, text, k,
			            st.events[k].type_name, got);
		assert_string_equal(st.events[k].type_name,
		                    json_string_value(json_array_get(w, 0)));
		assert_string_equal(got, exp);
	}
	assert_int_equal(st.battery, bat ? (int)json_integer_value(bat) : -1);
	assert_int_equal(st.battery_low, low ? json_is_true(low) : false);
	if (action && strcmp(action, "release") == 0)
		assert_int_equal(st.action, CN_Z2M_ACTION_RELEASE);
	else if (st.action_event >= 0)
		assert_true(st.action != CN_Z2M_ACTION_RELEASE);
	if (st.action_event >= 0)
		assert_int_equal(st.action_known, !(action && strcmp(action, "unknown") == 0));
	free(text);
}

static void test_z2m_corpus_every_case(void **state)
{
	json_t *root = test_z2m_corpus_load();
	const json_t *cases = json_object_get(root, "cases");
	size_t i;
	const json_t *c;

	(void)state;
	assert_true(json_array_size(cases) >= 50);
	json_array_foreach (cases, i, c)
		test_z2m_corpus_case(i, c);
	json_decref(root);
}

/* Each case is in the fuzz corpus too, byte for byte as the test reads it. */
static void test_z2m_corpus_seeds_the_fuzzer(void **state)
{
	json_t *root = test_z2m_corpus_load();
	const json_t *cases = json_object_get(root, "cases");
	size_t i;
	const json_t *c;

	(void)state;
	json_array_foreach (cases, i, c) {
		char path[128];
		json_error_t err;
		json_t *seed;

		snprintf(path, sizeof(path), "tests/fuzz/corpus/payload/z2m-corpus-%03zu.json", i);
		seed = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
		if (!seed)
			print_error("missing %s (python3 tests/data/z2m/seed_fuzz.py)\n", path);
		assert_non_null(seed);
		assert_true(json_equal(seed, json_object_get(c, "payload")));
		json_decref(seed);
	}
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_z2m_corpus_every_case),
		cmocka_unit_test(test_z2m_corpus_seeds_the_fuzzer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
