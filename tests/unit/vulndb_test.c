/*
 * The vulnerability store (vulndb.h feeds, builds, scans, VEX) against a
 * real SQLite store: feed documents written here (OSV, NVD, KEV, EPSS,
 * as a directory, .gz and .zip), a CycloneDX SBOM, a Buildroot
 * show-info SBOM with its ignore_cves, and the findings, counts,
 * merges, priorities and VEX states that follow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>
#include <zlib.h>

#include "store/store_vuln.h"
#include "vigil/vigil.h"
#include "vigil/vulndb.h"

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* ---- fixtures ------------------------------------------------------- */

static const char sbom_doc[] =
    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
    "\"serialNumber\":\"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\","
    "\"version\":1,\"metadata\":{\"timestamp\":\"2024-05-01T10:00:00Z\","
    "\"component\":{\"type\":\"firmware\",\"bom-ref\":\"fw\","
    "\"name\":\"gw100-firmware\",\"version\":\"1.0\"}},"
    "\"components\":["
    "{\"type\":\"application\",\"bom-ref\":\"pkg-busybox\","
    "\"name\":\"busybox\",\"version\":\"1.36.1-r5\","
    "\"purl\":\"pkg:apk/alpine/busybox@1.36.1-r5?arch=aarch64&distro="
    "alpine-3.19\","
    "\"cpe\":\"cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*\"},"
    "{\"type\":\"library\",\"bom-ref\":\"pkg-zlib\",\"name\":\"zlib\","
    "\"version\":\"1.3.1-r0\",\"purl\":\"pkg:apk/alpine/zlib@1.3.1-r0?"
    "arch=aarch64&distro=alpine-3.19\"},"
    "{\"type\":\"library\",\"bom-ref\":\"blob\",\"name\":\"vendor-blob\","
    "\"version\":\"7\"}]}";

/* OSV: busybox fixed in 1.36.1-r6 (the build has r5: affected). */
#define OSV_BUSYBOX(mod, fixed, extra) \
	"{\"schema_version\":\"1.6.0\",\"id\":\"VGL-2024-0001\"," \
	"\"modified\":\"" mod "\",\"published\":\"2024-05-25T08:00:00Z\"," \
	"\"aliases\":[\"CVE-2024-99001\"]," extra \
	"\"summary\":\"busybox ash heap overflow\"," \
	"\"affected\":[{\"package\":{\"ecosystem\":\"Alpine:v3.19\"," \
	"\"name\":\"busybox\"},\"ranges\":[{\"type\":\"ECOSYSTEM\"," \
	"\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"" fixed "\"}]}]}]}"

/* OSV: zlib with a GIT range only: cannot be decided (unknown). */
static const char osv_zlib[] =
    "{\"schema_version\":\"1.6.0\",\"id\":\"VGL-2024-0002\","
    "\"modified\":\"2024-05-31T08:00:00Z\",\"summary\":\"zlib flaw\","
    "\"affected\":[{\"package\":{\"ecosystem\":\"Alpine:v3.19\","
    "\"name\":\"zlib\"},\"ranges\":[{\"type\":\"GIT\","
    "\"repo\":\"https://github.com/madler/zlib\",\"events\":["
    "{\"introduced\":\"0\"},{\"fixed\":\"abcdef0123456789\"}]}]}]}";

#define NVD_HEAD \
	"{\"resultsPerPage\":2,\"startIndex\":0,\"totalResults\":2," \
	"\"format\":\"NVD_CVE\",\"version\":\"2.0\"," \
	"\"timestamp\":\"2024-06-02T00:00:00.000\",\"vulnerabilities\":["
#define NVD_CVE(id, mod, status, op, end) \
	"{\"cve\":{\"id\":\"" id "\",\"published\":\"2024-05-20T10:15:00.000\"," \
	"\"lastModified\":\"" mod "\",\"vulnStatus\":\"" status "\"," \
	"\"descriptions\":[{\"lang\":\"en\",\"value\":\"busybox flaw\"}]," \
	"\"metrics\":{\"cvssMetricV31\":[{\"source\":\"nvd@nist.gov\"," \
	"\"type\":\"Primary\",\"cvssData\":{\"version\":\"3.1\"," \
	"\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"," \
	"\"baseScore\":9.8,\"baseSeverity\":\"CRITICAL\"}}]}," \
	"\"configurations\":[{\"nodes\":[{\"operator\":\"" op "\"," \
	"\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":" \
	"\"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*\"," \
	"\"versionEndExcluding\":\"" end "\",\"matchCriteriaId\":" \
	"\"11111111-2222-3333-4444-555555555555\"}]}]}]}}"

/* CVE-2024-99001 affects busybox < 1.37.0; CVE-2024-99003 < 1.30.0
 * (not the build's version); CVE-2024-99004 is broken (XOR). */
static const char nvd_doc[] = NVD_HEAD
    NVD_CVE("CVE-2024-99001", "2024-05-30T10:15:00.000", "Analyzed", "OR",
    "1.37.0") ","
    NVD_CVE("CVE-2024-99003", "2024-05-30T10:15:00.000", "Analyzed", "OR",
    "1.30.0") ","
    NVD_CVE("CVE-2024-99004", "2024-05-30T10:15:00.000", "Analyzed", "XOR",
    "1.37.0") "]}";

static const char kev_doc[] =
    "{\"title\":\"KEV fixture\",\"catalogVersion\":\"2024.06.01\","
    "\"dateReleased\":\"2024-06-01T12:00:00.000Z\",\"count\":1,"
    "\"vulnerabilities\":[{\"cveID\":\"CVE-2024-99001\","
    "\"vendorProject\":\"BusyBox\",\"product\":\"BusyBox\","
    "\"vulnerabilityName\":\"BusyBox ash\",\"dateAdded\":\"2024-06-01\","
    "\"shortDescription\":\"fixture\",\"requiredAction\":\"update\","
    "\"dueDate\":\"2024-06-22\",\"knownRansomwareCampaignUse\":\"Known\","
    "\"notes\":\"\"}]}";

static const char epss_doc[] =
    "#model_version:v2023.03.01,score_date:2024-06-01T00:00:00+0000\n"
    "cve,epss,percentile\nCVE-2024-99001,0.91,0.99\n";

/* ---- helpers -------------------------------------------------------- */

struct fx {
	struct vigil_store *st;
	char dir[64];
	char build[VIGIL_UUID_STRLEN];
	size_t errors;
	char last_where[512];
};

static void
on_error(void *ctx, const char *where, const char *msg)
{
	struct fx *fx = ctx;

	printf("#   rejected: %s: %s\n", where, msg);
	fx->errors++;
	snprintf(fx->last_where, sizeof fx->last_where, "%s", where);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	assert_non_null(f = fopen(p, "wb"));
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

static void
write_gz(const char *dir, const char *name, const char *text)
{
	char p[256];
	gzFile g;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	assert_non_null(g = gzopen(p, "wb"));
	assert_int_equal(gzwrite(g, text, (unsigned)strlen(text)),
	    (int)strlen(text));
	gzclose(g);
}

static void
write_zip(const char *dir, const char *name, const char *const *names,
    const char *const *texts, size_t n)
{
	char p[256];
	zip_t *z;
	int e;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	assert_non_null(z = zip_open(p, ZIP_CREATE | ZIP_TRUNCATE, &e));
	for (size_t i = 0; i < n; i++) {
		zip_source_t *s = zip_source_buffer(z, texts[i],
		    strlen(texts[i]), 0);

		assert_non_null(s);
		assert_true(zip_file_add(z, names[i], s, ZIP_FL_OVERWRITE) >=
		    0);
	}
	assert_int_equal(zip_close(z), 0);
}

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static enum vigil_err
collect(void *ctx, const struct store_vuln_finding *f)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:f}", "ref", f->ref,
	    "vuln", f->vuln, "outcome", f->outcome, "sources", f->sources,
	    "fixed", f->fixed, "vex_state", f->vex_state, "priority",
	    f->priority);

	json_array_append_new(ctx, o);
	return VIGIL_OK;
}

static json_t *
findings(struct fx *fx)
{
	json_t *a = json_array();

	assert_int_equal(store_vuln_findings(fx->st, fx->build, collect, a),
	    VIGIL_OK);
	return a;
}

/* The finding of (ref, vuln), or NULL. */
static json_t *
find(json_t *a, const char *ref, const char *vuln)
{
	size_t i;
	json_t *o;

	json_array_foreach(a, i, o) {
		if (strcmp(json_string_value(json_object_get(o, "ref")),
		    ref) == 0 && strcmp(json_string_value(json_object_get(o,
		    "vuln")), vuln) == 0)
			return o;
	}
	return NULL;
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static json_t *
build_json(struct fx *fx)
{
	json_t *b = NULL;
	char err[256];

	assert_int_equal(vigil_vdb_build_get(fx->st, NULL, "GW100@1.0", &b,
	    err, sizeof err), VIGIL_OK);
	return b;
}

static enum vigil_err
import_mem(struct fx *fx, const char *name, const char *doc,
    struct vigil_vdb_import_stats *s)
{
	struct vigil_vdb_import_opts o;
	char err[512];
	enum vigil_err rc;

	memset(&o, 0, sizeof o);
	o.ctx = fx;
	o.on_error = on_error;
	rc = vigil_vdb_import_mem(fx->st, name, doc, strlen(doc), &o, s, err,
	    sizeof err);
	if (rc != VIGIL_OK)
		printf("#   import %s: %s\n", name, err);
	return rc;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct vigil_vdb_sbom_opts so;
	json_t *out = NULL, *b;
	char err[512];

	assert_non_null(fx);
	assert_int_equal(vigil_store_open(&fx->st, ":memory:", NULL, err,
	    sizeof err), VIGIL_OK);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/vulndb_test.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	memset(&so, 0, sizeof so);
	so.model = "GW100";
	so.firmware = "1.0";
	if (vigil_vdb_sbom_import(fx->st, sbom_doc, strlen(sbom_doc), &so,
	    &out, err, sizeof err) != VIGIL_OK)
		fail_msg("SBOM import: %s", err);
	b = json_object_get(out, "build");
	snprintf(fx->build, sizeof fx->build, "%s", str(b, "id"));
	json_decref(out);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	vigil_store_close(fx->st);
	nftw(fx->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* The directory of the first import: plain OSV, NVD as .gz, a .zip with
 * the zlib record and a file that is no feed. */
static void
import_dir(struct fx *fx, struct vigil_vdb_import_stats *s,
    enum vigil_err want)
{
	static const char *const names[] = { "VGL-2024-0002.json",
		"junk.json" };
	static const char *const texts[] = { osv_zlib, "{\"what\":1}" };
	struct vigil_vdb_import_opts o;
	char err[512];
	enum vigil_err rc;

	write_file(fx->dir, "osv-busybox.json",
	    OSV_BUSYBOX("2024-05-31T08:00:00Z", "1.36.1-r6", ""));
	write_gz(fx->dir, "nvd.json.gz", nvd_doc);
	write_zip(fx->dir, "alpine.zip", names, texts, 2);
	write_file(fx->dir, "README.txt", "not a feed");
	memset(&o, 0, sizeof o);
	o.ctx = fx;
	o.on_error = on_error;
	o.source = "test";
	rc = vigil_vdb_import(fx->st, fx->dir, &o, s, err, sizeof err);
	if (rc != want)
		fail_msg("import: %d %s", rc, err);
}

/* ---- tests ------------------------------------------------------------ */

static void
test_import_and_scan(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_import_stats s;
	json_t *f, *o, *b, *feeds = NULL;

	say("SBOM alone: no findings; the component without purl/CPE is "
	    "unmatchable");
	b = build_json(fx);
	assert_int_equal(num(b, "affected"), 0);
	assert_int_equal(num(b, "unmatchable"), 1);
	assert_int_equal(num(b, "components"), 3);
	json_decref(b);

	say("directory import (json + .gz + .zip): bad record and bad file "
	    "reported, the rest imported, the build re-scanned");
	import_dir(fx, &s, VIGIL_EINVAL);
	assert_int_equal(s.files, 4); /* osv, nvd, zip: 2 entries */
	assert_int_equal(s.added, 4); /* VGL-1, VGL-2, CVE-1, CVE-3 */
	assert_int_equal(s.rejected, 2); /* CVE-2024-99004, junk.json */
	assert_int_equal(s.builds_rescanned, 1);
	assert_int_equal(fx->errors, 2);

	say("busybox: CVE-2024-99001 from OSV and NVD is one finding with "
	    "sources nvd,osv and OSV's fixed version");
	f = findings(fx);
	o = find(f, "pkg-busybox", "CVE-2024-99001");
	assert_non_null(o);
	assert_string_equal(str(o, "outcome"), "affected");
	assert_string_equal(str(o, "sources"), "nvd,osv");
	assert_string_equal(str(o, "fixed"), "1.36.1-r6");
	say("busybox is outside CVE-2024-99003's range: no finding");
	assert_null(find(f, "pkg-busybox", "CVE-2024-99003"));
	say("zlib: GIT-only range is an unknown finding");
	o = find(f, "pkg-zlib", "VGL-2024-0002");
	assert_non_null(o);
	assert_string_equal(str(o, "outcome"), "unknown");
	assert_int_equal(json_array_size(f), 2);
	json_decref(f);

	say("build counts: affected 1, unknown 1, unmatchable 1");
	b = build_json(fx);
	assert_int_equal(num(b, "affected"), 1);
	assert_int_equal(num(b, "unknown"), 1);
	assert_int_equal(num(b, "unmatchable"), 1);
	json_decref(b);

	say("re-import of the same files: every record unchanged");
	fx->errors = 0;
	import_dir(fx, &s, VIGIL_EINVAL);
	assert_int_equal(s.added, 0);
	assert_int_equal(s.updated, 0);
	assert_int_equal(s.unchanged, 4);
	assert_int_equal(s.builds_rescanned, 0);

	say("feed list: one provenance row per document with its sha256");
	assert_int_equal(vigil_vdb_feed_list(fx->st, &feeds), VIGIL_OK);
	assert_int_equal(json_array_size(feeds), 6);
	assert_int_equal(strlen(str(json_array_get(feeds, 0), "sha256")), 64);
	assert_string_equal(str(json_array_get(feeds, 0), "source"), "test");
	json_decref(feeds);
}

static double
busybox_priority(struct fx *fx)
{
	json_t *f = findings(fx);
	json_t *o = find(f, "pkg-busybox", "CVE-2024-99001");
	double p;

	assert_non_null(o);
	p = json_real_value(json_object_get(o, "priority"));
	json_decref(f);
	return p;
}

/* Every finding of the build and its counts, as one JSON text. */
static char *
snapshot(struct fx *fx)
{
	json_t *f = findings(fx), *b = build_json(fx), *o;
	char *text;

	o = json_pack("{s:o,s:O,s:O,s:O}", "findings", f, "affected",
	    json_object_get(b, "affected"), "unknown",
	    json_object_get(b, "unknown"), "unmatchable",
	    json_object_get(b, "unmatchable"));
	json_decref(b);
	assert_non_null(o);
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	assert_non_null(text);
	return text;
}

static void
full_scan(struct fx *fx)
{
	json_t *out = NULL;
	char err[256];

	assert_int_equal(vigil_vdb_scan(fx->st, NULL, &out, err, sizeof err),
	    VIGIL_OK);
	json_decref(out);
}

static void
test_kev_epss_priority(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_import_stats s;
	double before, after, epss;
	char *a, *b;

	import_dir(fx, &s, VIGIL_EINVAL);
	before = busybox_priority(fx);
	say("KEV import raises the finding's priority by itself (no scan): "
	    "the build's busybox component is re-scanned");
	assert_int_equal(import_mem(fx, "kev.json", kev_doc, &s), VIGIL_OK);
	assert_int_equal(s.kev, 1);
	assert_int_equal(s.builds_rescanned, 1);
	after = busybox_priority(fx);
	printf("#   priority %.1f -> %.1f\n", before, after);
	assert_true(after > before);
	say("the number is the one a full scan gives");
	a = snapshot(fx);
	full_scan(fx);
	b = snapshot(fx);
	assert_string_equal(a, b);
	free(a);
	free(b);

	say("EPSS import is counted and raises the priority again, to the "
	    "number a full scan gives");
	assert_int_equal(import_mem(fx, "epss.csv", epss_doc, &s), VIGIL_OK);
	assert_int_equal(s.epss, 1);
	assert_int_equal(s.builds_rescanned, 1);
	epss = busybox_priority(fx);
	printf("#   priority %.1f -> %.1f\n", after, epss);
	assert_true(epss > after);
	a = snapshot(fx);
	full_scan(fx);
	b = snapshot(fx);
	assert_string_equal(a, b);
	free(a);
	free(b);

	say("the same KEV and EPSS documents again change no score: nothing "
	    "is re-scanned");
	assert_int_equal(import_mem(fx, "kev.json", kev_doc, &s), VIGIL_OK);
	assert_int_equal(s.kev, 1);
	assert_int_equal(s.builds_rescanned, 0);
	assert_int_equal(import_mem(fx, "epss.csv", epss_doc, &s), VIGIL_OK);
	assert_int_equal(s.epss, 1);
	assert_int_equal(s.builds_rescanned, 0);

	say("a KEV entry no finding names re-scans nothing");
	assert_int_equal(import_mem(fx, "kev2.json", "{\"title\":\"K\","
	    "\"catalogVersion\":\"2024.06.02\",\"count\":1,"
	    "\"vulnerabilities\":[{\"cveID\":\"CVE-2020-00001\","
	    "\"vendorProject\":\"x\",\"product\":\"y\","
	    "\"dateAdded\":\"2024-06-01\"}]}", &s), VIGIL_OK);
	assert_int_equal(s.kev, 1);
	assert_int_equal(s.builds_rescanned, 0);
}

static void
test_partial_rescan(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_import_stats s;
	json_t *f, *o;
	char *a, *b;

	import_dir(fx, &s, VIGIL_EINVAL);
	say("an OSV update (busybox fixed in r4 now) re-scans the busybox "
	    "component only: NVD alone still reports it, zlib stays");
	assert_int_equal(import_mem(fx, "osv2.json",
	    OSV_BUSYBOX("2024-06-05T08:00:00Z", "1.36.1-r4", ""), &s),
	    VIGIL_OK);
	assert_int_equal(s.updated, 1);
	assert_int_equal(s.builds_rescanned, 1);
	f = findings(fx);
	o = find(f, "pkg-busybox", "CVE-2024-99001");
	assert_non_null(o);
	assert_string_equal(str(o, "outcome"), "affected");
	assert_string_equal(str(o, "sources"), "nvd");
	assert_non_null(find(f, "pkg-zlib", "VGL-2024-0002"));
	json_decref(f);

	say("findings and counts equal those of a full scan");
	a = snapshot(fx);
	full_scan(fx);
	b = snapshot(fx);
	assert_string_equal(a, b);
	free(a);
	free(b);

	say("withdrawing the zlib record drops its finding and the unknown "
	    "count, as a full scan does");
	assert_int_equal(import_mem(fx, "zlib2.json",
	    "{\"schema_version\":\"1.6.0\",\"id\":\"VGL-2024-0002\","
	    "\"modified\":\"2024-06-06T08:00:00Z\","
	    "\"withdrawn\":\"2024-06-06T08:00:00Z\",\"summary\":\"z\","
	    "\"affected\":[{\"package\":{\"ecosystem\":\"Alpine:v3.19\","
	    "\"name\":\"zlib\"},\"ranges\":[{\"type\":\"GIT\","
	    "\"repo\":\"https://github.com/madler/zlib\",\"events\":["
	    "{\"introduced\":\"0\"},{\"fixed\":\"abcdef0123456789\"}]}]}]}",
	    &s), VIGIL_OK);
	assert_int_equal(s.builds_rescanned, 1);
	f = findings(fx);
	assert_null(find(f, "pkg-zlib", "VGL-2024-0002"));
	json_decref(f);
	a = snapshot(fx);
	assert_non_null(strstr(a, "\"unknown\":0"));
	full_scan(fx);
	b = snapshot(fx);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_vex(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_import_stats s;
	json_t *out = NULL, *f, *b;
	char err[512];
	static const char vex_na[] =
	    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
	    "\"version\":1,\"vulnerabilities\":[{\"id\":\"CVE-2024-99001\","
	    "\"analysis\":{\"state\":\"not_affected\",\"justification\":"
	    "\"code_not_reachable\",\"detail\":\"no ash\",\"lastUpdated\":"
	    "\"2024-06-01T00:00:00Z\"},\"affects\":[{\"ref\":"
	    "\"pkg-busybox\"}]}]}";
	static const char vex_aff[] =
	    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
	    "\"version\":1,\"vulnerabilities\":[{\"id\":\"VGL-2024-0001\","
	    "\"analysis\":{\"state\":\"exploitable\",\"lastUpdated\":"
	    "\"2024-07-01T00:00:00Z\"},\"affects\":[{\"ref\":"
	    "\"pkg-busybox\"}]}]}";

	import_dir(fx, &s, VIGIL_EINVAL);
	say("VEX not_affected suppresses the finding (vex_state set)");
	if (vigil_vdb_vex_import(fx->st, vex_na, strlen(vex_na),
	    VIGIL_VEX_AUTO, "GW100@1.0", "test", &out, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("VEX: %s", err);
	assert_int_equal(num(out, "statements"), 1);
	assert_int_equal(num(out, "findings_changed"), 1);
	json_decref(out);
	f = findings(fx);
	assert_string_equal(str(find(f, "pkg-busybox", "CVE-2024-99001"),
	    "vex_state"), "not_affected");
	json_decref(f);
	b = build_json(fx);
	assert_int_equal(num(b, "affected"), 0);
	json_decref(b);

	say("a newer affected statement (by the OSV alias) revives it");
	if (vigil_vdb_vex_import(fx->st, vex_aff, strlen(vex_aff),
	    VIGIL_VEX_AUTO, fx->build, "test", &out, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("VEX: %s", err);
	assert_int_equal(num(out, "findings_changed"), 1);
	json_decref(out);
	f = findings(fx);
	assert_string_equal(str(find(f, "pkg-busybox", "CVE-2024-99001"),
	    "vex_state"), "affected");
	json_decref(f);
	b = build_json(fx);
	assert_int_equal(num(b, "affected"), 1);
	json_decref(b);

	say("VEX export refers to the imported SBOM's serial");
	assert_int_equal(vigil_vdb_sbom_export(fx->st, "GW100@1.0", 1, &out,
	    err, sizeof err), VIGIL_OK);
	{
		char *t = json_dumps(out, JSON_COMPACT);

		assert_non_null(strstr(t,
		    "3e671687-395b-41f5-a30f-a58921a69b79"));
		free(t);
	}
	json_decref(out);
	say("SBOM export: CycloneDX with a new serial");
	assert_int_equal(vigil_vdb_sbom_export(fx->st, fx->build, 0, &out,
	    err, sizeof err), VIGIL_OK);
	assert_string_equal(str(out, "bomFormat"), "CycloneDX");
	assert_string_not_equal(str(out, "serialNumber"),
	    "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
	json_decref(out);
}

/* A CycloneDX VEX about pkg-busybox's CVE-2024-99001 scoped by
 * versions[] (vers is the versions[] array text). */
static void
vex_scoped(struct fx *fx, const char *vers, int changed)
{
	char doc[1024], err[512];
	json_t *out = NULL;

	snprintf(doc, sizeof doc, "{\"bomFormat\":\"CycloneDX\","
	    "\"specVersion\":\"1.6\",\"version\":1,\"vulnerabilities\":"
	    "[{\"id\":\"CVE-2024-99001\",\"analysis\":{\"state\":"
	    "\"not_affected\",\"justification\":\"code_not_present\"},"
	    "\"affects\":[{\"ref\":\"pkg-busybox\",\"versions\":[%s]}]}]}",
	    vers);
	if (vigil_vdb_vex_import(fx->st, doc, strlen(doc), VIGIL_VEX_AUTO,
	    fx->build, "test", &out, err, sizeof err) != VIGIL_OK)
		fail_msg("VEX: %s", err);
	assert_int_equal(num(out, "findings_changed"), changed);
	json_decref(out);
}

static void
test_vex_versions(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_import_stats s;
	json_t *f;

	import_dir(fx, &s, VIGIL_EINVAL);
	say("VEX scoped to other versions (exact, apk vers range) leaves "
	    "busybox 1.36.1-r5's finding alone, also when re-loaded from "
	    "the store");
	vex_scoped(fx, "{\"version\":\"1.36.0-r0\",\"status\":"
	    "\"unaffected\"},{\"range\":\"vers:apk/>=1.36.1-r6\","
	    "\"status\":\"unaffected\"}", 0);
	f = findings(fx);
	assert_string_equal(str(find(f, "pkg-busybox", "CVE-2024-99001"),
	    "vex_state"), "");
	json_decref(f);
	say("a range covering 1.36.1-r5 (apk order: r5 < r6) suppresses it");
	vex_scoped(fx, "{\"range\":\"vers:alpine/<1.36.1-r6\","
	    "\"status\":\"unaffected\"}", 1);
	f = findings(fx);
	assert_string_equal(str(find(f, "pkg-busybox", "CVE-2024-99001"),
	    "vex_state"), "not_affected");
	json_decref(f);
}

static void
test_newest_wins_and_withdrawn(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_import_stats s;
	json_t *f, *o;

	import_dir(fx, &s, VIGIL_EINVAL);
	say("an older OSV record is kept as stored (unchanged)");
	assert_int_equal(import_mem(fx, "old.json",
	    OSV_BUSYBOX("2024-05-01T00:00:00Z", "1.36.1-r5", ""), &s),
	    VIGIL_OK);
	assert_int_equal(s.unchanged, 1);
	assert_int_equal(s.updated, 0);
	f = findings(fx);
	assert_string_equal(str(find(f, "pkg-busybox", "CVE-2024-99001"),
	    "sources"), "nvd,osv");
	json_decref(f);

	say("a newer OSV record replaces it: fixed in r5, only NVD remains");
	assert_int_equal(import_mem(fx, "new.json",
	    OSV_BUSYBOX("2024-06-10T00:00:00Z", "1.36.1-r5", ""), &s),
	    VIGIL_OK);
	assert_int_equal(s.updated, 1);
	assert_int_equal(s.builds_rescanned, 1);
	f = findings(fx);
	o = find(f, "pkg-busybox", "CVE-2024-99001");
	assert_non_null(o);
	assert_string_equal(str(o, "sources"), "nvd");
	json_decref(f);

	say("NVD rejects the CVE (withdrawn): the finding drops");
	assert_int_equal(import_mem(fx, "nvd2.json", NVD_HEAD
	    NVD_CVE("CVE-2024-99001", "2024-06-11T10:15:00.000", "Rejected",
	    "OR", "1.37.0") "]}", &s), VIGIL_OK);
	assert_int_equal(s.withdrawn, 1);
	f = findings(fx);
	assert_null(find(f, "pkg-busybox", "CVE-2024-99001"));
	json_decref(f);
}

static void
test_build_ops(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_sbom_opts so;
	json_t *out = NULL;
	char err[512];

	say("the same build again without replace is refused (EEXIST)");
	memset(&so, 0, sizeof so);
	so.model = "GW100";
	so.firmware = "1.0";
	assert_int_equal(vigil_vdb_sbom_import(fx->st, sbom_doc,
	    strlen(sbom_doc), &so, &out, err, sizeof err), VIGIL_EEXIST);
	say("replace keeps the build id");
	so.replace = 1;
	assert_int_equal(vigil_vdb_sbom_import(fx->st, sbom_doc,
	    strlen(sbom_doc), &so, &out, err, sizeof err), VIGIL_OK);
	assert_string_equal(str(json_object_get(out, "build"), "id"),
	    fx->build);
	json_decref(out);
	say("build list, then delete by MODEL@FIRMWARE");
	assert_int_equal(vigil_vdb_build_list(fx->st, NULL, &out), VIGIL_OK);
	assert_int_equal(json_array_size(out), 1);
	json_decref(out);
	assert_int_equal(vigil_vdb_build_delete(fx->st, "GW100@1.0", err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_vdb_build_delete(fx->st, "GW100@1.0", err,
	    sizeof err), VIGIL_ENOTFOUND);
	printf("#   %s\n", err);
}

/* Buildroot show-info: busybox (in NVD CVE-2024-99001's range) with
 * the CVE in ignore_cves, a host package and a virtual one that are
 * not components. */
static const char br_doc[] =
    "{\"busybox\":{\"type\":\"target\",\"name\":\"busybox\","
    "\"virtual\":false,\"version\":\"1.36.1\",\"licenses\":\"GPL-2.0\","
    "\"cpe-id\":\"cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*\","
    "\"dependencies\":[\"host-skeleton\",\"toolchain\"],"
    "\"ignore_cves\":[\"CVE-2024-99001\"]},"
    "\"host-skeleton\":{\"type\":\"host\",\"virtual\":false,"
    "\"version\":\"\",\"dependencies\":[]},"
    "\"toolchain\":{\"type\":\"target\",\"virtual\":true,"
    "\"dependencies\":[]}}";

static void
test_buildroot_ignore_cves(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_import_stats s;
	struct vigil_vdb_sbom_opts so;
	json_t *out = NULL, *f, *o, *b;
	char err[512];

	import_dir(fx, &s, VIGIL_EINVAL);
	say("Buildroot show-info import: one component, ignore_cves stored "
	    "as one VEX statement for the new build");
	memset(&so, 0, sizeof so);
	so.model = "BR1";
	so.firmware = "2024.02";
	so.actor = "test";
	if (vigil_vdb_sbom_import(fx->st, br_doc, strlen(br_doc), &so, &out,
	    err, sizeof err) != VIGIL_OK)
		fail_msg("Buildroot SBOM import: %s", err);
	assert_int_equal(num(out, "vex_statements"), 1);
	b = json_object_get(out, "build");
	assert_string_equal(str(b, "format"), "buildroot");
	snprintf(fx->build, sizeof fx->build, "%s", str(b, "id"));
	json_decref(out);
	say("the NVD finding on busybox is there, already marked fixed by "
	    "the first scan");
	f = findings(fx);
	o = find(f, "busybox", "CVE-2024-99001");
	assert_non_null(o);
	assert_string_equal(str(o, "vex_state"), "fixed");
	json_decref(f);
	assert_int_equal(vigil_vdb_build_get(fx->st, NULL, "BR1@2024.02", &b,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(num(b, "components"), 1);
	assert_int_equal(num(b, "affected"), 0);
	json_decref(b);
	say("replacing the build with a show-info that no longer ignores the "
	    "CVE drops the old patch list: the finding is affected again");
	{
		char doc[sizeof br_doc];
		char *p;

		memcpy(doc, br_doc, sizeof doc);
		p = strstr(doc, "CVE-2024-99001");
		assert_non_null(p);
		memcpy(p, "CVE-2000-00001", 14);
		so.replace = 1;
		assert_int_equal(vigil_vdb_sbom_import(fx->st, doc,
		    strlen(doc), &so, &out, err, sizeof err), VIGIL_OK);
		json_decref(out);
		so.replace = 0;
	}
	f = findings(fx);
	o = find(f, "busybox", "CVE-2024-99001");
	assert_non_null(o);
	assert_string_equal(str(o, "vex_state"), "");
	json_decref(f);
	say("a CycloneDX SBOM reports no VEX statements of its own");
	so.model = "GW100";
	so.firmware = "1.0";
	so.replace = 1;
	assert_int_equal(vigil_vdb_sbom_import(fx->st, sbom_doc,
	    strlen(sbom_doc), &so, &out, err, sizeof err), VIGIL_OK);
	assert_int_equal(num(out, "vex_statements"), 0);
	json_decref(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_and_scan, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kev_epss_priority, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_partial_rescan, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_vex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vex_versions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newest_wins_and_withdrawn,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_ops, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_buildroot_ignore_cves,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
