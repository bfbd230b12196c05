/*
 * The OSV part of matching: which affected[] packages relate to a
 * component (purl key with release scoping, or Bitnami's CPEs) and
 * whether its version is affected, per the OSV schema's "Evaluation"
 * algorithm: explicit versions[], then each range's events sorted under
 * the range's ordering and walked (introduced inclusive, fixed
 * exclusive, last_affected inclusive), capped by limit events.
 *
 * Decisions the schema leaves open, made here:
 *  - a release-scoped record ("Debian:12") against a component whose
 *    purl names no release is UNKNOWN "distro release unknown": it may
 *    or may not be that release;
 *  - an unscoped record ("PyPI") applies to every release;
 *  - SEMVER ranges compare coerced versions ("v1.2" as "1.2.0"), since
 *    upstream C libraries seldom ship strict SemVer;
 *  - ranges of one package are OR-ed in three states: one affected range
 *    wins, else one undecidable range (GIT without versions[], bad
 *    event version) makes the package UNKNOWN;
 *  - at equal versions events sort fixed < introduced < last_affected,
 *    so back-to-back ranges in one events[] ("fixed 2.0, introduced
 *    2.0") leave 2.0 affected.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vigil/vuln.h"
#include "match_internal.h"

#define EVENTS_MAX 128     /* events of one range walked; more: UNKNOWN */
#define SCRATCH_MAX 8192   /* coerced SemVer event versions */

struct sev {
	enum vigil_vevent_kind kind;
	const char *ver; /* as compared (coerced for SEMVER) */
	const char *raw; /* as written, for reasons and fixed */
};

struct rwalk {
	enum vigil_vscheme s;
	const char *v; /* component version, valid under s */
	int bad;       /* an event version is invalid under s */
	struct sev ev[EVENTS_MAX];
	size_t n;
	char scratch[SCRATCH_MAX];
	size_t used;
};

static int
is_zero(const struct sev *e)
{
	return e->kind == VIGIL_EV_INTRODUCED && strcmp(e->raw, "0") == 0;
}

static int
is_inf(const struct sev *e)
{
	return e->kind == VIGIL_EV_LIMIT && strcmp(e->raw, "*") == 0;
}

static int
kind_rank(enum vigil_vevent_kind k)
{
	switch (k) {
	case VIGIL_EV_FIXED:
		return 0;
	case VIGIL_EV_INTRODUCED:
		return 1;
	case VIGIL_EV_LAST_AFFECTED:
		return 2;
	default:
		return 3;
	}
}

static int
ev_cmp(const struct rwalk *w, const struct sev *a, const struct sev *b)
{
	int za = is_zero(a) ? -1 : is_inf(a) ? 1 : 0;
	int zb = is_zero(b) ? -1 : is_inf(b) ? 1 : 0;
	int c;

	if (za != 0 || zb != 0) {
		if (za != zb)
			return za < zb ? -1 : 1;
		c = 0;
	} else {
		c = match_vcmp_checked(w->s, a->ver, b->ver);
	}
	if (c != 0)
		return c;
	return kind_rank(a->kind) - kind_rank(b->kind);
}

/* Fills w->ev from r, coercing for SEMVER; -1 when they do not fit. */
static int
load_events(struct rwalk *w, const struct vigil_vrange *r)
{
	w->n = 0;
	w->used = 0;
	if (r->nevents > EVENTS_MAX)
		return -1;
	for (size_t i = 0; i < r->nevents; i++) {
		struct sev *e = &w->ev[w->n];
		const char *raw = r->events[i].version;

		if (raw == NULL)
			continue;
		e->kind = r->events[i].kind;
		e->raw = raw;
		e->ver = raw;
		if (w->s == VIGIL_VS_SEMVER && !is_zero(e) && !is_inf(e)) {
			char *dst = w->scratch + w->used;

			if (match_semver_coerce(raw, dst,
			    sizeof w->scratch - w->used) == 0) {
				e->ver = dst;
				w->used += strlen(dst) + 1;
			}
			/* else left as written: comparing it fails and
			 * the range is UNKNOWN, as it should be. */
		}
		/* Checked once here, compared many times below. */
		if (!is_zero(e) && !is_inf(e) &&
		    match_vcheck(w->s, e->ver) != 0) {
			w->bad = 1;
			return 0;
		}
		w->n++;
	}
	/* Insertion sort: events are few (and often sorted already). */
	for (size_t i = 1; i < w->n; i++) {
		struct sev t = w->ev[i];
		size_t j = i;

		while (j > 0 && ev_cmp(w, &w->ev[j - 1], &t) > 0) {
			w->ev[j] = w->ev[j - 1];
			j--;
		}
		w->ev[j] = t;
	}
	return 0;
}

/* v against one event version (both checked): -1, 0, 1. */
static int
v_cmp(const struct rwalk *w, const struct sev *e)
{
	return match_vcmp_checked(w->s, w->v, e->ver);
}

/*
 * The walk of schema.md. Returns AFFECTED or NOT_AFFECTED, UNKNOWN when
 * a comparison failed; *lo / *hi get the events bounding the affected
 * interval v fell in (for the reason).
 */
static enum vigil_outcome
walk(struct rwalk *w, struct mpart *out, const struct sev **lo,
    const struct sev **hi)
{
	int vulnerable = 0, limits = 0, before = 0;

	*lo = *hi = NULL;
	for (size_t i = 0; i < w->n; i++) {
		const struct sev *e = &w->ev[i];

		if (e->kind != VIGIL_EV_LIMIT)
			continue;
		limits = 1;
		if (is_inf(e) || v_cmp(w, e) < 0)
			before = 1;
	}
	for (size_t i = 0; i < w->n; i++) {
		const struct sev *e = &w->ev[i];

		switch (e->kind) {
		case VIGIL_EV_INTRODUCED:
			if (is_zero(e) || v_cmp(w, e) >= 0) {
				vulnerable = 1;
				*lo = e;
				*hi = NULL;
			}
			break;
		case VIGIL_EV_FIXED:
			if (v_cmp(w, e) >= 0)
				vulnerable = 0;
			else if (*hi == NULL && vulnerable)
				*hi = e;
			/* The first fix at or above v is what to update
			 * to, affected or not. */
			if (v_cmp(w, e) <= 0)
				mpart_offer_fixed(out, e->raw, w->s);
			break;
		case VIGIL_EV_LAST_AFFECTED:
			if (v_cmp(w, e) > 0)
				vulnerable = 0;
			else if (*hi == NULL && vulnerable)
				*hi = e;
			break;
		default:
			break;
		}
	}
	if (w->bad)
		return VIGIL_UNKNOWN;
	if (limits && !before)
		return VIGIL_NOT_AFFECTED;
	return vulnerable ? VIGIL_AFFECTED : VIGIL_NOT_AFFECTED;
}

static const char *
range_type_name(enum vigil_vrange_type t)
{
	switch (t) {
	case VIGIL_VRANGE_SEMVER:
		return "SEMVER";
	case VIGIL_VRANGE_ECOSYSTEM:
		return "ECOSYSTEM";
	default:
		return "GIT";
	}
}

/* What one range decided, kept unformatted: only the reason that ends
 * up in the result is ever formatted. */
enum rwhy {
	RW_IN,         /* affected: in [lo, hi) or [lo, hi] */
	RW_OUT,        /* outside */
	RW_BAD_V,      /* the component version does not parse */
	RW_BAD_EVENTS, /* an event version does not parse */
	RW_TOO_MANY,   /* more than EVENTS_MAX events */
};
struct rres {
	enum vigil_outcome o;
	enum rwhy why;
	enum vigil_vrange_type type;
	enum vigil_vscheme s;
	const char *lo, *hi; /* record-owned strings, NULL open */
	int hi_incl;
};

static void
rres_format(const struct rres *rr, const char *name, const char *v,
    struct mpart *r)
{
	switch (rr->why) {
	case RW_IN:
		mpart_set(r, rr->o, "%.64s %.64s in [%.40s, %.40s%s (OSV %s "
		    "range)", name, v, rr->lo != NULL ? rr->lo : "0",
		    rr->hi != NULL ? rr->hi : "*", rr->hi_incl ? "]" : ")",
		    range_type_name(rr->type));
		break;
	case RW_OUT:
		mpart_set(r, rr->o, "%.64s %.64s outside the affected ranges "
		    "(OSV %s)", name, v, range_type_name(rr->type));
		break;
	case RW_BAD_V:
		mpart_set(r, rr->o, "%.64s %.64s: unparseable version (%s)",
		    name, v, rr->type == VIGIL_VRANGE_SEMVER ? "SemVer range" :
		    vigil_vscheme_name(rr->s));
		break;
	case RW_BAD_EVENTS:
		mpart_set(r, rr->o, "%.64s %.64s: unparseable version in "
		    "range events", name, v);
		break;
	case RW_TOO_MANY:
		mpart_set(r, rr->o, "%.64s: range has more than %d events",
		    name, EVENTS_MAX);
		break;
	}
}

/* One range of a related package into rr; fixed versions go to acc.
 * sv is v coerced to SemVer, NULL when it is none. */
static void
eval_range(struct rwalk *w, const char *v, const char *sv,
    const struct vigil_vrange *rg, enum vigil_vscheme eco_s, struct rres *rr,
    struct mpart *acc)
{
	const struct sev *lo, *hi;

	memset(rr, 0, sizeof *rr);
	rr->o = VIGIL_UNKNOWN;
	rr->type = rg->type;
	w->bad = 0;
	/* SEMVER ranges, and ECOSYSTEM ranges of a SemVer ecosystem
	 * (Bitnami, npm...), compare coerced versions. */
	if (rg->type == VIGIL_VRANGE_SEMVER || eco_s == VIGIL_VS_SEMVER) {
		w->s = VIGIL_VS_SEMVER;
		if (sv == NULL) {
			rr->why = RW_BAD_V;
			return;
		}
		w->v = sv;
	} else {
		w->s = eco_s;
		if (match_vcheck(eco_s, v) != 0) {
			rr->why = RW_BAD_V;
			rr->s = eco_s;
			return;
		}
		w->v = v;
	}
	if (load_events(w, rg) != 0) {
		rr->why = RW_TOO_MANY;
		return;
	}
	if (w->bad) {
		rr->why = RW_BAD_EVENTS;
		return;
	}
	rr->o = walk(w, acc, &lo, &hi);
	if (rr->o == VIGIL_UNKNOWN) {
		rr->why = RW_BAD_EVENTS;
	} else if (rr->o == VIGIL_AFFECTED) {
		rr->why = RW_IN;
		rr->lo = lo != NULL ? lo->raw : NULL;
		rr->hi = hi != NULL ? hi->raw : NULL;
		rr->hi_incl = hi != NULL && hi->kind == VIGIL_EV_LAST_AFFECTED;
	} else {
		rr->why = RW_OUT;
	}
}

/* 1 when v is listed in p->versions[] (equal under s, or as text). */
static int
listed(const struct vigil_vpkg *p, const char *v, enum vigil_vscheme s)
{
	for (size_t i = 0; i < p->nversions; i++) {
		int c;

		if (p->versions[i] == NULL)
			continue;
		if (strcmp(p->versions[i], v) == 0)
			return 1;
		if (match_vcmp(s, p->versions[i], v, &c) == 0 && c == 0)
			return 1;
	}
	return 0;
}

/* Cheap test before the full key: the ecosystem's base name ("Debian"
 * of "Debian:12") is the component's. */
static int
eco_base_is(const char *eco, const char *base)
{
	size_t n = strcspn(eco, ":");

	return strlen(base) == n && strncasecmp(eco, base, n) == 0;
}

/*
 * Whether p relates to c: 1 by purl key, 2 by CPE, 0 not; -1 when it is
 * scoped to a release the component does not state (r set UNKNOWN).
 */
static int
relates(const struct vigil_mcomp *c, const struct vigil_vpkg *p,
    enum vigil_vscheme *s, struct mpart *r)
{
	struct vigil_pkg_key k;

	*s = vigil_ecosystem_scheme(p->ecosystem);
	if (*s == VIGIL_VS_NONE)
		*s = VIGIL_VS_GENERIC;
	if (c->has_key && p->ecosystem != NULL && p->name != NULL &&
	    eco_base_is(p->ecosystem, c->key.ecosystem) &&
	    vigil_osv_pkg_key(p->ecosystem, p->name, &k, NULL, 0) ==
	    VIGIL_OK && strcasecmp(k.ecosystem, c->key.ecosystem) == 0 &&
	    strcmp(k.name, c->key.name) == 0) {
		if (k.release[0] != '\0' && c->key.release[0] == '\0') {
			mpart_set(r, VIGIL_UNKNOWN, "%.64s: distro release "
			    "unknown (record for %.48s)", p->name,
			    p->ecosystem);
			return -1;
		}
		if (k.release[0] != '\0' &&
		    strcmp(k.release, c->key.release) != 0)
			return 0;
		if (k.scheme != VIGIL_VS_NONE)
			*s = k.scheme;
		return 1;
	}
	if (c->has_cpe)
		for (size_t i = 0; i < p->ncpes; i++)
			if (match_cpe_same_product(&p->cpes[i], &c->cpe))
				return 2;
	return 0;
}

static void
pkg_part(const struct vigil_mcomp *c, const struct vigil_vpkg *p,
    struct rwalk *w, struct mpart *out)
{
	char cver[VIGIL_VERSION_MAX + 1];
	const char *v, *name;
	enum vigil_vscheme s;
	char svbuf[VIGIL_VERSION_MAX + 8];
	const char *sv = NULL;
	struct mpart acc;
	struct rres rr, best;
	int how, git = 0;

	mpart_init(out);
	how = relates(c, p, &s, out);
	if (how <= 0)
		return;
	name = c->name != NULL && c->name[0] != '\0' ? c->name :
	    p->name != NULL ? p->name : "";
	if (how == 2) {
		match_cpe_version(c, cver, sizeof cver);
		v = cver;
	} else {
		v = c->version != NULL ? c->version : "";
	}
	if (v[0] == '\0') {
		mpart_set(out, VIGIL_UNKNOWN, "%.64s: no version", name);
		return;
	}
	if (listed(p, v, s)) {
		mpart_set(out, VIGIL_AFFECTED, "%.64s %.64s listed in "
		    "versions[]", name, v);
	}
	/* The component's version as SemVer ranges compare it, once. */
	if (match_semver_coerce(v, svbuf, sizeof svbuf) == 0 &&
	    vigil_version_check(VIGIL_VS_SEMVER, svbuf, NULL, 0) == VIGIL_OK)
		sv = svbuf;
	memset(&best, 0, sizeof best);
	best.o = VIGIL_UNRELATED;
	mpart_init(&acc);
	for (size_t i = 0; i < p->nranges; i++) {
		const struct vigil_vrange *rg = &p->ranges[i];

		if (rg->type == VIGIL_VRANGE_GIT) {
			/* Enumerated in versions[] when usable offline. */
			git += p->nversions == 0;
			continue;
		}
		eval_range(w, v, sv, rg, s, &rr, &acc);
		/* OR in three states: affected > unknown > not affected;
		 * fixed gathered from every range (by eval_range). */
		if ((rr.o == VIGIL_AFFECTED && best.o != VIGIL_AFFECTED) ||
		    (rr.o == VIGIL_UNKNOWN && best.o == VIGIL_NOT_AFFECTED) ||
		    best.o == VIGIL_UNRELATED)
			best = rr;
	}
	/* w->v may point at cver or svbuf in this frame: do not let the
	 * caller's workspace keep a dangling pointer. */
	w->v = NULL;
	if (best.o != VIGIL_UNRELATED)
		rres_format(&best, name, v, &acc);
	if (acc.outcome != VIGIL_AFFECTED && git > 0 &&
	    out->outcome != VIGIL_AFFECTED)
		mpart_set(&acc, VIGIL_UNKNOWN, "%.64s %.64s: git range needs "
		    "commit data", name, v);
	if (out->outcome == VIGIL_AFFECTED) {
		mpart_offer_fixed(out, acc.fixed, s);
		return;
	}
	if (acc.outcome == VIGIL_UNRELATED) {
		/* Neither ranges nor a listed version. */
		if (p->nversions > 0)
			mpart_set(&acc, VIGIL_NOT_AFFECTED, "%.64s %.64s not "
			    "in versions[]", name, v);
		else
			mpart_set(&acc, VIGIL_UNKNOWN, "%.64s: record has "
			    "no ranges or versions", name);
	}
	*out = acc;
}

void
match_osv_part(const struct vigil_mcomp *c, const struct vigil_vuln *v,
    struct mpart *out)
{
	struct rwalk w;
	struct mpart r;

	mpart_init(out);
	for (size_t i = 0; i < v->npkgs; i++) {
		enum vigil_vscheme s = vigil_ecosystem_scheme(
		    v->pkgs[i].ecosystem);

		pkg_part(c, &v->pkgs[i], &w, &r);
		mpart_fold(out, &r, s == VIGIL_VS_NONE ? VIGIL_VS_GENERIC : s);
	}
}
