/*
 * Fleet exposure, device risk, products and CRA reports on the store
 * (vulndb.h "queries", "products", "Cyber Resilience Act"), on a temp
 * database filled through the public API: devices in two tenants, the
 * firmware they run, small NVD/KEV feeds and CycloneDX SBOMs of our
 * own.
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
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/vigil.h"
#include "vigil/vulndb.h"

#define ACTOR "local:test"
#define HOUR_MS INT64_C(3600000)
#define DAY_MS (24 * HOUR_MS)
#define WEBP "CVE-2023-4863"
#define BUSY "CVE-2099-0001"

struct fx {
	char dir[64];
	struct vigil_store *st;
	char ta[VIGIL_UUID_STRLEN], tb[VIGIL_UUID_STRLEN];
	char a1[VIGIL_UUID_STRLEN], a2[VIGIL_UUID_STRLEN];
	char a3[VIGIL_UUID_STRLEN], a4[VIGIL_UUID_STRLEN];
	char b1[VIGIL_UUID_STRLEN], b2[VIGIL_UUID_STRLEN];
};

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* ---- fixtures --------------------------------------------------- */

/* libwebp < 1.3.2 (NVD, CVSS 8.8 network) and busybox < 1.37 (made
 * up, not in KEV). */
static const char nvd_doc[] =
    "{\"resultsPerPage\":2,\"startIndex\":0,\"totalResults\":2,"
    "\"format\":\"NVD_CVE\",\"version\":\"2.0\","
    "\"timestamp\":\"2025-01-01T00:00:00.000\",\"vulnerabilities\":["
    "{\"cve\":{\"id\":\"CVE-2023-4863\",\"sourceIdentifier\":\"x@y\","
    "\"published\":\"2023-09-12T15:15:24.327\","
    "\"lastModified\":\"2024-01-01T00:00:00.000\","
    "\"vulnStatus\":\"Analyzed\",\"descriptions\":[{\"lang\":\"en\","
    "\"value\":\"Heap buffer overflow in libwebp\"}],"
    "\"metrics\":{\"cvssMetricV31\":[{\"source\":\"nvd@nist.gov\","
    "\"type\":\"Primary\",\"cvssData\":{\"version\":\"3.1\","
    "\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H\","
    "\"baseScore\":8.8,\"baseSeverity\":\"HIGH\"}}]},"
    "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\","
    "\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
    "\"criteria\":\"cpe:2.3:a:webmproject:libwebp:*:*:*:*:*:*:*:*\","
    "\"versionEndExcluding\":\"1.3.2\",\"matchCriteriaId\":\"A\"}]}]}]}},"
    "{\"cve\":{\"id\":\"CVE-2099-0001\",\"sourceIdentifier\":\"x@y\","
    "\"published\":\"2024-09-12T15:15:24.327\","
    "\"lastModified\":\"2024-10-01T00:00:00.000\","
    "\"vulnStatus\":\"Analyzed\",\"descriptions\":[{\"lang\":\"en\","
    "\"value\":\"Test flaw in busybox\"}],"
    "\"metrics\":{\"cvssMetricV31\":[{\"source\":\"nvd@nist.gov\","
    "\"type\":\"Primary\",\"cvssData\":{\"version\":\"3.1\","
    "\"vectorString\":\"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N\","
    "\"baseScore\":4.4,\"baseSeverity\":\"MEDIUM\"}}]},"
    "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\","
    "\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
    "\"criteria\":\"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*\","
    "\"versionEndExcluding\":\"1.37.0\",\"matchCriteriaId\":\"B\"}]}]}]}}"
    "]}";

static const char kev_doc[] =
    "{\"title\":\"CISA Catalog of Known Exploited Vulnerabilities\","
    "\"catalogVersion\":\"2025.01.01\","
    "\"dateReleased\":\"2025-01-01T12:00:00.000Z\",\"count\":1,"
    "\"vulnerabilities\":[{\"cveID\":\"CVE-2023-4863\","
    "\"vendorProject\":\"Google\",\"product\":\"Chromium WebP\","
    "\"vulnerabilityName\":\"Google Chromium WebP Heap-Based Buffer "
    "Overflow\",\"dateAdded\":\"2023-09-13\",\"shortDescription\":"
    "\"Heap overflow in WebP.\",\"requiredAction\":\"Apply updates.\","
    "\"dueDate\":\"2023-10-04\",\"knownRansomwareCampaignUse\":\"Known\","
    "\"notes\":\"\",\"cwes\":[\"CWE-787\"]}]}";

static char *
sbom(const char *model, const char *fw, const char *name,
    const char *vendor, const char *ver)
{
	static char buf[2048];

	snprintf(buf, sizeof buf, "{\"bomFormat\":\"CycloneDX\","
	    "\"specVersion\":\"1.6\",\"version\":1,"
	    "\"metadata\":{\"component\":{\"type\":\"firmware\","
	    "\"name\":\"%s\",\"version\":\"%s\"}},"
	    "\"components\":[{\"type\":\"library\",\"bom-ref\":\"%s\","
	    "\"name\":\"%s\",\"version\":\"%s\","
	    "\"cpe\":\"cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*\"}]}", model, fw, name,
	    name, ver, vendor, name, ver);
	return buf;
}

static void
add_device(struct fx *fx, const char *tenant, const char *name,
    const char *model, const char *region, const char *fw,
    char id[VIGIL_UUID_STRLEN])
{
	struct vigil_device_spec spec;
	struct vigil_device *d = NULL;
	char err[512];

	memset(&spec, 0, sizeof spec);
	spec.name = name;
	spec.model = model;
	spec.region = region;
	assert_int_equal(vigil_device_add(fx->st, tenant, &spec, ACTOR, &d),
	    VIGIL_OK);
	memcpy(id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
	if (fw != NULL) {
		int rc = vigil_vdb_device_firmware_set(fx->st, tenant, name, fw,
		    "registry", err, sizeof err);

		if (rc != VIGIL_OK)
			fail_msg("firmware %s: %s", name, err);
	}
}

static void
import_feed(struct fx *fx, const char *name, const char *doc,
    enum vigil_feed_kind kind)
{
	struct vigil_vdb_import_opts o;
	struct vigil_vdb_import_stats s;
	char err[1024];
	int rc;

	memset(&o, 0, sizeof o);
	o.kind = kind;
	o.source = "test";
	o.actor = ACTOR;
	rc = vigil_vdb_import_mem(fx->st, name, doc, strlen(doc), &o, &s, err,
	    sizeof err);
	if (rc != VIGIL_OK)
		fail_msg("import %s: %s", name, err);
}

static void
import_sbom(struct fx *fx, const char *model, const char *fw,
    const char *doc)
{
	struct vigil_vdb_sbom_opts o;
	json_t *out = NULL;
	char err[1024];
	int rc;

	memset(&o, 0, sizeof o);
	o.model = model;
	o.firmware = fw;
	o.actor = ACTOR;
	rc = vigil_vdb_sbom_import(fx->st, doc, strlen(doc), &o, &out, err,
	    sizeof err);
	if (rc != VIGIL_OK)
		fail_msg("sbom %s@%s: %s", model, fw, err);
	json_decref(out);
}

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

/*
 * Tenant A: a1 (GW-100 1.0, DE), a2 (GW-100 1.0, FR), a3 (GW-100 2.0,
 * DE), a4 (CAM-7 3.1, IT). Tenant B: b1 (GW-100 1.0, DE), b2 (GW-100,
 * firmware unknown). GW-100 1.0 has libwebp 1.3.1 (CVE-2023-4863, in
 * KEV), 2.0 has 1.3.2 (fixed); CAM-7 3.1 has busybox 1.36.1.
 */
static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct vigil_tenant t;
	char path[128], err[512];
	json_t *out = NULL;

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/vigil-vdbq-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(path, sizeof path, "%s/vigil.db", fx->dir);
	if (vigil_store_open(&fx->st, path, NULL, err, sizeof err) != VIGIL_OK)
		return -1;
	if (vigil_admin_tenant_create(fx->st, "acme", NULL, &t) != VIGIL_OK)
		return -1;
	memcpy(fx->ta, t.id, sizeof fx->ta);
	if (vigil_admin_tenant_create(fx->st, "globex", NULL, &t) != VIGIL_OK)
		return -1;
	memcpy(fx->tb, t.id, sizeof fx->tb);
	*state = fx;
	add_device(fx, fx->ta, "a1", "GW-100", "DE", "1.0", fx->a1);
	add_device(fx, fx->ta, "a2", "GW-100", "FR", "1.0", fx->a2);
	add_device(fx, fx->ta, "a3", "GW-100", "DE", "2.0", fx->a3);
	add_device(fx, fx->ta, "a4", "CAM-7", "IT", "3.1", fx->a4);
	add_device(fx, fx->tb, "b1", "GW-100", "DE", "1.0", fx->b1);
	add_device(fx, fx->tb, "b2", "GW-100", "DE", NULL, fx->b2);
	import_feed(fx, "nvd.json", nvd_doc, VIGIL_FEED_NVD);
	import_feed(fx, "kev.json", kev_doc, VIGIL_FEED_KEV);
	import_sbom(fx, "GW-100", "1.0", sbom("GW-100", "1.0", "libwebp",
	    "webmproject", "1.3.1"));
	import_sbom(fx, "GW-100", "2.0", sbom("GW-100", "2.0", "libwebp",
	    "webmproject", "1.3.2"));
	import_sbom(fx, "CAM-7", "3.1", sbom("CAM-7", "3.1", "busybox",
	    "busybox", "1.36.1"));
	if (vigil_vdb_scan(fx->st, NULL, &out, err, sizeof err) != VIGIL_OK)
		fail_msg("scan: %s", err);
	json_decref(out);
	/* The library opens no report by itself: callers sync. */
	if (vigil_vdb_cra_sync(fx->st, vigil_time_now_ms(), NULL) != VIGIL_OK)
		fail_msg("CRA sync");
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

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static json_int_t
jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static int64_t
jtime(const json_t *o, const char *key)
{
	int64_t ms = 0;
	char err[128];

	if (json_is_null(json_object_get(o, key)))
		return 0;
	assert_int_equal(vigil_time_parse(jstr(o, key), &ms, err, sizeof err),
	    VIGIL_OK);
	return ms;
}

/* The entry of array a whose key is value, or NULL. */
static json_t *
find(const json_t *a, const char *key, const char *value)
{
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e) {
		if (strcmp(jstr(e, key), value) == 0)
			return e;
	}
	return NULL;
}

/* ---- exposure ---------------------------------------------------- */

static void
affected_counts_devices_and_tenants_in_scope(void **state)
{
	struct fx *fx = *state;
	json_t *o = NULL, *b;
	char err[512];

	say("platform scope: CVE-2023-4863 affects 3 devices in 2 tenants, "
	    "through the one affected build GW-100@1.0");
	assert_int_equal(vigil_vdb_affected(fx->st, NULL, "cve-2023-4863",
	    &o, err, sizeof err), VIGIL_OK);
	assert_string_equal(jstr(o, "id"), WEBP);
	assert_int_equal(jint(o, "devices"), 3);
	assert_int_equal(jint(o, "tenants"), 2);
	assert_string_equal(jstr(o, "text"),
	    "CVE-2023-4863 affects 3 devices in 2 tenants");
	assert_int_equal(json_array_size(json_object_get(o, "builds")), 1);
	b = json_array_get(json_object_get(o, "builds"), 0);
	assert_string_equal(jstr(b, "model"), "GW-100");
	assert_string_equal(jstr(b, "firmware"), "1.0");
	assert_int_equal(jint(b, "devices"), 3);
	b = json_array_get(json_object_get(b, "components"), 0);
	assert_string_equal(jstr(b, "name"), "libwebp");
	assert_string_equal(jstr(b, "fixed"), "1.3.2");
	b = json_array_get(json_object_get(o, "models"), 0);
	assert_string_equal(jstr(b, "model"), "GW-100");
	assert_int_equal(jint(b, "devices"), 3);
	json_decref(o);

	say("tenant A sees its 2 devices in 1 tenant; tenant B its 1");
	assert_int_equal(vigil_vdb_affected(fx->st, fx->ta, WEBP, &o, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(jint(o, "devices"), 2);
	assert_int_equal(jint(o, "tenants"), 1);
	json_decref(o);
	assert_int_equal(vigil_vdb_affected(fx->st, fx->tb, WEBP, &o, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(jint(o, "devices"), 1);
	assert_int_equal(jint(o, "tenants"), 1);
	assert_string_equal(jstr(o, "text"),
	    "CVE-2023-4863 affects 1 device in 1 tenant");
	json_decref(o);

	say("an id nothing names is not found, with the id in the text");
	assert_int_equal(vigil_vdb_affected(fx->st, NULL, "CVE-1999-9999", &o,
	    err, sizeof err), VIGIL_ENOTFOUND);
	assert_non_null(strstr(err, "CVE-1999-9999"));
	assert_null(o);
}

static void
vuln_list_orders_by_priority_and_scopes_devices(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_filter f;
	json_t *a = NULL, *e;

	say("the list puts the KEV vulnerability first, with KEV, ransomware, "
	    "CVSS and per-scope device counts");
	assert_int_equal(vigil_vdb_vuln_list(fx->st, NULL, NULL, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 2);
	e = json_array_get(a, 0);
	assert_string_equal(jstr(e, "id"), WEBP);
	assert_true(json_is_true(json_object_get(e, "kev")));
	assert_true(json_is_true(json_object_get(e, "ransomware")));
	assert_true(json_real_value(json_object_get(e, "cvss")) > 8.7);
	assert_int_equal(jint(e, "builds"), 1);
	assert_int_equal(jint(e, "devices"), 3);
	assert_int_equal(jint(e, "tenants"), 2);
	assert_true(json_real_value(json_object_get(e, "priority")) >=
	    json_real_value(json_object_get(json_array_get(a, 1),
	    "priority")));
	assert_string_equal(jstr(json_array_get(a, 1), "id"), BUSY);
	json_decref(a);

	say("tenant B's list counts only its own device; kev_only drops the "
	    "busybox flaw");
	memset(&f, 0, sizeof f);
	f.kev_only = 1;
	assert_int_equal(vigil_vdb_vuln_list(fx->st, fx->tb, &f, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 1);
	e = json_array_get(a, 0);
	assert_int_equal(jint(e, "devices"), 1);
	assert_int_equal(jint(e, "tenants"), 1);
	json_decref(a);

	say("filtered by build MODEL@FIRMWARE and by device");
	memset(&f, 0, sizeof f);
	f.build = "CAM-7@3.1";
	assert_int_equal(vigil_vdb_vuln_list(fx->st, NULL, &f, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(json_array_get(a, 0), "id"), BUSY);
	json_decref(a);
	memset(&f, 0, sizeof f);
	f.device = "a3";
	assert_int_equal(vigil_vdb_vuln_list(fx->st, fx->ta, &f, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);

	say("limit 1 keeps the top one; min_priority above busybox's drops "
	    "it");
	memset(&f, 0, sizeof f);
	f.limit = 1;
	assert_int_equal(vigil_vdb_vuln_list(fx->st, NULL, &f, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(json_array_get(a, 0), "id"), WEBP);
	json_decref(a);
	assert_int_equal(vigil_vdb_vuln_list(fx->st, NULL, NULL, &a), VIGIL_OK);
	memset(&f, 0, sizeof f);
	f.min_priority = json_real_value(json_object_get(find(a, "id", BUSY),
	    "priority")) + 0.5;
	json_decref(a);
	assert_int_equal(vigil_vdb_vuln_list(fx->st, NULL, &f, &a), VIGIL_OK);
	assert_null(find(a, "id", BUSY));
	assert_non_null(find(a, "id", WEBP));
	json_decref(a);

	say("tenant B cannot filter by tenant A's device");
	memset(&f, 0, sizeof f);
	f.device = "a1";
	assert_int_equal(vigil_vdb_vuln_list(fx->st, fx->tb, &f, &a),
	    VIGIL_ENOTFOUND);
	assert_null(a);
}

static void
vuln_show_finds_by_alias_with_provenance(void **state)
{
	struct fx *fx = *state;
	json_t *o = NULL, *r, *k;
	char err[512];

	say("show (lower case id): records with feed provenance, KEV entry, "
	    "the affected build and component");
	assert_int_equal(vigil_vdb_vuln_show(fx->st, fx->ta, "cve-2023-4863",
	    &o, err, sizeof err), VIGIL_OK);
	assert_string_equal(jstr(o, "id"), WEBP);
	r = find(json_object_get(o, "records"), "source", "nvd");
	assert_non_null(r);
	k = json_object_get(r, "provenance");
	assert_string_equal(jstr(k, "source"), "test");
	assert_non_null(strstr(jstr(k, "path"), "nvd.json"));
	assert_true(json_is_string(json_object_get(k, "imported_at")));
	k = json_object_get(o, "kev");
	assert_true(json_is_object(k));
	assert_true(json_is_true(json_object_get(k, "known_ransomware_use")));
	assert_string_equal(jstr(k, "date_added"), "2023-09-13");
	assert_true(json_is_true(json_object_get(o, "actively_exploited")));
	assert_true(json_is_array(json_object_get(o, "builds")));
	r = find(json_object_get(o, "builds"), "firmware", "1.0");
	assert_non_null(r);
	assert_int_equal(jint(r, "devices"), 2); /* tenant A's scope */
	json_decref(o);
}

static void
vex_not_affected_suppresses_unless_asked(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_filter f;
	static const char vex[] = "{\"bomFormat\":\"CycloneDX\","
	    "\"specVersion\":\"1.6\",\"version\":1,\"vulnerabilities\":[{"
	    "\"id\":\"CVE-2099-0001\",\"analysis\":{\"state\":"
	    "\"not_affected\",\"justification\":\"code_not_reachable\","
	    "\"detail\":\"applet not built\"},"
	    "\"affects\":[{\"ref\":\"busybox\"}]}]}";
	json_t *o = NULL, *a = NULL;
	char err[512];

	say("a CycloneDX VEX not_affected for busybox on CAM-7@3.1 drops it "
	    "from the list, the exposure count and the device's risk");
	if (vigil_vdb_vex_import(fx->st, vex, strlen(vex), VIGIL_VEX_CYCLONEDX,
	    "CAM-7@3.1", ACTOR, &o, err, sizeof err) != VIGIL_OK)
		fail_msg("vex: %s", err);
	json_decref(o);
	assert_int_equal(vigil_vdb_vuln_list(fx->st, NULL, NULL, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(json_array_get(a, 0), "id"), WEBP);
	json_decref(a);
	assert_int_equal(vigil_vdb_affected(fx->st, NULL, BUSY, &o, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(jint(o, "devices"), 0);
	json_decref(o);
	assert_int_equal(vigil_vdb_device_findings(fx->st, fx->ta, "a4", &o,
	    err, sizeof err), VIGIL_OK);
	assert_true(json_real_value(json_object_get(o, "risk")) == 0);
	assert_true(json_is_true(json_object_get(json_array_get(
	    json_object_get(o, "findings"), 0), "suppressed")));
	json_decref(o);

	say("include_suppressed brings it back, with its build and device");
	memset(&f, 0, sizeof f);
	f.include_suppressed = 1;
	assert_int_equal(vigil_vdb_vuln_list(fx->st, NULL, &f, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 2);
	assert_int_equal(jint(find(a, "id", BUSY), "devices"), 1);
	json_decref(a);

	say("marked exploited, a suppressed finding opens no CRA report");
	assert_int_equal(vigil_vdb_mark_exploited(fx->st, BUSY, 1, NULL,
	    ACTOR, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_vdb_cra_sync(fx->st, 0, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
}

/* ---- devices ----------------------------------------------------- */

static void
device_findings_and_risk_stay_in_tenant(void **state)
{
	struct fx *fx = *state;
	json_t *o = NULL, *f;
	double risk = -1;
	char err[512], id[VIGIL_UUID_STRLEN];

	say("a1 runs GW-100@1.0: the libwebp finding with its priority and a "
	    "risk from it");
	assert_int_equal(vigil_vdb_device_findings(fx->st, fx->ta, "a1", &o,
	    err, sizeof err), VIGIL_OK);
	assert_string_equal(jstr(json_object_get(o, "build"), "firmware"),
	    "1.0");
	f = find(json_object_get(o, "findings"), "vuln", WEBP);
	assert_non_null(f);
	assert_true(json_real_value(json_object_get(f, "priority")) > 0);
	assert_true(json_real_value(json_object_get(o, "risk")) > 0);
	assert_int_equal(jint(o, "open"), 1);
	assert_int_equal(vigil_vdb_device_risk(fx->st, fx->ta, fx->a1, &risk),
	    VIGIL_OK);
	assert_true(risk == json_real_value(json_object_get(o, "risk")));
	json_decref(o);

	say("a3 runs the fixed 2.0: no findings, risk 0; b2 has no known "
	    "firmware: no build, risk 0");
	assert_int_equal(vigil_vdb_device_findings(fx->st, fx->ta, "a3", &o,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(o, "findings")), 0);
	assert_true(json_real_value(json_object_get(o, "risk")) == 0);
	json_decref(o);
	assert_int_equal(vigil_vdb_device_risk(fx->st, fx->tb, fx->b2, &risk),
	    VIGIL_OK);
	assert_true(risk == 0);
	assert_int_equal(vigil_vdb_device_findings(fx->st, fx->tb, fx->b2, &o,
	    err, sizeof err), VIGIL_OK);
	assert_true(json_is_null(json_object_get(o, "build")));
	json_decref(o);

	say("tenant A never reaches tenant B's device, by name or by id");
	assert_int_equal(vigil_vdb_device_findings(fx->st, fx->ta, "b1", &o,
	    err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_vdb_device_findings(fx->st, fx->ta, fx->b1, &o,
	    err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_vdb_device_risk(fx->st, fx->ta, fx->b1, &risk),
	    VIGIL_ENOTFOUND);

	say("a name used in both tenants is ambiguous from the platform "
	    "scope, plain in each tenant's");
	add_device(fx, fx->ta, "twin", "GW-100", "DE", "2.0", id);
	add_device(fx, fx->tb, "twin", "GW-100", "DE", "1.0", id);
	assert_int_equal(vigil_vdb_device_findings(fx->st, NULL, "twin", &o,
	    err, sizeof err), VIGIL_EAMBIGUOUS);
	assert_int_equal(vigil_vdb_device_findings(fx->st, fx->tb, "twin", &o,
	    err, sizeof err), VIGIL_OK);
	assert_string_equal(jstr(json_object_get(o, "build"), "firmware"),
	    "1.0");
	json_decref(o);
	assert_int_equal(vigil_vdb_device_findings(fx->st, NULL, id, &o, err,
	    sizeof err), VIGIL_OK);
	json_decref(o);

	say("moving a1 to 2.0 drops the finding and tenant A's count");
	assert_int_equal(vigil_vdb_device_firmware_set(fx->st, fx->ta, fx->a1,
	    "2.0", "checkin", err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_vdb_device_risk(fx->st, fx->ta, fx->a1, &risk),
	    VIGIL_OK);
	assert_true(risk == 0);
	assert_int_equal(vigil_vdb_affected(fx->st, fx->ta, WEBP, &o, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(jint(o, "devices"), 1);
	json_decref(o);
}

static void
firmware_set_checks_version_tenant_and_source(void **state)
{
	struct fx *fx = *state;
	char err[512], big[300];

	say("empty, control-byte and 257-byte versions are refused");
	assert_int_equal(vigil_vdb_device_firmware_set(fx->st, fx->ta, "a1", "",
	    NULL, err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_vdb_device_firmware_set(fx->st, fx->ta, "a1",
	    "1.0\n", NULL, err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "offset 3"));
	memset(big, '1', 257);
	big[257] = '\0';
	assert_int_equal(vigil_vdb_device_firmware_set(fx->st, fx->ta, "a1",
	    big, NULL, err, sizeof err), VIGIL_EINVAL);
	big[256] = '\0';
	assert_int_equal(vigil_vdb_device_firmware_set(fx->st, fx->ta, "a1",
	    big, NULL, err, sizeof err), VIGIL_OK);

	say("a tenant is required; another tenant's device is not found; "
	    "an unknown source is refused");
	assert_int_equal(vigil_vdb_device_firmware_set(fx->st, NULL, "a1",
	    "1.0", NULL, err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_vdb_device_firmware_set(fx->st, fx->tb, "a1",
	    "1.0", NULL, err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_vdb_device_firmware_set(fx->st, fx->ta, "a1",
	    "1.0", "guess", err, sizeof err), VIGIL_EINVAL);
}

/* ---- products ---------------------------------------------------- */

static void
product_support_states(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_product p;
	const char *cpes[] = { "cpe:2.3:h:acme:gw-100:-:*:*:*:*:*:*:*" };
	int64_t now = vigil_time_now_ms();
	json_t *o = NULL, *a = NULL, *e;
	char err[512];

	say("GW-100 support ends in 30 days: ending; CAM-7 ended yesterday; "
	    "HUB-1 in 400 days: supported");
	memset(&p, 0, sizeof p);
	p.model = "GW-100";
	p.manufacturer = "Acme Devices GmbH";
	p.support_until_ms = now + 30 * DAY_MS + HOUR_MS;
	p.platform_cpes = cpes;
	p.nplatform_cpes = 1;
	assert_int_equal(vigil_vdb_product_set(fx->st, &p, &o, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(jstr(o, "support_state"), "ending");
	assert_int_equal(jint(o, "days_left"), 30);
	assert_int_equal(jint(o, "builds"), 2);
	assert_int_equal(json_array_size(json_object_get(o, "platform_cpes")),
	    1);
	json_decref(o);
	memset(&p, 0, sizeof p);
	p.model = "CAM-7";
	p.support_until_ms = now - DAY_MS;
	assert_int_equal(vigil_vdb_product_set(fx->st, &p, &o, err,
	    sizeof err), VIGIL_OK);
	json_decref(o);
	p.model = "HUB-1";
	p.support_until_ms = now + 400 * DAY_MS;
	assert_int_equal(vigil_vdb_product_set(fx->st, &p, &o, err,
	    sizeof err), VIGIL_OK);
	json_decref(o);

	say("keeping fields: a later set of GW-100 with -1 and NULLs keeps "
	    "manufacturer, date and CPEs");
	memset(&p, 0, sizeof p);
	p.model = "GW-100";
	p.support_until_ms = -1;
	assert_int_equal(vigil_vdb_product_set(fx->st, &p, &o, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(jstr(o, "manufacturer"), "Acme Devices GmbH");
	assert_string_equal(jstr(o, "support_state"), "ending");
	assert_int_equal(json_array_size(json_object_get(o, "platform_cpes")),
	    1);
	json_decref(o);

	assert_int_equal(vigil_vdb_product_list(fx->st, fx->tb, now, 90, &a),
	    VIGIL_OK);
	e = find(a, "model", "GW-100");
	assert_string_equal(jstr(e, "support_state"), "ending");
	assert_int_equal(jint(e, "devices"), 2); /* tenant B's */
	assert_string_equal(jstr(find(a, "model", "CAM-7"), "support_state"),
	    "ended");
	assert_string_equal(jstr(find(a, "model", "HUB-1"), "support_state"),
	    "supported");
	json_decref(a);

	say("with a 20-day warning GW-100 is still supported");
	assert_int_equal(vigil_vdb_product_list(fx->st, NULL, now, 20, &a),
	    VIGIL_OK);
	assert_string_equal(jstr(find(a, "model", "GW-100"), "support_state"),
	    "supported");
	json_decref(a);

	say("a bad platform CPE is refused with its index");
	memset(&p, 0, sizeof p);
	cpes[0] = "not-a-cpe";
	p.model = "GW-100";
	p.support_until_ms = -1;
	p.platform_cpes = cpes;
	p.nplatform_cpes = 1;
	assert_int_equal(vigil_vdb_product_set(fx->st, &p, &o, err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "platform_cpes[0]"));
}

/* ---- CRA --------------------------------------------------------- */

/* The report about vuln (from the status, closed ones included): its
 * id and when vigil became aware. */
static void
report_of(struct fx *fx, const char *vuln, char id[VIGIL_UUID_STRLEN],
    int64_t *aware)
{
	json_t *o = NULL, *r;

	assert_int_equal(vigil_vdb_cra_status(fx->st, 0, 1, &o), VIGIL_OK);
	r = find(json_object_get(o, "reports"), "vuln", vuln);
	assert_non_null(r);
	snprintf(id, VIGIL_UUID_STRLEN, "%s", jstr(r, "id"));
	*aware = jtime(r, "aware_at");
	json_decref(o);
}

static void
kev_finding_opens_one_report_per_vuln_and_model(void **state)
{
	struct fx *fx = *state;
	int64_t aware;
	json_t *a = NULL, *o = NULL, *r;
	char err[512], id[VIGIL_UUID_STRLEN];

	say("the sync after the imports and scan opened exactly one report: "
	    "CVE-2023-4863 "
	    "on GW-100, trigger kev (busybox is not exploited)");
	assert_int_equal(vigil_vdb_cra_status(fx->st, 0, 1, &o), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(o, "reports")), 1);
	r = json_array_get(json_object_get(o, "reports"), 0);
	assert_string_equal(jstr(r, "vuln"), WEBP);
	assert_string_equal(jstr(r, "model"), "GW-100");
	assert_string_equal(jstr(r, "trigger"), "kev");
	assert_string_equal(jstr(r, "kind"), "vulnerability");
	json_decref(o);
	report_of(fx, WEBP, id, &aware);

	say("a further sync opens none; a hand-opened duplicate is refused");
	assert_int_equal(vigil_vdb_cra_sync(fx->st, 0, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	assert_int_equal(vigil_vdb_cra_open(fx->st, VIGIL_CRA_VULN, WEBP,
	    "GW-100", "dup", 0, &o, err, sizeof err), VIGIL_EEXIST);
	assert_non_null(strstr(err, id));

	say("an analyst's exploited mark on the busybox flaw opens CAM-7's "
	    "report with trigger analyst, once");
	assert_int_equal(vigil_vdb_mark_exploited(fx->st, "cve-2099-0001", 1,
	    "seen in the wild", ACTOR, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_vdb_cra_sync(fx->st, 0, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(json_array_get(a, 0), "vuln"), BUSY);
	assert_string_equal(jstr(json_array_get(a, 0), "model"), "CAM-7");
	assert_string_equal(jstr(json_array_get(a, 0), "trigger"), "analyst");
	json_decref(a);
	assert_int_equal(vigil_vdb_cra_sync(fx->st, 0, &a), VIGIL_OK);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);

	say("the mark makes the busybox flaw KEV-equivalent in the list");
	assert_int_equal(vigil_vdb_vuln_show(fx->st, NULL, BUSY, &o, err,
	    sizeof err), VIGIL_OK);
	assert_true(json_is_true(json_object_get(o, "actively_exploited")));
	assert_string_equal(jstr(json_object_get(o, "exploited"), "note"),
	    "seen in the wild");
	json_decref(o);

	say("status: 24 h and 72 h clocks from awareness, early warning due "
	    "next");
	assert_int_equal(vigil_vdb_cra_status(fx->st, aware + HOUR_MS, 0, &o),
	    VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(o, "reports")), 2);
	r = find(json_object_get(o, "reports"), "vuln", WEBP);
	assert_non_null(r);
	assert_string_equal(jstr(r, "state"), "open");
	assert_int_equal(jtime(json_object_get(json_object_get(r, "clocks"),
	    "early_warning"), "due") - aware, 24 * HOUR_MS);
	assert_int_equal(jtime(json_object_get(json_object_get(r, "clocks"),
	    "notification"), "due") - aware, 72 * HOUR_MS);
	assert_true(json_is_null(json_object_get(json_object_get(
	    json_object_get(r, "clocks"), "final"), "due")));
	assert_string_equal(jstr(json_object_get(r, "next"), "stage"),
	    "early_warning");
	assert_int_equal(jint(json_object_get(r, "next"), "time_left_ms"),
	    23 * HOUR_MS);
	assert_true(json_is_false(json_object_get(r, "overdue")));
	json_decref(o);

	say("25 hours on, the early warning is overdue");
	assert_int_equal(vigil_vdb_cra_status(fx->st, aware + 25 * HOUR_MS, 0,
	    &o), VIGIL_OK);
	r = find(json_object_get(o, "reports"), "vuln", WEBP);
	assert_true(json_is_true(json_object_get(r, "overdue")));
	assert_true(json_is_true(json_object_get(json_object_get(
	    json_object_get(r, "clocks"), "early_warning"), "overdue")));
	json_decref(o);
}

static void
cra_steps_in_order_and_final_after_fix(void **state)
{
	struct fx *fx = *state;
	int64_t now, fix;
	json_t *o = NULL, *fin;
	char err[512], id[VIGIL_UUID_STRLEN];

	report_of(fx, WEBP, id, &now);

	say("out of order: notification before early warning, final before "
	    "notification, close before final are refused");
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "notification", now,
	    &o, err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "notification before early warning"));
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "final", now, &o, err,
	    sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "close", now, &o, err,
	    sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "publish", now, &o,
	    err, sizeof err), VIGIL_EINVAL);

	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "early-warning",
	    now + HOUR_MS, &o, err, sizeof err), VIGIL_OK);
	assert_string_equal(jstr(o, "state"), "early_warning_sent");
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "early-warning",
	    now + HOUR_MS, &o, err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "notification",
	    now + 48 * HOUR_MS, &o, err, sizeof err), VIGIL_OK);
	assert_string_equal(jstr(json_object_get(o, "next"), "stage"), "final");
	assert_true(json_is_null(json_object_get(json_object_get(o, "next"),
	    "due")));
	json_decref(o);

	say("final before a fix is refused; after the fix it is due 14 days "
	    "later");
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "final",
	    now + 50 * HOUR_MS, &o, err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "before a fix"));
	fix = now + 5 * DAY_MS;
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "fix", fix, &o, err,
	    sizeof err), VIGIL_OK);
	fin = json_object_get(json_object_get(o, "clocks"), "final");
	assert_int_equal(jtime(fin, "due") - fix, 14 * DAY_MS);
	assert_int_equal(jtime(json_object_get(o, "next"), "due") - fix,
	    14 * DAY_MS);
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "final",
	    fix + 3 * DAY_MS, &o, err, sizeof err), VIGIL_OK);
	assert_string_equal(jstr(o, "state"), "final_sent");
	assert_true(json_is_false(json_object_get(json_object_get(
	    json_object_get(o, "clocks"), "final"), "late")));
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "fix", fix, &o, err,
	    sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "close",
	    fix + 4 * DAY_MS, &o, err, sizeof err), VIGIL_OK);
	assert_string_equal(jstr(o, "state"), "closed");
	json_decref(o);

	say("closed reports leave the status unless all is asked for");
	assert_int_equal(vigil_vdb_cra_status(fx->st, now, 0, &o), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(o, "reports")), 0);
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_status(fx->st, now, 1, &o), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(o, "reports")), 1);
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_step(fx->st, "no-such-report", "close",
	    now, &o, err, sizeof err), VIGIL_ENOTFOUND);
}

static void
cra_export_has_article_14_fields(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_product p;
	int64_t now = vigil_time_now_ms(), aware;
	json_t *o = NULL, *v, *d, *s;
	char err[512], id[VIGIL_UUID_STRLEN];

	memset(&p, 0, sizeof p);
	p.model = "GW-100";
	p.manufacturer = "Acme Devices GmbH";
	p.support_until_ms = now + 365 * DAY_MS;
	assert_int_equal(vigil_vdb_product_set(fx->st, &p, &o, err,
	    sizeof err), VIGIL_OK);
	json_decref(o);
	report_of(fx, WEBP, id, &aware);

	say("the draft names stage, manufacturer, product and versions, the "
	    "vulnerability with KEV and ransomware use, devices by region, "
	    "fixes, clocks and sensitive false");
	if (vigil_vdb_cra_export(fx->st, id, now, &o, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("export: %s", err);
	assert_string_equal(jstr(o, "stage"), "early_warning");
	assert_string_equal(jstr(json_object_get(o, "manufacturer"), "name"),
	    "Acme Devices GmbH");
	d = json_object_get(o, "product");
	assert_string_equal(jstr(d, "model"), "GW-100");
	assert_int_equal(json_array_size(json_object_get(d,
	    "affected_firmware_versions")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(d,
	    "affected_firmware_versions"), 0)), "1.0");
	v = json_object_get(o, "vulnerability");
	assert_string_equal(jstr(v, "id"), WEBP);
	assert_true(json_is_array(json_object_get(v, "aliases")));
	assert_true(strlen(jstr(v, "description")) > 0);
	assert_true(json_is_object(json_object_get(v, "cvss")));
	assert_true(json_is_object(json_object_get(v, "kev")));
	s = json_object_get(v, "exploitation");
	assert_true(json_is_true(json_object_get(s, "actively_exploited")));
	assert_true(json_is_true(json_object_get(s, "known_ransomware_use")));
	d = json_object_get(o, "affected_devices");
	assert_int_equal(jint(d, "total"), 3);
	assert_int_equal(jint(find(json_object_get(d, "by_region"), "region",
	    "DE"), "devices"), 2);
	assert_int_equal(jint(find(json_object_get(d, "by_region"), "region",
	    "FR"), "devices"), 1);
	assert_int_equal(json_array_size(json_object_get(o,
	    "member_states_concerned")), 2);
	d = json_object_get(o, "corrective_measures");
	assert_string_equal(jstr(json_array_get(json_object_get(d,
	    "fixed_versions"), 0), "fixed"), "1.3.2");
	assert_true(json_is_object(json_object_get(json_object_get(o,
	    "clocks"), "notification")));
	assert_true(json_is_false(json_object_get(o, "sensitive")));
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_export(fx->st, "nope", now, &o, err,
	    sizeof err), VIGIL_ENOTFOUND);
}

static void
incident_final_is_one_month_after_notification(void **state)
{
	struct fx *fx = *state;
	int64_t aware = vigil_time_now_ms() - 2 * HOUR_MS, notif;
	struct vigil_cra_due due;
	json_t *o = NULL, *fin;
	char err[512], id[VIGIL_UUID_STRLEN];

	say("a severe incident opened by hand: severe, 24 h / 72 h clocks, "
	    "final one month after the notification, no fix needed");
	if (vigil_vdb_cra_open(fx->st, VIGIL_CRA_INCIDENT, NULL, "GW-100",
	    "credential stuffing against the device API", aware, &o, err,
	    sizeof err) != VIGIL_OK)
		fail_msg("open: %s", err);
	snprintf(id, sizeof id, "%s", jstr(o, "id"));
	assert_true(json_is_true(json_object_get(o, "severe")));
	assert_string_equal(jstr(o, "kind"), "incident");
	assert_string_equal(jstr(o, "trigger"), "manual");
	assert_int_equal(jtime(o, "aware_at"), aware);
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "early-warning",
	    aware + 3 * HOUR_MS, &o, err, sizeof err), VIGIL_OK);
	json_decref(o);
	notif = aware + 60 * HOUR_MS;
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "notification", notif,
	    &o, err, sizeof err), VIGIL_OK);
	fin = json_object_get(json_object_get(o, "clocks"), "final");
	vigil_cra_deadlines(VIGIL_CRA_INCIDENT, aware, 0, notif, &due);
	assert_int_equal(jtime(fin, "due"), due.final_ms);
	assert_true(due.final_ms - notif >= 28 * DAY_MS &&
	    due.final_ms - notif <= 31 * DAY_MS);
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_step(fx->st, id, "final",
	    notif + 10 * DAY_MS, &o, err, sizeof err), VIGIL_OK);
	assert_string_equal(jstr(o, "state"), "final_sent");
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_export(fx->st, id, notif, &o, err,
	    sizeof err), VIGIL_OK);
	assert_true(json_is_object(json_object_get(o, "incident")));
	assert_true(json_is_null(json_object_get(o, "vulnerability")));
	json_decref(o);

	say("a vulnerability report needs a vulnerability; unknown kind is "
	    "refused");
	assert_int_equal(vigil_vdb_cra_open(fx->st, VIGIL_CRA_VULN, NULL,
	    "GW-100", "", 0, &o, err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_vdb_cra_open(fx->st, (enum vigil_cra_kind)9,
	    NULL, "GW-100", "", 0, &o, err, sizeof err), VIGIL_EINVAL);
}

static void
cra_status_warns_of_support_end(void **state)
{
	struct fx *fx = *state;
	struct vigil_vdb_product p;
	int64_t now = vigil_time_now_ms();
	json_t *o = NULL, *w;
	char err[512];

	say("status warns of CAM-7 whose support ended and of GW-100 ending "
	    "within 90 days, not of HUB-1");
	memset(&p, 0, sizeof p);
	p.model = "CAM-7";
	p.support_until_ms = now - 10 * DAY_MS;
	assert_int_equal(vigil_vdb_product_set(fx->st, &p, &o, err,
	    sizeof err), VIGIL_OK);
	json_decref(o);
	p.model = "GW-100";
	p.support_until_ms = now + 60 * DAY_MS;
	assert_int_equal(vigil_vdb_product_set(fx->st, &p, &o, err,
	    sizeof err), VIGIL_OK);
	json_decref(o);
	p.model = "HUB-1";
	p.support_until_ms = now + 200 * DAY_MS;
	assert_int_equal(vigil_vdb_product_set(fx->st, &p, &o, err,
	    sizeof err), VIGIL_OK);
	json_decref(o);
	assert_int_equal(vigil_vdb_cra_status(fx->st, now, 0, &o), VIGIL_OK);
	w = json_object_get(o, "support");
	assert_int_equal(json_array_size(w), 2);
	assert_string_equal(jstr(find(w, "model", "CAM-7"), "state"), "ended");
	assert_string_equal(jstr(find(w, "model", "GW-100"), "state"),
	    "ending");
	assert_null(find(w, "model", "HUB-1"));
	json_decref(o);
}

/* BUSY's priority in the vulnerability list. */
static double
busy_priority(struct fx *fx)
{
	json_t *a = NULL;
	double p;

	assert_int_equal(vigil_vdb_vuln_list(fx->st, NULL, NULL, &a),
	    VIGIL_OK);
	assert_non_null(find(a, "id", BUSY));
	p = json_real_value(json_object_get(find(a, "id", BUSY),
	    "priority"));
	json_decref(a);
	return p;
}

static void
clearing_the_exploited_mark_lowers_priority_again(void **state)
{
	struct fx *fx = *state;
	char err[512];
	double before, marked, cleared;

	say("the busybox flaw, unmarked, is below critical (80)");
	before = busy_priority(fx);
	assert_true(before < 80.0);
	say("marked exploited: its findings rise to >= 80");
	assert_int_equal(vigil_vdb_mark_exploited(fx->st, BUSY, 1, "seen",
	    ACTOR, err, sizeof err), VIGIL_OK);
	marked = busy_priority(fx);
	assert_true(marked >= 80.0);
	say("the mark cleared: back to exactly what a scan gave, at once");
	assert_int_equal(vigil_vdb_mark_exploited(fx->st, BUSY, 0, NULL,
	    ACTOR, err, sizeof err), VIGIL_OK);
	cleared = busy_priority(fx);
	assert_true(cleared < 80.0);
	assert_true(cleared == before);
	say("clearing a mark nobody set changes nothing");
	assert_int_equal(vigil_vdb_mark_exploited(fx->st, BUSY, 0, NULL,
	    ACTOR, err, sizeof err), VIGIL_OK);
	assert_true(busy_priority(fx) == before);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(affected_counts_devices_and_tenants_in_scope),
		T(vuln_list_orders_by_priority_and_scopes_devices),
		T(vuln_show_finds_by_alias_with_provenance),
		T(vex_not_affected_suppresses_unless_asked),
		T(device_findings_and_risk_stay_in_tenant),
		T(firmware_set_checks_version_tenant_and_source),
		T(product_support_states),
		T(kev_finding_opens_one_report_per_vuln_and_model),
		T(clearing_the_exploited_mark_lowers_priority_again),
		T(cra_steps_in_order_and_final_after_fix),
		T(cra_export_has_article_14_fields),
		T(incident_final_is_one_month_after_notification),
		T(cra_status_warns_of_support_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
