/*
 * Brute-force counters: the back-off and lockout arithmetic shared by
 * the per-principal and the per-IP counters, and the key an address is
 * counted under. Pure functions; the store keeps the counters.
 */
#include <arpa/inet.h>
#include <string.h>

#include "iam_internal.h"

const struct iam_limits iam_principal_limits = {
	VIGIL_IAM_FREE_FAILURES, VIGIL_IAM_LOCKOUT_FAILURES
};
const struct iam_limits iam_ip_limits = {
	VIGIL_IAM_IP_FREE_FAILURES, VIGIL_IAM_IP_LOCKOUT_FAILURES
};

#define LOCKOUT_MS ((int64_t)VIGIL_IAM_LOCKOUT_S * 1000)

static int64_t
ceil_s(int64_t ms)
{
	return (ms + 999) / 1000;
}

/* A counter without a failure for a whole lockout period (and not
 * locked) is forgotten: yesterday's typos do not slow today's login. */
static bool
stale(const struct store_iam_counter *c, int64_t now_ms)
{
	return c->locked_until_ms <= now_ms &&
	    now_ms - c->last_failure_ms >= LOCKOUT_MS;
}

/* Back-off after n failures: 2^(n-free) s, capped. */
static int64_t
backoff_s(const struct iam_limits *lim, uint32_t n)
{
	uint32_t e;

	if (n < lim->free_failures)
		return 0;
	e = n - lim->free_failures;
	if (e >= 30)
		return VIGIL_IAM_MAX_BACKOFF_S;
	return (int64_t)1 << e < VIGIL_IAM_MAX_BACKOFF_S ?
	    (int64_t)1 << e : VIGIL_IAM_MAX_BACKOFF_S;
}

int64_t
iam_retry_after(const struct iam_limits *lim,
    const struct store_iam_counter *c, int64_t now_ms)
{
	int64_t wait, next;

	if (c->locked_until_ms > now_ms) {
		wait = ceil_s(c->locked_until_ms - now_ms);
		/* A clock stepped backwards must not lock for longer. */
		return wait < VIGIL_IAM_LOCKOUT_S ? wait : VIGIL_IAM_LOCKOUT_S;
	}
	if (c->failures == 0 || stale(c, now_ms))
		return 0;
	if ((wait = backoff_s(lim, c->failures)) == 0)
		return 0;
	next = c->last_failure_ms + wait * 1000;
	if (next <= now_ms)
		return 0;
	wait = ceil_s(next - now_ms);
	return wait < VIGIL_IAM_MAX_BACKOFF_S ? wait : VIGIL_IAM_MAX_BACKOFF_S;
}

void
iam_counter_fail(const struct iam_limits *lim, struct store_iam_counter *c,
    int64_t now_ms)
{
	if (c->failures > 0 && stale(c, now_ms)) {
		c->failures = 0;
		c->locked_until_ms = 0;
	}
	if (c->failures < UINT32_MAX)
		c->failures++;
	c->last_failure_ms = now_ms;
	if (c->failures >= lim->lockout_failures)
		c->locked_until_ms = now_ms + LOCKOUT_MS;
}

enum vigil_err
iam_ip_key(const char *ip, char key[VIGIL_IP_STRLEN + 4])
{
	unsigned char a[16];
	char txt[INET6_ADDRSTRLEN];

	key[0] = '\0';
	if (ip == NULL || strnlen(ip, VIGIL_IP_STRLEN) >= VIGIL_IP_STRLEN)
		return VIGIL_EINVAL;
	if (inet_pton(AF_INET, ip, a) == 1) {
		if (inet_ntop(AF_INET, a, key, VIGIL_IP_STRLEN) == NULL)
			return VIGIL_EINVAL;
		return VIGIL_OK;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return VIGIL_EINVAL;
	/* ::ffff:a.b.c.d is the IPv4 peer of a dual-stack socket. */
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		return inet_ntop(AF_INET, a + 12, key, VIGIL_IP_STRLEN) ?
		    VIGIL_OK : VIGIL_EINVAL;
	memset(a + 8, 0, 8);
	if (inet_ntop(AF_INET6, a, txt, sizeof txt) == NULL)
		return VIGIL_EINVAL;
	memcpy(key, txt, strlen(txt));
	memcpy(key + strlen(txt), "/64", 4);
	return VIGIL_OK;
}
