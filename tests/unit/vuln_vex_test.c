/*
 * VEX (src/lib/vuln/vex*.c): state and format names, format detection,
 * the CycloneDX, OpenVEX, CSAF 2.0, Buildroot and Yocto parsers on the
 * fixtures in tests/data/vex/ (bad statements refused with where and
 * why, the good ones kept), and vigil_vex_lookup (newest wins, purl
 * with and without version, CPE, ref, name, whole product).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/sbom.h"

static void
say(const char *what)
{
	printf("# %s\n", what);
}

/* A fixture from tests/data/vex/, NUL-terminated; *len its size. */
static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/vex/%s", TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct vigil_vex_doc *
parse_fixture(const char *name, enum vigil_vex_format fmt)
{
	struct vigil_vex_doc *d = NULL;
	char err[512];
	size_t len;
	char *buf = slurp(name, &len);

	if (vigil_vex_parse(buf, len, fmt, &d, err, sizeof err) != VIGIL_OK)
		fail_msg("%s: %s", name, err);
	free(buf);
	assert_non_null(d);
	return d;
}

static enum vigil_err
parse_text(const char *text, struct vigil_vex_doc **d, char *err,
    size_t errsize)
{
	return vigil_vex_parse(text, strlen(text), VIGIL_VEX_AUTO, d, err,
	    errsize);
}

/* The index-th statement about vuln, or NULL. */
static const struct vigil_vex_stmt *
find(const struct vigil_vex_doc *d, const char *vuln, size_t index)
{
	for (size_t i = 0; i < d->nstmts; i++)
		if (strcmp(d->stmts[i].vuln, vuln) == 0 && index-- == 0)
			return &d->stmts[i];
	return NULL;
}

static size_t
count(const struct vigil_vex_doc *d, const char *vuln)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nstmts; i++)
		n += strcmp(d->stmts[i].vuln, vuln) == 0;
	return n;
}

static int
rejected_has(const struct vigil_vex_doc *d, const char *text)
{
	for (size_t i = 0; i < d->nrejected; i++)
		if (strstr(d->rejected[i], text) != NULL)
			return 1;
	return 0;
}

static void
names_round_trip_and_accept_every_spelling(void **state)
{
	static const struct {
		const char *name;
		enum vigil_vex_state s;
	} spell[] = {
		{ "exploitable", VIGIL_VEX_AFFECTED },
		{ "known_affected", VIGIL_VEX_AFFECTED },
		{ "affected", VIGIL_VEX_AFFECTED },
		{ "in_triage", VIGIL_VEX_UNDER_INVESTIGATION },
		{ "under_investigation", VIGIL_VEX_UNDER_INVESTIGATION },
		{ "resolved", VIGIL_VEX_FIXED },
		{ "resolved_with_pedigree", VIGIL_VEX_FIXED },
		{ "first_fixed", VIGIL_VEX_FIXED },
		{ "fixed", VIGIL_VEX_FIXED },
		{ "known_not_affected", VIGIL_VEX_NOT_AFFECTED },
		{ "not_affected", VIGIL_VEX_NOT_AFFECTED },
		{ "false_positive", VIGIL_VEX_FALSE_POSITIVE },
		{ "Not_Affected", VIGIL_VEX_NOT_AFFECTED },
		{ "maybe", VIGIL_VEX_NONE },
		{ "", VIGIL_VEX_NONE },
	};

	(void)state;
	say("state names round-trip; CycloneDX/OpenVEX/CSAF spellings map");
	for (int s = VIGIL_VEX_AFFECTED; s <= VIGIL_VEX_FALSE_POSITIVE; s++)
		assert_int_equal(vigil_vex_state_from_name(
		    vigil_vex_state_name((enum vigil_vex_state)s)), s);
	for (size_t i = 0; i < sizeof spell / sizeof spell[0]; i++)
		assert_int_equal(vigil_vex_state_from_name(spell[i].name),
		    spell[i].s);
	assert_int_equal(vigil_vex_state_from_name(NULL), VIGIL_VEX_NONE);
	assert_string_equal(vigil_vex_state_name((enum vigil_vex_state)42),
	    "none");
	say("format names round-trip; unknown names are AUTO");
	for (int f = VIGIL_VEX_CYCLONEDX; f <= VIGIL_VEX_YOCTO; f++)
		assert_int_equal(vigil_vex_format_from_name(
		    vigil_vex_format_name((enum vigil_vex_format)f)), f);
	assert_string_equal(vigil_vex_format_name(VIGIL_VEX_CSAF), "csaf");
	assert_int_equal(vigil_vex_format_from_name("OpenVEX"),
	    VIGIL_VEX_OPENVEX);
	assert_int_equal(vigil_vex_format_from_name("spdx"), VIGIL_VEX_AUTO);
	assert_int_equal(vigil_vex_format_from_name(NULL), VIGIL_VEX_AUTO);
}

static void
detect_tells_the_five_formats_apart(void **state)
{
	static const struct {
		const char *file;
		enum vigil_vex_format f;
	} cases[] = {
		{ "cdx.json", VIGIL_VEX_CYCLONEDX },
		{ "openvex.json", VIGIL_VEX_OPENVEX },
		{ "csaf.json", VIGIL_VEX_CSAF },
		{ "buildroot.json", VIGIL_VEX_BUILDROOT },
		{ "yocto.json", VIGIL_VEX_YOCTO },
	};

	(void)state;
	say("each fixture is detected as its own format");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		char *buf = slurp(cases[i].file, &len);

		assert_int_equal(vigil_vex_detect(buf, len), cases[i].f);
		free(buf);
	}
	say("not JSON, an SPDX document, an array: AUTO");
	assert_int_equal(vigil_vex_detect("{", 1), VIGIL_VEX_AUTO);
	assert_int_equal(vigil_vex_detect("[]", 2), VIGIL_VEX_AUTO);
	assert_int_equal(vigil_vex_detect("{\"spdxVersion\":\"SPDX-2.3\"}",
	    26), VIGIL_VEX_AUTO);
	assert_int_equal(vigil_vex_detect(NULL, 0), VIGIL_VEX_AUTO);
}

static void
cyclonedx_keeps_good_and_refuses_bad(void **state)
{
	struct vigil_vex_doc *d = parse_fixture("cdx.json", VIGIL_VEX_AUTO);
	const struct vigil_vex_stmt *s;

	(void)state;
	say("CycloneDX: serial and metadata.timestamp are the document's");
	assert_int_equal(d->format, VIGIL_VEX_CYCLONEDX);
	assert_string_equal(d->id,
	    "urn:uuid:11111111-2222-4333-8444-555555555555");
	assert_int_equal(d->time_ms, INT64_C(1735689600000));
	say("6 statements kept, 2 refused, the analysis-less finding "
	    "counted nowhere");
	assert_int_equal(d->nstmts, 6);
	assert_int_equal(d->nrejected, 2);
	assert_int_equal(count(d, "CVE-2024-0003"), 0);
	assert_int_equal(count(d, "CVE-2024-0002"), 0);
	assert_true(rejected_has(d, "vulnerabilities[1].affects[0]: "
	    "not_affected without a justification"));
	assert_true(rejected_has(d, "vulnerabilities[5].affects[0].ref: "
	    "malformed BOM-Link"));
	say("BOM-Link: serial urn:uuid:..., ref percent-decoded; "
	    "lastUpdated is the time; response joined into action");
	s = find(d, "CVE-2024-0001", 0);
	assert_non_null(s);
	assert_string_equal(s->product, "ref:zlib@fw");
	assert_string_equal(s->serial,
	    "urn:uuid:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
	assert_int_equal(s->state, VIGIL_VEX_NOT_AFFECTED);
	assert_string_equal(s->justification, "code_not_reachable");
	assert_string_equal(s->detail, "the parser is compiled out");
	assert_string_equal(s->action, "will_not_fix, update");
	assert_int_equal(s->time_ms, INT64_C(1740830400000));
	s = find(d, "CVE-2024-0001", 1);
	assert_string_equal(s->product, "ref:busybox-1");
	assert_string_equal(s->serial, "");
	say("versions[] entries are separate statements, state from status");
	assert_int_equal(count(d, "CVE-2024-0004"), 2);
	s = find(d, "CVE-2024-0004", 0);
	assert_int_equal(s->state, VIGIL_VEX_AFFECTED);
	say("the version or range goes to versions, not into detail");
	assert_string_equal(s->versions, "3.0.1");
	assert_string_equal(s->detail, "");
	s = find(d, "CVE-2024-0004", 1);
	assert_int_equal(s->state, VIGIL_VEX_UNDER_INVESTIGATION);
	assert_string_equal(s->versions, "vers:generic/>=3.1.0|<3.1.5");
	assert_string_equal(s->detail, "");
	say("a statement without versions[] is about every version");
	assert_string_equal(find(d, "CVE-2024-0005", 0)->versions, "");
	say("no affects[]: the whole product; resolved_with_pedigree -> "
	    "fixed; false_positive kept");
	s = find(d, "CVE-2024-0005", 0);
	assert_string_equal(s->product, "");
	assert_int_equal(s->state, VIGIL_VEX_FIXED);
	assert_int_equal(s->time_ms, INT64_C(1743465600000));
	assert_int_equal(find(d, "CVE-2024-0007", 0)->state,
	    VIGIL_VEX_FALSE_POSITIVE);
	vigil_vex_doc_free(d);
}

static void
openvex_uses_subcomponents_aliases_and_impact(void **state)
{
	struct vigil_vex_doc *d = parse_fixture("openvex.json",
	    VIGIL_VEX_OPENVEX);
	const struct vigil_vex_stmt *s;

	(void)state;
	say("OpenVEX: @id and timestamp; 5 kept, 2 refused with where");
	assert_string_equal(d->id, "https://example.com/vex/fw-2.1");
	assert_int_equal(d->time_ms, INT64_C(1746093600000));
	assert_int_equal(d->nstmts, 5);
	assert_int_equal(d->nrejected, 2);
	assert_true(rejected_has(d, "statements[1]: not_affected without a "
	    "justification or impact_statement"));
	assert_true(rejected_has(d, "statements[5].status"));
	say("the subcomponent is the product; aliases get the statement too");
	s = find(d, "CVE-2024-1001", 0);
	assert_non_null(s);
	assert_string_equal(s->product, "pkg:generic/busybox@1.36.1");
	assert_string_equal(s->justification,
	    "vulnerable_code_not_in_execute_path");
	s = find(d, "GHSA-aaaa-bbbb-cccc", 0);
	assert_non_null(s);
	assert_string_equal(s->product, "pkg:generic/busybox@1.36.1");
	say("impact_statement alone suffices; statement timestamp wins");
	s = find(d, "CVE-2024-1003", 0);
	assert_int_equal(s->state, VIGIL_VEX_NOT_AFFECTED);
	assert_string_equal(s->justification, "impact_statement");
	assert_string_equal(s->detail, "only the static resolver is shipped");
	assert_int_equal(s->time_ms, INT64_C(1748736000000));
	say("v0.0.1 string vulnerability and products; action_statement");
	s = find(d, "CVE-2024-1004", 0);
	assert_int_equal(s->state, VIGIL_VEX_AFFECTED);
	assert_string_equal(s->product, "pkg:generic/openssl@3.0.1");
	assert_string_equal(s->action, "update to 3.0.2");
	say("an IRI product resolves to its identifiers.purl");
	assert_string_equal(find(d, "CVE-2024-1005", 0)->product,
	    "pkg:generic/x@1");
	vigil_vex_doc_free(d);
}

static void
openvex_never_widens_a_malformed_product(void **state)
{
	struct vigil_vex_doc *d = NULL;
	char err[512];

	(void)state;
	say("OpenVEX: a bad subcomponent is refused, not widened to its "
	    "product; a bad product is not widened to every component");
	assert_int_equal(parse_text("{\"@context\":\"https://openvex.dev/"
	    "ns/v0.2.0\",\"statements\":[{\"vulnerability\":{\"name\":"
	    "\"CVE-1\"},\"status\":\"fixed\",\"products\":[{\"@id\":"
	    "\"pkg:a/p@1\",\"subcomponents\":[{\"x\":1},{\"@id\":"
	    "\"pkg:a/s@2\"}]},{\"y\":2}]}]}", &d, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(d->nstmts, 1);
	assert_string_equal(d->stmts[0].product, "pkg:a/s@2");
	assert_int_equal(d->nrejected, 2);
	assert_true(rejected_has(d, "statements[0].products[0]."
	    "subcomponents[0]: no @id"));
	assert_true(rejected_has(d, "statements[0].products[1]: no @id"));
	vigil_vex_doc_free(d);
	say("0.0.1 statement-level subcomponents replace the products");
	assert_int_equal(parse_text("{\"@context\":\"https://openvex.dev/"
	    "ns\",\"statements\":[{\"vulnerability\":\"CVE-2\","
	    "\"products\":[\"pkg:a/p@1\"],\"subcomponents\":"
	    "[\"pkg:a/c\"],\"status\":\"under_investigation\"}]}", &d,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(d->nstmts, 1);
	assert_string_equal(d->stmts[0].product, "pkg:a/c");
	vigil_vex_doc_free(d);
}

static void
csaf_resolves_the_product_tree(void **state)
{
	struct vigil_vex_doc *d = parse_fixture("csaf.json", VIGIL_VEX_AUTO);
	const struct vigil_vex_stmt *s;

	(void)state;
	say("CSAF: tracking id and current_release_date");
	assert_string_equal(d->id, "EX-VEX-2025-0001");
	assert_int_equal(d->time_ms, INT64_C(1751328000000));
	assert_int_equal(d->nstmts, 5);
	assert_int_equal(d->nrejected, 2);
	assert_true(rejected_has(d, "vulnerabilities[1].product_status."
	    "known_not_affected[1] (ROUTER-2.1): not_affected without"));
	assert_true(rejected_has(d, "product_id 'NOPE' not in product_tree"));
	say("nested branch -> CPE helper; remediation -> action");
	s = find(d, "CVE-2024-2001", 0);
	assert_string_equal(s->product,
	    "cpe:2.3:h:example:router:2.1:*:*:*:*:*:*:*");
	assert_int_equal(s->state, VIGIL_VEX_AFFECTED);
	assert_string_equal(s->action, "vendor_fix: update to 2.2");
	say("relationship -> the component's purl; group flag -> "
	    "justification; no helper -> name:");
	s = find(d, "CVE-2024-2001", 1);
	assert_string_equal(s->product, "pkg:generic/busybox@1.36.1");
	assert_string_equal(s->justification, "vulnerable_code_not_present");
	s = find(d, "CVE-2024-2001", 2);
	assert_string_equal(s->product, "name:zlib");
	say("impact threat alone justifies; ids[].text without cve");
	s = find(d, "CVE-2024-2002", 0);
	assert_string_equal(s->justification, "impact_statement");
	assert_string_equal(s->detail, "zlib's inflate is not used");
	assert_int_equal(find(d, "EX-2025-7", 0)->state,
	    VIGIL_VEX_UNDER_INVESTIGATION);
	vigil_vex_doc_free(d);
}

static void
buildroot_ignore_cves_import_as_fixed(void **state)
{
	struct vigil_vex_doc *d = parse_fixture("buildroot.json",
	    VIGIL_VEX_AUTO);
	const struct vigil_vex_stmt *s;

	(void)state;
	say("Buildroot: each ignore_cves entry is fixed for name:<pkg>");
	assert_int_equal(d->format, VIGIL_VEX_BUILDROOT);
	assert_int_equal(d->nstmts, 3);
	s = find(d, "CVE-2022-28391", 0);
	assert_string_equal(s->product, "name:busybox");
	assert_int_equal(s->state, VIGIL_VEX_FIXED);
	assert_string_equal(s->detail,
	    "ignored/patched in Buildroot (ignore_cves)");
	assert_int_equal(s->time_ms, 0);
	assert_int_equal(count(d, "CVE-2024-2961"), 1);
	say("a non-string entry is refused with its path");
	assert_int_equal(d->nrejected, 1);
	assert_true(rejected_has(d, "glibc.ignore_cves[1]"));
	vigil_vex_doc_free(d);
}

static void
yocto_maps_patched_ignored_unpatched(void **state)
{
	struct vigil_vex_doc *d = parse_fixture("yocto.json", VIGIL_VEX_AUTO);
	const struct vigil_vex_stmt *s;

	(void)state;
	say("Yocto: Patched -> fixed, Ignored -> not_affected, Unpatched -> "
	    "nothing");
	assert_int_equal(d->format, VIGIL_VEX_YOCTO);
	assert_int_equal(d->nstmts, 4);
	assert_int_equal(find(d, "CVE-2024-3001", 0)->state, VIGIL_VEX_FIXED);
	assert_string_equal(find(d, "CVE-2024-3001", 0)->product,
	    "name:openssl");
	assert_int_equal(count(d, "CVE-2024-3005"), 0);
	say("Ignored details map to justifications; unknown -> "
	    "requires_environment");
	s = find(d, "CVE-2024-3002", 0);
	assert_int_equal(s->state, VIGIL_VEX_NOT_AFFECTED);
	assert_string_equal(s->justification, "code_not_present");
	assert_string_equal(find(d, "CVE-2024-3003", 0)->justification,
	    "requires_configuration");
	s = find(d, "CVE-2024-3004", 0);
	assert_string_equal(s->justification, "requires_environment");
	assert_string_equal(s->detail, "Yocto cve-check: Ignored (disputed)");
	assert_true(rejected_has(d, "package[0].issue[5].status"));
	vigil_vex_doc_free(d);
}

static void
unreadable_or_empty_documents_are_refused(void **state)
{
	struct vigil_vex_doc *d = (struct vigil_vex_doc *)1;
	char err[512];

	(void)state;
	say("not JSON, duplicate keys: EINVAL, *out cleared");
	assert_int_equal(parse_text("{\"bomFormat\":", &d, err, sizeof err),
	    VIGIL_EINVAL);
	assert_null(d);
	assert_int_equal(parse_text("{\"a\":1,\"a\":2}", &d, err, sizeof err),
	    VIGIL_EINVAL);
	say("an SBOM without vulnerabilities: no statements");
	assert_int_equal(parse_text("{\"bomFormat\":\"CycloneDX\","
	    "\"specVersion\":\"1.6\",\"components\":[]}", &d, err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "no statements"));
	say("every statement refused: EINVAL quoting the first reason");
	assert_int_equal(parse_text("{\"@context\":\"https://openvex.dev/ns/"
	    "v0.2.0\",\"statements\":[{\"vulnerability\":{\"name\":\"CVE-1\"},"
	    "\"status\":\"not_affected\"}]}", &d, err, sizeof err),
	    VIGIL_EINVAL);
	assert_non_null(strstr(err, "statements[0]: not_affected without"));
	say("explicit format that does not fit; CSAF of another category");
	assert_int_equal(vigil_vex_parse("{}", 2, VIGIL_VEX_CYCLONEDX, &d,
	    err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "bomFormat"));
	assert_int_equal(parse_text("{\"document\":{\"category\":"
	    "\"csaf_security_advisory\"}}", &d, err, sizeof err),
	    VIGIL_EINVAL);
	assert_non_null(strstr(err, "is not csaf_vex"));
	say("unknown JSON: names the formats it tried");
	assert_int_equal(parse_text("{\"x\":1}", &d, err, sizeof err),
	    VIGIL_EINVAL);
	assert_non_null(strstr(err, "not CycloneDX, OpenVEX"));
	assert_int_equal(vigil_vex_parse("{}", 2, (enum vigil_vex_format)9,
	    &d, err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_vex_parse(NULL, 0, VIGIL_VEX_AUTO, &d, err,
	    sizeof err), VIGIL_EINVAL);
	vigil_vex_doc_free(NULL);
}

static void
csaf_branch_nesting_is_bounded(void **state)
{
	char *doc = malloc(16384);
	struct vigil_vex_doc *d = NULL;
	char err[512];
	size_t n = 0;

	(void)state;
	say("CSAF branches nested 40 deep: ERANGE, not a deep recursion");
	assert_non_null(doc);
	n += (size_t)snprintf(doc + n, 16384 - n, "{\"document\":{\"category\""
	    ":\"csaf_vex\"},\"product_tree\":");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(doc + n, 16384 - n, "{\"branches\":[");
	n += (size_t)snprintf(doc + n, 16384 - n, "{}");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(doc + n, 16384 - n, "]}");
	n += (size_t)snprintf(doc + n, 16384 - n, "}");
	assert_int_equal(vigil_vex_parse(doc, n, VIGIL_VEX_AUTO, &d, err,
	    sizeof err), VIGIL_ERANGE);
	assert_non_null(strstr(err, "nested deeper than"));
	free(doc);
}

static void
rejections_are_capped_and_counted(void **state)
{
	struct vigil_buf doc;
	struct vigil_vex_doc *d = NULL;
	char err[512];

	(void)state;
	say("1500 bad ignore_cves entries: 1000 listed, the last one counts "
	    "the other 501; the good entry is kept");
	vigil_buf_init(&doc, 1 << 20);
	assert_int_equal(vigil_buf_appends(&doc, "{\"bb\":{\"type\":"
	    "\"target\",\"version\":\"1\",\"virtual\":false,"
	    "\"ignore_cves\":[\"CVE-2024-1\""), VIGIL_OK);
	for (int i = 0; i < 1500; i++)
		assert_int_equal(vigil_buf_appends(&doc, ",1"), VIGIL_OK);
	assert_int_equal(vigil_buf_appends(&doc, "]}}"), VIGIL_OK);
	assert_int_equal(vigil_vex_parse(doc.data, doc.len, VIGIL_VEX_AUTO,
	    &d, err, sizeof err), VIGIL_OK);
	assert_int_equal(d->nstmts, 1);
	assert_int_equal(d->nrejected, 1000);
	assert_string_equal(d->rejected[999],
	    "... and 501 more refused statements");
	vigil_vex_doc_free(d);
	vigil_buf_free(&doc);
}

/* A statement built in the test, strings borrowed. */
static struct vigil_vex_stmt
mk(const char *vuln, const char *product, enum vigil_vex_state st,
    int64_t ms)
{
	struct vigil_vex_stmt s;

	memset(&s, 0, sizeof s);
	s.vuln = (char *)vuln;
	s.product = (char *)product;
	s.serial = (char *)"";
	s.state = st;
	s.justification = (char *)"";
	s.detail = (char *)"";
	s.action = (char *)"";
	s.time_ms = ms;
	s.versions = (char *)"";
	return s;
}

static struct vigil_sbom_component
comp(const char *ref, const char *name, const char *purl, const char *cpe)
{
	struct vigil_sbom_component c;

	memset(&c, 0, sizeof c);
	c.ref = (char *)ref;
	c.name = (char *)name;
	c.version = (char *)"";
	c.purl = (char *)purl;
	c.cpe = (char *)cpe;
	return c;
}

static void
lookup_newest_wins_ties_go_to_the_later(void **state)
{
	struct vigil_vex_stmt s[4];
	const struct vigil_vex_stmt *p[4];
	const char *ids[] = { "CVE-2024-9", "GHSA-xxxx" };
	struct vigil_sbom_component c = comp("bb", "busybox",
	    "pkg:generic/busybox@1.36.1", "");

	(void)state;
	s[0] = mk("cve-2024-9", "", VIGIL_VEX_AFFECTED, 300);
	s[1] = mk("GHSA-XXXX", "name:BusyBox", VIGIL_VEX_NOT_AFFECTED, 200);
	s[2] = mk("CVE-2024-9", "ref:bb", VIGIL_VEX_FIXED, 100);
	s[3] = mk("CVE-2024-8", "", VIGIL_VEX_FIXED, 900);
	for (int i = 0; i < 4; i++)
		p[i] = &s[i];
	say("ids match case-insensitively, aliases too; newest wins");
	assert_ptr_equal(vigil_vex_lookup(p, 4, ids, 2, &c), &s[0]);
	say("an older statement wins once the newer one is gone");
	assert_ptr_equal(vigil_vex_lookup(p + 1, 3, ids, 2, &c), &s[1]);
	say("equal times: the later in the array");
	s[2].time_ms = 200;
	assert_ptr_equal(vigil_vex_lookup(p + 1, 3, ids, 2, &c), &s[2]);
	say("another vulnerability: NULL; NULL entries skipped");
	assert_null(vigil_vex_lookup(p + 3, 1, ids, 2, &c));
	p[0] = NULL;
	assert_ptr_equal(vigil_vex_lookup(p, 3, ids, 2, &c), &s[2]);
	assert_null(vigil_vex_lookup(p, 4, ids, 0, &c));
	assert_null(vigil_vex_lookup(NULL, 0, ids, 2, &c));
}

static int
applies(const char *product, const struct vigil_sbom_component *c)
{
	struct vigil_vex_stmt s = mk("CVE-1", product, VIGIL_VEX_FIXED, 1);
	const struct vigil_vex_stmt *p = &s;
	const char *ids[] = { "CVE-1" };

	return vigil_vex_lookup(&p, 1, ids, 1, c) == &s;
}

static void
lookup_matches_purl_cpe_ref_and_name(void **state)
{
	struct vigil_sbom_component c = comp("zl-1", "zlib",
	    "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=12",
	    "cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*");
	struct vigil_sbom_component bare = comp("x", "", "", "");

	(void)state;
	say("purl without version: every version; qualifiers ignored");
	assert_true(applies("pkg:deb/debian/zlib1g", &c));
	assert_true(applies("pkg:DEB/debian/zlib1g?arch=i386", &c));
	say("purl with version: must equal, percent-encoding undone");
	assert_true(applies("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1", &c));
	assert_true(applies("pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1", &c));
	assert_false(applies("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-2", &c));
	assert_false(applies("pkg:deb/debian/zlib", &c));
	say("CPE: field by field, '*' in the statement is any");
	assert_true(applies("cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*", &c));
	assert_true(applies("cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*", &c));
	assert_false(applies("cpe:2.3:a:zlib:zlib:1.2.12:*:*:*:*:*:*:*", &c));
	assert_false(applies("cpe:2.3:a:gnu:zlib:*:*:*:*:*:*:*:*", &c));
	say("ref exact, name case-insensitive, \"\" every component");
	assert_true(applies("ref:zl-1", &c));
	assert_false(applies("ref:ZL-1", &c));
	assert_true(applies("name:ZLIB", &c));
	assert_false(applies("name:zlib1g", &c));
	assert_true(applies("", &c));
	assert_true(applies("", &bare));
	say("a component without purl/CPE/name matches none of those");
	assert_false(applies("pkg:deb/debian/zlib1g", &bare));
	assert_false(applies("cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*", &bare));
	assert_false(applies("name:", &bare));
	assert_false(applies("https://example.com/x", &c));
}

static void
lookup_on_a_parsed_document(void **state)
{
	struct vigil_vex_doc *d = parse_fixture("openvex.json",
	    VIGIL_VEX_AUTO);
	const struct vigil_vex_stmt **p = calloc(d->nstmts, sizeof *p);
	struct vigil_sbom_component bb = comp("bb", "busybox",
	    "pkg:generic/busybox@1.36.1?arch=arm", "");
	struct vigil_sbom_component old = comp("bb", "busybox",
	    "pkg:generic/busybox@1.35.0", "");
	const char *ghsa[] = { "GHSA-aaaa-bbbb-cccc" };

	(void)state;
	say("OpenVEX alias statement found for busybox 1.36.1 only");
	assert_non_null(p);
	for (size_t i = 0; i < d->nstmts; i++)
		p[i] = &d->stmts[i];
	assert_int_equal(vigil_vex_lookup(p, d->nstmts, ghsa, 1, &bb)->state,
	    VIGIL_VEX_NOT_AFFECTED);
	assert_null(vigil_vex_lookup(p, d->nstmts, ghsa, 1, &old));
	free(p);
	vigil_vex_doc_free(d);
}

/* CISA's Case 6: one product, 2.4 affected, 4.2 not affected. */
static const char case6[] =
    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
    "\"version\":1,\"vulnerabilities\":[{\"id\":\"CVE-2025-0606\","
    "\"analysis\":{\"state\":\"not_affected\",\"justification\":"
    "\"code_not_present\"},\"affects\":[{\"ref\":\"prod\","
    "\"versions\":[{\"version\":\"2.4\",\"status\":\"affected\"},"
    "{\"version\":\"4.2\",\"status\":\"unaffected\"},"
    "{\"range\":\"vers:semver/>=1.0.0|<2.0.0\",\"status\":"
    "\"unaffected\"},"
    "{\"range\":\"vers:semver/>=1.0|<2.0\",\"status\":"
    "\"unknown\"},"
    "{\"range\":\"vers:generic/>=5.0|<6.0|!=5.5|7.1\",\"status\":"
    "\"affected\"},"
    "{\"range\":\"2.4\",\"status\":\"affected\"}"
    "]}]}]}";

static enum vigil_vex_state
state_for(const struct vigil_vex_doc *d, const char *version,
    const char *purl)
{
	const struct vigil_vex_stmt *p[16];
	const char *ids[] = { "CVE-2025-0606" };
	struct vigil_sbom_component c = comp("prod", "prod", purl, "");
	const struct vigil_vex_stmt *s;

	c.version = (char *)version;
	for (size_t i = 0; i < d->nstmts && i < 16; i++)
		p[i] = &d->stmts[i];
	s = vigil_vex_lookup(p, d->nstmts, ids, 1, &c);
	return s != NULL ? s->state : VIGIL_VEX_NONE;
}

static void
lookup_narrows_by_version_and_vers_range(void **state)
{
	struct vigil_vex_doc *d = NULL;
	char err[256];

	(void)state;
	say("CycloneDX versions[]: a range that is not \"vers:\" refused");
	assert_int_equal(vigil_vex_parse(case6, strlen(case6),
	    VIGIL_VEX_AUTO, &d, err, sizeof err), VIGIL_OK);
	assert_int_equal(d->nstmts, 5);
	assert_int_equal(d->nrejected, 1);
	assert_true(rejected_has(d, "affects[0].versions[5].range: not a "
	    "\"vers:\" range"));
	assert_string_equal(d->stmts[0].versions, "2.4");
	assert_string_equal(d->stmts[1].versions, "4.2");
	say("Case 6: 2.4 affected, 4.2 not_affected, 3.0 no statement");
	assert_int_equal(state_for(d, "2.4", ""), VIGIL_VEX_AFFECTED);
	assert_int_equal(state_for(d, "4.2", ""), VIGIL_VEX_NOT_AFFECTED);
	assert_int_equal(state_for(d, "3.0", ""), VIGIL_VEX_NONE);
	say("exact versions compare under the scheme: 2.4.0 == 2.4 (generic)");
	assert_int_equal(state_for(d, "2.4.0", ""), VIGIL_VEX_AFFECTED);
	say("the version may come from the purl; the purl's scheme rules "
	    "(npm: SemVer, where 2.4 does not parse: nothing applies)");
	assert_int_equal(state_for(d, "", "pkg:generic/prod@4.2"),
	    VIGIL_VEX_NOT_AFFECTED);
	assert_int_equal(state_for(d, "", "pkg:npm/prod@4.2"),
	    VIGIL_VEX_NONE);
	say("vers:semver/>=1.0.0|<2.0.0: 1.0.0 and 1.9.9 in, 2.0.0 and "
	    "0.9.0 out");
	assert_int_equal(state_for(d, "1.0.0", ""), VIGIL_VEX_NOT_AFFECTED);
	assert_int_equal(state_for(d, "1.9.9", ""), VIGIL_VEX_NOT_AFFECTED);
	assert_int_equal(state_for(d, "2.0.0", ""), VIGIL_VEX_NONE);
	assert_int_equal(state_for(d, "0.9.0", ""), VIGIL_VEX_NONE);
	say("vers:semver/>=1.0|<2.0: its bounds are not SemVer 2.0.0, so "
	    "it places no version (1.5 and 1.5.0 get nothing from it)");
	assert_int_equal(state_for(d, "1.5", ""), VIGIL_VEX_NONE);
	say("vers:generic/>=5.0|<6.0|!=5.5|7.1: interval, != and = ");
	assert_int_equal(state_for(d, "5.0", ""), VIGIL_VEX_AFFECTED);
	assert_int_equal(state_for(d, "5.9", ""), VIGIL_VEX_AFFECTED);
	assert_int_equal(state_for(d, "5.5", ""), VIGIL_VEX_NONE);
	assert_int_equal(state_for(d, "6.0", ""), VIGIL_VEX_NONE);
	assert_int_equal(state_for(d, "7.1", ""), VIGIL_VEX_AFFECTED);
	assert_int_equal(state_for(d, "7.2", ""), VIGIL_VEX_NONE);
	say("a component without any version matches no scoped statement");
	assert_int_equal(state_for(d, "", ""), VIGIL_VEX_NONE);
	vigil_vex_doc_free(d);
}

static int
in_range(const char *range, const char *version)
{
	struct vigil_vex_stmt s = mk("CVE-1", "", VIGIL_VEX_FIXED, 1);
	const struct vigil_vex_stmt *p = &s;
	const char *ids[] = { "CVE-1" };
	struct vigil_sbom_component c = comp("x", "x", "", "");

	s.versions = (char *)range;
	c.version = (char *)version;
	return vigil_vex_lookup(&p, 1, ids, 1, &c) == &s;
}

static void
vers_ranges_follow_the_spec(void **state)
{
	(void)state;
	say("'*' is every version; a lone < or > bounds one side");
	assert_true(in_range("vers:generic/*", "0.1"));
	assert_true(in_range("vers:generic/<2", "1.9"));
	assert_false(in_range("vers:generic/<2", "2"));
	assert_true(in_range("vers:generic/<=2", "2"));
	assert_true(in_range("vers:generic/>2", "2.1"));
	assert_false(in_range("vers:generic/>2", "2"));
	say("unsorted constraints are sorted before evaluation");
	assert_true(in_range("vers:generic/<3|>=2", "2.5"));
	assert_false(in_range("vers:generic/<3|>=2", "3"));
	say("two intervals: <1 | >=2 <3 | >=4");
	assert_true(in_range("vers:generic/<1|>=2|<3|>=4", "0.5"));
	assert_false(in_range("vers:generic/<1|>=2|<3|>=4", "1.5"));
	assert_true(in_range("vers:generic/<1|>=2|<3|>=4", "2.5"));
	assert_false(in_range("vers:generic/<1|>=2|<3|>=4", "3.5"));
	assert_true(in_range("vers:generic/<1|>=2|<3|>=4", "9"));
	say("the range's scheme orders: deb epochs, pypi pre-releases");
	assert_true(in_range("vers:deb/>=1:1.0|<1:2.0", "1:1.5-1"));
	assert_false(in_range("vers:deb/>=1:1.0|<1:2.0", "1.5-1"));
	assert_true(in_range("vers:pypi/<2.0", "2.0rc1"));
	say("percent-encoded versions and spaces; malformed ranges place "
	    "nothing");
	assert_true(in_range("vers:generic/ >= 1.0 | < 2.0", "1.2"));
	assert_true(in_range("vers:generic/=1.0%2B1", "1.0+1"));
	assert_false(in_range("vers:generic/", "1.0"));
	assert_false(in_range("vers:generic/>=1.0||<2.0", "1.2"));
	assert_false(in_range("vers:/<2", "1.0"));
	assert_false(in_range("vers:generic", "1.0"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip_and_accept_every_spelling),
		cmocka_unit_test(detect_tells_the_five_formats_apart),
		cmocka_unit_test(cyclonedx_keeps_good_and_refuses_bad),
		cmocka_unit_test(openvex_uses_subcomponents_aliases_and_impact),
		cmocka_unit_test(openvex_never_widens_a_malformed_product),
		cmocka_unit_test(csaf_resolves_the_product_tree),
		cmocka_unit_test(buildroot_ignore_cves_import_as_fixed),
		cmocka_unit_test(yocto_maps_patched_ignored_unpatched),
		cmocka_unit_test(unreadable_or_empty_documents_are_refused),
		cmocka_unit_test(csaf_branch_nesting_is_bounded),
		cmocka_unit_test(rejections_are_capped_and_counted),
		cmocka_unit_test(lookup_newest_wins_ties_go_to_the_later),
		cmocka_unit_test(lookup_matches_purl_cpe_ref_and_name),
		cmocka_unit_test(lookup_on_a_parsed_document),
		cmocka_unit_test(lookup_narrows_by_version_and_vers_range),
		cmocka_unit_test(vers_ranges_follow_the_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
