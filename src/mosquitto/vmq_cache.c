/*
 * A small per-client decision cache: (action, topic) → allow/deny,
 * good only for the epoch and connection it was answered under and
 * until the decision point's cache_ttl_ms runs out. Bounded: when full,
 * the oldest entry is overwritten (a ring), so a client cycling through
 * many topics costs round trips, never memory. A linear scan with a
 * hash compare first is fast enough for a few hundred entries and
 * keeps the code obviously right.
 */
#include <stdlib.h>
#include <string.h>

#include "vmq.h"

struct ent {
	uint32_t hash;
	int action;
	bool allow;
	uint64_t epoch, conn;
	int64_t expires_ms;
	char *res;
};

struct vmq_cache {
	size_t max, n, cap, next; /* next: the oldest, once full */
	struct ent *e;
};

/* FNV-1a with the action mixed in. */
static uint32_t
key_hash(int action, const char *res)
{
	uint32_t h = 2166136261u ^ (uint32_t)action;

	for (; *res != '\0'; res++)
		h = (h ^ (uint8_t)*res) * 16777619u;
	return h;
}

struct vmq_cache *
vmq_cache_new(size_t max)
{
	struct vmq_cache *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->max = max;
	return c;
}

void
vmq_cache_clear(struct vmq_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].res);
	c->n = 0;
	c->next = 0;
}

void
vmq_cache_free(struct vmq_cache *c)
{
	if (c == NULL)
		return;
	vmq_cache_clear(c);
	free(c->e);
	free(c);
}

size_t
vmq_cache_count(const struct vmq_cache *c)
{
	return c == NULL ? 0 : c->n;
}

static struct ent *
find(const struct vmq_cache *c, uint32_t h, int action, const char *res)
{
	for (size_t i = 0; i < c->n; i++) {
		struct ent *e = &c->e[i];

		if (e->hash == h && e->action == action &&
		    strcmp(e->res, res) == 0)
			return e;
	}
	return NULL;
}

int
vmq_cache_get(const struct vmq_cache *c, int action, const char *res,
    uint64_t epoch, uint64_t conn, int64_t now_ms)
{
	const struct ent *e;

	if (c == NULL || c->n == 0)
		return -1;
	e = find(c, key_hash(action, res), action, res);
	if (e == NULL || e->epoch != epoch || e->conn != conn ||
	    e->expires_ms <= now_ms)
		return -1;
	return e->allow ? 1 : 0;
}

void
vmq_cache_put(struct vmq_cache *c, int action, const char *res, bool allow,
    uint64_t epoch, uint64_t conn, int64_t expires_ms)
{
	uint32_t h;
	struct ent *e;
	char *copy;

	if (c == NULL || c->max == 0)
		return;
	h = key_hash(action, res);
	if ((e = find(c, h, action, res)) == NULL) {
		if ((copy = strdup(res)) == NULL)
			return;
		if (c->n < c->max) {
			if (c->n == c->cap) {
				size_t ncap = c->cap == 0 ? 8 : c->cap * 2;
				struct ent *ne;

				if (ncap > c->max)
					ncap = c->max;
				ne = realloc(c->e, ncap * sizeof(*ne));
				if (ne == NULL) {
					free(copy);
					return;
				}
				c->e = ne;
				c->cap = ncap;
			}
			e = &c->e[c->n++];
		} else {
			/* Full: entries were appended in age order, then
			 * overwritten in the same order, so next is the
			 * oldest. */
			e = &c->e[c->next];
			c->next = (c->next + 1) % c->max;
			free(e->res);
		}
		e->res = copy;
		e->hash = h;
		e->action = action;
	}
	e->allow = allow;
	e->epoch = epoch;
	e->conn = conn;
	e->expires_ms = expires_ms;
}
