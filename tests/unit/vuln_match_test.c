/*
 * Matching (src/lib/vuln/match*.c, vindex.c): one test per rule of the
 * OSV range walk, NVD configurations and CVE 5 affected[] entries, the
 * index keys and the index. Records are built by hand with the small
 * builder below (the shapes of real OSV / NVD / CVE 5 records, values
 * made up), so each test states exactly the data it decides on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* ---- builder (everything malloc'ed, freed by vigil_vuln_free) ---- */

static void *
grow(void *p, size_t n, size_t elem)
{
	void *np = realloc(p, n * elem);

	assert_non_null(np);
	memset((char *)np + (n - 1) * elem, 0, elem);
	return np;
}

static char *
dup(const char *s)
{
	char *d = strdup(s != NULL ? s : "");

	assert_non_null(d);
	return d;
}

static struct vigil_cpe
cpe(const char *s)
{
	struct vigil_cpe c;
	char err[256];

	if (vigil_cpe_parse(s, &c, err, sizeof err) != VIGIL_OK)
		fail_msg("cpe %s: %s", s, err);
	return c;
}

static struct vigil_vuln *
vnew(enum vigil_vsource src, const char *id)
{
	struct vigil_vuln *v = calloc(1, sizeof *v);

	assert_non_null(v);
	v->source = src;
	v->id = dup(id);
	v->summary = dup("");
	v->status = dup("");
	return v;
}

static struct vigil_vpkg *
add_pkg(struct vigil_vuln *v, const char *eco, const char *name)
{
	struct vigil_vpkg *p;

	v->pkgs = grow(v->pkgs, ++v->npkgs, sizeof *v->pkgs);
	p = &v->pkgs[v->npkgs - 1];
	p->ecosystem = dup(eco);
	p->name = dup(name);
	p->purl = dup("");
	return p;
}

static struct vigil_vrange *
add_range(struct vigil_vpkg *p, enum vigil_vrange_type t)
{
	struct vigil_vrange *r;

	p->ranges = grow(p->ranges, ++p->nranges, sizeof *p->ranges);
	r = &p->ranges[p->nranges - 1];
	r->type = t;
	r->repo = dup(t == VIGIL_VRANGE_GIT ? "https://git.example/x" : "");
	return r;
}

static void
ev(struct vigil_vrange *r, enum vigil_vevent_kind k, const char *ver)
{
	r->events = grow(r->events, ++r->nevents, sizeof *r->events);
	r->events[r->nevents - 1].kind = k;
	r->events[r->nevents - 1].version = dup(ver);
}

static void
pkg_version(struct vigil_vpkg *p, const char *ver)
{
	p->versions = grow(p->versions, ++p->nversions, sizeof *p->versions);
	p->versions[p->nversions - 1] = dup(ver);
}

static void
pkg_cpe(struct vigil_vpkg *p, const char *s)
{
	p->cpes = grow(p->cpes, ++p->ncpes, sizeof *p->cpes);
	p->cpes[p->ncpes - 1] = cpe(s);
}

static struct vigil_cpe_config *
add_config(struct vigil_vuln *v, int and_op)
{
	v->configs = grow(v->configs, ++v->nconfigs, sizeof *v->configs);
	v->configs[v->nconfigs - 1].and_op = and_op;
	return &v->configs[v->nconfigs - 1];
}

static struct vigil_cpe_node *
add_node(struct vigil_cpe_config *cf, int and_op, int negate)
{
	cf->nodes = grow(cf->nodes, ++cf->nnodes, sizeof *cf->nodes);
	cf->nodes[cf->nnodes - 1].and_op = and_op;
	cf->nodes[cf->nnodes - 1].negate = negate;
	return &cf->nodes[cf->nnodes - 1];
}

/* start/end NULL = none; incl flags as NVD's Including/Excluding. */
static void
add_match(struct vigil_cpe_node *nd, int vulnerable, const char *criteria,
    const char *start, int start_incl, const char *end, int end_incl)
{
	struct vigil_cpe_match *m;

	nd->matches = grow(nd->matches, ++nd->nmatches, sizeof *nd->matches);
	m = &nd->matches[nd->nmatches - 1];
	m->vulnerable = vulnerable;
	m->cpe = cpe(criteria);
	m->start = dup(start);
	m->start_incl = start_incl;
	m->end = dup(end);
	m->end_incl = end_incl;
}

static struct vigil_cve5_affected *
add_cve5(struct vigil_vuln *v, const char *vendor, const char *product,
    const char *pkgname, const char *url, enum vigil_vstatus def)
{
	struct vigil_cve5_affected *a;

	v->cve5 = grow(v->cve5, ++v->ncve5, sizeof *v->cve5);
	a = &v->cve5[v->ncve5 - 1];
	a->vendor = dup(vendor);
	a->product = dup(product);
	a->package_name = dup(pkgname);
	a->collection_url = dup(url);
	a->default_status = def;
	return a;
}

static void
c5ver(struct vigil_cve5_affected *a, const char *version, const char *lt,
    const char *lte, const char *vt, enum vigil_vstatus st)
{
	struct vigil_cve5_version *x;

	a->versions = grow(a->versions, ++a->nversions, sizeof *a->versions);
	x = &a->versions[a->nversions - 1];
	x->version = dup(version);
	x->less_than = dup(lt);
	x->less_than_or_equal = dup(lte);
	x->version_type = dup(vt);
	x->status = st;
}

static void
c5cpe(struct vigil_cve5_affected *a, const char *s)
{
	a->cpes = grow(a->cpes, ++a->ncpes, sizeof *a->cpes);
	a->cpes[a->ncpes - 1] = cpe(s);
}

/* ---- matching helpers ---- */

static enum vigil_outcome
match3(const char *name, const char *version, const char *purl,
    const char *cpe_s, const struct vigil_vuln *v,
    const struct vigil_platform *plat, struct vigil_match *m)
{
	struct vigil_mcomp c;
	struct vigil_match local;

	if (m == NULL)
		m = &local;
	assert_int_equal(vigil_mcomp_init(&c, "ref-1", name, version, purl,
	    cpe_s), VIGIL_OK);
	assert_int_equal(vigil_match_one(&c, v, plat, m), VIGIL_OK);
	vigil_mcomp_clear(&c);
	return m->outcome;
}

static void
expect(enum vigil_outcome want, const char *name, const char *version,
    const char *purl, const char *cpe_s, const struct vigil_vuln *v,
    const struct vigil_platform *plat)
{
	struct vigil_match m;
	enum vigil_outcome got = match3(name, version, purl, cpe_s, v, plat,
	    &m);

	printf("#   %s %s -> %s (%s)\n", name, version,
	    vigil_outcome_name(got), m.reason);
	if (got != want)
		fail_msg("%s %s vs %s: want %s, got %s (%s)", name, version,
		    v->id, vigil_outcome_name(want), vigil_outcome_name(got),
		    m.reason);
}

#define NPM(n, ver) "pkg:npm/" n "@" ver

/* ---- OSV ---- */

static struct vigil_vuln *
osv_npm(const char *name)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_OSV, "GHSA-test-0001");

	add_pkg(v, "npm", name);
	return v;
}

static void
osv_introduced_zero_covers_everything_before_the_fix(void **state)
{
	struct vigil_vuln *v = osv_npm("left-pad");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_SEMVER);
	struct vigil_match m;

	(void)state;
	say("OSV introduced \"0\" is before every version: 0.0.1 and 3.32.0 "
	    "affected under fixed 3.32.1");
	ev(r, VIGIL_EV_INTRODUCED, "0");
	ev(r, VIGIL_EV_FIXED, "3.32.1");
	expect(VIGIL_AFFECTED, "left-pad", "0.0.1", NPM("left-pad", "0.0.1"),
	    NULL, v, NULL);
	expect(VIGIL_AFFECTED, "left-pad", "3.32.0",
	    NPM("left-pad", "3.32.0"), NULL, v, NULL);
	match3("left-pad", "3.32.0", NPM("left-pad", "3.32.0"), NULL, v, NULL,
	    &m);
	assert_string_equal(m.fixed, "3.32.1");
	assert_int_equal(m.by, VIGIL_VSRC_OSV);
	vigil_vuln_free(v);
}

static void
osv_fixed_is_exclusive(void **state)
{
	struct vigil_vuln *v = osv_npm("left-pad");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_SEMVER);

	(void)state;
	say("OSV fixed is exclusive: the fixed version itself is not "
	    "affected, the one before is");
	ev(r, VIGIL_EV_INTRODUCED, "1.0.0");
	ev(r, VIGIL_EV_FIXED, "1.4.2");
	expect(VIGIL_AFFECTED, "left-pad", "1.4.1", NPM("left-pad", "1.4.1"),
	    NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "left-pad", "1.4.2",
	    NPM("left-pad", "1.4.2"), NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "left-pad", "0.9.0",
	    NPM("left-pad", "0.9.0"), NULL, v, NULL);
	expect(VIGIL_AFFECTED, "left-pad", "1.0.0", NPM("left-pad", "1.0.0"),
	    NULL, v, NULL);
	vigil_vuln_free(v);
}

static void
osv_last_affected_is_inclusive(void **state)
{
	struct vigil_vuln *v = osv_npm("rabbit");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_SEMVER);
	struct vigil_vuln *w = osv_npm("rabbit");

	(void)state;
	say("OSV last_affected is inclusive: 0.13.0 affected, 0.14.0 not; "
	    "introduced = last_affected = 3.41.0 names only 3.41.0");
	ev(r, VIGIL_EV_INTRODUCED, "0");
	ev(r, VIGIL_EV_LAST_AFFECTED, "0.13.0");
	expect(VIGIL_AFFECTED, "rabbit", "0.13.0", NPM("rabbit", "0.13.0"),
	    NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "rabbit", "0.14.0",
	    NPM("rabbit", "0.14.0"), NULL, v, NULL);
	r = add_range(&w->pkgs[0], VIGIL_VRANGE_SEMVER);
	ev(r, VIGIL_EV_INTRODUCED, "3.41.0");
	ev(r, VIGIL_EV_LAST_AFFECTED, "3.41.0");
	expect(VIGIL_AFFECTED, "rabbit", "3.41.0", NPM("rabbit", "3.41.0"),
	    NULL, w, NULL);
	expect(VIGIL_NOT_AFFECTED, "rabbit", "3.41.1",
	    NPM("rabbit", "3.41.1"), NULL, w, NULL);
	expect(VIGIL_NOT_AFFECTED, "rabbit", "3.40.9",
	    NPM("rabbit", "3.40.9"), NULL, w, NULL);
	vigil_vuln_free(v);
	vigil_vuln_free(w);
}

static void
osv_unsorted_events_are_sorted_before_the_walk(void **state)
{
	struct vigil_vuln *v = osv_npm("redis-like");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_SEMVER);

	(void)state;
	say("OSV events out of order (as in real Bitnami data) are sorted: "
	    "[6.0.0,6.2.18) and [7.0.0,7.2.8) written shuffled");
	ev(r, VIGIL_EV_FIXED, "7.2.8");
	ev(r, VIGIL_EV_INTRODUCED, "7.0.0");
	ev(r, VIGIL_EV_FIXED, "6.2.18");
	ev(r, VIGIL_EV_INTRODUCED, "6.0.0");
	expect(VIGIL_AFFECTED, "redis-like", "6.2.17",
	    NPM("redis-like", "6.2.17"), NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "redis-like", "6.2.18",
	    NPM("redis-like", "6.2.18"), NULL, v, NULL);
	expect(VIGIL_AFFECTED, "redis-like", "7.2.7",
	    NPM("redis-like", "7.2.7"), NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "redis-like", "7.2.8",
	    NPM("redis-like", "7.2.8"), NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "redis-like", "5.9.0",
	    NPM("redis-like", "5.9.0"), NULL, v, NULL);
	vigil_vuln_free(v);
}

static void
osv_limit_caps_the_range(void **state)
{
	struct vigil_vuln *v = osv_npm("capped");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_SEMVER);

	(void)state;
	say("OSV limit caps a range: introduced 0, limit 2.0.0 -> 1.9.9 "
	    "affected, 2.0.0 and 2.5.0 not; limit \"*\" caps nothing");
	ev(r, VIGIL_EV_INTRODUCED, "0");
	ev(r, VIGIL_EV_LIMIT, "2.0.0");
	expect(VIGIL_AFFECTED, "capped", "1.9.9", NPM("capped", "1.9.9"),
	    NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "capped", "2.0.0", NPM("capped", "2.0.0"),
	    NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "capped", "2.5.0", NPM("capped", "2.5.0"),
	    NULL, v, NULL);
	ev(r, VIGIL_EV_LIMIT, "*");
	expect(VIGIL_AFFECTED, "capped", "2.5.0", NPM("capped", "2.5.0"),
	    NULL, v, NULL);
	vigil_vuln_free(v);
}

static void
osv_versions_list_is_affected(void **state)
{
	struct vigil_vuln *v = osv_npm("listed");

	(void)state;
	say("OSV versions[]: a listed version is affected, an unlisted one "
	    "is not (no ranges)");
	pkg_version(&v->pkgs[0], "1.2.3");
	pkg_version(&v->pkgs[0], "1.2.5");
	expect(VIGIL_AFFECTED, "listed", "1.2.3", NPM("listed", "1.2.3"),
	    NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "listed", "1.2.4", NPM("listed", "1.2.4"),
	    NULL, v, NULL);
	vigil_vuln_free(v);
}

static void
osv_multiple_ranges_any_wins(void **state)
{
	struct vigil_vuln *v = osv_npm("nginx-like");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_SEMVER);

	(void)state;
	say("OSV several ranges: affected when any range says so "
	    "([1.1.3,1.22.1) and [1.23.0,1.23.2))");
	ev(r, VIGIL_EV_INTRODUCED, "1.1.3");
	ev(r, VIGIL_EV_FIXED, "1.22.1");
	r = add_range(&v->pkgs[0], VIGIL_VRANGE_SEMVER);
	ev(r, VIGIL_EV_INTRODUCED, "1.23.0");
	ev(r, VIGIL_EV_FIXED, "1.23.2");
	expect(VIGIL_AFFECTED, "nginx-like", "1.22.0",
	    NPM("nginx-like", "1.22.0"), NULL, v, NULL);
	expect(VIGIL_AFFECTED, "nginx-like", "1.23.1",
	    NPM("nginx-like", "1.23.1"), NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "nginx-like", "1.22.1",
	    NPM("nginx-like", "1.22.1"), NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "nginx-like", "1.1.2",
	    NPM("nginx-like", "1.1.2"), NULL, v, NULL);
	vigil_vuln_free(v);
}

static void
osv_ecosystem_release_scoping(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_OSV, "DSA-0000-1");
	struct vigil_vpkg *p = add_pkg(v, "Debian:12", "openssl");
	struct vigil_vrange *r = add_range(p, VIGIL_VRANGE_ECOSYSTEM);

	(void)state;
	say("OSV release scoping: a Debian:12 record applies to a debian-12 "
	    "component, not to debian-11; no release -> unknown");
	ev(r, VIGIL_EV_INTRODUCED, "0");
	ev(r, VIGIL_EV_FIXED, "3.0.11-1~deb12u2");
	expect(VIGIL_AFFECTED, "openssl", "3.0.11-1~deb12u1",
	    "pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12", NULL,
	    v, NULL);
	expect(VIGIL_NOT_AFFECTED, "openssl", "3.0.11-1~deb12u2",
	    "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12", NULL,
	    v, NULL);
	expect(VIGIL_UNRELATED, "openssl", "3.0.11-1~deb12u1",
	    "pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-11", NULL,
	    v, NULL);
	expect(VIGIL_UNKNOWN, "openssl", "3.0.11-1~deb12u1",
	    "pkg:deb/debian/openssl@3.0.11-1~deb12u1", NULL, v, NULL);
	say("the source package names the record: libssl3 with "
	    "source=openssl");
	expect(VIGIL_AFFECTED, "libssl3", "3.0.11-1~deb12u1",
	    "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12&"
	    "source=openssl", NULL, v, NULL);
	vigil_vuln_free(v);
}

static void
osv_bitnami_cpe_path(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_OSV, "BIT-sqlite-2020-13434");
	struct vigil_vpkg *p = add_pkg(v, "Bitnami", "sqlite");
	struct vigil_vrange *r;

	(void)state;
	say("Bitnami records reach a CPE-only component through "
	    "database_specific.cpes; SemVer ranges coerce 3.32 to 3.32.0");
	pkg_cpe(p, "cpe:2.3:a:sqlite:sqlite:*:*:*:*:*:*:*:*");
	r = add_range(p, VIGIL_VRANGE_SEMVER);
	ev(r, VIGIL_EV_INTRODUCED, "0");
	ev(r, VIGIL_EV_FIXED, "3.32.1");
	expect(VIGIL_AFFECTED, "sqlite", "3.32.0", NULL,
	    "cpe:2.3:a:sqlite:sqlite:3.32.0:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_NOT_AFFECTED, "sqlite", "3.32.1", NULL,
	    "cpe:2.3:a:sqlite:sqlite:3.32.1:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_AFFECTED, "sqlite", "3.32", NULL,
	    "cpe:2.3:a:sqlite:sqlite:*:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_AFFECTED, "sqlite", "v3.31.0", NULL,
	    "cpe:2.3:a:sqlite:sqlite:*:*:*:*:*:*:*:*", v, NULL);
	say("another vendor's product is unrelated; an unparseable version "
	    "is unknown");
	expect(VIGIL_UNRELATED, "sqlite", "3.32.0", NULL,
	    "cpe:2.3:a:other:sqlite:3.32.0:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_UNKNOWN, "sqlite", "3.32.0+patch!x", NULL,
	    "cpe:2.3:a:sqlite:sqlite:*:*:*:*:*:*:*:*", v, NULL);
	vigil_vuln_free(v);
}

static void
osv_git_range_without_versions_is_unknown(void **state)
{
	struct vigil_vuln *v = osv_npm("gitonly");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_GIT);
	struct vigil_match m;

	(void)state;
	say("OSV GIT range without versions[] cannot be decided offline: "
	    "unknown 'git range needs commit data'");
	ev(r, VIGIL_EV_INTRODUCED, "0");
	ev(r, VIGIL_EV_FIXED, "8f1e3c0d9a");
	assert_int_equal(match3("gitonly", "1.0.0", NPM("gitonly", "1.0.0"),
	    NULL, v, NULL, &m), VIGIL_UNKNOWN);
	assert_non_null(strstr(m.reason, "git range needs commit data"));
	vigil_vuln_free(v);
}

/* ---- NVD ---- */

static void
nvd_version_end_excluding(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_NVD, "CVE-2018-1000500");
	struct vigil_cpe_node *nd = add_node(add_config(v, 0), 0, 0);
	struct vigil_match m;

	(void)state;
	say("NVD versionEndExcluding 1.32.0: busybox 1.31.1 affected with "
	    "reason and fixed; 1.32.0 and 1.36.1 not");
	add_match(nd, 1, "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", NULL, 0,
	    "1.32.0", 0);
	assert_int_equal(match3("busybox", "1.31.1", NULL,
	    "cpe:2.3:a:busybox:busybox:1.31.1:*:*:*:*:*:*:*", v, NULL, &m),
	    VIGIL_AFFECTED);
	printf("#   reason: %s\n", m.reason);
	assert_string_equal(m.reason,
	    "busybox 1.31.1 < 1.32.0 (versionEndExcluding)");
	assert_string_equal(m.fixed, "1.32.0");
	assert_int_equal(m.by, VIGIL_VSRC_NVD);
	expect(VIGIL_NOT_AFFECTED, "busybox", "1.32.0", NULL,
	    "cpe:2.3:a:busybox:busybox:1.32.0:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_NOT_AFFECTED, "busybox", "1.36.1", NULL,
	    "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", v, NULL);
	say("the component version stands in for a CPE version '*'");
	expect(VIGIL_AFFECTED, "busybox", "1.31.1", NULL,
	    "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", v, NULL);
	say("a component with a purl only does not match NVD CPEs");
	expect(VIGIL_UNRELATED, "busybox", "1.31.1",
	    "pkg:generic/busybox@1.31.1", NULL, v, NULL);
	vigil_vuln_free(v);
}

static void
nvd_start_end_including_excluding(void **state)
{
	struct vigil_vuln *a = vnew(VIGIL_VSRC_NVD, "CVE-TEST-INCL");
	struct vigil_vuln *b = vnew(VIGIL_VSRC_NVD, "CVE-TEST-EXCL");
	const char *crit = "cpe:2.3:a:acme:lib:*:*:*:*:*:*:*:*";
	static const char *cp[] = {
		"cpe:2.3:a:acme:lib:1.9:*:*:*:*:*:*:*",
		"cpe:2.3:a:acme:lib:2.0:*:*:*:*:*:*:*",
		"cpe:2.3:a:acme:lib:2.5:*:*:*:*:*:*:*",
		"cpe:2.3:a:acme:lib:3.0:*:*:*:*:*:*:*",
		"cpe:2.3:a:acme:lib:3.1:*:*:*:*:*:*:*",
	};
	static const enum vigil_outcome incl[] = { VIGIL_NOT_AFFECTED,
		VIGIL_AFFECTED, VIGIL_AFFECTED, VIGIL_AFFECTED,
		VIGIL_NOT_AFFECTED };
	static const enum vigil_outcome excl[] = { VIGIL_NOT_AFFECTED,
		VIGIL_NOT_AFFECTED, VIGIL_AFFECTED, VIGIL_NOT_AFFECTED,
		VIGIL_NOT_AFFECTED };

	(void)state;
	say("NVD bounds: [2.0, 3.0] Including both ends vs (2.0, 3.0) "
	    "Excluding both, at 1.9 2.0 2.5 3.0 3.1");
	add_match(add_node(add_config(a, 0), 0, 0), 1, crit, "2.0", 1, "3.0",
	    1);
	add_match(add_node(add_config(b, 0), 0, 0), 1, crit, "2.0", 0, "3.0",
	    0);
	for (size_t i = 0; i < 5; i++) {
		expect(incl[i], "lib", "", NULL, cp[i], a, NULL);
		expect(excl[i], "lib", "", NULL, cp[i], b, NULL);
	}
	say("an unparseable component version against bounds is unknown");
	expect(VIGIL_UNKNOWN, "lib", "2.5 beta(x)", NULL,
	    "cpe:2.3:a:acme:lib:*:*:*:*:*:*:*:*", a, NULL);
	vigil_vuln_free(a);
	vigil_vuln_free(b);
}

static struct vigil_vuln *
esp_idf_record(void)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_NVD, "CVE-2020-13595");
	struct vigil_cpe_config *cf = add_config(v, 1);

	add_match(add_node(cf, 0, 0), 1,
	    "cpe:2.3:a:espressif:esp-idf:*:*:*:*:*:*:*:*", "4.0.0", 1, "4.2",
	    1);
	add_match(add_node(cf, 0, 0), 0,
	    "cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*", NULL, 0, NULL, 0);
	return v;
}

static void
nvd_and_configuration_needs_the_platform(void **state)
{
	struct vigil_vuln *v = esp_idf_record();
	struct vigil_cpe esp32 = cpe("cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:"
	    "*:*");
	struct vigil_cpe other = cpe("cpe:2.3:h:nordicsemi:nrf52840:-:*:*:*:"
	    "*:*:*:*");
	struct vigil_platform on_esp = { 1, &esp32 };
	struct vigil_platform on_nrf = { 1, &other };
	const char *idf = "cpe:2.3:a:espressif:esp-idf:*:*:*:*:*:*:*:*";

	(void)state;
	say("NVD AND [esp-idf 4.0.0..4.2] [esp32 vulnerable=false]: 4.2 on "
	    "ESP32 affected, 4.2.1 not, no platform -> unknown, other chip "
	    "-> not");
	expect(VIGIL_AFFECTED, "esp-idf", "4.2", NULL, idf, v, &on_esp);
	expect(VIGIL_NOT_AFFECTED, "esp-idf", "4.2.1", NULL, idf, v, &on_esp);
	expect(VIGIL_UNKNOWN, "esp-idf", "4.2", NULL, idf, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "esp-idf", "4.2", NULL, idf, v, &on_nrf);
	expect(VIGIL_NOT_AFFECTED, "esp-idf", "4.2.1", NULL, idf, v, NULL);
	say("the platform entry is never a finding itself: an esp32 "
	    "component is unrelated");
	expect(VIGIL_UNRELATED, "esp32", "-", NULL,
	    "cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*", v, &on_esp);
	vigil_cpe_clear(&esp32);
	vigil_cpe_clear(&other);
	vigil_vuln_free(v);
}

static void
nvd_rc1_never_matches_the_final_release(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_NVD, "CVE-2022-25761");
	struct vigil_cpe_node *nd = add_node(add_config(v, 0), 0, 0);

	(void)state;
	say("NVD exact CPEs 1.3:rc1 and 1.3:rc2 plus < 1.2.5: 1.2.4 and "
	    "1.3 rc2 affected; final 1.3.0 and 1.3 with update * or - not");
	add_match(nd, 1, "cpe:2.3:a:open62541:open62541:*:*:*:*:*:*:*:*",
	    NULL, 0, "1.2.5", 0);
	add_match(nd, 1, "cpe:2.3:a:open62541:open62541:1.3:rc1:*:*:*:*:*:*",
	    NULL, 0, NULL, 0);
	add_match(nd, 1, "cpe:2.3:a:open62541:open62541:1.3:rc2:*:*:*:*:*:*",
	    NULL, 0, NULL, 0);
	expect(VIGIL_AFFECTED, "open62541", "1.2.4", NULL,
	    "cpe:2.3:a:open62541:open62541:1.2.4:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_AFFECTED, "open62541", "1.3-rc2", NULL,
	    "cpe:2.3:a:open62541:open62541:1.3:rc2:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_NOT_AFFECTED, "open62541", "1.3.0", NULL,
	    "cpe:2.3:a:open62541:open62541:1.3.0:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_NOT_AFFECTED, "open62541", "1.3", NULL,
	    "cpe:2.3:a:open62541:open62541:1.3:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_NOT_AFFECTED, "open62541", "1.3", NULL,
	    "cpe:2.3:a:open62541:open62541:1.3:-:*:*:*:*:*:*", v, NULL);
	vigil_vuln_free(v);
}

static void
nvd_na_version_vs_any(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_NVD, "CVE-TEST-NA");
	struct vigil_vuln *w = vnew(VIGIL_VSRC_NVD, "CVE-TEST-ANY");

	(void)state;
	say("NVD criteria version '-' (NA) never matches a real version; '*' "
	    "without bounds matches every version");
	add_match(add_node(add_config(v, 0), 0, 0), 1,
	    "cpe:2.3:a:acme:httpd:-:*:*:*:*:*:*:*", NULL, 0, NULL, 0);
	add_match(add_node(add_config(w, 0), 0, 0), 1,
	    "cpe:2.3:a:acme:httpd:*:*:*:*:*:*:*:*", NULL, 0, NULL, 0);
	expect(VIGIL_NOT_AFFECTED, "httpd", "2.4.58", NULL,
	    "cpe:2.3:a:acme:httpd:2.4.58:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_AFFECTED, "httpd", "2.4.58", NULL,
	    "cpe:2.3:a:acme:httpd:2.4.58:*:*:*:*:*:*:*", w, NULL);
	vigil_vuln_free(v);
	vigil_vuln_free(w);
}

static void
nvd_no_configurations_is_unknown_when_tied(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_NVD, "CVE-2024-47177");
	struct vigil_match m;

	(void)state;
	say("NVD record without configurations: unrelated on its own; with "
	    "CVE 5 data naming the product, unknown 'no configurations'");
	free(v->status);
	v->status = dup("Awaiting Analysis");
	expect(VIGIL_UNRELATED, "cups-filters", "1.28.0", NULL,
	    "cpe:2.3:a:openprinting:cups-filters:1.28.0:*:*:*:*:*:*:*", v,
	    NULL);
	add_cve5(v, "OpenPrinting", "cups-filters", "", "",
	    VIGIL_VST_UNKNOWN);
	assert_int_equal(match3("cups-filters", "1.28.0", NULL,
	    "cpe:2.3:a:openprinting:cups-filters:1.28.0:*:*:*:*:*:*:*", v,
	    NULL, &m), VIGIL_UNKNOWN);
	printf("#   reason: %s\n", m.reason);
	assert_string_equal(m.reason, "no configurations (Awaiting Analysis)");
	assert_int_equal(m.by, VIGIL_VSRC_NVD);
	vigil_vuln_free(v);
}

/* ---- CVE 5 ---- */

static void
cve5_less_than_or_equal(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_CVE5, "CVE-2024-7264");
	struct vigil_cve5_affected *a = add_cve5(v, "curl", "curl", "", "",
	    VIGIL_VST_UNAFFECTED);
	const char *c = "cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*";

	(void)state;
	say("CVE 5 lessThanOrEqual is inclusive; vendor/product in CPE "
	    "spelling relate; defaultStatus unaffected outside");
	c5ver(a, "7.32.0", "", "8.9.0", "semver", VIGIL_VST_AFFECTED);
	expect(VIGIL_UNRELATED, "curl", "8.9.0", NULL, c, v, NULL);
	expect(VIGIL_AFFECTED, "curl", "8.9.0", NULL,
	    "cpe:2.3:a:curl:curl:8.9.0:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_AFFECTED, "curl", "7.32", NULL,
	    "cpe:2.3:a:curl:curl:*:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_NOT_AFFECTED, "curl", "8.9.1", NULL,
	    "cpe:2.3:a:curl:curl:8.9.1:*:*:*:*:*:*:*", v, NULL);
	expect(VIGIL_NOT_AFFECTED, "curl", "7.31.0", NULL,
	    "cpe:2.3:a:curl:curl:7.31.0:*:*:*:*:*:*:*", v, NULL);
	vigil_vuln_free(v);
}

static void
cve5_default_status(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_CVE5, "CVE-TEST-DEF");
	struct vigil_cve5_affected *a = add_cve5(v, "Acme Corp", "Widget OS",
	    "", "", VIGIL_VST_AFFECTED);
	const char *c = "cpe:2.3:o:acme_corp:widget_os:*:*:*:*:*:*:*:*";

	(void)state;
	say("CVE 5 defaultStatus applies outside the listed versions: "
	    "affected, unaffected, absent = unknown; lessThan exclusive");
	c5ver(a, "2.0", "2.4", "", "", VIGIL_VST_UNAFFECTED);
	expect(VIGIL_NOT_AFFECTED, "widget", "2.3", NULL, c, v, NULL);
	expect(VIGIL_AFFECTED, "widget", "2.4", NULL, c, v, NULL);
	expect(VIGIL_AFFECTED, "widget", "1.9", NULL, c, v, NULL);
	a->default_status = VIGIL_VST_UNKNOWN;
	expect(VIGIL_UNKNOWN, "widget", "2.4", NULL, c, v, NULL);
	a->default_status = VIGIL_VST_UNAFFECTED;
	expect(VIGIL_NOT_AFFECTED, "widget", "2.4", NULL, c, v, NULL);
	vigil_vuln_free(v);
}

static void
cve5_rpm_version_type_not_compared_with_upstream(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_CVE5, "CVE-2024-3094");
	struct vigil_cve5_affected *a;
	const char *gh = "https://github.com/tukaani-project/xz";

	(void)state;
	say("CVE 5 packageName + collectionURL: upstream xz 5.6.0/5.6.1 "
	    "affected; Red Hat rpm-typed entries never judge an upstream "
	    "version, but do judge an rpm");
	a = add_cve5(v, "", "", "xz", gh, VIGIL_VST_UNAFFECTED);
	c5ver(a, "5.6.0", "", "", "", VIGIL_VST_AFFECTED);
	c5ver(a, "5.6.1", "", "", "", VIGIL_VST_AFFECTED);
	a = add_cve5(v, "Red Hat", "Red Hat Enterprise Linux 9", "xz",
	    "https://access.redhat.com/downloads/content/package-browser/",
	    VIGIL_VST_AFFECTED);
	c5cpe(a, "cpe:/o:redhat:enterprise_linux:9");
	c5ver(a, "0", "0:5.2.5-9.el9", "", "rpm", VIGIL_VST_AFFECTED);
	expect(VIGIL_AFFECTED, "xz", "5.6.1", "pkg:generic/xz@5.6.1", NULL, v,
	    NULL);
	expect(VIGIL_NOT_AFFECTED, "xz", "5.4.6", "pkg:generic/xz@5.4.6",
	    NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "xz", "5.2.4",
	    "pkg:github/tukaani-project/xz@5.2.4", NULL, v, NULL);
	expect(VIGIL_AFFECTED, "xz", "5.2.4-1.el9",
	    "pkg:rpm/redhat/xz@5.2.4-1.el9?distro=rhel-9", NULL, v, NULL);
	say("an entry whose only versions are rpm-typed is unrelated to an "
	    "upstream component");
	v->cve5[0].package_name[0] = 'q';
	v->cve5[1].collection_url[0] = '\0';
	expect(VIGIL_UNRELATED, "xz", "5.2.4", "pkg:generic/xz@5.2.4", NULL,
	    v, NULL);
	vigil_vuln_free(v);
}

static void
cve5_git_version_type_is_unknown(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_CVE5, "CVE-TEST-GIT");
	struct vigil_cve5_affected *a = add_cve5(v, "acme", "lib", "", "",
	    VIGIL_VST_UNAFFECTED);

	(void)state;
	say("CVE 5 versionType git cannot be compared offline: unknown");
	c5ver(a, "0", "abc1234", "", "git", VIGIL_VST_AFFECTED);
	expect(VIGIL_UNKNOWN, "lib", "1.0", NULL,
	    "cpe:2.3:a:acme:lib:1.0:*:*:*:*:*:*:*", v, NULL);
	vigil_vuln_free(v);
}

static void
cve5_github_constraint_versions(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_CVE5, "CVE-TEST-GH");
	struct vigil_cve5_affected *a = add_cve5(v, "urllib3", "urllib3", "",
	    "", VIGIL_VST_UNKNOWN);
	const char *c = "cpe:2.3:a:urllib3:urllib3:*:*:*:*:*:*:*:*";

	(void)state;
	say("CVE 5 constraints written in 'version' (GitHub CNA): '>= 2.0.0, "
	    "< 2.0.7' and '< 1.26.18'");
	c5ver(a, ">= 2.0.0, < 2.0.7", "", "", "", VIGIL_VST_AFFECTED);
	c5ver(a, "< 1.26.18", "", "", "", VIGIL_VST_AFFECTED);
	expect(VIGIL_AFFECTED, "urllib3", "2.0.6", NULL, c, v, NULL);
	expect(VIGIL_AFFECTED, "urllib3", "1.26.17", NULL, c, v, NULL);
	expect(VIGIL_UNKNOWN, "urllib3", "2.0.7", NULL, c, v, NULL);
	vigil_vuln_free(v);
}

/* ---- record-level rules ---- */

static void
withdrawn_record_is_unrelated(void **state)
{
	struct vigil_vuln *v = osv_npm("left-pad");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_SEMVER);

	(void)state;
	say("a withdrawn record is unrelated, even when its range covers the "
	    "version");
	ev(r, VIGIL_EV_INTRODUCED, "0");
	expect(VIGIL_AFFECTED, "left-pad", "1.0.0", NPM("left-pad", "1.0.0"),
	    NULL, v, NULL);
	v->withdrawn_ms = 1700000000000;
	expect(VIGIL_UNRELATED, "left-pad", "1.0.0", NPM("left-pad", "1.0.0"),
	    NULL, v, NULL);
	vigil_vuln_free(v);
}

static enum vigil_err
count_key(void *ctx, const char *key)
{
	(void)key;
	(*(int *)ctx)++;
	return VIGIL_OK;
}

static void
component_without_identifiers_is_unrelated(void **state)
{
	struct vigil_vuln *v = esp_idf_record();
	struct vigil_mcomp c;
	struct vigil_match m;
	int nkeys = 0;

	(void)state;
	say("a component with neither purl nor CPE has no keys and relates "
	    "to nothing; bad purl/CPE text is no error");
	assert_int_equal(vigil_mcomp_init(&c, "r", "esp-idf", "4.2", NULL,
	    NULL), VIGIL_OK);
	assert_int_equal(vigil_mcomp_keys(&c, count_key, &nkeys), VIGIL_OK);
	assert_int_equal(nkeys, 0);
	assert_int_equal(vigil_match_one(&c, v, NULL, &m), VIGIL_OK);
	assert_int_equal(m.outcome, VIGIL_UNRELATED);
	vigil_mcomp_clear(&c);
	assert_int_equal(vigil_mcomp_init(&c, "r", "x", "1", "pkg:", "cpe:x"),
	    VIGIL_OK);
	assert_int_equal(c.has_key, 0);
	assert_int_equal(c.has_cpe, 0);
	vigil_mcomp_clear(&c);
	assert_string_equal(vigil_outcome_name(VIGIL_AFFECTED), "affected");
	assert_string_equal(vigil_outcome_name(VIGIL_NOT_AFFECTED),
	    "not_affected");
	assert_string_equal(vigil_outcome_name(VIGIL_UNKNOWN), "unknown");
	assert_string_equal(vigil_outcome_name(VIGIL_UNRELATED), "unrelated");
	vigil_vuln_free(v);
}

/* ---- keys and index ---- */

struct keylist {
	size_t n;
	char keys[16][128];
};

static enum vigil_err
collect_key(void *ctx, const char *key)
{
	struct keylist *k = ctx;

	if (k->n < 16)
		snprintf(k->keys[k->n++], sizeof k->keys[0], "%s", key);
	return VIGIL_OK;
}

static int
has_key(const struct keylist *k, const char *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->keys[i], key) == 0)
			return 1;
	return 0;
}

static void
keys_are_spelled_alike_on_both_sides(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_OSV, "BIT-x");
	struct vigil_vpkg *p = add_pkg(v, "PyPI", "Foo_Bar");
	struct vigil_cve5_affected *a;
	struct keylist rk = { 0 }, ck = { 0 };
	struct vigil_mcomp c;

	(void)state;
	say("record and component keys: p:<eco>/<name> lowercase and "
	    "normalised, c:<vendor>:<product> unquoted, each once");
	pkg_cpe(p, "cpe:2.3:a:foo\\!corp:foo_bar:*:*:*:*:*:*:*:*");
	pkg_cpe(p, "cpe:2.3:a:foo\\!corp:foo_bar:1.0:*:*:*:*:*:*:*");
	a = add_cve5(v, "Foo!Corp", "Foo Bar", "", "", VIGIL_VST_UNKNOWN);
	(void)a;
	assert_int_equal(vigil_vuln_keys(v, collect_key, &rk), VIGIL_OK);
	for (size_t i = 0; i < rk.n; i++)
		printf("#   record key %s\n", rk.keys[i]);
	assert_int_equal(rk.n, 2);
	assert_true(has_key(&rk, "p:pypi/foo-bar"));
	assert_true(has_key(&rk, "c:foo!corp:foo_bar"));
	assert_int_equal(vigil_mcomp_init(&c, "r", "foo", "1.0",
	    "pkg:pypi/Foo.Bar@1.0",
	    "cpe:2.3:a:foo\\!corp:foo_bar:1.0:*:*:*:*:*:*:*"), VIGIL_OK);
	assert_int_equal(vigil_mcomp_keys(&c, collect_key, &ck), VIGIL_OK);
	for (size_t i = 0; i < ck.n; i++)
		printf("#   component key %s\n", ck.keys[i]);
	assert_true(has_key(&ck, "p:pypi/foo-bar"));
	assert_true(has_key(&ck, "c:foo!corp:foo_bar"));
	vigil_mcomp_clear(&c);
	vigil_vuln_free(v);
}

struct hits {
	size_t n;
	char ids[8][32];
	enum vigil_outcome o[8];
};

static enum vigil_err
on_hit(void *ctx, const struct vigil_vuln *v, const struct vigil_match *m)
{
	struct hits *h = ctx;

	if (h->n < 8) {
		snprintf(h->ids[h->n], sizeof h->ids[0], "%s", v->id);
		h->o[h->n++] = m->outcome;
	}
	return VIGIL_OK;
}

static void
vindex_finds_each_related_record_once(void **state)
{
	struct vigil_vindex *ix;
	struct vigil_vuln *v;
	struct vigil_vpkg *p;
	struct vigil_vrange *r;
	struct vigil_mcomp c;
	struct hits h = { 0 };

	(void)state;
	say("index: a record under both a package key and a CPE key is "
	    "reported once; unrelated records not at all");
	assert_int_equal(vigil_vindex_new(&ix), VIGIL_OK);
	v = vnew(VIGIL_VSRC_OSV, "BIT-sqlite-1");
	p = add_pkg(v, "Bitnami", "sqlite");
	pkg_cpe(p, "cpe:2.3:a:sqlite:sqlite:*:*:*:*:*:*:*:*");
	r = add_range(p, VIGIL_VRANGE_SEMVER);
	ev(r, VIGIL_EV_INTRODUCED, "0");
	ev(r, VIGIL_EV_FIXED, "3.32.1");
	assert_int_equal(vigil_vindex_add(ix, v), VIGIL_OK);
	v = vnew(VIGIL_VSRC_NVD, "CVE-sqlite-2");
	add_match(add_node(add_config(v, 0), 0, 0), 1,
	    "cpe:2.3:a:sqlite:sqlite:*:*:*:*:*:*:*:*", NULL, 0, "3.0.0", 0);
	assert_int_equal(vigil_vindex_add(ix, v), VIGIL_OK);
	assert_int_equal(vigil_vindex_add(ix, esp_idf_record()), VIGIL_OK);
	assert_int_equal(vigil_vindex_size(ix), 3);
	assert_int_equal(vigil_mcomp_init(&c, "r", "sqlite", "3.31.0",
	    "pkg:bitnami/sqlite@3.31.0",
	    "cpe:2.3:a:sqlite:sqlite:3.31.0:*:*:*:*:*:*:*"), VIGIL_OK);
	assert_int_equal(vigil_vindex_match(ix, &c, NULL, on_hit, &h),
	    VIGIL_OK);
	for (size_t i = 0; i < h.n; i++)
		printf("#   %s %s\n", h.ids[i], vigil_outcome_name(h.o[i]));
	assert_int_equal(h.n, 2);
	assert_string_equal(h.ids[0], "BIT-sqlite-1");
	assert_int_equal(h.o[0], VIGIL_AFFECTED);
	assert_string_equal(h.ids[1], "CVE-sqlite-2");
	assert_int_equal(h.o[1], VIGIL_NOT_AFFECTED);
	vigil_mcomp_clear(&c);
	vigil_vindex_free(ix);
}

static void
osv_git_range_with_versions_uses_the_list(void **state)
{
	struct vigil_vuln *v = osv_npm("gitlisted");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_GIT);

	(void)state;
	say("OSV GIT range enumerated in versions[]: the list decides, no "
	    "unknown");
	ev(r, VIGIL_EV_INTRODUCED, "0");
	ev(r, VIGIL_EV_FIXED, "8f1e3c0d9a");
	pkg_version(&v->pkgs[0], "2.1.0");
	expect(VIGIL_AFFECTED, "gitlisted", "2.1.0",
	    NPM("gitlisted", "2.1.0"), NULL, v, NULL);
	expect(VIGIL_NOT_AFFECTED, "gitlisted", "2.2.0",
	    NPM("gitlisted", "2.2.0"), NULL, v, NULL);
	vigil_vuln_free(v);
}

static void
osv_unparseable_event_version_is_unknown(void **state)
{
	struct vigil_vuln *v = osv_npm("badevent");
	struct vigil_vrange *r = add_range(&v->pkgs[0], VIGIL_VRANGE_SEMVER);

	(void)state;
	say("OSV SEMVER event that is no SemVer even coerced: unknown, never "
	    "a silent not-affected");
	ev(r, VIGIL_EV_INTRODUCED, "1.0.0");
	ev(r, VIGIL_EV_FIXED, "1.4.x!");
	expect(VIGIL_UNKNOWN, "badevent", "1.2.0", NPM("badevent", "1.2.0"),
	    NULL, v, NULL);
	vigil_vuln_free(v);
}

static void
nvd_negated_node_inverts(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_NVD, "CVE-TEST-NEG");
	struct vigil_cpe_config *cf = add_config(v, 1);
	struct vigil_cpe b1 = cpe("cpe:2.3:h:acme:board1:-:*:*:*:*:*:*:*");
	struct vigil_cpe b2 = cpe("cpe:2.3:h:acme:board2:-:*:*:*:*:*:*:*");
	struct vigil_platform p1 = { 1, &b1 }, p2 = { 1, &b2 };
	const char *c = "cpe:2.3:a:acme:fw:1.0:*:*:*:*:*:*:*";

	(void)state;
	say("NVD negate: AND [acme fw] NOT [board1]: on board1 not affected, "
	    "on board2 affected, no platform unknown");
	add_match(add_node(cf, 0, 0), 1, "cpe:2.3:a:acme:fw:*:*:*:*:*:*:*:*",
	    NULL, 0, NULL, 0);
	add_match(add_node(cf, 0, 1), 0,
	    "cpe:2.3:h:acme:board1:-:*:*:*:*:*:*:*", NULL, 0, NULL, 0);
	expect(VIGIL_NOT_AFFECTED, "fw", "1.0", NULL, c, v, &p1);
	expect(VIGIL_AFFECTED, "fw", "1.0", NULL, c, v, &p2);
	expect(VIGIL_UNKNOWN, "fw", "1.0", NULL, c, v, NULL);
	vigil_cpe_clear(&b1);
	vigil_cpe_clear(&b2);
	vigil_vuln_free(v);
}

static void
nvd_component_cpe_with_any_vendor_matches_nothing(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_NVD, "CVE-TEST-ANYVENDOR");
	struct vigil_mcomp c;
	int nkeys = 0;

	(void)state;
	say("a component CPE with vendor '*' (as some Yocto SBOMs write) "
	    "never matches and yields no c: key");
	add_match(add_node(add_config(v, 0), 0, 0), 1,
	    "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", NULL, 0, "1.32.0",
	    0);
	expect(VIGIL_UNRELATED, "busybox", "1.31.1", NULL,
	    "cpe:2.3:a:*:busybox:1.31.1:*:*:*:*:*:*:*", v, NULL);
	assert_int_equal(vigil_mcomp_init(&c, "r", "busybox", "1.31.1", NULL,
	    "cpe:2.3:a:*:busybox:1.31.1:*:*:*:*:*:*:*"), VIGIL_OK);
	assert_int_equal(vigil_mcomp_keys(&c, count_key, &nkeys), VIGIL_OK);
	assert_int_equal(nkeys, 0);
	vigil_mcomp_clear(&c);
	vigil_vuln_free(v);
}

static void
cve5_adp_entries_count_like_cna(void **state)
{
	struct vigil_vuln *v = vnew(VIGIL_VSRC_CVE5, "CVE-TEST-ADP");
	struct vigil_cve5_affected *a = add_cve5(v, "n/a", "n/a", "", "",
	    VIGIL_VST_UNKNOWN);

	(void)state;
	say("CVE 5: an ADP entry (CISA vulnrichment CPE) relates and decides "
	    "like a CNA one; the CNA's n/a entry relates to nothing");
	c5ver(a, "n/a", "", "", "", VIGIL_VST_AFFECTED);
	a = add_cve5(v, "libexpat_project", "libexpat", "", "",
	    VIGIL_VST_UNKNOWN);
	a->adp = 1;
	c5cpe(a, "cpe:2.3:a:libexpat_project:libexpat:*:*:*:*:*:*:*:*");
	c5ver(a, "0", "2.6.3", "", "custom", VIGIL_VST_AFFECTED);
	expect(VIGIL_AFFECTED, "expat", "2.6.2", NULL,
	    "cpe:2.3:a:libexpat_project:libexpat:2.6.2:*:*:*:*:*:*:*", v,
	    NULL);
	expect(VIGIL_UNKNOWN, "expat", "2.6.3", NULL,
	    "cpe:2.3:a:libexpat_project:libexpat:2.6.3:*:*:*:*:*:*:*", v,
	    NULL);
	vigil_vuln_free(v);
}

static void
vindex_finds_cve5_package_name_through_purl_name(void **state)
{
	struct vigil_vindex *ix;
	struct vigil_vuln *v = vnew(VIGIL_VSRC_CVE5, "CVE-2024-3094");
	struct vigil_cve5_affected *a = add_cve5(v, "", "", "xz",
	    "https://github.com/tukaani-project/xz", VIGIL_VST_UNAFFECTED);
	struct vigil_mcomp c;
	struct hits h = { 0 };

	(void)state;
	say("index: a CVE 5 entry naming only packageName is found by a "
	    "pkg:generic component of that name (n: key)");
	c5ver(a, "5.6.0", "", "", "", VIGIL_VST_AFFECTED);
	assert_int_equal(vigil_vindex_new(&ix), VIGIL_OK);
	assert_int_equal(vigil_vindex_add(ix, v), VIGIL_OK);
	assert_int_equal(vigil_mcomp_init(&c, "r", "xz", "",
	    "pkg:generic/xz@5.6.0", NULL), VIGIL_OK);
	assert_string_equal(c.version, "5.6.0");
	assert_int_equal(vigil_vindex_match(ix, &c, NULL, on_hit, &h),
	    VIGIL_OK);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.o[0], VIGIL_AFFECTED);
	vigil_mcomp_clear(&c);
	vigil_vindex_free(ix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    osv_introduced_zero_covers_everything_before_the_fix),
		cmocka_unit_test(osv_fixed_is_exclusive),
		cmocka_unit_test(osv_last_affected_is_inclusive),
		cmocka_unit_test(
		    osv_unsorted_events_are_sorted_before_the_walk),
		cmocka_unit_test(osv_limit_caps_the_range),
		cmocka_unit_test(osv_versions_list_is_affected),
		cmocka_unit_test(osv_multiple_ranges_any_wins),
		cmocka_unit_test(osv_ecosystem_release_scoping),
		cmocka_unit_test(osv_bitnami_cpe_path),
		cmocka_unit_test(osv_git_range_without_versions_is_unknown),
		cmocka_unit_test(nvd_version_end_excluding),
		cmocka_unit_test(nvd_start_end_including_excluding),
		cmocka_unit_test(nvd_and_configuration_needs_the_platform),
		cmocka_unit_test(nvd_rc1_never_matches_the_final_release),
		cmocka_unit_test(nvd_na_version_vs_any),
		cmocka_unit_test(nvd_no_configurations_is_unknown_when_tied),
		cmocka_unit_test(cve5_less_than_or_equal),
		cmocka_unit_test(cve5_default_status),
		cmocka_unit_test(
		    cve5_rpm_version_type_not_compared_with_upstream),
		cmocka_unit_test(cve5_git_version_type_is_unknown),
		cmocka_unit_test(cve5_github_constraint_versions),
		cmocka_unit_test(withdrawn_record_is_unrelated),
		cmocka_unit_test(component_without_identifiers_is_unrelated),
		cmocka_unit_test(keys_are_spelled_alike_on_both_sides),
		cmocka_unit_test(vindex_finds_each_related_record_once),
		cmocka_unit_test(osv_git_range_with_versions_uses_the_list),
		cmocka_unit_test(osv_unparseable_event_version_is_unknown),
		cmocka_unit_test(nvd_negated_node_inverts),
		cmocka_unit_test(
		    nvd_component_cpe_with_any_vendor_matches_nothing),
		cmocka_unit_test(cve5_adp_entries_count_like_cna),
		cmocka_unit_test(
		    vindex_finds_cve5_package_name_through_purl_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
