/* Unit tests for services/login_throttle.c with an injected clock: counts
 * per (username, address) and per address, the window, many keys held at
 * once without eviction, and the bound on hashes in flight. The e2e tests
 * (test_hostile.py) try the same against the real server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <sodium.h>

#include "login_throttle.h"

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static void test_guesser_stopped_real_user_elsewhere_not(void **state)
{
	(void)state;
	struct login_throttle *t = login_throttle_new(1);
	int64_t now = 1000000;
	for (int i = 0; i < LOGIN_FAILURES_MAX; i++) {
		assert_int_equal(login_throttle_check(t, "ann", "127.0.0.2", now), 0);
		login_throttle_fail(t, "ann", "127.0.0.2", now);
	}
	assert_int_equal(login_throttle_check(t, "ann", "127.0.0.2", now), 60);
	assert_true(login_throttle_check(t, "bob", "127.0.0.2", now) > 0);     /* per address */
	assert_int_equal(login_throttle_check(t, "ann", "127.0.0.1", now), 0); /* no lock-out */
	assert_int_equal(login_throttle_check(t, "ann", "127.0.0.2", now + 59500), 1);
	assert_int_equal(login_throttle_check(t, "ann", "127.0.0.2", now + LOGIN_WINDOW_MS), 0);
	login_throttle_free(t);
}

static void test_many_keys_do_not_evict_a_guesser(void **state)
{
	(void)state;
	struct login_throttle *t = login_throttle_new(1);
	int64_t now = 5000000;
	for (int i = 0; i < LOGIN_FAILURES_MAX; i++)
		login_throttle_fail(t, "ann", "10.0.0.1", now);
	/* 20,000 other keys fail once each inside the same minute. */
	char user[32], addr[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 256, i % 256);
		login_throttle_fail(t, user, addr, now);
	}
	assert_true(login_throttle_check(t, "ann", "10.0.0.1", now + 1000) > 0);
	login_throttle_free(t);
}

static void test_hashes_in_flight_are_bounded(void **state)
{
	(void)state;
	struct login_throttle *t = login_throttle_new(2);
	assert_true(login_throttle_hash_begin(t));
	assert_true(login_throttle_hash_begin(t));
	assert_false(login_throttle_hash_begin(t));
	login_throttle_hash_end(t);
	assert_true(login_throttle_hash_begin(t));
	login_throttle_hash_end(t);
	login_throttle_hash_end(t);
	login_throttle_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guesser_stopped_real_user_elsewhere_not),
		cmocka_unit_test(test_many_keys_do_not_evict_a_guesser),
		cmocka_unit_test(test_hashes_in_flight_are_bounded),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
