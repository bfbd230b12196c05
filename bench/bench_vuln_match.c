/*
 * bench_vuln_match [RECORDS [COMPONENTS [NAIVE]]] — matching a firmware SBOM
 * against a vulnerability snapshot in memory.
 *
 * Generates, from a fixed-seed PRNG, RECORDS records (default 250,000)
 * of realistic shape: OSV records (npm, PyPI, Debian:12 and Bitnami with
 * CPEs; 1-3 ranges, introduced/fixed/last_affected), NVD records (1-3
 * configurations of CPE matches with version bounds or exact versions,
 * some AND configurations with a vulnerable:false hardware platform)
 * (5% of them Awaiting Analysis: no configurations, CVE 5 data without
 * usable versions: unknown) and CVE 5 records (vendor/product,
 * lessThan ranges, defaultStatus),
 * over 20,000 products whose popularity follows a Zipf-Mandelbrot law
 * (the most popular products have hundreds of records, the tail one or
 * two); and an SBOM of COMPONENTS components (default 5,000: the 100
 * most popular products plus random others, with purls and/or CPEs).
 *
 *   vigil: vigil_vindex_match of every component against an index of
 *          every record (the index built once, timed apart), median of
 *          5 runs, in CPU time of the thread (wall time on stderr);
 *   peer:  the naive scan, vigil_match_one of one component against
 *          every record, for NAIVE components (default 50; 0 skips it),
 *          extrapolated to all.
 * Prints "vuln_match: vigil X ms for 5000 components x 250000 records,
 * goal 200 ms, ratio R" with R = goal / X (above 1 beats the goal), and
 * the peer line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vigil/vigil.h"
#include "vigil/vuln.h"

#define NPRODUCTS 20000
#define GOAL_MS 200.0
#define RUNS 5
#define NAIVE_COMPONENTS 50

static void
die(const char *what)
{
	fprintf(stderr, "bench_vuln_match: %s\n", what);
	exit(1);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of this thread: "time on one core", which a machine shared
 * with other jobs does not inflate the way it inflates wall time. */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* xorshift64*: fixed seed, same data on every run and machine. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t
below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* ---- products ---- */

enum eco { E_GENERIC, E_BITNAMI, E_NPM, E_PYPI, E_DEBIAN };

static enum eco
prod_eco(uint32_t p)
{
	static const enum eco by[10] = { E_GENERIC, E_GENERIC, E_GENERIC,
		E_GENERIC, E_BITNAMI, E_BITNAMI, E_NPM, E_NPM, E_PYPI,
		E_DEBIAN };

	return by[p % 10];
}

static void
prod_cpe(uint32_t p, const char *ver, char *out, size_t n)
{
	snprintf(out, n, "cpe:2.3:a:vend%04u:prod%05u:%s:*:*:*:*:*:*:*",
	    p % 9000, p, ver);
}

/* Zipf-Mandelbrot: weight of rank k is 1 / (k + 50). */
static double cdf[NPRODUCTS];

static void
zipf_init(void)
{
	double sum = 0;

	for (uint32_t k = 0; k < NPRODUCTS; k++) {
		sum += 1.0 / (k + 1 + 50.0);
		cdf[k] = sum;
	}
	for (uint32_t k = 0; k < NPRODUCTS; k++)
		cdf[k] /= sum;
}

static uint32_t
zipf(void)
{
	double u = (double)(rnd() >> 11) / 9007199254740992.0;
	uint32_t lo = 0, hi = NPRODUCTS - 1;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- versions ---- */

struct ver {
	int a, b, c;
};

static struct ver
rver(void)
{
	struct ver v = { (int)below(6), (int)below(30), (int)below(20) };

	return v;
}

static int
ver_cmp(struct ver x, struct ver y)
{
	if (x.a != y.a)
		return x.a < y.a ? -1 : 1;
	if (x.b != y.b)
		return x.b < y.b ? -1 : 1;
	return x.c < y.c ? -1 : x.c > y.c;
}

static char *
vstr(struct ver v, int debian)
{
	char buf[48];
	char *s;

	snprintf(buf, sizeof buf, "%d.%d.%d%s", v.a, v.b, v.c,
	    debian ? "-1" : "");
	if ((s = strdup(buf)) == NULL)
		die("out of memory");
	return s;
}

/* ---- builders (malloc'ed, freed by vigil_vuln_free) ---- */

static char *
xdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		die("out of memory");
	return d;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		die("out of memory");
	return p;
}

static void
xcpe(const char *s, struct vigil_cpe *out)
{
	char err[128];

	if (vigil_cpe_parse(s, out, err, sizeof err) != VIGIL_OK)
		die(err);
}

static struct vigil_vuln *
vnew(enum vigil_vsource src, uint64_t n)
{
	struct vigil_vuln *v = xcalloc(1, sizeof *v);
	char id[48];

	v->source = src;
	snprintf(id, sizeof id, "%s-%07" PRIu64, src == VIGIL_VSRC_OSV ?
	    "OSV-BENCH" : "CVE-2099", n);
	v->id = xdup(id);
	v->summary = xdup("");
	v->status = xdup(src == VIGIL_VSRC_NVD ? "Analyzed" : "");
	return v;
}

static const char *
eco_name(enum eco e)
{
	switch (e) {
	case E_NPM:
		return "npm";
	case E_PYPI:
		return "PyPI";
	case E_DEBIAN:
		return "Debian:12";
	default:
		return "Bitnami";
	}
}

static void
gen_osv(struct vigil_vuln *v, uint32_t p)
{
	enum eco e = prod_eco(p);
	struct vigil_vpkg *pk;
	char name[32], c[160];

	v->npkgs = 1;
	v->pkgs = pk = xcalloc(1, sizeof *pk);
	snprintf(name, sizeof name, "prod%05u", p);
	pk->ecosystem = xdup(eco_name(e));
	pk->name = xdup(name);
	pk->purl = xdup("");
	if (e == E_GENERIC || e == E_BITNAMI) {
		pk->ncpes = 1;
		pk->cpes = xcalloc(1, sizeof *pk->cpes);
		prod_cpe(p, "*", c, sizeof c);
		xcpe(c, &pk->cpes[0]);
	}
	pk->nranges = 1 + below(3);
	pk->ranges = xcalloc(pk->nranges, sizeof *pk->ranges);
	for (size_t i = 0; i < pk->nranges; i++) {
		struct vigil_vrange *r = &pk->ranges[i];
		struct ver lo = rver(), hi = rver();
		int zero = below(4) == 0, last = below(5) == 0;

		if (ver_cmp(lo, hi) > 0) {
			struct ver t = lo;

			lo = hi;
			hi = t;
		}
		r->type = e == E_DEBIAN ? VIGIL_VRANGE_ECOSYSTEM :
		    VIGIL_VRANGE_SEMVER;
		r->repo = xdup("");
		r->nevents = 2;
		r->events = xcalloc(2, sizeof *r->events);
		/* Written in either order, as real feeds do. */
		r->events[i % 2].kind = VIGIL_EV_INTRODUCED;
		r->events[i % 2].version = zero ? xdup("0") :
		    vstr(lo, e == E_DEBIAN);
		r->events[1 - i % 2].kind = last ? VIGIL_EV_LAST_AFFECTED :
		    VIGIL_EV_FIXED;
		r->events[1 - i % 2].version = vstr(hi, e == E_DEBIAN);
	}
}

static void
gen_nvd(struct vigil_vuln *v, uint32_t p)
{
	char c[160];

	v->nconfigs = 1 + below(3);
	v->configs = xcalloc(v->nconfigs, sizeof *v->configs);
	for (size_t i = 0; i < v->nconfigs; i++) {
		struct vigil_cpe_config *cf = &v->configs[i];
		int with_platform = below(10) < 3;
		struct vigil_cpe_node *nd;

		cf->and_op = with_platform;
		cf->nnodes = with_platform ? 2 : 1;
		cf->nodes = xcalloc(cf->nnodes, sizeof *cf->nodes);
		nd = &cf->nodes[0];
		nd->nmatches = 1 + below(4);
		nd->matches = xcalloc(nd->nmatches, sizeof *nd->matches);
		for (size_t j = 0; j < nd->nmatches; j++) {
			struct vigil_cpe_match *m = &nd->matches[j];
			struct ver lo = rver(), hi = rver();

			m->vulnerable = 1;
			if (ver_cmp(lo, hi) > 0) {
				struct ver t = lo;

				lo = hi;
				hi = t;
			}
			if (below(5) == 0) { /* an exact version */
				char *s = vstr(lo, 0);

				prod_cpe(p, s, c, sizeof c);
				free(s);
				m->start = xdup("");
				m->end = xdup("");
			} else {
				prod_cpe(p, "*", c, sizeof c);
				m->start = below(2) ? vstr(lo, 0) : xdup("");
				m->start_incl = 1;
				m->end = vstr(hi, 0);
				m->end_incl = below(3) == 0;
			}
			xcpe(c, &m->cpe);
		}
		if (!with_platform)
			continue;
		nd = &cf->nodes[1];
		nd->nmatches = 1;
		nd->matches = xcalloc(1, sizeof *nd->matches);
		snprintf(c, sizeof c, "cpe:2.3:h:hwvend%u:chip%u:-:*:*:*:*:*:"
		    "*:*", p % 40, p % 40);
		xcpe(c, &nd->matches[0].cpe);
		nd->matches[0].start = xdup("");
		nd->matches[0].end = xdup("");
	}
}

static void
gen_cve5(struct vigil_vuln *v, uint32_t p)
{
	struct vigil_cve5_affected *a;
	char s[32];

	v->ncve5 = 1;
	v->cve5 = a = xcalloc(1, sizeof *a);
	snprintf(s, sizeof s, "Vend%04u", p % 9000);
	a->vendor = xdup(s);
	snprintf(s, sizeof s, "prod%05u", p);
	a->product = xdup(s);
	a->package_name = xdup("");
	a->collection_url = xdup("");
	a->default_status = VIGIL_VST_UNAFFECTED;
	a->nversions = 1 + below(3);
	a->versions = xcalloc(a->nversions, sizeof *a->versions);
	for (size_t i = 0; i < a->nversions; i++) {
		struct ver lo = rver(), hi = rver();

		if (ver_cmp(lo, hi) > 0) {
			struct ver t = lo;

			lo = hi;
			hi = t;
		}
		a->versions[i].version = vstr(lo, 0);
		a->versions[i].less_than = vstr(hi, 0);
		a->versions[i].less_than_or_equal = xdup("");
		a->versions[i].version_type = xdup("semver");
		a->versions[i].status = VIGIL_VST_AFFECTED;
	}
}

static struct vigil_vuln *
gen_record(uint64_t n)
{
	uint32_t p = zipf(), kind = below(10);
	struct vigil_vuln *v;

	if (kind < 4) {
		v = vnew(VIGIL_VSRC_OSV, n);
		gen_osv(v, p);
	} else if (kind < 8) {
		v = vnew(VIGIL_VSRC_NVD, n);
		if (below(20) == 0) {
			/* Awaiting Analysis: no configurations, the CNA's
			 * CVE 5 data only, with no version information. */
			free(v->status);
			v->status = xdup("Awaiting Analysis");
			gen_cve5(v, p);
			v->cve5[0].default_status = VIGIL_VST_UNKNOWN;
			v->cve5[0].versions[0].version_type[0] = '\0';
			v->cve5[0].versions[0].less_than[0] = '\0';
			v->cve5[0].versions[0].version[0] = 'x';
		} else {
			gen_nvd(v, p);
		}
	} else {
		v = vnew(VIGIL_VSRC_CVE5, n);
		gen_cve5(v, p);
	}
	return v;
}

/* ---- the SBOM ---- */

struct comp {
	char name[16], version[32], purl[96], cpe[160];
	struct vigil_mcomp mc;
};

static void
gen_component(struct comp *c, uint32_t p, size_t i)
{
	enum eco e = prod_eco(p);
	struct ver v = rver();
	int debian = e == E_DEBIAN;
	char *vs = vstr(v, debian);

	snprintf(c->name, sizeof c->name, "prod%05u", p);
	snprintf(c->version, sizeof c->version, "%s", vs);
	c->purl[0] = c->cpe[0] = '\0';
	if (e == E_NPM || e == E_PYPI || e == E_DEBIAN || e == E_BITNAMI)
		snprintf(c->purl, sizeof c->purl, "pkg:%s/%sprod%05u@%s%s",
		    e == E_NPM ? "npm" : e == E_PYPI ? "pypi" : e == E_DEBIAN ?
		    "deb" : "bitnami", debian ? "debian/" : "", p, vs,
		    debian ? "?distro=debian-12" : "");
	/* Yocto/Buildroot SBOMs give C packages CPEs; half the language
	 * packages have one too. */
	if (e == E_GENERIC || e == E_BITNAMI || e == E_DEBIAN || i % 2 == 0) {
		char *cv = vstr(v, 0);

		prod_cpe(p, cv, c->cpe, sizeof c->cpe);
		free(cv);
	}
	free(vs);
}

struct counts {
	size_t n[4];
};

static enum vigil_err
on_match(void *ctx, const struct vigil_vuln *v, const struct vigil_match *m)
{
	struct counts *k = ctx;

	(void)v;
	k->n[m->outcome & 3]++;
	return VIGIL_OK;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	size_t nrec = argc > 1 ? strtoul(argv[1], NULL, 10) : 250000;
	size_t ncomp = argc > 2 ? strtoul(argv[2], NULL, 10) : 5000;
	struct vigil_vuln **recs;
	struct vigil_vindex *ix;
	struct comp *comps;
	uint32_t *perm;
	struct vigil_cpe hw;
	struct vigil_platform plat;
	struct counts k;
	double t0, c0, build_ms, runs[RUNS], walls[RUNS], naive_ms;
	size_t naive_n = argc > 3 ? strtoul(argv[3], NULL, 10) :
	    NAIVE_COMPONENTS;

	if (nrec == 0 || ncomp == 0 || ncomp > NPRODUCTS)
		die("usage: bench_vuln_match [RECORDS [COMPONENTS <= 20000]]");
	zipf_init();
	recs = xcalloc(nrec, sizeof *recs);
	t0 = now_ms();
	for (size_t i = 0; i < nrec; i++)
		recs[i] = gen_record(i);
	fprintf(stderr, "generated %zu records in %.0f ms\n", nrec,
	    now_ms() - t0);

	/* The 100 most popular products, then random others. */
	comps = xcalloc(ncomp, sizeof *comps);
	perm = xcalloc(NPRODUCTS, sizeof *perm);
	for (uint32_t i = 0; i < NPRODUCTS; i++)
		perm[i] = i;
	for (uint32_t i = 100; i < NPRODUCTS; i++) {
		uint32_t j = i + below(NPRODUCTS - i), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < ncomp; i++) {
		struct comp *c = &comps[i];

		gen_component(c, perm[i], i);
		if (vigil_mcomp_init(&c->mc, c->name, c->name, c->version,
		    c->purl, c->cpe) != VIGIL_OK)
			die("vigil_mcomp_init");
	}
	free(perm);
	xcpe("cpe:2.3:h:hwvend3:chip3:-:*:*:*:*:*:*:*", &hw);
	plat.ncpes = 1;
	plat.cpes = &hw;

	/* The naive peer first, while the records are still ours. */
	if (naive_n > ncomp)
		naive_n = ncomp;
	c0 = cpu_ms();
	memset(&k, 0, sizeof k);
	for (size_t i = 0; i < naive_n; i++)
		for (size_t j = 0; j < nrec; j++) {
			struct vigil_match m;

			if (vigil_match_one(&comps[i].mc, recs[j], &plat,
			    &m) != VIGIL_OK)
				die("vigil_match_one");
			k.n[m.outcome & 3]++;
		}
	naive_ms = naive_n == 0 ? 0 :
	    (cpu_ms() - c0) * (double)ncomp / (double)naive_n;

	if (vigil_vindex_new(&ix) != VIGIL_OK)
		die("vigil_vindex_new");
	t0 = now_ms();
	for (size_t i = 0; i < nrec; i++)
		if (vigil_vindex_add(ix, recs[i]) != VIGIL_OK)
			die("vigil_vindex_add");
	build_ms = now_ms() - t0;
	free(recs);

	for (int r = 0; r < RUNS; r++) {
		memset(&k, 0, sizeof k);
		t0 = now_ms();
		c0 = cpu_ms();
		for (size_t i = 0; i < ncomp; i++)
			if (vigil_vindex_match(ix, &comps[i].mc, &plat,
			    on_match, &k) != VIGIL_OK)
				die("vigil_vindex_match");
		runs[r] = cpu_ms() - c0;
		walls[r] = now_ms() - t0;
	}
	qsort(runs, RUNS, sizeof runs[0], dbl_cmp);
	qsort(walls, RUNS, sizeof walls[0], dbl_cmp);
	fprintf(stderr, "index built in %.0f ms; per run: %zu affected, %zu "
	    "not affected, %zu unknown; median wall time %.1f ms (CPU time "
	    "%.1f ms)\n", build_ms, k.n[VIGIL_AFFECTED],
	    k.n[VIGIL_NOT_AFFECTED], k.n[VIGIL_UNKNOWN], walls[RUNS / 2],
	    runs[RUNS / 2]);
	printf("vuln_match: vigil %.1f ms for %zu components x %zu records, "
	    "goal %.0f ms, ratio %.2f\n", runs[RUNS / 2], ncomp, nrec,
	    GOAL_MS, GOAL_MS / runs[RUNS / 2]);
	printf("vuln_match: peer naive-scan %.0f ms (every record per "
	    "component, %zu components timed, extrapolated to %zu), ratio "
	    "%.1f\n", naive_ms, naive_n, ncomp, naive_ms / runs[RUNS / 2]);
	for (size_t i = 0; i < ncomp; i++)
		vigil_mcomp_clear(&comps[i].mc);
	free(comps);
	vigil_cpe_clear(&hw);
	vigil_vindex_free(ix);
	return 0;
}
