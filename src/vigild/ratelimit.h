/*
 * Token-bucket rate limiting per API token (ratelimit.c), one table
 * per worker: each key (a token id) may spend `burst` requests at once
 * and earns `rate` requests per second back. Memory is bounded: the
 * table holds at most RATELIMIT_MAX_KEYS keys; full buckets (which
 * behave exactly like new ones) are evicted first.
 */
#ifndef VIGILD_RATELIMIT_H
#define VIGILD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_MAX_KEYS 16384

struct ratelimit;

struct ratelimit *ratelimit_new(unsigned rate, unsigned burst);
void ratelimit_free(struct ratelimit *rl);

/* New limits (reload); existing buckets keep their level, capped. */
void ratelimit_set(struct ratelimit *rl, unsigned rate, unsigned burst);

/* Takes one request from key's bucket at time now_ns. true when
 * allowed; false with *retry_after_s (≥ 1) when the bucket is empty.
 * rate 0 disables the limit. */
bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ns,
    unsigned *retry_after_s /* OUT */);

/* Keys held (never more than RATELIMIT_MAX_KEYS). */
size_t ratelimit_size(const struct ratelimit *rl);

#endif
