/*
 * Scanning a firmware build against the stored records: the build's
 * components against the records under their keys, outcomes merged per
 * (component, canonical id) across sources, VEX applied, priorities
 * computed, findings and counts rewritten in one transaction.
 * Deterministic: the same store gives the same findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/store_vuln.h"
#include "vdb_internal.h"
#include "vigil/policydb.h"
#include "vigil/sbom.h"

struct comp {
	char *ref, *name, *version, *supplier, *purl, *cpe;
	struct vigil_mcomp mc;
	int inited;
	size_t nkeys;
};

/* A parsed record, cached by rid across the builds of one batch. */
struct cand {
	int64_t rid; /* 0 = free slot */
	struct vigil_vuln *v; /* NULL: unreadable (skipped) */
	double cvss;
	int network;
};

#define CACHE_MAX 262144 /* records kept parsed; beyond, parsed per use */

/* KEV, ransomware and EPSS of an id, cached like the records. */
struct prio {
	char *id; /* NULL = free slot */
	int kev, ransomware;
	double epss;
};

/* The records under a key (partial re-scans: a package is in many
 * builds, its key is looked up once per batch). */
struct keyrids {
	char *key; /* NULL = free slot */
	int64_t *rids;
	size_t n, cap;
};

struct vdb_cache {
	size_t n, cap; /* cap: power of two */
	struct cand *tab;
	size_t pn, pcap;
	struct prio *ptab;
	size_t kn, kcap;
	struct keyrids *ktab;
};

struct fnd {
	size_t comp;
	char *vuln; /* canonical id */
	enum vigil_outcome outcome;
	unsigned sources; /* bit per enum vigil_vsource */
	int64_t best_rid;
	int best_src;
	char reason[192];
	char fixed[VIGIL_VERSION_MAX];
	double cvss;
	int network;
	struct vdb_strset ids; /* canonical id and every alias */
	const struct vigil_vex_stmt *vex;
	double priority;
};

struct scan {
	struct vigil_store *st;
	const struct vdb_strset *refs; /* partial: these components only */
	char model[256], version[256];
	int found;
	size_t ncomps, capcomps;
	struct comp *comps;
	struct vdb_cache *cache;
	struct cand tmp; /* a record parsed outside the cache */
	const char *prev_ref;
	int64_t prev_rid;
	const struct vigil_platform *platp;
	size_t nfnd, capfnd;
	struct fnd *fnd;
	size_t cur, cur_start; /* the component being matched */
	size_t nvex, capvex;
	struct vigil_vex_stmt *vex;
	size_t nplat;
	struct vigil_cpe *plat;
	char *err;
	size_t errsize;
};

static int
rank(enum vigil_outcome o)
{
	switch (o) {
	case VIGIL_AFFECTED:
		return 3;
	case VIGIL_UNKNOWN:
		return 2;
	case VIGIL_NOT_AFFECTED:
		return 1;
	default:
		return 0;
	}
}

static int
src_rank(enum vigil_vsource s)
{
	switch (s) {
	case VIGIL_VSRC_OSV:
		return 0;
	case VIGIL_VSRC_CVE5:
		return 1;
	default:
		return 2;
	}
}

static char *
dup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static void
build_row_cb(void *ctx, const struct store_vuln_build_row *r)
{
	struct scan *sc = ctx;

	snprintf(sc->model, sizeof sc->model, "%s", r->model);
	snprintf(sc->version, sizeof sc->version, "%s", r->version);
	sc->found = 1;
}

static enum vigil_err
count_key(void *ctx, const char *key)
{
	(void)key;
	(*(size_t *)ctx)++;
	return VIGIL_OK;
}

static int
in_refs(const struct vdb_strset *s, const char *ref);

static enum vigil_err
comp_cb(void *ctx, const struct store_vuln_comp *c)
{
	struct scan *sc = ctx;
	struct comp *p;

	if (sc->refs != NULL && !in_refs(sc->refs, c->ref))
		return VIGIL_OK;
	if (sc->ncomps == sc->capcomps) {
		size_t ncap = sc->capcomps != 0 ? sc->capcomps * 2 : 64;
		struct comp *nv = realloc(sc->comps, ncap * sizeof *nv);

		if (nv == NULL)
			return VIGIL_ENOMEM;
		sc->comps = nv;
		sc->capcomps = ncap;
	}
	p = &sc->comps[sc->ncomps++];
	memset(p, 0, sizeof *p);
	p->ref = dup(c->ref);
	p->name = dup(c->name);
	p->version = dup(c->version);
	p->supplier = dup(c->supplier);
	p->purl = dup(c->purl);
	p->cpe = dup(c->cpe);
	if (p->ref == NULL || p->name == NULL || p->version == NULL ||
	    p->supplier == NULL || p->purl == NULL || p->cpe == NULL)
		return VIGIL_ENOMEM;
	if (vigil_mcomp_init(&p->mc, p->ref, p->name, p->version, p->purl,
	    p->cpe) != VIGIL_OK)
		return VIGIL_ENOMEM;
	p->inited = 1;
	return vigil_mcomp_keys(&p->mc, count_key, &p->nkeys);
}

struct vdb_cache *
vdb_cache_new(void)
{
	return calloc(1, sizeof(struct vdb_cache));
}

void
vdb_cache_free(struct vdb_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->cap; i++)
		if (c->tab[i].rid != 0)
			vigil_vuln_free(c->tab[i].v);
	free(c->tab);
	for (size_t i = 0; i < c->pcap; i++)
		free(c->ptab[i].id);
	free(c->ptab);
	for (size_t i = 0; i < c->kcap; i++) {
		free(c->ktab[i].key);
		free(c->ktab[i].rids);
	}
	free(c->ktab);
	free(c);
}

static size_t
pslot(const struct prio *tab, size_t cap, const char *id)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (const char *p = id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (i = (size_t)h & (cap - 1); tab[i].id != NULL &&
	    strcmp(tab[i].id, id) != 0; i = (i + 1) & (cap - 1))
		;
	return i;
}

/* store_vuln_prio_info through the cache. */
static enum vigil_err
prio_info(struct vigil_store *st, struct vdb_cache *c, const char *id,
    int *kev, int *ransomware, double *epss)
{
	struct prio *e;
	enum vigil_err rc;
	size_t i;

	if (c->pcap != 0) {
		i = pslot(c->ptab, c->pcap, id);
		if (c->ptab[i].id != NULL) {
			*kev = c->ptab[i].kev;
			*ransomware = c->ptab[i].ransomware;
			*epss = c->ptab[i].epss;
			return VIGIL_OK;
		}
	}
	if ((rc = store_vuln_prio_info(st, id, kev, ransomware, epss)) !=
	    VIGIL_OK || c->pn >= CACHE_MAX)
		return rc;
	if ((c->pn + 1) * 2 > c->pcap) {
		size_t ncap = c->pcap != 0 ? c->pcap * 2 : 1024;
		struct prio *nt = calloc(ncap, sizeof *nt);

		if (nt == NULL)
			return VIGIL_ENOMEM;
		for (size_t k = 0; k < c->pcap; k++)
			if (c->ptab[k].id != NULL)
				nt[pslot(nt, ncap, c->ptab[k].id)] =
				    c->ptab[k];
		free(c->ptab);
		c->ptab = nt;
		c->pcap = ncap;
	}
	e = &c->ptab[pslot(c->ptab, c->pcap, id)];
	if ((e->id = strdup(id)) == NULL)
		return VIGIL_ENOMEM;
	e->kev = *kev;
	e->ransomware = *ransomware;
	e->epss = *epss;
	c->pn++;
	return VIGIL_OK;
}

static size_t
slot_of(const struct vdb_cache *c, int64_t rid)
{
	uint64_t h = (uint64_t)rid * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 20) & (c->cap - 1);

	while (c->tab[i].rid != 0 && c->tab[i].rid != rid)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static enum vigil_err
cache_grow(struct vdb_cache *c)
{
	struct vdb_cache nc;

	memset(&nc, 0, sizeof nc);
	nc.cap = c->cap != 0 ? c->cap * 2 : 1024;
	nc.n = c->n;
	if ((nc.tab = calloc(nc.cap, sizeof *nc.tab)) == NULL)
		return VIGIL_ENOMEM;
	for (size_t i = 0; i < c->cap; i++)
		if (c->tab[i].rid != 0)
			nc.tab[slot_of(&nc, c->tab[i].rid)] = c->tab[i];
	free(c->tab);
	c->tab = nc.tab;
	c->cap = nc.cap;
	return VIGIL_OK;
}

static enum vigil_err
parse_cb(void *ctx, const struct store_vuln_cand *c)
{
	struct cand *p = ctx;
	struct vigil_cvss cv;
	char e[256];
	enum vigil_err rc;

	p->rid = c->rid;
	p->v = NULL;
	p->cvss = c->cvss;
	p->network = 0;
	rc = vigil_vuln_parse(vigil_vsource_from_name(c->source), c->raw,
	    c->rawlen, &p->v, e, sizeof e);
	if (rc == VIGIL_ENOMEM)
		return rc;
	if (rc != VIGIL_OK)
		p->v = NULL; /* stored by an older parser: skipped */
	if (c->cvss_vector[0] != '\0' &&
	    vigil_cvss_parse(c->cvss_vector, &cv, e, sizeof e) == VIGIL_OK) {
		p->network = cv.network;
		if (p->cvss < 0)
			p->cvss = cv.base_score;
	}
	return VIGIL_OK;
}

/* The parsed record rid: from the cache, else read and parsed (into
 * the cache while it has room, else into sc->tmp). */
static enum vigil_err
record(struct scan *sc, int64_t rid, const struct cand **out)
{
	struct vdb_cache *c = sc->cache;
	enum vigil_err rc;
	size_t i;

	*out = NULL;
	if (c->cap != 0) {
		i = slot_of(c, rid);
		if (c->tab[i].rid == rid) {
			*out = &c->tab[i];
			return VIGIL_OK;
		}
	}
	if (c->n >= CACHE_MAX) {
		vigil_vuln_free(sc->tmp.v);
		memset(&sc->tmp, 0, sizeof sc->tmp);
		rc = store_vuln_record_raw(sc->st, rid, parse_cb, &sc->tmp);
		*out = &sc->tmp;
		return rc == VIGIL_ENOTFOUND ? VIGIL_OK : rc;
	}
	if ((c->n + 1) * 2 > c->cap && (rc = cache_grow(c)) != VIGIL_OK)
		return rc;
	i = slot_of(c, rid);
	rc = store_vuln_record_raw(sc->st, rid, parse_cb, &c->tab[i]);
	if (rc == VIGIL_ENOTFOUND) {
		c->tab[i].rid = rid;
		c->tab[i].v = NULL;
		rc = VIGIL_OK;
	}
	if (rc != VIGIL_OK) {
		vigil_vuln_free(c->tab[i].v);
		memset(&c->tab[i], 0, sizeof c->tab[i]);
		return rc;
	}
	c->n++;
	*out = &c->tab[i];
	return VIGIL_OK;
}

static size_t
kslot(const struct keyrids *tab, size_t cap, const char *key)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (const char *p = key; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (i = (size_t)h & (cap - 1); tab[i].key != NULL &&
	    strcmp(tab[i].key, key) != 0; i = (i + 1) & (cap - 1))
		;
	return i;
}

static enum vigil_err
rid_add(void *ctx, int64_t rid)
{
	struct keyrids *k = ctx;

	if (k->n == k->cap) {
		size_t ncap = k->cap != 0 ? k->cap * 2 : 8;
		int64_t *nv = realloc(k->rids, ncap * sizeof *nv);

		if (nv == NULL)
			return VIGIL_ENOMEM;
		k->rids = nv;
		k->cap = ncap;
	}
	k->rids[k->n++] = rid;
	return VIGIL_OK;
}

/* The records under key, through the cache (bounded like the others:
 * past CACHE_MAX keys, *tmp holds them for this use). */
static enum vigil_err
key_rids(struct vigil_store *st, struct vdb_cache *c, const char *key,
    struct keyrids *tmp, const struct keyrids **out)
{
	struct keyrids *e;
	enum vigil_err rc;

	if (c->kcap != 0) {
		e = &c->ktab[kslot(c->ktab, c->kcap, key)];
		if (e->key != NULL) {
			*out = e;
			return VIGIL_OK;
		}
	}
	if (c->kn >= CACHE_MAX) {
		tmp->n = 0;
		*out = tmp;
		return store_vuln_key_rids(st, key, rid_add, tmp);
	}
	if ((c->kn + 1) * 2 > c->kcap) {
		size_t ncap = c->kcap != 0 ? c->kcap * 2 : 1024;
		struct keyrids *nt = calloc(ncap, sizeof *nt);

		if (nt == NULL)
			return VIGIL_ENOMEM;
		for (size_t k = 0; k < c->kcap; k++)
			if (c->ktab[k].key != NULL)
				nt[kslot(nt, ncap, c->ktab[k].key)] =
				    c->ktab[k];
		free(c->ktab);
		c->ktab = nt;
		c->kcap = ncap;
	}
	e = &c->ktab[kslot(c->ktab, c->kcap, key)];
	memset(e, 0, sizeof *e);
	if ((rc = store_vuln_key_rids(st, key, rid_add, e)) != VIGIL_OK ||
	    (e->key = strdup(key)) == NULL) {
		free(e->rids);
		memset(e, 0, sizeof *e);
		return rc != VIGIL_OK ? rc : VIGIL_ENOMEM;
	}
	c->kn++;
	*out = e;
	return VIGIL_OK;
}

static int
rid_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static enum vigil_err pair_cb(void *ctx, const char *ref, int64_t rid);

struct comp_keys {
	struct scan *sc;
	struct keyrids all; /* the component's records, every key */
	struct keyrids tmp;
};

static enum vigil_err
comp_key_cb(void *ctx, const char *key)
{
	struct comp_keys *k = ctx;
	const struct keyrids *e;
	enum vigil_err rc;

	if ((rc = key_rids(k->sc->st, k->sc->cache, key, &k->tmp, &e)) !=
	    VIGIL_OK)
		return rc;
	for (size_t i = 0; i < e->n && rc == VIGIL_OK; i++)
		rc = rid_add(&k->all, e->rids[i]);
	return rc;
}

/* The (component, record) pairs of one component, as VQ_CANDIDATES
 * gives them (its stored keys, records by rid, once each). */
static enum vigil_err
comp_pairs(struct scan *sc, const char *build_id, const struct comp *p)
{
	struct comp_keys k;
	enum vigil_err rc;

	memset(&k, 0, sizeof k);
	k.sc = sc;
	rc = store_vuln_comp_keys(sc->st, build_id, p->ref, comp_key_cb, &k);
	if (rc == VIGIL_OK && k.all.n > 1)
		qsort(k.all.rids, k.all.n, sizeof *k.all.rids, rid_cmp);
	for (size_t i = 0; rc == VIGIL_OK && i < k.all.n; i++)
		if (i == 0 || k.all.rids[i] != k.all.rids[i - 1])
			rc = pair_cb(sc, p->ref, k.all.rids[i]);
	free(k.all.rids);
	free(k.tmp.rids);
	return rc;
}

static int
ref_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct comp *)elem)->ref);
}

static enum vigil_err match_cb(struct scan *sc, const struct cand *c,
    const struct vigil_match *m);

/* One (component, record) pair of the build. */
static enum vigil_err
pair_cb(void *ctx, const char *ref, int64_t rid)
{
	struct scan *sc = ctx;
	const struct cand *c;
	struct comp *p;
	struct vigil_match m;
	enum vigil_err rc;

	if (sc->prev_ref != NULL && rid == sc->prev_rid &&
	    strcmp(ref, sc->prev_ref) == 0)
		return VIGIL_OK; /* met under a second key */
	p = bsearch(ref, sc->comps, sc->ncomps, sizeof *sc->comps, ref_cmp);
	if (p == NULL)
		return VIGIL_OK;
	sc->prev_ref = p->ref;
	sc->prev_rid = rid;
	if ((size_t)(p - sc->comps) != sc->cur || sc->nfnd == 0 ||
	    sc->cur_start > sc->nfnd) {
		sc->cur = (size_t)(p - sc->comps);
		sc->cur_start = sc->nfnd;
	}
	if ((rc = record(sc, rid, &c)) != VIGIL_OK || c->v == NULL)
		return rc;
	if ((rc = vigil_match_one(&p->mc, c->v, sc->platp, &m)) != VIGIL_OK)
		return rc == VIGIL_ENOMEM ? rc : VIGIL_OK;
	return match_cb(sc, c, &m);
}

static enum vigil_err
add_ids(struct fnd *f, const struct vigil_vuln *v)
{
	enum vigil_err rc = vdb_strset_add(&f->ids, v->id);

	for (size_t i = 0; rc == VIGIL_OK && i < v->naliases; i++)
		rc = vdb_strset_add(&f->ids, v->aliases[i]);
	return rc;
}

/* One (component, record) outcome into its merged finding. */
static enum vigil_err
match_cb(struct scan *sc, const struct cand *c, const struct vigil_match *m)
{
	const struct vigil_vuln *v = c->v;
	const char *canon = vigil_vuln_canonical_id(v);
	struct fnd *f = NULL;
	enum vigil_err rc;
	int better;

	if (m->outcome == VIGIL_UNRELATED)
		return VIGIL_OK;
	for (size_t i = sc->cur_start; i < sc->nfnd; i++)
		if (strcasecmp(sc->fnd[i].vuln, canon) == 0) {
			f = &sc->fnd[i];
			break;
		}
	if (f == NULL) {
		if (sc->nfnd == sc->capfnd) {
			size_t ncap = sc->capfnd != 0 ? sc->capfnd * 2 : 64;
			struct fnd *nv = realloc(sc->fnd, ncap * sizeof *nv);

			if (nv == NULL)
				return VIGIL_ENOMEM;
			sc->fnd = nv;
			sc->capfnd = ncap;
		}
		f = &sc->fnd[sc->nfnd++];
		memset(f, 0, sizeof *f);
		f->comp = sc->cur;
		f->cvss = -1;
		if ((f->vuln = strdup(canon)) == NULL)
			return VIGIL_ENOMEM;
		if ((rc = vdb_strset_add(&f->ids, canon)) != VIGIL_OK)
			return rc;
		better = 1;
	} else {
		/* The better outcome wins; at equal outcomes the source
		 * that speaks the component's own versions (OSV, then CVE
		 * 5, then NVD's upstream CPE versions), then the oldest
		 * record: whatever order the index gives. */
		int r = rank(m->outcome) - rank(f->outcome);
		int sr = src_rank(v->source) - f->best_src;

		better = r > 0 || (r == 0 && (sr < 0 || (sr == 0 &&
		    c->rid < f->best_rid)));
	}
	if ((rc = add_ids(f, v)) != VIGIL_OK)
		return rc;
	/* Sources are the ones that report the finding. */
	if (rank(m->outcome) >= 2 && (unsigned)v->source < 8u)
		f->sources |= 1u << (unsigned)v->source;
	if (c->cvss > f->cvss) {
		f->cvss = c->cvss;
		f->network = c->network;
	}
	if (better) {
		f->outcome = m->outcome;
		f->best_rid = c->rid;
		f->best_src = src_rank(v->source);
		snprintf(f->reason, sizeof f->reason, "%s", m->reason);
		if (m->fixed[0] != '\0')
			snprintf(f->fixed, sizeof f->fixed, "%s", m->fixed);
	} else if (f->fixed[0] == '\0' && m->fixed[0] != '\0' &&
	    m->outcome == VIGIL_AFFECTED) {
		snprintf(f->fixed, sizeof f->fixed, "%s", m->fixed);
	}
	return VIGIL_OK;
}

static enum vigil_err
vex_cb(void *ctx, const struct store_vuln_vex *v)
{
	struct scan *sc = ctx;
	struct vigil_vex_stmt *p;

	if (sc->nvex == sc->capvex) {
		size_t ncap = sc->capvex != 0 ? sc->capvex * 2 : 16;
		struct vigil_vex_stmt *nv = realloc(sc->vex,
		    ncap * sizeof *nv);

		if (nv == NULL)
			return VIGIL_ENOMEM;
		sc->vex = nv;
		sc->capvex = ncap;
	}
	p = &sc->vex[sc->nvex++];
	memset(p, 0, sizeof *p);
	p->vuln = dup(v->vuln);
	p->product = dup(v->product);
	p->serial = dup(v->serial);
	p->justification = dup(v->justification);
	p->detail = dup(v->detail);
	p->action = dup(v->action);
	p->versions = dup(v->versions);
	p->state = vigil_vex_state_from_name(v->state);
	p->time_ms = v->time_ms;
	if (p->vuln == NULL || p->product == NULL || p->serial == NULL ||
	    p->justification == NULL || p->detail == NULL ||
	    p->action == NULL || p->versions == NULL)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}

static enum vigil_err
load_platform(struct scan *sc)
{
	char *text = NULL, *line, *save = NULL;
	enum vigil_err rc;
	size_t n = 1;

	rc = store_vuln_platform_cpes(sc->st, sc->model, &text);
	if (rc != VIGIL_OK)
		return rc;
	for (const char *p = text; *p != '\0'; p++)
		n += *p == '\n';
	if ((sc->plat = calloc(n, sizeof *sc->plat)) == NULL) {
		free(text);
		return VIGIL_ENOMEM;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char e[128];

		if (line[0] != '\0' && sc->nplat < n &&
		    vigil_cpe_parse(line, &sc->plat[sc->nplat], e,
		    sizeof e) == VIGIL_OK)
			sc->nplat++;
	}
	free(text);
	return VIGIL_OK;
}

static int
suppressing(enum vigil_vex_state s)
{
	return s == VIGIL_VEX_NOT_AFFECTED || s == VIGIL_VEX_FIXED ||
	    s == VIGIL_VEX_FALSE_POSITIVE;
}

/* VEX and priority of each reportable finding. */
static enum vigil_err
judge(struct scan *sc)
{
	const struct vigil_vex_stmt **ptrs = NULL;
	enum vigil_err rc = VIGIL_OK;

	if (sc->nvex > 0) {
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
		if ((ptrs = calloc(sc->nvex, sizeof *ptrs)) == NULL)
			return VIGIL_ENOMEM;
		for (size_t i = 0; i < sc->nvex; i++)
			ptrs[i] = &sc->vex[i];
	}
	for (size_t i = 0; i < sc->nfnd && rc == VIGIL_OK; i++) {
		struct fnd *f = &sc->fnd[i];
		struct comp *c = &sc->comps[f->comp];
		struct vigil_prio_input in;

		if (rank(f->outcome) < 2)
			continue;
		vdb_strset_finish(&f->ids);
		if (ptrs != NULL) {
			struct vigil_sbom_component sc_c;

			memset(&sc_c, 0, sizeof sc_c);
			sc_c.ref = c->ref;
			sc_c.name = c->name;
			sc_c.version = c->version;
			sc_c.supplier = c->supplier;
			sc_c.purl = c->purl;
			sc_c.cpe = c->cpe;
			sc_c.type = (char *)"";
			sc_c.license = (char *)"";
			f->vex = vigil_vex_lookup(ptrs, sc->nvex,
			    (const char *const *)f->ids.v, f->ids.n, &sc_c);
		}
		memset(&in, 0, sizeof in);
		in.epss = -1;
		for (size_t k = 0; k < f->ids.n && rc == VIGIL_OK; k++) {
			int kev, ransom;
			double epss;

			rc = prio_info(sc->st, sc->cache, f->ids.v[k], &kev,
			    &ransom, &epss);
			in.kev |= kev;
			in.ransomware |= ransom;
			if (epss > in.epss)
				in.epss = epss;
		}
		in.cvss = f->cvss;
		in.network = f->network;
		in.exposed = -1;
		f->priority = vigil_vuln_priority(&in);
	}
	free(ptrs);
	return rc;
}

static void
sources_text(unsigned bits, char *out, size_t size)
{
	/* Alphabetical: "cve5,nvd,osv". */
	static const enum vigil_vsource order[] = { VIGIL_VSRC_CVE5,
		VIGIL_VSRC_NVD, VIGIL_VSRC_OSV };
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		if (!(bits & (1u << (unsigned)order[i])))
			continue;
		off += (size_t)snprintf(out + off, size - off, "%s%s",
		    off > 0 ? "," : "", vigil_vsource_name(order[i]));
		if (off >= size)
			break;
	}
}

/* A finding as one string: equal strings, nothing to write. */
static void
signature(char *out, size_t size, const struct store_vuln_finding *f)
{
	if (snprintf(out, size, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f"
	    "%s\x1f%s\x1f%.3f\x1f%.3f", f->ref, f->vuln, f->outcome,
	    f->sources, f->reason, f->fixed, f->vex_state,
	    f->vex_justification, f->vex_detail, f->cvss, f->priority) >=
	    (int)size)
		out[0] = '\0'; /* too long to compare: always rewritten */
}

/* The build's findings before the scan. */
struct old {
	struct vdb_strset sigs;   /* signatures */
	struct vdb_strset states; /* "ref\x1fvuln\x1fvex_state" */
	struct vdb_strset keys;   /* "ref\x1fvuln" */
	size_t n, cap;
	char **ref, **vuln; /* row i, for deletes */
};

#define SIG_MAX 4096

static enum vigil_err
old_cb(void *ctx, const struct store_vuln_finding *f)
{
	struct old *o = ctx;
	char k[SIG_MAX];

	signature(k, sizeof k, f);
	if (k[0] != '\0' && vdb_strset_add(&o->sigs, k) != VIGIL_OK)
		return VIGIL_ENOMEM;
	snprintf(k, sizeof k, "%s\x1f%s\x1f%s", f->ref, f->vuln, f->vex_state);
	if (vdb_strset_add(&o->states, k) != VIGIL_OK)
		return VIGIL_ENOMEM;
	snprintf(k, sizeof k, "%s\x1f%s", f->ref, f->vuln);
	if (vdb_strset_add(&o->keys, k) != VIGIL_OK)
		return VIGIL_ENOMEM;
	if (o->n == o->cap) {
		size_t ncap = o->cap != 0 ? o->cap * 2 : 64;
		char **nr = realloc(o->ref, ncap * sizeof *nr);

		if (nr == NULL)
			return VIGIL_ENOMEM;
		o->ref = nr;
		if ((nr = realloc(o->vuln, ncap * sizeof *nr)) == NULL)
			return VIGIL_ENOMEM;
		o->vuln = nr;
		o->cap = ncap;
	}
	o->ref[o->n] = strdup(f->ref);
	o->vuln[o->n] = strdup(f->vuln);
	o->n++;
	if (o->ref[o->n - 1] == NULL || o->vuln[o->n - 1] == NULL)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}

static void
old_free(struct old *o)
{
	vdb_strset_free(&o->sigs);
	vdb_strset_free(&o->states);
	vdb_strset_free(&o->keys);
	for (size_t i = 0; i < o->n; i++) {
		free(o->ref[i]);
		free(o->vuln[i]);
	}
	free(o->ref);
	free(o->vuln);
}

static int
pstrcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
in_set(const struct vdb_strset *s, const char *k)
{
	return s->n > 0 && bsearch(&k, s->v, s->n, sizeof *s->v,
	    pstrcmp) != NULL;
}

static int
in_refs(const struct vdb_strset *s, const char *ref)
{
	return in_set(s, ref);
}

/* Findings and counts, in one transaction: only the findings that
 * changed are written (a feed update moves few of them). */
static enum vigil_err
write_findings(struct scan *sc, const char *id, int64_t now,
    struct vdb_scan_res *res)
{
	struct old old;
	struct vdb_strset now_keys;
	enum vigil_err rc;

	memset(&old, 0, sizeof old);
	memset(&now_keys, 0, sizeof now_keys);
	if ((rc = vigil_store_begin(sc->st)) != VIGIL_OK)
		return rc;
	if (sc->refs == NULL)
		rc = store_vuln_findings(sc->st, id, old_cb, &old);
	for (size_t i = 0; sc->refs != NULL && rc == VIGIL_OK &&
	    i < sc->refs->n; i++)
		rc = store_vuln_findings_ref(sc->st, id, sc->refs->v[i],
		    old_cb, &old);
	vdb_strset_finish(&old.sigs);
	vdb_strset_finish(&old.states);
	vdb_strset_finish(&old.keys);
	for (size_t i = 0; rc == VIGIL_OK && i < sc->nfnd; i++) {
		struct fnd *f = &sc->fnd[i];
		struct store_vuln_finding w;
		char src[64], k[SIG_MAX];
		const char *state = "";

		if (rank(f->outcome) < 2) {
			res->not_affected++;
			continue;
		}
		memset(&w, 0, sizeof w);
		w.ref = sc->comps[f->comp].ref;
		w.vuln = f->vuln;
		w.outcome = vigil_outcome_name(f->outcome);
		sources_text(f->sources, src, sizeof src);
		w.sources = src;
		w.reason = f->reason;
		w.fixed = f->fixed;
		w.vex_justification = "";
		w.vex_detail = "";
		if (f->vex != NULL) {
			state = vigil_vex_state_name(f->vex->state);
			w.vex_justification = f->vex->justification;
			w.vex_detail = f->vex->detail;
		}
		w.vex_state = state;
		w.cvss = f->cvss;
		w.priority = f->priority;
		w.scanned_ms = now;
		if (f->vex != NULL && suppressing(f->vex->state))
			res->not_affected++;
		else if (f->outcome == VIGIL_AFFECTED)
			res->affected++;
		else
			res->unknown++;
		snprintf(k, sizeof k, "%s\x1f%s\x1f%s", w.ref, w.vuln, state);
		if (!in_set(&old.states, k)) {
			snprintf(k, sizeof k, "%s\x1f%s", w.ref, w.vuln);
			if (state[0] != '\0' || in_set(&old.keys, k))
				res->vex_changed++;
		}
		snprintf(k, sizeof k, "%s\x1f%s", w.ref, w.vuln);
		if ((rc = vdb_strset_add(&now_keys, k)) != VIGIL_OK)
			break;
		signature(k, sizeof k, &w);
		if (k[0] != '\0' && in_set(&old.sigs, k))
			continue; /* as stored */
		rc = store_vuln_finding_add(sc->st, id, &w);
	}
	vdb_strset_finish(&now_keys);
	for (size_t i = 0; rc == VIGIL_OK && i < old.n; i++) {
		char k[SIG_MAX];

		snprintf(k, sizeof k, "%s\x1f%s", old.ref[i], old.vuln[i]);
		if (!in_set(&now_keys, k))
			rc = store_vuln_finding_del(sc->st, id, old.ref[i],
			    old.vuln[i]);
	}
	old_free(&old);
	vdb_strset_free(&now_keys);
	/* A partial re-scan saw some components only: the counts come
	 * from every stored finding. */
	if (rc == VIGIL_OK && sc->refs != NULL)
		rc = store_vuln_build_recount(sc->st, id, now);
	else if (rc == VIGIL_OK)
		rc = store_vuln_build_counts(sc->st, id, now,
		    (int64_t)res->affected, (int64_t)res->unknown,
		    (int64_t)res->unmatchable);
	/* Findings move risk scores, which policy reads (vigil:RiskScore):
	 * cached decisions must not outlive them. */
	if (rc == VIGIL_OK)
		rc = vigil_zt_bump(sc->st);
	if (rc != VIGIL_OK) {
		vigil_store_rollback(sc->st);
		return rc;
	}
	return vigil_store_commit(sc->st);
}

static void
scan_free(struct scan *sc)
{
	for (size_t i = 0; i < sc->ncomps; i++) {
		struct comp *c = &sc->comps[i];

		if (c->inited)
			vigil_mcomp_clear(&c->mc);
		free(c->ref);
		free(c->name);
		free(c->version);
		free(c->supplier);
		free(c->purl);
		free(c->cpe);
	}
	free(sc->comps);
	vigil_vuln_free(sc->tmp.v);
	for (size_t i = 0; i < sc->nfnd; i++) {
		free(sc->fnd[i].vuln);
		vdb_strset_free(&sc->fnd[i].ids);
	}
	free(sc->fnd);
	for (size_t i = 0; i < sc->nvex; i++) {
		struct vigil_vex_stmt *v = &sc->vex[i];

		free(v->vuln);
		free(v->product);
		free(v->serial);
		free(v->justification);
		free(v->detail);
		free(v->action);
		free(v->versions);
	}
	free(sc->vex);
	for (size_t i = 0; i < sc->nplat; i++)
		vigil_cpe_clear(&sc->plat[i]);
	free(sc->plat);
}

static enum vigil_err
scan_run(struct scan *sc, const char *id, struct vdb_scan_res *res)
{
	struct vigil_platform plat;
	enum vigil_err rc;

	rc = store_vuln_build_row(sc->st, id, build_row_cb, sc);
	if (rc != VIGIL_OK)
		return rc;
	if ((rc = store_vuln_comps(sc->st, id, comp_cb, sc)) != VIGIL_OK)
		return rc;
	if ((rc = store_vuln_vex_for_build(sc->st, id, vex_cb, sc)) !=
	    VIGIL_OK)
		return rc;
	if ((rc = load_platform(sc)) != VIGIL_OK)
		return rc;
	plat.ncpes = sc->nplat;
	plat.cpes = sc->plat;
	sc->platp = sc->nplat > 0 ? &plat : NULL;
	res->components = sc->ncomps;
	for (size_t i = 0; i < sc->ncomps; i++)
		if (sc->comps[i].nkeys == 0)
			res->unmatchable++;
	sc->cur = (size_t)-1;
	if (sc->refs == NULL)
		rc = store_vuln_candidates(sc->st, id, pair_cb, sc);
	/* Component by component, in ref order as the full scan. */
	for (size_t i = 0; sc->refs != NULL && rc == VIGIL_OK &&
	    i < sc->ncomps; i++)
		rc = comp_pairs(sc, id, &sc->comps[i]);
	if (rc != VIGIL_OK)
		return rc;
	sc->platp = NULL;
	return judge(sc);
}

enum vigil_err
vdb_scan_build(struct vigil_store *st, const char *build_id,
    struct vdb_cache *cache, struct vdb_scan_res *res, char *err,
    size_t errsize)
{
	return vdb_scan_build_refs(st, build_id, NULL, cache, res, err,
	    errsize);
}

enum vigil_err
vdb_scan_build_refs(struct vigil_store *st, const char *build_id,
    const struct vdb_strset *refs, struct vdb_cache *cache,
    struct vdb_scan_res *res, char *err, size_t errsize)
{
	struct scan sc;
	struct vdb_cache *own = NULL;
	enum vigil_err rc;
	int64_t t0 = vigil_time_now_ms();

	memset(res, 0, sizeof *res);
	memset(&sc, 0, sizeof sc);
	sc.st = st;
	sc.refs = refs;
	if (cache == NULL && (cache = own = vdb_cache_new()) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "scan: out of memory");
	sc.cache = cache;
	rc = scan_run(&sc, build_id, res);
	if (rc == VIGIL_OK)
		rc = write_findings(&sc, build_id, vigil_time_now_ms(), res);
	scan_free(&sc);
	vdb_cache_free(own);
	res->elapsed_ms = vigil_time_now_ms() - t0;
	if (rc == VIGIL_ENOTFOUND)
		return vigil_seterr(err, errsize, rc, "build %s not found",
		    build_id);
	if (rc == VIGIL_ENOMEM)
		return vigil_seterr(err, errsize, rc, "scan: out of memory");
	if (rc != VIGIL_OK)
		return vigil_seterr(err, errsize, rc, "scan of build %s: %s",
		    build_id, vigil_store_errmsg(st));
	return VIGIL_OK;
}

json_t *
vdb_scan_res_json(struct vigil_store *st, const char *build_id,
    const struct vdb_scan_res *r)
{
	struct scan sc;

	memset(&sc, 0, sizeof sc);
	(void)store_vuln_build_row(st, build_id, build_row_cb, &sc);
	return json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "id",
	    build_id, "model", sc.model, "firmware", sc.version,
	    "components", (json_int_t)r->components, "affected",
	    (json_int_t)r->affected, "unknown", (json_int_t)r->unknown,
	    "not_affected", (json_int_t)r->not_affected, "unmatchable",
	    (json_int_t)r->unmatchable, "elapsed_ms",
	    (json_int_t)r->elapsed_ms);
}

static enum vigil_err
add_id(void *ctx, const char *id)
{
	return vdb_strset_add(ctx, id);
}

enum vigil_err
vigil_vdb_scan(struct vigil_store *st, const char *build, json_t **out,
    char *err, size_t errsize)
{
	struct vdb_strset ids;
	struct vdb_scan_res res;
	struct vdb_cache *cache = NULL;
	json_t *arr;
	enum vigil_err rc;
	char one[VIGIL_UUID_STRLEN];

	*out = NULL;
	memset(&ids, 0, sizeof ids);
	if (build != NULL) {
		if ((rc = vdb_build_resolve(st, build, one, err, errsize)) !=
		    VIGIL_OK)
			return rc;
		rc = vdb_strset_add(&ids, one);
	} else {
		rc = store_vuln_build_ids(st, add_id, &ids);
	}
	if (rc != VIGIL_OK) {
		vdb_strset_free(&ids);
		return vigil_seterr(err, errsize, rc, "scan: %s",
		    vigil_store_errmsg(st));
	}
	if ((arr = json_array()) == NULL) {
		vdb_strset_free(&ids);
		return VIGIL_ENOMEM;
	}
	if ((cache = vdb_cache_new()) == NULL)
		rc = VIGIL_ENOMEM;
	for (size_t i = 0; i < ids.n && rc == VIGIL_OK; i++) {
		rc = vdb_scan_build(st, ids.v[i], cache, &res, err, errsize);
		if (rc == VIGIL_OK && json_array_append_new(arr,
		    vdb_scan_res_json(st, ids.v[i], &res)) != 0)
			rc = VIGIL_ENOMEM;
	}
	vdb_strset_free(&ids);
	vdb_cache_free(cache);
	/* The CRA clocks are the caller's (vigil_vdb_cra_sync). */
	if (rc != VIGIL_OK) {
		json_decref(arr);
		return rc;
	}
	if ((*out = json_pack("{s:o}", "builds", arr)) == NULL)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}
