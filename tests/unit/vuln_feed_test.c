/*
 * Vulnerability feeds (src/lib/vuln/feed*.c, vrecord.c): sniffing,
 * OSV records and arrays, NVD API 2.0 responses, CVE JSON 5 records,
 * the KEV catalog and EPSS CSV, each from a small fixture in
 * tests/data/feeds/ with exact expectations; bad records reported with
 * their JSON path while the parse goes on; every record's raw text
 * read back by vigil_vuln_parse to an equal record.
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

#define MAXN 16

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* What a parse handed to the callbacks, copied out. */
struct got {
	size_t nrec;
	char *raw[MAXN];
	size_t rawlen[MAXN];
	enum vigil_vsource src[MAXN];
	size_t nerr;
	size_t err_index[MAXN];
	char err_id[MAXN][64];
	char err_msg[MAXN][512];
	size_t nkev;
	struct vigil_kev_entry kev[MAXN];
	char kev_vendor[MAXN][64], kev_notes[MAXN][64];
	size_t nepss;
	struct vigil_epss_entry epss[MAXN];
	enum vigil_err stop_with; /* on_record returns it when set */
};

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/feeds/%s", TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
cpe_eq(const struct vigil_cpe *a, const struct vigil_cpe *b)
{
	for (int i = 0; i < VIGIL_CPE_NATTRS; i++)
		if (!streq(a->attr[i], b->attr[i]))
			return 0;
	return 1;
}

static int
strs_eq(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!streq(a[i], b[i]))
			return 0;
	return 1;
}

static int
pkg_eq(const struct vigil_vpkg *a, const struct vigil_vpkg *b)
{
	if (!streq(a->ecosystem, b->ecosystem) || !streq(a->name, b->name) ||
	    !streq(a->purl, b->purl) || a->nranges != b->nranges ||
	    !strs_eq(a->versions, a->nversions, b->versions, b->nversions) ||
	    a->ncpes != b->ncpes)
		return 0;
	for (size_t i = 0; i < a->ncpes; i++)
		if (!cpe_eq(&a->cpes[i], &b->cpes[i]))
			return 0;
	for (size_t i = 0; i < a->nranges; i++) {
		const struct vigil_vrange *x = &a->ranges[i], *y =
		    &b->ranges[i];

		if (x->type != y->type || !streq(x->repo, y->repo) ||
		    x->nevents != y->nevents)
			return 0;
		for (size_t j = 0; j < x->nevents; j++)
			if (x->events[j].kind != y->events[j].kind ||
			    !streq(x->events[j].version, y->events[j].version))
				return 0;
	}
	return 1;
}

static int
config_eq(const struct vigil_cpe_config *a, const struct vigil_cpe_config *b)
{
	if (a->and_op != b->and_op || a->negate != b->negate ||
	    a->nnodes != b->nnodes)
		return 0;
	for (size_t i = 0; i < a->nnodes; i++) {
		const struct vigil_cpe_node *x = &a->nodes[i], *y =
		    &b->nodes[i];

		if (x->and_op != y->and_op || x->negate != y->negate ||
		    x->nmatches != y->nmatches)
			return 0;
		for (size_t j = 0; j < x->nmatches; j++) {
			const struct vigil_cpe_match *m = &x->matches[j], *n =
			    &y->matches[j];

			if (m->vulnerable != n->vulnerable ||
			    !cpe_eq(&m->cpe, &n->cpe) ||
			    !streq(m->start, n->start) ||
			    m->start_incl != n->start_incl ||
			    !streq(m->end, n->end) ||
			    m->end_incl != n->end_incl)
				return 0;
		}
	}
	return 1;
}

static int
cve5_eq(const struct vigil_cve5_affected *a,
    const struct vigil_cve5_affected *b)
{
	if (!streq(a->vendor, b->vendor) || !streq(a->product, b->product) ||
	    !streq(a->package_name, b->package_name) ||
	    !streq(a->collection_url, b->collection_url) ||
	    a->default_status != b->default_status || a->adp != b->adp ||
	    a->nversions != b->nversions || a->ncpes != b->ncpes)
		return 0;
	for (size_t i = 0; i < a->nversions; i++) {
		const struct vigil_cve5_version *x = &a->versions[i], *y =
		    &b->versions[i];

		if (!streq(x->version, y->version) ||
		    !streq(x->less_than, y->less_than) ||
		    !streq(x->less_than_or_equal, y->less_than_or_equal) ||
		    !streq(x->version_type, y->version_type) ||
		    x->status != y->status)
			return 0;
	}
	for (size_t i = 0; i < a->ncpes; i++)
		if (!cpe_eq(&a->cpes[i], &b->cpes[i]))
			return 0;
	return 1;
}

/* Every field of two records. */
static int
vuln_eq(const struct vigil_vuln *a, const struct vigil_vuln *b)
{
	if (a->source != b->source || !streq(a->id, b->id) ||
	    !strs_eq(a->aliases, a->naliases, b->aliases, b->naliases) ||
	    !streq(a->summary, b->summary) ||
	    a->published_ms != b->published_ms ||
	    a->modified_ms != b->modified_ms ||
	    a->withdrawn_ms != b->withdrawn_ms ||
	    !streq(a->status, b->status) || a->nseverity != b->nseverity ||
	    !strs_eq(a->cwes, a->ncwes, b->cwes, b->ncwes) ||
	    a->npkgs != b->npkgs || a->nconfigs != b->nconfigs ||
	    a->ncve5 != b->ncve5 || a->kev_added_ms != b->kev_added_ms)
		return 0;
	for (size_t i = 0; i < a->nseverity; i++)
		if (!streq(a->severity[i].type, b->severity[i].type) ||
		    !streq(a->severity[i].vector, b->severity[i].vector) ||
		    a->severity[i].score != b->severity[i].score)
			return 0;
	for (size_t i = 0; i < a->npkgs; i++)
		if (!pkg_eq(&a->pkgs[i], &b->pkgs[i]))
			return 0;
	for (size_t i = 0; i < a->nconfigs; i++)
		if (!config_eq(&a->configs[i], &b->configs[i]))
			return 0;
	for (size_t i = 0; i < a->ncve5; i++)
		if (!cve5_eq(&a->cve5[i], &b->cve5[i]))
			return 0;
	return 1;
}

/* Keeps the raw text, and checks it reads back to an equal record. */
static enum vigil_err
on_record(void *ctx, const struct vigil_vuln *v, const char *raw,
    size_t rawlen)
{
	struct got *g = ctx;
	struct vigil_vuln *back;
	char err[512];

	assert_true(g->nrec < MAXN);
	assert_int_equal(strlen(raw), rawlen);
	if (vigil_vuln_parse(v->source, raw, rawlen, &back, err,
	    sizeof err) != VIGIL_OK)
		fail_msg("%s does not read back: %s", v->id, err);
	if (!vuln_eq(v, back))
		fail_msg("%s reads back to a different record", v->id);
	vigil_vuln_free(back);
	g->raw[g->nrec] = strdup(raw);
	g->rawlen[g->nrec] = rawlen;
	g->src[g->nrec] = v->source;
	g->nrec++;
	return g->stop_with;
}

static enum vigil_err
on_kev(void *ctx, const struct vigil_kev_entry *e)
{
	struct got *g = ctx;

	assert_true(g->nkev < MAXN);
	g->kev[g->nkev] = *e;
	snprintf(g->kev_vendor[g->nkev], 64, "%s", e->vendor);
	snprintf(g->kev_notes[g->nkev], 64, "%s", e->notes);
	g->nkev++;
	return VIGIL_OK;
}

static enum vigil_err
on_epss(void *ctx, const struct vigil_epss_entry *e)
{
	struct got *g = ctx;

	assert_true(g->nepss < MAXN);
	g->epss[g->nepss++] = *e;
	return VIGIL_OK;
}

static void
on_error(void *ctx, size_t index, const char *id, const char *msg)
{
	struct got *g = ctx;

	assert_true(g->nerr < MAXN);
	assert_non_null(msg);
	g->err_index[g->nerr] = index;
	snprintf(g->err_id[g->nerr], 64, "%s", id != NULL ? id : "");
	snprintf(g->err_msg[g->nerr], 512, "%s", msg);
	g->nerr++;
}

static void
got_free(struct got *g)
{
	for (size_t i = 0; i < g->nrec; i++)
		free(g->raw[i]);
	memset(g, 0, sizeof *g);
}

/* Parses text of kind into g; returns the parse's result. */
static enum vigil_err
run(enum vigil_feed_kind kind, const char *buf, size_t len, struct got *g,
    char meta[64], char *err, size_t errsize)
{
	struct vigil_feed_cb cb = { g, on_record, on_kev, on_epss, on_error };

	return vigil_feed_parse(kind, buf, len, &cb, meta, err, errsize);
}

static void
run_file(const char *name, struct got *g, char meta[64])
{
	char err[512];
	size_t len;
	char *buf = slurp(name, &len);

	memset(g, 0, sizeof *g);
	if (run(VIGIL_FEED_AUTO, buf, len, g, meta, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("%s: %s", name, err);
	free(buf);
}

/* Record i of g read back from its raw text. */
static struct vigil_vuln *
record(const struct got *g, size_t i)
{
	struct vigil_vuln *v;
	char err[512];

	assert_true(i < g->nrec);
	if (vigil_vuln_parse(g->src[i], g->raw[i], g->rawlen[i], &v, err,
	    sizeof err) != VIGIL_OK)
		fail_msg("record %zu: %s", i, err);
	return v;
}

static void
names_round_trip(void **state)
{
	(void)state;
	say("feed kind and source names round-trip; unknown names are "
	    "AUTO/NONE");
	for (int k = VIGIL_FEED_OSV; k <= VIGIL_FEED_EPSS; k++)
		assert_int_equal(vigil_feed_kind_from_name(
		    vigil_feed_kind_name((enum vigil_feed_kind)k)), k);
	assert_string_equal(vigil_feed_kind_name(VIGIL_FEED_CVE5), "cve5");
	assert_int_equal(vigil_feed_kind_from_name("KEV"), VIGIL_FEED_KEV);
	assert_int_equal(vigil_feed_kind_from_name("rss"), VIGIL_FEED_AUTO);
	assert_int_equal(vigil_feed_kind_from_name(NULL), VIGIL_FEED_AUTO);
	for (int s = VIGIL_VSRC_OSV; s <= VIGIL_VSRC_CVE5; s++)
		assert_int_equal(vigil_vsource_from_name(vigil_vsource_name(
		    (enum vigil_vsource)s)), s);
	assert_string_equal(vigil_vsource_name(VIGIL_VSRC_NVD), "nvd");
	assert_int_equal(vigil_vsource_from_name("ghsa"), VIGIL_VSRC_NONE);
}

static void
detect_kinds(void **state)
{
	static const struct {
		const char *file;
		enum vigil_feed_kind kind;
	} files[] = {
		{ "osv_unsorted.json", VIGIL_FEED_OSV },
		{ "osv_array.json", VIGIL_FEED_OSV },
		{ "nvd_response.json", VIGIL_FEED_NVD },
		{ "cve5_record.json", VIGIL_FEED_CVE5 },
		{ "kev.json", VIGIL_FEED_KEV },
		{ "epss.csv", VIGIL_FEED_EPSS },
	};
	static const struct {
		const char *text;
		enum vigil_feed_kind kind;
	} texts[] = {
		/* OSV's "modified" after nested values with braces in
		 * strings. */
		{ "{\"id\":\"X-1\",\"affected\":[{\"a\":\"}]\\\"\"}],"
		    "\"modified\":\"2024-01-01T00:00:00Z\"}", VIGIL_FEED_OSV },
		{ "{\"id\":\"X-1\"}", VIGIL_FEED_AUTO },
		{ " [ ] ", VIGIL_FEED_OSV },
		{ "[{\"id\":\"a\"}]", VIGIL_FEED_AUTO },
		{ "{\"vulnerabilities\":[],\"format\":\"NVD_CVE\"}",
		    VIGIL_FEED_NVD },
		{ "{\"vulnerabilities\":[]}", VIGIL_FEED_AUTO },
		{ "{\"format\":\"CSAF\",\"vulnerabilities\":[]}",
		    VIGIL_FEED_AUTO },
		{ "{\"dataType\":\"CVE_RECORD\"}", VIGIL_FEED_CVE5 },
		{ "{\"nested\":{\"catalogVersion\":\"1\"}}", VIGIL_FEED_AUTO },
		{ "cve,epss,percentile\n", VIGIL_FEED_EPSS },
		{ "\xef\xbb\xbf#model_version:v1,score_date:2025-01-01",
		    VIGIL_FEED_EPSS },
		{ "{\"id\":\"unterminated", VIGIL_FEED_AUTO },
		{ "", VIGIL_FEED_AUTO },
	};
	char *buf;
	size_t len;

	(void)state;
	say("each fixture is sniffed as its kind");
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		buf = slurp(files[i].file, &len);
		if (vigil_feed_detect(buf, len) != files[i].kind)
			fail_msg("%s: detected %s", files[i].file,
			    vigil_feed_kind_name(vigil_feed_detect(buf, len)));
		free(buf);
	}
	say("only top-level keys count; strings with braces are skipped");
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (vigil_feed_detect(texts[i].text, strlen(texts[i].text)) !=
		    texts[i].kind)
			fail_msg("text %zu: detected %s, expected %s", i,
			    vigil_feed_kind_name(vigil_feed_detect(
			    texts[i].text, strlen(texts[i].text))),
			    vigil_feed_kind_name(texts[i].kind));
}

static void
osv_unsorted_last_affected(void **state)
{
	struct got g;
	char meta[64];
	struct vigil_vuln *v;
	const struct vigil_vrange *r;

	(void)state;
	run_file("osv_unsorted.json", &g, meta);
	say("one OSV record, no errors, no meta");
	assert_int_equal(g.nrec, 1);
	assert_int_equal(g.nerr, 0);
	assert_string_equal(meta, "");
	v = record(&g, 0);
	say("id, aliases, canonical id is the CVE alias");
	assert_int_equal(v->source, VIGIL_VSRC_OSV);
	assert_string_equal(v->id, "BIT-widget-2024-0001");
	assert_int_equal(v->naliases, 2);
	assert_string_equal(v->aliases[0], "GHSA-aaaa-bbbb-cccc");
	assert_string_equal(vigil_vuln_canonical_id(v), "CVE-2024-990001");
	say("times to ms; not withdrawn; summary preferred over details");
	assert_int_equal(v->modified_ms, 1735787045678LL);
	assert_int_equal(v->published_ms, 1717200000000LL);
	assert_int_equal(v->withdrawn_ms, 0);
	assert_string_equal(v->summary,
	    "Heap overflow in widget frame parser");
	assert_string_equal(v->status, "");
	say("severity: record and package level merged, duplicates once, "
	    "score -1 (OSV gives vectors)");
	assert_int_equal(v->nseverity, 2);
	assert_string_equal(v->severity[0].type, "CVSS_V3");
	assert_string_equal(v->severity[1].type, "CVSS_V4");
	assert_true(v->severity[0].score == -1);
	say("CWE ids deduplicated");
	assert_int_equal(v->ncwes, 2);
	assert_string_equal(v->cwes[0], "CWE-122");
	assert_string_equal(v->cwes[1], "CWE-787");
	say("events kept as written (unsorted), last_affected kept");
	assert_int_equal(v->npkgs, 2);
	assert_string_equal(v->pkgs[0].ecosystem, "Bitnami");
	assert_string_equal(v->pkgs[0].purl, "pkg:bitnami/widget");
	assert_int_equal(v->pkgs[0].nranges, 1);
	r = &v->pkgs[0].ranges[0];
	assert_int_equal(r->type, VIGIL_VRANGE_SEMVER);
	assert_string_equal(r->repo, "");
	assert_int_equal(r->nevents, 4);
	assert_int_equal(r->events[0].kind, VIGIL_EV_LAST_AFFECTED);
	assert_string_equal(r->events[0].version, "7.2.4");
	assert_int_equal(r->events[1].kind, VIGIL_EV_INTRODUCED);
	assert_string_equal(r->events[2].version, "0");
	assert_int_equal(r->events[3].kind, VIGIL_EV_LAST_AFFECTED);
	assert_string_equal(r->events[3].version, "6.2.16");
	assert_int_equal(v->pkgs[0].nversions, 2);
	assert_string_equal(v->pkgs[0].versions[1], "7.2.4");
	say("record-level database_specific.cpes name each package");
	assert_int_equal(v->pkgs[0].ncpes, 1);
	assert_string_equal(v->pkgs[0].cpes[0].attr[VIGIL_CPE_VENDOR],
	    "example");
	assert_string_equal(v->pkgs[0].cpes[0].attr[VIGIL_CPE_PRODUCT],
	    "widget");
	assert_int_equal(v->pkgs[1].ncpes, 1);
	say("second package: no purl, an ECOSYSTEM and a GIT range with "
	    "limit");
	assert_string_equal(v->pkgs[1].ecosystem, "Debian:12");
	assert_string_equal(v->pkgs[1].purl, "");
	assert_int_equal(v->pkgs[1].nranges, 2);
	assert_int_equal(v->pkgs[1].ranges[0].type, VIGIL_VRANGE_ECOSYSTEM);
	assert_int_equal(v->pkgs[1].ranges[0].events[1].kind, VIGIL_EV_FIXED);
	assert_string_equal(v->pkgs[1].ranges[0].events[1].version,
	    "7.2.4-1+deb12u1");
	assert_int_equal(v->pkgs[1].ranges[1].type, VIGIL_VRANGE_GIT);
	assert_string_equal(v->pkgs[1].ranges[1].repo,
	    "https://example.org/widget.git");
	assert_int_equal(v->pkgs[1].ranges[1].events[1].kind, VIGIL_EV_LIMIT);
	vigil_vuln_free(v);
	got_free(&g);
}

static void
osv_array_with_bad_records(void **state)
{
	struct got g;
	char meta[64];
	struct vigil_vuln *v;

	(void)state;
	run_file("osv_array.json", &g, meta);
	say("array: two good records, two rejected with index, id, path");
	assert_int_equal(g.nrec, 2);
	assert_int_equal(g.nerr, 2);
	assert_int_equal(g.err_index[0], 1);
	assert_string_equal(g.err_id[0], "GHSA-4444-5555-6666");
	assert_string_equal(g.err_msg[0], "OSV [1].affected[0].ranges[0]."
	    "events: a range has fixed or last_affected events, never both");
	assert_int_equal(g.err_index[1], 3);
	assert_string_equal(g.err_id[1], "OSV-NO-MODIFIED");
	assert_string_equal(g.err_msg[1], "OSV [3].modified: missing");
	v = record(&g, 0);
	say("first: canonical id is its CVE alias; npm scoped name kept");
	assert_string_equal(v->id, "GHSA-1111-2222-3333");
	assert_string_equal(vigil_vuln_canonical_id(v), "CVE-2024-990002");
	assert_string_equal(v->pkgs[0].name, "@acme/left-pad");
	assert_int_equal(v->modified_ms, 1706933106000LL);
	vigil_vuln_free(v);
	v = record(&g, 1);
	say("withdrawn record: offset time, details as summary, versions "
	    "only");
	assert_string_equal(v->id, "PYSEC-2024-77");
	assert_string_equal(vigil_vuln_canonical_id(v), "PYSEC-2024-77");
	assert_int_equal(v->modified_ms, 1709247600000LL);
	assert_int_equal(v->withdrawn_ms, 1709337600000LL);
	assert_string_equal(v->summary, "withdrawn duplicate");
	assert_int_equal(v->pkgs[0].nranges, 0);
	assert_int_equal(v->pkgs[0].nversions, 2);
	vigil_vuln_free(v);
	got_free(&g);
}

static void
nvd_response(void **state)
{
	struct got g;
	char meta[64];
	struct vigil_vuln *v;
	const struct vigil_cpe_config *c;
	const struct vigil_cpe_match *m;

	(void)state;
	run_file("nvd_response.json", &g, meta);
	say("NVD: meta is the response timestamp; three records, one "
	    "rejected with its path");
	assert_string_equal(meta, "2024-05-06T07:08:09.123");
	assert_int_equal(g.nrec, 3);
	assert_int_equal(g.nerr, 1);
	assert_int_equal(g.err_index[0], 3);
	assert_string_equal(g.err_id[0], "CVE-2024-990013");
	assert_string_equal(g.err_msg[0], "NVD vulnerabilities[3].cve."
	    "configurations[0].nodes[1]: operator must be AND or OR");
	say("raw is the cve object alone");
	assert_true(strncmp(g.raw[0], "{\"id\":\"CVE-2023-990010\"", 23) == 0);

	v = record(&g, 0);
	say("zoneless NVD times are UTC; cisaExploitAdd date");
	assert_int_equal(v->source, VIGIL_VSRC_NVD);
	assert_int_equal(v->published_ms, 1694531720317LL);
	assert_int_equal(v->modified_ms, 1695204000000LL);
	assert_int_equal(v->kev_added_ms, 1694563200000LL);
	assert_int_equal(v->withdrawn_ms, 0);
	assert_string_equal(v->status, "Analyzed");
	assert_string_equal(v->summary, "A BLE stack overflow in the radio "
	    "firmware when running on the XR32 chip.");
	say("metrics: the Primary V3.1 entry over the Secondary, then V2");
	assert_int_equal(v->nseverity, 2);
	assert_string_equal(v->severity[0].type, "CVSS_V3");
	assert_string_equal(v->severity[0].vector,
	    "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H");
	assert_true(v->severity[0].score == 6.5);
	assert_string_equal(v->severity[1].type, "CVSS_V2");
	assert_true(v->severity[1].score == 3.3);
	say("weaknesses: CWE ids only (NVD-CWE-Other dropped)");
	assert_int_equal(v->ncwes, 1);
	assert_string_equal(v->cwes[0], "CWE-617");
	say("AND configuration: vulnerable node and a vulnerable:false "
	    "platform node");
	assert_int_equal(v->nconfigs, 1);
	c = &v->configs[0];
	assert_int_equal(c->and_op, 1);
	assert_int_equal(c->negate, 0);
	assert_int_equal(c->nnodes, 2);
	assert_int_equal(c->nodes[0].and_op, 0);
	assert_int_equal(c->nodes[0].nmatches, 2);
	m = &c->nodes[0].matches[0];
	assert_int_equal(m->vulnerable, 1);
	assert_string_equal(m->cpe.attr[VIGIL_CPE_PRODUCT], "radio_sdk");
	assert_string_equal(m->cpe.attr[VIGIL_CPE_VERSION], "*");
	assert_string_equal(m->start, "4.0");
	assert_int_equal(m->start_incl, 1);
	assert_string_equal(m->end, "4.2.1");
	assert_int_equal(m->end_incl, 0);
	m = &c->nodes[0].matches[1];
	assert_string_equal(m->cpe.attr[VIGIL_CPE_UPDATE], "rc1");
	assert_string_equal(m->start, "");
	assert_string_equal(m->end, "");
	m = &c->nodes[1].matches[0];
	assert_int_equal(m->vulnerable, 0);
	assert_string_equal(m->cpe.attr[VIGIL_CPE_PART], "h");
	assert_string_equal(m->cpe.attr[VIGIL_CPE_PRODUCT], "xr32");
	assert_string_equal(m->cpe.attr[VIGIL_CPE_VERSION], "-");
	vigil_vuln_free(v);

	v = record(&g, 1);
	say("Rejected: withdrawn at lastModified, no configurations");
	assert_string_equal(v->id, "CVE-2022-990011");
	assert_string_equal(v->status, "Rejected");
	assert_int_equal(v->modified_ms, 1643716800500LL);
	assert_int_equal(v->withdrawn_ms, 1643716800500LL);
	assert_int_equal(v->nconfigs, 0);
	assert_int_equal(v->nseverity, 0);
	vigil_vuln_free(v);

	v = record(&g, 2);
	say("Awaiting Analysis: no configurations, a Secondary V4.0 metric");
	assert_string_equal(v->status, "Awaiting Analysis");
	assert_int_equal(v->nconfigs, 0);
	assert_int_equal(v->nseverity, 1);
	assert_string_equal(v->severity[0].type, "CVSS_V4");
	assert_true(v->severity[0].score == 9.3);
	assert_int_equal(v->kev_added_ms, 0);
	vigil_vuln_free(v);
	got_free(&g);
}

static void
cve5_record(void **state)
{
	struct got g;
	char meta[64];
	struct vigil_vuln *v;
	const struct vigil_cve5_affected *a;

	(void)state;
	run_file("cve5_record.json", &g, meta);
	say("CVE 5: one record, metadata times, state");
	assert_int_equal(g.nrec, 1);
	assert_int_equal(g.nerr, 0);
	v = record(&g, 0);
	assert_int_equal(v->source, VIGIL_VSRC_CVE5);
	assert_string_equal(v->id, "CVE-2024-990020");
	assert_string_equal(v->status, "PUBLISHED");
	assert_int_equal(v->published_ms, 1722413294585LL);
	assert_int_equal(v->modified_ms, 1762209171400LL);
	assert_int_equal(v->withdrawn_ms, 0);
	assert_string_equal(v->summary,
	    "The date parser reads past the end of its buffer.");
	say("CNA affected: defaultStatus, lessThanOrEqual, lessThan, "
	    "versionType");
	assert_int_equal(v->ncve5, 3);
	a = &v->cve5[0];
	assert_string_equal(a->vendor, "example");
	assert_string_equal(a->product, "fetcher");
	assert_int_equal(a->default_status, VIGIL_VST_UNAFFECTED);
	assert_int_equal(a->adp, 0);
	assert_int_equal(a->nversions, 3);
	assert_string_equal(a->versions[0].version, "7.32.0");
	assert_string_equal(a->versions[0].less_than_or_equal, "8.9.0");
	assert_string_equal(a->versions[0].less_than, "");
	assert_string_equal(a->versions[0].version_type, "semver");
	assert_int_equal(a->versions[0].status, VIGIL_VST_AFFECTED);
	assert_string_equal(a->versions[1].less_than, "7.20.0");
	assert_string_equal(a->versions[1].version_type, "custom");
	assert_int_equal(a->versions[2].status, VIGIL_VST_UNAFFECTED);
	assert_string_equal(a->versions[2].version_type, "");
	assert_int_equal(a->ncpes, 0);
	a = &v->cve5[1];
	say("package form: packageName + collectionURL; [UNKNOWN] vendor "
	    "kept; no defaultStatus is unknown");
	assert_string_equal(a->package_name, "fetcher-py");
	assert_string_equal(a->collection_url, "https://pypi.org");
	assert_string_equal(a->vendor, "[UNKNOWN]");
	assert_int_equal(a->default_status, VIGIL_VST_UNKNOWN);
	a = &v->cve5[2];
	say("ADP container: adp = 1, its CPEs");
	assert_int_equal(a->adp, 1);
	assert_int_equal(a->ncpes, 1);
	assert_string_equal(a->cpes[0].attr[VIGIL_CPE_PRODUCT], "fetcher");
	assert_int_equal(a->default_status, VIGIL_VST_UNKNOWN);
	say("metrics from CNA and ADP; CWE from text and cweId, once");
	assert_int_equal(v->nseverity, 2);
	assert_true(v->severity[0].score == 6.5);
	assert_true(v->severity[1].score == 7.5);
	assert_int_equal(v->ncwes, 1);
	assert_string_equal(v->cwes[0], "CWE-125");
	vigil_vuln_free(v);
	got_free(&g);
}

static void
kev_catalog(void **state)
{
	struct got g;
	char meta[64];

	(void)state;
	run_file("kev.json", &g, meta);
	say("KEV: catalogVersion is meta; a bad cveID is rejected");
	assert_string_equal(meta, "2025.01.15");
	assert_int_equal(g.nkev, 2);
	assert_int_equal(g.nerr, 1);
	assert_int_equal(g.err_index[0], 1);
	assert_string_equal(g.err_id[0], "CVE-BAD");
	assert_string_equal(g.err_msg[0], "KEV vulnerabilities[1].cveID: "
	    "\"CVE-BAD\" is not a CVE id");
	say("entries: dates, ransomware Known, texts");
	assert_string_equal(g.kev[0].cve, "CVE-2023-990010");
	assert_int_equal(g.kev[0].added_ms, 1694563200000LL);
	assert_int_equal(g.kev[0].due_ms, 1696377600000LL);
	assert_int_equal(g.kev[0].ransomware, 1);
	assert_string_equal(g.kev_vendor[0], "Example");
	assert_string_equal(g.kev_notes[0], "https://example.org/advisory");
	assert_string_equal(g.kev[1].cve, "CVE-2024-990012");
	assert_int_equal(g.kev[1].added_ms, 1712102400000LL);
	assert_int_equal(g.kev[1].ransomware, 0);
	assert_string_equal(g.kev_notes[1], "");
	assert_int_equal(g.nrec, 0);
	got_free(&g);
}

static void
epss_csv(void **state)
{
	struct got g;
	char meta[64];

	(void)state;
	run_file("epss.csv", &g, meta);
	say("EPSS: score_date is meta; CRLF lines; bad rows by line number");
	assert_string_equal(meta, "2025-08-25");
	assert_int_equal(g.nepss, 2);
	assert_string_equal(g.epss[0].cve, "CVE-2023-990010");
	assert_true(g.epss[0].epss == 0.94321);
	assert_true(g.epss[0].percentile == 0.99912);
	assert_string_equal(g.epss[1].cve, "CVE-2024-990013");
	assert_true(g.epss[1].epss == 0.00043);
	assert_int_equal(g.nerr, 2);
	assert_int_equal(g.err_index[0], 4);
	assert_string_equal(g.err_msg[0],
	    "EPSS line 4: epss must be a number from 0 to 1");
	assert_int_equal(g.err_index[1], 6);
	assert_string_equal(g.err_msg[1], "EPSS line 6: not a CVE id");
	got_free(&g);
}

/* One in-line document of kind; expects one rejection whose reason is
 * msg (or starts with it when prefix). */
static void
rejects_how(enum vigil_feed_kind kind, const char *doc, const char *msg,
    int prefix)
{
	struct got g = { 0 };
	char meta[64], err[512];

	if (run(kind, doc, strlen(doc), &g, meta, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("%s: whole document refused: %s", doc, err);
	assert_int_equal(g.nrec, 0);
	assert_int_equal(g.nerr, 1);
	if (prefix ? strncmp(g.err_msg[0], msg, strlen(msg)) != 0 :
	    strcmp(g.err_msg[0], msg) != 0)
		fail_msg("got \"%s\", expected \"%s\"", g.err_msg[0], msg);
	got_free(&g);
}

static void
rejects(enum vigil_feed_kind kind, const char *doc, const char *msg)
{
	rejects_how(kind, doc, msg, 0);
}

static void
bad_records_name_their_path(void **state)
{
	(void)state;
	say("OSV: an event with two keys, an unknown event, a bad range "
	    "type, GIT without repo, no introduced");
	rejects(VIGIL_FEED_OSV, "{\"id\":\"A\",\"modified\":\"2024-01-01T00:"
	    "00:00Z\",\"affected\":[{\"ranges\":[{\"type\":\"SEMVER\","
	    "\"events\":[{\"introduced\":\"0\",\"fixed\":\"1\"}]}]}]}",
	    "OSV affected[0].ranges[0].events[0]: an event must be an "
	    "object with exactly one key");
	rejects(VIGIL_FEED_OSV, "{\"id\":\"A\",\"modified\":\"2024-01-01T00:"
	    "00:00Z\",\"affected\":[{\"ranges\":[{\"type\":\"SEMVER\","
	    "\"events\":[{\"introduced\":\"0\"},{\"broken\":\"1\"}]}]}]}",
	    "OSV affected[0].ranges[0].events[1]: unknown event \"broken\" "
	    "(expected introduced, fixed, last_affected or limit)");
	rejects(VIGIL_FEED_OSV, "{\"id\":\"A\",\"modified\":\"2024-01-01T00:"
	    "00:00Z\",\"affected\":[{\"ranges\":[{\"type\":\"semver\","
	    "\"events\":[{\"introduced\":\"0\"}]}]}]}",
	    "OSV affected[0].ranges[0].type: \"semver\" is not SEMVER, "
	    "ECOSYSTEM or GIT");
	rejects(VIGIL_FEED_OSV, "{\"id\":\"A\",\"modified\":\"2024-01-01T00:"
	    "00:00Z\",\"affected\":[{\"ranges\":[{\"type\":\"GIT\","
	    "\"events\":[{\"introduced\":\"0\"}]}]}]}",
	    "OSV affected[0].ranges[0].repo: a GIT range needs its "
	    "repository");
	rejects(VIGIL_FEED_OSV, "{\"id\":\"A\",\"modified\":\"2024-01-01T00:"
	    "00:00Z\",\"affected\":[{\"ranges\":[{\"type\":\"SEMVER\","
	    "\"events\":[{\"fixed\":\"1\"}]}]}]}",
	    "OSV affected[0].ranges[0].events: no introduced event");
	rejects(VIGIL_FEED_OSV, "{\"id\":\"A\",\"modified\":\"yesterday\"}",
	    "OSV modified: time 'yesterday': not an RFC 3339 date-time "
	    "(expected YYYY-MM-DDTHH:MM:SSZ)");
	say("NVD: a bad CPE criteria, both start bounds, missing "
	    "vulnerable");
	rejects(VIGIL_FEED_NVD, "{\"vulnerabilities\":[{\"cve\":{\"id\":"
	    "\"CVE-2024-0001\",\"lastModified\":\"2024-01-01T00:00:00\","
	    "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\","
	    "\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:x:y:"
	    "1:*:*:*:*:*:*:*\",\"versionStartIncluding\":\"1\","
	    "\"versionStartExcluding\":\"2\"}]}]}]}}]}",
	    "NVD vulnerabilities[0].cve.configurations[0].nodes[0]."
	    "cpeMatch[0]: both versionStartIncluding and "
	    "versionStartExcluding");
	rejects(VIGIL_FEED_NVD, "{\"vulnerabilities\":[{\"cve\":{\"id\":"
	    "\"CVE-2024-0001\",\"lastModified\":\"2024-01-01T00:00:00\","
	    "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\","
	    "\"cpeMatch\":[{\"criteria\":\"cpe:2.3:a:x:y:1:*:*:*:*:*:*:*\""
	    "}]}]}]}}]}",
	    "NVD vulnerabilities[0].cve.configurations[0].nodes[0]."
	    "cpeMatch[0].vulnerable: must be true or false");
	rejects(VIGIL_FEED_NVD, "{\"vulnerabilities\":[{\"cve\":{\"id\":"
	    "\"GHSA-1\",\"lastModified\":\"2024-01-01T00:00:00\"}}]}",
	    "NVD vulnerabilities[0].cve.id: \"GHSA-1\" is not a CVE id");
	rejects_how(VIGIL_FEED_NVD, "{\"vulnerabilities\":[{\"cve\":{\"id\":"
	    "\"CVE-2024-0001\",\"lastModified\":\"2024-01-01T00:00:00\","
	    "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\","
	    "\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:x\""
	    "}]}]}]}}]}",
	    "NVD vulnerabilities[0].cve.configurations[0].nodes[0]."
	    "cpeMatch[0].criteria: ", 1);
	say("OSV: a bad Bitnami CPE names its path");
	rejects_how(VIGIL_FEED_OSV, "{\"id\":\"A\",\"modified\":\"2024-01-01"
	    "T00:00:00Z\",\"affected\":[{\"package\":{\"name\":\"a\"}}],"
	    "\"database_specific\":{\"cpes\":[\"nope\"]}}",
	    "OSV database_specific.cpes[0]: ", 1);
	say("CVE 5: both lessThan and lessThanOrEqual; a bad status");
	rejects(VIGIL_FEED_CVE5, "{\"dataType\":\"CVE_RECORD\",\"cveMetadata\""
	    ":{\"cveId\":\"CVE-2024-0002\",\"state\":\"PUBLISHED\"},"
	    "\"containers\":{\"cna\":{\"affected\":[{\"vendor\":\"v\","
	    "\"product\":\"p\",\"versions\":[{\"version\":\"1\",\"status\":"
	    "\"affected\",\"lessThan\":\"2\",\"lessThanOrEqual\":\"3\"}]}]}}}",
	    "CVE5 containers.cna.affected[0].versions[0]: both lessThan and "
	    "lessThanOrEqual");
	rejects(VIGIL_FEED_CVE5, "{\"dataType\":\"CVE_RECORD\",\"cveMetadata\""
	    ":{\"cveId\":\"CVE-2024-0002\",\"state\":\"PUBLISHED\"},"
	    "\"containers\":{\"cna\":{\"affected\":[{\"vendor\":\"v\","
	    "\"defaultStatus\":\"maybe\"}]}}}",
	    "CVE5 containers.cna.affected[0].defaultStatus: \"maybe\" is not "
	    "affected, unaffected or unknown");
}

static void
cve5_rejected_record(void **state)
{
	static const char doc[] = "{\"dataType\":\"CVE_RECORD\","
	    "\"cveMetadata\":{\"cveId\":\"CVE-2024-0003\",\"state\":"
	    "\"REJECTED\",\"dateReserved\":\"2024-01-01T00:00:00\","
	    "\"dateRejected\":\"2024-03-02T00:00:00Z\",\"dateUpdated\":"
	    "\"2024-03-02T00:00:00Z\"},\"containers\":{\"cna\":{"
	    "\"rejectedReasons\":[{\"lang\":\"en\",\"value\":\"Duplicate.\"}]"
	    "}}}";
	struct got g = { 0 };
	char meta[64], err[512];
	struct vigil_vuln *v;

	(void)state;
	say("a REJECTED CVE 5 record is withdrawn at dateRejected, its "
	    "reason is the summary");
	assert_int_equal(run(VIGIL_FEED_AUTO, doc, strlen(doc), &g, meta, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(g.nrec, 1);
	v = record(&g, 0);
	assert_string_equal(v->status, "REJECTED");
	assert_int_equal(v->withdrawn_ms, 1709337600000LL);
	assert_string_equal(v->summary, "Duplicate.");
	assert_int_equal(v->ncve5, 0);
	vigil_vuln_free(v);
	got_free(&g);
}

static void
whole_document_errors(void **state)
{
	struct got g = { 0 };
	char meta[64], err[512];
	struct vigil_vuln *v;
	size_t len;
	char *buf;

	(void)state;
	say("unreadable JSON, an unknown kind, EPSS without its header, KEV "
	    "without catalogVersion: EINVAL with a reason");
	assert_int_equal(run(VIGIL_FEED_OSV, "{\"id\":", 6, &g, meta, err,
	    sizeof err), VIGIL_EINVAL);
	assert_int_equal(run(VIGIL_FEED_AUTO, "hello", 5, &g, meta, err,
	    sizeof err), VIGIL_EINVAL);
	assert_string_equal(err,
	    "feed: not an OSV, NVD, CVE 5, KEV or EPSS document");
	assert_int_equal(run(VIGIL_FEED_EPSS, "CVE-2024-0001,0.1,0.2\n", 22,
	    &g, meta, err, sizeof err), VIGIL_EINVAL);
	assert_string_equal(err,
	    "EPSS line 1: expected the header cve,epss,percentile");
	assert_int_equal(run(VIGIL_FEED_KEV, "{\"vulnerabilities\":[]}", 22,
	    &g, meta, err, sizeof err), VIGIL_EINVAL);
	assert_string_equal(err, "KEV catalogVersion: missing");
	assert_int_equal(g.nrec + g.nerr + g.nkev + g.nepss, 0);

	say("a callback's error stops the parse with that code");
	buf = slurp("osv_array.json", &len);
	g.stop_with = VIGIL_ESTORE;
	assert_int_equal(run(VIGIL_FEED_AUTO, buf, len, &g, meta, err,
	    sizeof err), VIGIL_ESTORE);
	assert_int_equal(g.nrec, 1);
	assert_int_equal(g.nerr, 0);
	free(buf);
	got_free(&g);

	say("vigil_vuln_parse: unknown source, wrong shape");
	assert_int_equal(vigil_vuln_parse(VIGIL_VSRC_NONE, "{}", 2, &v, err,
	    sizeof err), VIGIL_EINVAL);
	assert_null(v);
	assert_int_equal(vigil_vuln_parse(VIGIL_VSRC_OSV, "[]", 2, &v, err,
	    sizeof err), VIGIL_EINVAL);
	assert_null(v);
	assert_string_equal(err, "OSV: an OSV record must be an object");
	vigil_vuln_free(NULL);
}

static void
canonical_id(void **state)
{
	struct vigil_vuln v;
	char *aliases[] = { "GHSA-x", "CVE-2020-0001" };

	(void)state;
	say("canonical id: own CVE id, else first CVE alias, else own id");
	memset(&v, 0, sizeof v);
	v.id = "CVE-2019-0001";
	v.aliases = aliases;
	v.naliases = 2;
	assert_string_equal(vigil_vuln_canonical_id(&v), "CVE-2019-0001");
	v.id = "OSV-2020-1";
	assert_string_equal(vigil_vuln_canonical_id(&v), "CVE-2020-0001");
	v.naliases = 1;
	assert_string_equal(vigil_vuln_canonical_id(&v), "OSV-2020-1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(detect_kinds),
		cmocka_unit_test(osv_unsorted_last_affected),
		cmocka_unit_test(osv_array_with_bad_records),
		cmocka_unit_test(nvd_response),
		cmocka_unit_test(cve5_record),
		cmocka_unit_test(kev_catalog),
		cmocka_unit_test(epss_csv),
		cmocka_unit_test(bad_records_name_their_path),
		cmocka_unit_test(cve5_rejected_record),
		cmocka_unit_test(whole_document_errors),
		cmocka_unit_test(canonical_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
