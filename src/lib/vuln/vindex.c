/*
 * The in-memory index of records for matching many components
 * (vigil_vindex_*): an open-addressing hash table from index key
 * (match_keys.c) to the list of records found under it. A component's
 * candidates are the union of the lists of its keys, each record once
 * (sorted and deduplicated), each then decided by vigil_match_one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"
#include "match_internal.h"

#define VINDEX_MAX_RECORDS 0x7fffffffu

struct vslot {
	uint64_t hash;    /* 0: empty */
	uint32_t key_off; /* into arena */
	uint32_t list;    /* into lists */
};

/* A posting carries the record itself, not only its number: matching
 * then reads candidates in order instead of chasing the record table. */
struct vpost {
	const struct vigil_vuln *v;
	uint32_t id; /* insertion order: the order results come in */
};

struct vlist {
	struct vpost *ids;
	uint32_t n, cap;
};

struct vigil_vindex {
	struct vigil_vuln **recs;
	size_t nrecs, caprecs;
	struct vslot *slots;
	size_t nslots, nused; /* nslots a power of two */
	char *arena;
	size_t alen, acap;
	struct vlist *lists;
	size_t nlists, caplists;
};

static uint64_t
key_hash(const char *k)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *k != '\0'; k++) {
		h ^= (unsigned char)*k;
		h *= 0x100000001b3ull;
	}
	return h == 0 ? 1 : h;
}

enum vigil_err
vigil_vindex_new(struct vigil_vindex **out)
{
	struct vigil_vindex *ix;

	if (out == NULL)
		return VIGIL_EINVAL;
	*out = NULL;
	if ((ix = calloc(1, sizeof *ix)) == NULL)
		return VIGIL_ENOMEM;
	ix->nslots = 1024;
	if ((ix->slots = calloc(ix->nslots, sizeof *ix->slots)) == NULL) {
		free(ix);
		return VIGIL_ENOMEM;
	}
	*out = ix;
	return VIGIL_OK;
}

void
vigil_vindex_free(struct vigil_vindex *ix)
{
	if (ix == NULL)
		return;
	for (size_t i = 0; i < ix->nrecs; i++)
		vigil_vuln_free(ix->recs[i]);
	for (size_t i = 0; i < ix->nlists; i++)
		free(ix->lists[i].ids);
	free(ix->recs);
	free(ix->slots);
	free(ix->arena);
	free(ix->lists);
	free(ix);
}

size_t
vigil_vindex_size(const struct vigil_vindex *ix)
{
	return ix != NULL ? ix->nrecs : 0;
}

/* The slot holding key, or the empty slot where it would go. */
static struct vslot *
slot_find(const struct vigil_vindex *ix, const char *key, uint64_t h)
{
	size_t mask = ix->nslots - 1;

	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct vslot *s = &ix->slots[i];

		if (s->hash == 0)
			return s;
		if (s->hash == h && strcmp(ix->arena + s->key_off, key) == 0)
			return s;
	}
}

static enum vigil_err
grow_table(struct vigil_vindex *ix)
{
	size_t n = ix->nslots * 2;
	struct vslot *ns = calloc(n, sizeof *ns);

	if (ns == NULL)
		return VIGIL_ENOMEM;
	for (size_t i = 0; i < ix->nslots; i++) {
		struct vslot *s = &ix->slots[i];
		size_t j;

		if (s->hash == 0)
			continue;
		for (j = (size_t)s->hash & (n - 1); ns[j].hash != 0;
		    j = (j + 1) & (n - 1))
			;
		ns[j] = *s;
	}
	free(ix->slots);
	ix->slots = ns;
	ix->nslots = n;
	return VIGIL_OK;
}

static enum vigil_err
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap != 0 ? *cap : 16;
	void *np;

	if (need <= *cap)
		return VIGIL_OK;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			return VIGIL_ENOMEM;
		n *= 2;
	}
	if ((np = realloc(*p, n * elem)) == NULL)
		return VIGIL_ENOMEM;
	*p = np;
	*cap = n;
	return VIGIL_OK;
}

/* The list of key, created when absent. */
static enum vigil_err
list_of(struct vigil_vindex *ix, const char *key, struct vlist **out)
{
	uint64_t h = key_hash(key);
	struct vslot *s;
	size_t len = strlen(key) + 1;
	enum vigil_err rc;

	if ((ix->nused + 1) * 4 > ix->nslots * 3 &&
	    (rc = grow_table(ix)) != VIGIL_OK)
		return rc;
	s = slot_find(ix, key, h);
	if (s->hash != 0) {
		*out = &ix->lists[s->list];
		return VIGIL_OK;
	}
	if (ix->alen + len > UINT32_MAX || ix->nlists >= UINT32_MAX)
		return VIGIL_ERANGE;
	if ((rc = grow((void **)&ix->arena, &ix->acap, ix->alen + len, 1)) !=
	    VIGIL_OK ||
	    (rc = grow((void **)&ix->lists, &ix->caplists, ix->nlists + 1,
	    sizeof *ix->lists)) != VIGIL_OK)
		return rc;
	memcpy(ix->arena + ix->alen, key, len);
	s->hash = h;
	s->key_off = (uint32_t)ix->alen;
	s->list = (uint32_t)ix->nlists;
	ix->alen += len;
	memset(&ix->lists[ix->nlists], 0, sizeof ix->lists[0]);
	*out = &ix->lists[ix->nlists++];
	ix->nused++;
	return VIGIL_OK;
}

struct add_ctx {
	struct vigil_vindex *ix;
	uint32_t id;
};

static enum vigil_err
add_key(void *ctx, const char *key)
{
	struct add_ctx *a = ctx;
	struct vlist *l;
	size_t cap;
	enum vigil_err rc;

	if ((rc = list_of(a->ix, key, &l)) != VIGIL_OK)
		return rc;
	if (l->n > 0 && l->ids[l->n - 1].id == a->id)
		return VIGIL_OK;
	cap = l->cap;
	if ((rc = grow((void **)&l->ids, &cap, (size_t)l->n + 1,
	    sizeof *l->ids)) != VIGIL_OK)
		return rc;
	l->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
	l->ids[l->n].v = a->ix->recs[a->id];
	l->ids[l->n++].id = a->id;
	return VIGIL_OK;
}

enum vigil_err
vigil_vindex_add(struct vigil_vindex *ix, struct vigil_vuln *v)
{
	struct add_ctx a;
	enum vigil_err rc;
	size_t rsize;

	if (ix == NULL || v == NULL) {
		vigil_vuln_free(v);
		return VIGIL_EINVAL;
	}
	if (ix->nrecs >= VINDEX_MAX_RECORDS) {
		vigil_vuln_free(v);
		return VIGIL_ERANGE;
	}
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): array of pointers */
	rsize = sizeof *ix->recs;
	if ((rc = grow((void **)&ix->recs, &ix->caprecs, ix->nrecs + 1,
	    rsize)) != VIGIL_OK) {
		vigil_vuln_free(v);
		return rc;
	}
	/* Owned from here: a record whose keys failed half way stays
	 * (found under the keys it got) and is freed with the index. */
	ix->recs[ix->nrecs] = v;
	a.ix = ix;
	a.id = (uint32_t)ix->nrecs++;
	return vigil_vuln_keys(v, add_key, &a);
}

/* Candidate record ids of one component. */
struct cands {
	const struct vigil_vindex *ix;
	struct vpost *ids;
	size_t n, cap;
	struct vpost sbuf[256];
};

static enum vigil_err
gather(void *ctx, const char *key)
{
	struct cands *c = ctx;
	const struct vigil_vindex *ix = c->ix;
	struct vslot *s = slot_find(ix, key, key_hash(key));
	const struct vlist *l;

	if (s->hash == 0)
		return VIGIL_OK;
	l = &ix->lists[s->list];
	if (c->n + l->n > c->cap) {
		size_t ncap = (c->n + l->n) * 2;
		struct vpost *nb = malloc(ncap * sizeof *nb);

		if (nb == NULL)
			return VIGIL_ENOMEM;
		memcpy(nb, c->ids, c->n * sizeof *nb);
		if (c->ids != c->sbuf)
			free(c->ids);
		c->ids = nb;
		c->cap = ncap;
	}
	memcpy(c->ids + c->n, l->ids, l->n * sizeof *l->ids);
	c->n += l->n;
	return VIGIL_OK;
}

static int
id_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct vpost *)a)->id;
	uint32_t y = ((const struct vpost *)b)->id;

	return x < y ? -1 : x > y;
}

enum vigil_err
vigil_vindex_match(const struct vigil_vindex *ix, const struct vigil_mcomp *c,
    const struct vigil_platform *plat, vigil_match_fn cb, void *ctx)
{
	struct cands cs;
	struct vigil_match m;
	enum vigil_err rc;
	int sorted = 1;

	if (ix == NULL || c == NULL || cb == NULL)
		return VIGIL_EINVAL;
	cs.ix = ix;
	cs.ids = cs.sbuf;
	cs.n = 0;
	cs.cap = sizeof cs.sbuf / sizeof cs.sbuf[0];
	rc = vigil_mcomp_keys(c, gather, &cs);
	/* One key's list is sorted already (ids are added in order); the
	 * union of several needs sorting to visit each record once. */
	for (size_t i = 1; i < cs.n && sorted; i++)
		sorted = cs.ids[i - 1].id < cs.ids[i].id;
	if (rc == VIGIL_OK && !sorted)
		qsort(cs.ids, cs.n, sizeof *cs.ids, id_cmp);
	for (size_t i = 0; i < cs.n && rc == VIGIL_OK; i++) {
		const struct vigil_vuln *v;

		if (i > 0 && cs.ids[i].id == cs.ids[i - 1].id)
			continue;
		/* Records are scattered over the heap: ask for the next
		 * ones while this one is decided. */
		if (i + 4 < cs.n)
			__builtin_prefetch(cs.ids[i + 4].v);
		v = cs.ids[i].v;
		if ((rc = vigil_match_one(c, v, plat, &m)) != VIGIL_OK)
			break;
		if (m.outcome != VIGIL_UNRELATED)
			rc = cb(ctx, v, &m);
	}
	if (cs.ids != cs.sbuf)
		free(cs.ids);
	return rc;
}
