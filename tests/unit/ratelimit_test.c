/*
 * Per-token rate limiting (src/vigild/ratelimit.c): a new key may
 * spend its burst at once, then earns `rate` requests per second back
 * (not more than the burst), the Retry-After it reports is the time to
 * the next token rounded up, keys do not share buckets, rate 0 turns
 * the limit off, and the table stays bounded under many keys, dropping
 * the idle ones first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "ratelimit.h"

#define SEC 1000000000LL

static unsigned
take_n(struct ratelimit *rl, const char *key, int64_t now, unsigned n)
{
	unsigned ok = 0, retry;

	for (unsigned i = 0; i < n; i++)
		if (ratelimit_take(rl, key, now, &retry))
			ok++;
	return ok;
}

static void
burst_is_served_at_once_then_refused(void **state)
{
	struct ratelimit *rl = ratelimit_new(5, 20);
	unsigned retry = 0;

	(void)state;
	assert_int_equal(take_n(rl, "t1", 10 * SEC, 25), 20);
	assert_false(ratelimit_take(rl, "t1", 10 * SEC, &retry));
	/* One token every 200 ms: the next one is 1 s away, rounded up. */
	assert_int_equal(retry, 1);
	ratelimit_free(rl);
}

static void
tokens_come_back_at_the_rate(void **state)
{
	struct ratelimit *rl = ratelimit_new(5, 20);

	(void)state;
	assert_int_equal(take_n(rl, "t1", 0, 20), 20);
	/* 1 s later: 5 more. */
	assert_int_equal(take_n(rl, "t1", SEC, 10), 5);
	/* 100 ms later: half a token is not a token. */
	assert_int_equal(take_n(rl, "t1", SEC + SEC / 10, 1), 0);
	/* 200 ms after the last refill: one. */
	assert_int_equal(take_n(rl, "t1", SEC + SEC / 5, 2), 1);
	ratelimit_free(rl);
}

static void
refill_never_exceeds_the_burst(void **state)
{
	struct ratelimit *rl = ratelimit_new(5, 20);

	(void)state;
	assert_int_equal(take_n(rl, "t1", 0, 20), 20);
	/* An hour of idling still gives one burst, not 18000. */
	assert_int_equal(take_n(rl, "t1", 3600 * SEC, 100), 20);
	ratelimit_free(rl);
}

static void
slow_rate_gives_long_retry_after(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 1);
	unsigned retry = 0;

	(void)state;
	assert_true(ratelimit_take(rl, "t1", 0, &retry));
	assert_false(ratelimit_take(rl, "t1", SEC / 2, &retry));
	/* Half a token missing at 1/s: 500 ms, rounded up to 1 s. */
	assert_int_equal(retry, 1);
	ratelimit_free(rl);
}

static void
keys_have_their_own_buckets(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 3);

	(void)state;
	assert_int_equal(take_n(rl, "a", 0, 5), 3);
	assert_int_equal(take_n(rl, "b", 0, 5), 3);
	assert_int_equal(take_n(rl, "a", 0, 1), 0);
	ratelimit_free(rl);
}

static void
rate_zero_disables_the_limit(void **state)
{
	struct ratelimit *rl = ratelimit_new(0, 1);

	(void)state;
	assert_int_equal(take_n(rl, "t1", 0, 1000), 1000);
	ratelimit_free(rl);
}

static void
new_limits_apply_to_existing_buckets(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 2);

	(void)state;
	assert_int_equal(take_n(rl, "t1", 0, 5), 2);
	ratelimit_set(rl, 100, 50);
	/* 100 ms at 100/s: 10 back. */
	assert_int_equal(take_n(rl, "t1", SEC / 10, 50), 10);
	ratelimit_free(rl);
}

static void
table_stays_bounded_dropping_idle_keys_first(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 5);
	char key[32];

	(void)state;
	/* Keys seen once long ago, then many more keys later. */
	for (unsigned i = 0; i < RATELIMIT_MAX_KEYS; i++) {
		snprintf(key, sizeof key, "old%u", i);
		(void)take_n(rl, key, 0, 1);
	}
	assert_int_equal(ratelimit_size(rl), RATELIMIT_MAX_KEYS);
	assert_int_equal(take_n(rl, "busy", SEC / 1000, 10), 5);
	assert_true(ratelimit_size(rl) <= RATELIMIT_MAX_KEYS);
	for (unsigned i = 0; i < RATELIMIT_MAX_KEYS / 2; i++) {
		snprintf(key, sizeof key, "new%u", i);
		(void)take_n(rl, key, SEC / 500, 1);
	}
	assert_true(ratelimit_size(rl) <= RATELIMIT_MAX_KEYS);
	/* The old keys went first: busy is still empty. */
	assert_int_equal(take_n(rl, "busy", SEC / 500, 1), 0);
	ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_is_served_at_once_then_refused),
		cmocka_unit_test(tokens_come_back_at_the_rate),
		cmocka_unit_test(refill_never_exceeds_the_burst),
		cmocka_unit_test(slow_rate_gives_long_retry_after),
		cmocka_unit_test(keys_have_their_own_buckets),
		cmocka_unit_test(rate_zero_disables_the_limit),
		cmocka_unit_test(new_limits_apply_to_existing_buckets),
		cmocka_unit_test(table_stays_bounded_dropping_idle_keys_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
