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
#include "vigil/sbom.h"

struct comp {
	char *ref, *name, *version, *supplier, *purl, *cpe;
	struct vigil_mcomp mc;
	int inited;
	size_t nkeys;
};

struct cand {
	const struct vigil_vuln *v; /* owned by the index */
	int64_t rid;
	double cvss;
	int network;
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
	char model[256], version[256];
	int found;
	size_t ncomps, capcomps;
	struct comp *comps;
	size_t ncands, capcands;
	struct cand *cands;
	struct cand **byptr; /* cands sorted by record pointer */
	struct vigil_vindex *ix;
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

static enum vigil_err
comp_cb(void *ctx, const struct store_vuln_comp *c)
{
	struct scan *sc = ctx;
	struct comp *p;

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

static enum vigil_err
cand_cb(void *ctx, const struct store_vuln_cand *c)
{
	struct scan *sc = ctx;
	struct vigil_vuln *v = NULL;
	struct cand *p;
	struct vigil_cvss cv;
	char e[256];
	enum vigil_err rc;

	rc = vigil_vuln_parse(vigil_vsource_from_name(c->source), c->raw,
	    c->rawlen, &v, e, sizeof e);
	if (rc == VIGIL_ENOMEM)
		return rc;
	if (rc != VIGIL_OK)
		return VIGIL_OK; /* stored by an older parser: skipped */
	if (sc->ncands == sc->capcands) {
		size_t ncap = sc->capcands != 0 ? sc->capcands * 2 : 64;
		struct cand *nv = realloc(sc->cands, ncap * sizeof *nv);

		if (nv == NULL) {
			vigil_vuln_free(v);
			return VIGIL_ENOMEM;
		}
		sc->cands = nv;
		sc->capcands = ncap;
	}
	p = &sc->cands[sc->ncands];
	p->v = v;
	p->rid = c->rid;
	p->cvss = c->cvss;
	p->network = 0;
	if (c->cvss_vector[0] != '\0' &&
	    vigil_cvss_parse(c->cvss_vector, &cv, e, sizeof e) == VIGIL_OK) {
		p->network = cv.network;
		if (p->cvss < 0)
			p->cvss = cv.base_score;
	}
	if ((rc = vigil_vindex_add(sc->ix, v)) != VIGIL_OK)
		return rc;
	sc->ncands++;
	return VIGIL_OK;
}

static int
ptr_cmp(const void *a, const void *b)
{
	const struct cand *x = *(struct cand *const *)a;
	const struct cand *y = *(struct cand *const *)b;

	return x->v < y->v ? -1 : x->v > y->v;
}

static struct cand *
cand_of(struct scan *sc, const struct vigil_vuln *v)
{
	size_t lo = 0, hi = sc->ncands;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->byptr[mid]->v == v)
			return sc->byptr[mid];
		if ((const void *)sc->byptr[mid]->v < (const void *)v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
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
match_cb(void *ctx, const struct vigil_vuln *v, const struct vigil_match *m)
{
	struct scan *sc = ctx;
	struct cand *c = cand_of(sc, v);
	const char *canon = vigil_vuln_canonical_id(v);
	struct fnd *f = NULL;
	enum vigil_err rc;
	int better;

	if (c == NULL || m->outcome == VIGIL_UNRELATED)
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
	p->state = vigil_vex_state_from_name(v->state);
	p->time_ms = v->time_ms;
	if (p->vuln == NULL || p->product == NULL || p->serial == NULL ||
	    p->justification == NULL || p->detail == NULL ||
	    p->action == NULL)
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

			rc = store_vuln_prio_info(sc->st, f->ids.v[k], &kev,
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

static enum vigil_err
old_cb(void *ctx, const struct store_vuln_finding *f)
{
	struct vdb_strset *old = ctx;
	char k[1024];

	snprintf(k, sizeof k, "%s\x1f%s\x1f%s", f->ref, f->vuln, f->vex_state);
	if (vdb_strset_add(&old[0], k) != VIGIL_OK)
		return VIGIL_ENOMEM;
	snprintf(k, sizeof k, "%s\x1f%s", f->ref, f->vuln);
	return vdb_strset_add(&old[1], k);
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

/* Findings and counts, in one transaction. */
static enum vigil_err
write_findings(struct scan *sc, const char *id, int64_t now,
    struct vdb_scan_res *res)
{
	struct vdb_strset old[2];
	enum vigil_err rc;

	memset(old, 0, sizeof old);
	if ((rc = vigil_store_begin(sc->st)) != VIGIL_OK)
		return rc;
	rc = store_vuln_findings(sc->st, id, old_cb, old);
	vdb_strset_finish(&old[0]);
	vdb_strset_finish(&old[1]);
	if (rc == VIGIL_OK)
		rc = store_vuln_findings_clear(sc->st, id);
	for (size_t i = 0; rc == VIGIL_OK && i < sc->nfnd; i++) {
		struct fnd *f = &sc->fnd[i];
		struct store_vuln_finding w;
		char src[64], k[1024];
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
		if (!in_set(&old[0], k)) {
			snprintf(k, sizeof k, "%s\x1f%s", w.ref, w.vuln);
			if (state[0] != '\0' || in_set(&old[1], k))
				res->vex_changed++;
		}
		rc = store_vuln_finding_add(sc->st, id, &w);
	}
	vdb_strset_free(&old[0]);
	vdb_strset_free(&old[1]);
	if (rc == VIGIL_OK)
		rc = store_vuln_build_counts(sc->st, id, now,
		    (int64_t)res->affected, (int64_t)res->unknown,
		    (int64_t)res->unmatchable);
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
	vigil_vindex_free(sc->ix);
	free(sc->cands);
	free(sc->byptr);
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
	if ((rc = vigil_vindex_new(&sc->ix)) != VIGIL_OK)
		return rc;
	if ((rc = store_vuln_comps(sc->st, id, comp_cb, sc)) != VIGIL_OK)
		return rc;
	if ((rc = store_vuln_candidates(sc->st, id, cand_cb, sc)) != VIGIL_OK)
		return rc;
	if ((rc = store_vuln_vex_for_build(sc->st, id, vex_cb, sc)) !=
	    VIGIL_OK)
		return rc;
	if ((rc = load_platform(sc)) != VIGIL_OK)
		return rc;
	if (sc->ncands > 0) {
		if ((sc->byptr = calloc(sc->ncands, sizeof *sc->byptr)) ==
		    NULL)
			return VIGIL_ENOMEM;
		for (size_t i = 0; i < sc->ncands; i++)
			sc->byptr[i] = &sc->cands[i];
		qsort(sc->byptr, sc->ncands, sizeof *sc->byptr, ptr_cmp);
	}
	plat.ncpes = sc->nplat;
	plat.cpes = sc->plat;
	res->components = sc->ncomps;
	for (size_t i = 0; i < sc->ncomps; i++) {
		if (sc->comps[i].nkeys == 0) {
			res->unmatchable++;
			continue;
		}
		if (sc->ncands == 0)
			continue;
		sc->cur = i;
		sc->cur_start = sc->nfnd;
		rc = vigil_vindex_match(sc->ix, &sc->comps[i].mc,
		    sc->nplat > 0 ? &plat : NULL, match_cb, sc);
		if (rc != VIGIL_OK)
			return rc;
	}
	return judge(sc);
}

enum vigil_err
vdb_scan_build(struct vigil_store *st, const char *build_id,
    struct vdb_scan_res *res, char *err, size_t errsize)
{
	struct scan sc;
	enum vigil_err rc;
	int64_t t0 = vigil_time_now_ms();

	memset(res, 0, sizeof *res);
	memset(&sc, 0, sizeof sc);
	sc.st = st;
	rc = scan_run(&sc, build_id, res);
	if (rc == VIGIL_OK)
		rc = write_findings(&sc, build_id, vigil_time_now_ms(), res);
	scan_free(&sc);
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
	for (size_t i = 0; i < ids.n && rc == VIGIL_OK; i++) {
		rc = vdb_scan_build(st, ids.v[i], &res, err, errsize);
		if (rc == VIGIL_OK && json_array_append_new(arr,
		    vdb_scan_res_json(st, ids.v[i], &res)) != 0)
			rc = VIGIL_ENOMEM;
	}
	vdb_strset_free(&ids);
	if (rc == VIGIL_OK && (rc = vigil_vdb_cra_sync(st,
	    vigil_time_now_ms(), NULL)) != VIGIL_OK)
		vigil_seterr(err, errsize, rc, "CRA sync: %s",
		    vigil_store_errmsg(st));
	if (rc != VIGIL_OK) {
		json_decref(arr);
		return rc;
	}
	if ((*out = json_pack("{s:o}", "builds", arr)) == NULL)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}
