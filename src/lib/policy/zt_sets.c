/*
 * The compiled policy sets of the decision service: the loaded policies
 * indexed by tenant and attachment (kind, target), and for a device the
 * sorted list of policies that apply to it (tenant ∪ model ∪ matching
 * label selectors ∪ the device) compiled once into a vigil_pdp shared
 * by every device with the same list (most fleets have a handful of
 * distinct lists for thousands of devices).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zt_internal.h"

uint64_t
zt_hash(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;

	/* FNV-1a: short keys, no adversary controls the table size. */
	if (h == 0)
		h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int
att_cmp(const void *a, const void *b)
{
	const struct zt_attach *x = a, *y = b;
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = strcmp(x->target, y->target);
	if (c != 0)
		return c;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static int
ten_cmp(const void *a, const void *b)
{
	const struct zt_tenant *x = a, *y = b;

	return strcmp(x->id, y->id);
}

static void
set_free(struct zt_set *s)
{
	if (s == NULL)
		return;
	vigil_pdp_free(s->pdp);
	free(s->entries);
	free(s);
}

void
zt_tenants_free(struct zt_tenant *ten, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ten[i].att);
	free(ten);
}

void
zt_sets_clear(struct vigil_zt *zt)
{
	zt_tenants_free(zt->ten, zt->nten);
	zt->ten = NULL;
	zt->nten = 0;
	for (size_t i = 0; i < zt->sets.nb; i++) {
		struct zt_set *s = zt->sets.b[i], *nx;

		for (; s != NULL; s = nx) {
			nx = s->next;
			set_free(s);
		}
	}
	free(zt->sets.b);
	memset(&zt->sets, 0, sizeof zt->sets);
	set_free(zt->empty);
	zt->empty = NULL;
}

enum vigil_err
zt_sets_index(const struct vigil_policydb_entry *ent, size_t nent,
    struct zt_tenant **out, size_t *nout)
{
	struct zt_tenant *ten = NULL;
	size_t nt = 0, k = 0;

	*out = NULL;
	*nout = 0;
	/* Entries come sorted by (tenant, name): one tenant per run. */
	for (size_t i = 0; i < nent; i++)
		if (i == 0 || strcmp(ent[i].tenant_id,
		    ent[i - 1].tenant_id) != 0)
			nt++;
	if (nt > 0) {
		ten = calloc(nt, sizeof *ten);
		if (ten == NULL)
			return VIGIL_ENOMEM;
	}
	for (size_t i = 0; i < nent;) {
		struct zt_tenant *t = &ten[k++];
		size_t j = i, na = 0;

		while (j < nent && strcmp(ent[j].tenant_id,
		    ent[i].tenant_id) == 0)
			na += ent[j++].nattach;
		t->id = ent[i].tenant_id;
		if (na == 0) { /* policies, none attached */
			i = j;
			continue;
		}
		t->att = calloc(na, sizeof *t->att);
		if (t->att == NULL) {
			zt_tenants_free(ten, k);
			return VIGIL_ENOMEM;
		}
		for (size_t e = i; e < j; e++)
			for (size_t a = 0; a < ent[e].nattach; a++) {
				struct zt_attach *x = &t->att[t->natt++];

				x->kind = ent[e].attach[a].kind;
				x->target = ent[e].attach[a].target;
				x->entry = e;
			}
		if (t->natt > 1)
			qsort(t->att, t->natt, sizeof *t->att, att_cmp);
		i = j;
	}
	/* Already in id order unless the store sorts differently. */
	if (k > 1)
		qsort(ten, k, sizeof *ten, ten_cmp);
	*out = ten;
	*nout = k;
	return VIGIL_OK;
}

/* Appends the entries attached as (kind, target). */
static enum vigil_err
collect(const struct zt_tenant *t, enum vigil_attach_kind kind,
    const char *target, size_t **v, size_t *n, size_t *cap)
{
	size_t lo = 0, hi = t->natt;

	/* First attachment ≥ (kind, target). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct zt_attach *a = &t->att[mid];
		int c = a->kind != kind ? (a->kind < kind ? -1 : 1) :
		    strcmp(a->target, target);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < t->natt && t->att[lo].kind == kind &&
	    (kind == VIGIL_ATTACH_TENANT ||
	    strcmp(t->att[lo].target, target) == 0); lo++) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 8;
			size_t *nv = realloc(*v, nc * sizeof *nv);

			if (nv == NULL)
				return VIGIL_ENOMEM;
			*v = nv;
			*cap = nc;
		}
		(*v)[(*n)++] = t->att[lo].entry;
	}
	return VIGIL_OK;
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static enum vigil_err
set_compile(struct vigil_zt *zt, size_t *v, size_t n,
    struct zt_set **out, char *err, size_t errsize)
{
	struct zt_set *s = calloc(1, sizeof *s);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ENOMEM;
	s->entries = v;
	s->n = n;
	rc = vigil_pdp_new(&s->pdp);
	for (size_t i = 0; i < n && rc == VIGIL_OK; i++)
		rc = vigil_pdp_add(s->pdp, zt->ent[v[i]].name,
		    zt->ent[v[i]].policy);
	if (rc == VIGIL_OK)
		rc = vigil_pdp_build(s->pdp);
	if (rc != VIGIL_OK) {
		snprintf(err, errsize, "compiling %zu policies: %s", n,
		    vigil_strerror(rc));
		s->entries = NULL; /* the caller still owns v */
		set_free(s);
		return rc;
	}
	zt->stats.sets_compiled++;
	*out = s;
	return VIGIL_OK;
}

static enum vigil_err
sets_grow(struct zt_table *t)
{
	size_t nb = t->nb ? t->nb * 2 : 64;
	void **b = calloc(nb, sizeof *b);

	if (b == NULL)
		return VIGIL_ENOMEM;
	for (size_t i = 0; i < t->nb; i++) {
		struct zt_set *s = t->b[i], *nx;

		for (; s != NULL; s = nx) {
			nx = s->next;
			s->next = b[s->h & (nb - 1)];
			b[s->h & (nb - 1)] = s;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return VIGIL_OK;
}

enum vigil_err
zt_sets_for(struct vigil_zt *zt, const char *tenant,
    const struct vigil_device *d, const struct zt_set **out, char *err,
    size_t errsize)
{
	struct zt_tenant key = {.id = tenant}, *t = NULL;
	size_t *v = NULL, n = 0, cap = 0, m = 0;
	enum vigil_err rc = VIGIL_OK;
	struct zt_set *s;
	uint64_t h = 0;

	if (zt->nten > 0)
		t = bsearch(&key, zt->ten, zt->nten, sizeof *zt->ten,
		    ten_cmp);
	if (t != NULL) {
		rc = collect(t, VIGIL_ATTACH_TENANT, "", &v, &n, &cap);
		if (rc == VIGIL_OK && d->model[0] != '\0')
			rc = collect(t, VIGIL_ATTACH_MODEL, d->model, &v, &n,
			    &cap);
		for (size_t i = 0; i < d->nlabels && rc == VIGIL_OK; i++) {
			char sel[VIGIL_POLICY_TARGET_MAX + 2];
			int len = snprintf(sel, sizeof sel, "%s=%s",
			    d->labels[i].key, d->labels[i].value);

			if (len > 0 && (size_t)len < sizeof sel)
				rc = collect(t, VIGIL_ATTACH_LABEL, sel, &v,
				    &n, &cap);
		}
		if (rc == VIGIL_OK)
			rc = collect(t, VIGIL_ATTACH_DEVICE, d->id, &v, &n,
			    &cap);
	}
	if (rc != VIGIL_OK) {
		free(v);
		snprintf(err, errsize, "policy set of device %s: %s", d->id,
		    vigil_strerror(rc));
		return rc;
	}
	if (n == 0) {
		free(v);
		if (zt->empty == NULL) {
			rc = set_compile(zt, NULL, 0, &zt->empty, err,
			    errsize);
			if (rc != VIGIL_OK)
				return rc;
		}
		*out = zt->empty;
		return VIGIL_OK;
	}
	/* Sorted and unique: a policy attached twice (its model and a
	 * label) is in the set once. */
	qsort(v, n, sizeof *v, size_cmp);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	h = zt_hash(v, m * sizeof *v, 0);
	if (zt->sets.nb > 0)
		for (s = zt->sets.b[h & (zt->sets.nb - 1)]; s != NULL;
		    s = s->next)
			if (s->h == h && s->n == m && memcmp(s->entries, v,
			    m * sizeof *v) == 0) {
				free(v);
				*out = s;
				return VIGIL_OK;
			}
	if (zt->sets.n >= zt->sets.nb && (rc = sets_grow(&zt->sets)) !=
	    VIGIL_OK) {
		free(v);
		snprintf(err, errsize, "policy sets: %s", vigil_strerror(rc));
		return rc;
	}
	rc = set_compile(zt, v, m, &s, err, errsize);
	if (rc != VIGIL_OK) {
		free(v);
		return rc;
	}
	s->h = h;
	s->next = zt->sets.b[h & (zt->sets.nb - 1)];
	zt->sets.b[h & (zt->sets.nb - 1)] = s;
	zt->sets.n++;
	*out = s;
	return VIGIL_OK;
}
