/*
 * Token buckets per key (ratelimit.h). Levels are kept in
 * milli-requests as integers so refills are exact and cheap; a bucket
 * records when it was last refilled. A hash table with chaining, keys
 * copied; when the table is full, every bucket that has refilled to
 * the brim is dropped (it would be recreated identical), and if none
 * is, the least recently used quarter goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

#define NBUCKETS 4096
#define KEY_MAX 64
#define MILLI 1000

struct bucket {
	struct bucket *next;
	int64_t level;     /* milli-requests */
	int64_t last_ns;   /* last refill */
	int64_t used_ns;   /* last request */
	char key[KEY_MAX];
};

struct ratelimit {
	unsigned rate, burst;
	size_t n;
	struct bucket *tab[NBUCKETS];
};

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % NBUCKETS;
}

struct ratelimit *
ratelimit_new(unsigned rate, unsigned burst)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);

	if (rl != NULL)
		ratelimit_set(rl, rate, burst);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	for (size_t i = 0; i < NBUCKETS; i++)
		while (rl->tab[i] != NULL) {
			struct bucket *b = rl->tab[i];

			rl->tab[i] = b->next;
			free(b);
		}
	free(rl);
}

void
ratelimit_set(struct ratelimit *rl, unsigned rate, unsigned burst)
{
	rl->rate = rate;
	rl->burst = burst > 0 ? burst : 1;
}

static void
refill(const struct ratelimit *rl, struct bucket *b, int64_t now_ns)
{
	int64_t cap = (int64_t)rl->burst * MILLI;
	int64_t dt = now_ns - b->last_ns;

	if (dt <= 0)
		return;
	/* rate requests/s = rate milli-requests/ms. */
	if (dt / 1000000 > cap / (rl->rate > 0 ? rl->rate : 1))
		b->level = cap;
	else
		b->level += dt / 1000000 * rl->rate +
		    (dt % 1000000) * rl->rate / 1000000;
	if (b->level > cap)
		b->level = cap;
	b->last_ns = now_ns;
}

/* Makes room when the table is full: full buckets first, then the
 * least recently used quarter of the time span the table covers. */
static void
evict(struct ratelimit *rl, int64_t now_ns)
{
	int64_t cap = (int64_t)rl->burst * MILLI;
	int64_t oldest = now_ns, cutoff = INT64_MIN;

	for (int pass = 0; pass < 2 && rl->n >= RATELIMIT_MAX_KEYS; pass++) {
		if (pass == 1)
			cutoff = oldest + (now_ns - oldest) / 4;
		for (size_t i = 0; i < NBUCKETS; i++) {
			struct bucket **pp = &rl->tab[i];

			while (*pp != NULL) {
				struct bucket *b = *pp;

				refill(rl, b, now_ns);
				if (b->used_ns < oldest)
					oldest = b->used_ns;
				if (b->level >= cap || b->used_ns <= cutoff) {
					*pp = b->next;
					free(b);
					rl->n--;
				} else
					pp = &b->next;
			}
		}
	}
}

size_t
ratelimit_size(const struct ratelimit *rl)
{
	return rl->n;
}

bool
ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ns,
    unsigned *retry_after_s)
{
	unsigned h = hash(key);
	struct bucket *b;
	int64_t missing;

	*retry_after_s = 0;
	if (rl->rate == 0)
		return true;
	for (b = rl->tab[h]; b != NULL; b = b->next)
		if (strncmp(b->key, key, KEY_MAX - 1) == 0)
			break;
	if (b == NULL) {
		if (rl->n >= RATELIMIT_MAX_KEYS)
			evict(rl, now_ns);
		if ((b = calloc(1, sizeof *b)) == NULL)
			return true; /* fail open: a limiter, not a lock */
		snprintf(b->key, sizeof b->key, "%s", key);
		b->level = (int64_t)rl->burst * MILLI;
		b->last_ns = now_ns;
		b->next = rl->tab[h];
		rl->tab[h] = b;
		rl->n++;
	}
	refill(rl, b, now_ns);
	b->used_ns = now_ns;
	if (b->level >= MILLI) {
		b->level -= MILLI;
		return true;
	}
	missing = MILLI - b->level;
	*retry_after_s = (unsigned)((missing + rl->rate - 1) / rl->rate);
	/* missing milli-requests / rate per ms → ms; round up to s. */
	*retry_after_s = (*retry_after_s + 999) / 1000;
	if (*retry_after_s == 0)
		*retry_after_s = 1;
	return false;
}
