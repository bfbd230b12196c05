/*
 * SBOM readers, quality report and CycloneDX 1.6 export
 * (src/lib/vuln/sbom*.c) on small documents of our own in
 * tests/data/sbom/: CycloneDX 1.4/1.5/1.6 with nested components and
 * dependency graphs, SPDX 2.2 JSON (PACKAGE_MANAGER spelling), SPDX 2.3
 * JSON and tag-value; Buildroot `make show-info` JSON; broken documents
 * with the exact error; export and parse back; VEX export.
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

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/sbom/%s", TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct vigil_sbom *
load(const char *name, enum vigil_sbom_format want)
{
	struct vigil_sbom *s = NULL;
	char err[512];
	size_t len;
	char *buf = slurp(name, &len);
	enum vigil_err rc;

	assert_int_equal(vigil_sbom_detect(buf, len), want);
	rc = vigil_sbom_parse(buf, len, VIGIL_SBOM_AUTO, &s, err, sizeof err);
	free(buf);
	if (rc != VIGIL_OK)
		fail_msg("%s: %s", name, err);
	assert_int_equal(s->format, want);
	return s;
}

static const struct vigil_sbom_component *
comp(const struct vigil_sbom *s, const char *ref)
{
	for (size_t i = 0; i < s->ncomponents; i++)
		if (strcmp(s->components[i].ref, ref) == 0)
			return &s->components[i];
	fail_msg("no component %s", ref);
	return NULL;
}

static int
has_warning(const struct vigil_sbom *s, const char *text)
{
	for (size_t i = 0; i < s->nwarnings; i++)
		if (strcmp(s->warnings[i], text) == 0)
			return 1;
	return 0;
}

static void
expect_error(const char *name, enum vigil_err code, const char *text)
{
	struct vigil_sbom *s = (struct vigil_sbom *)1;
	char err[512];
	size_t len;
	char *buf = slurp(name, &len);

	err[0] = '\0';
	assert_int_equal(vigil_sbom_parse(buf, len, VIGIL_SBOM_AUTO, &s, err,
	    sizeof err), code);
	assert_null(s);
	assert_string_equal(err, text);
	free(buf);
}

static void
format_names_and_sniffing(void **state)
{
	(void)state;
	say("format names round-trip; sniffing JSON and tag-value");
	for (int f = VIGIL_SBOM_CYCLONEDX; f <= VIGIL_SBOM_BUILDROOT; f++)
		assert_int_equal(vigil_sbom_format_from_name(
		    vigil_sbom_format_name((enum vigil_sbom_format)f)), f);
	assert_string_equal(vigil_sbom_format_name(VIGIL_SBOM_CYCLONEDX),
	    "cyclonedx");
	assert_int_equal(vigil_sbom_format_from_name("CDX"),
	    VIGIL_SBOM_CYCLONEDX);
	assert_int_equal(vigil_sbom_format_from_name("xml"),
	    VIGIL_SBOM_AUTO);
	assert_int_equal(vigil_sbom_detect("  {\"bomFormat\":1}", 17),
	    VIGIL_SBOM_CYCLONEDX);
	assert_int_equal(vigil_sbom_detect("{\"spdxVersion\":1}", 17),
	    VIGIL_SBOM_SPDX_JSON);
	assert_int_equal(vigil_sbom_detect("SPDXVersion: SPDX-2.2\n", 22),
	    VIGIL_SBOM_SPDX_TV);
	assert_int_equal(vigil_sbom_detect("{\"a\":1}", 7), VIGIL_SBOM_AUTO);
	say("key order does not matter; a quoted key in a string does not "
	    "count");
	assert_int_equal(vigil_sbom_detect("{\"c\":\"x \\\"bomFormat\\\"\","
	    "\"spdxVersion\":1}", 39), VIGIL_SBOM_SPDX_JSON);
	assert_int_equal(vigil_sbom_detect("", 0), VIGIL_SBOM_AUTO);
}

static void
cyclonedx_14_flattens_nesting_and_names_missing_refs(void **state)
{
	struct vigil_sbom *s = load("cdx14-router.json",
	    VIGIL_SBOM_CYCLONEDX);
	const struct vigil_sbom_component *c;

	(void)state;
	say("CycloneDX 1.4: header, 1.4 tools array, authors, subject");
	assert_string_equal(s->spec_version, "1.4");
	assert_string_equal(s->serial,
	    "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
	assert_int_equal(s->bom_version, 3);
	assert_int_equal(s->created_ms, 1709287200000LL);
	assert_string_equal(s->authors, "Build Bot; fw@example.org");
	assert_string_equal(s->tools, "Acme fwscan 2.1");
	assert_string_equal(s->subject.ref, "fw");
	assert_string_equal(s->subject.type, "firmware");
	assert_string_equal(s->subject.supplier, "Example Routers");
	assert_int_equal(s->subject.ndeps, 2);
	assert_string_equal(s->subject.deps[0], "busybox");
	assert_string_equal(s->subject.deps[1], "libcrypto");

	say("nested components flattened in document order");
	assert_int_equal(s->ncomponents, 4);
	assert_string_equal(s->components[0].name, "busybox");
	assert_string_equal(s->components[1].name, "openssl");
	assert_string_equal(s->components[2].name, "libcrypto");
	assert_string_equal(s->components[3].name, "libcrypto.so.3");

	say("a missing bom-ref becomes c<N>, skipping the written 'c1'");
	assert_string_equal(s->components[1].ref, "c2");
	assert_string_equal(s->components[3].ref, "c1");

	say("hash lowercased; a short MD5 dropped with a warning");
	c = comp(s, "busybox");
	assert_int_equal(c->nhashes, 1);
	assert_string_equal(c->hashes[0].alg, "SHA-256");
	assert_string_equal(c->hashes[0].value, "0d2c5df2e8a1a0b3d6b7c8e9f0"
	    "0112233445566778899aabbccddeeff0011223");
	assert_string_equal(c->license, "GPL-2.0-only");
	assert_true(has_warning(s, "components[0].hashes[1] (busybox): MD5 "
	    "value of 4 characters dropped (expected 32 hex digits)"));

	say("CPE 2.2 URI bound to 2.3; dangling dependsOn is a warning");
	c = comp(s, "c1");
	assert_string_equal(c->cpe,
	    "cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*");
	c = comp(s, "libcrypto");
	assert_int_equal(c->ndeps, 1);
	assert_string_equal(c->deps[0], "c1");
	assert_true(has_warning(s, "dependencies[2].dependsOn[1]: ref "
	    "'ghost' names no component, dependency dropped"));
	assert_int_equal(s->nwarnings, 2);
	assert_true(s->has_dependencies);
	vigil_sbom_free(s);
}

static void
cyclonedx_15_tools_object_and_bad_purl(void **state)
{
	struct vigil_sbom *s = load("cdx15-sensor.json",
	    VIGIL_SBOM_CYCLONEDX);
	const struct vigil_sbom_component *c;

	(void)state;
	say("CycloneDX 1.5: tools {components, services}, offset time");
	assert_string_equal(s->tools, "acme sbomgen 0.9; build-farm");
	assert_string_equal(s->authors, "");
	assert_int_equal(s->created_ms, 1714631415250LL);
	say("a purl that does not parse: component kept, purl cleared");
	c = comp(s, "bad-purl");
	assert_string_equal(c->name, "mystery");
	assert_string_equal(c->purl, "");
	assert_int_equal(s->nwarnings, 1);
	assert_non_null(strstr(s->warnings[0],
	    "components[1] (mystery): purl dropped: "));
	c = comp(s, "zlib");
	assert_string_equal(c->purl, "pkg:deb/debian/zlib@1.3.1?arch=armhf");
	assert_string_equal(c->hashes[0].alg, "SHA-1");
	vigil_sbom_free(s);
}

static void
cyclonedx_16_graph_and_quality_ok(void **state)
{
	struct vigil_sbom *s = load("cdx16-gateway.json",
	    VIGIL_SBOM_CYCLONEDX);
	struct vigil_sbom_quality q;
	const struct vigil_sbom_component *c;
	json_t *j;

	(void)state;
	say("CycloneDX 1.6: nested OS component, graph, licence expression");
	assert_int_equal(s->ncomponents, 3);
	c = comp(s, "linux");
	assert_string_equal(c->type, "operating-system");
	assert_int_equal(c->ndeps, 1);
	assert_string_equal(c->deps[0], "musl");
	assert_string_equal(comp(s, "musl")->license, "MIT");
	assert_int_equal(s->nwarnings, 0);
	say("every NTIA element present: ntia_ok");
	vigil_sbom_quality(s, &q);
	assert_int_equal(q.components, 3);
	assert_int_equal(q.missing_supplier, 0);
	assert_int_equal(q.missing_identifier, 0);
	assert_int_equal(q.missing_hash, 2);
	assert_true(q.has_author && q.has_timestamp && q.has_dependencies);
	assert_true(q.ntia_ok);
	j = vigil_sbom_quality_to_json(&q);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "components")), 3);
	assert_true(json_is_true(json_object_get(j, "ntia_ok")));
	assert_int_equal(json_integer_value(json_object_get(j,
	    "cannot_be_matched")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "ntia_minimum_elements"), "supplier"),
	    "missing")), 0);
	json_decref(j);
	vigil_sbom_free(s);
}

static void
spdx22_json_package_manager_and_cpe22(void **state)
{
	struct vigil_sbom *s = load("spdx22-camera.json",
	    VIGIL_SBOM_SPDX_JSON);
	const struct vigil_sbom_component *c;
	struct vigil_sbom_quality q;

	(void)state;
	say("SPDX 2.2 JSON: namespace, creators split into authors/tools");
	assert_string_equal(s->spec_version, "SPDX-2.2");
	assert_string_equal(s->serial,
	    "https://example.org/spdx/camera-fw-1.4");
	assert_string_equal(s->authors,
	    "Example Cameras Ltd; Jane Roe (jane@example.org)");
	assert_string_equal(s->tools, "yocto-create-spdx");
	say("documentDescribes: the one package is the subject");
	assert_string_equal(s->subject.ref, "SPDXRef-camera");
	assert_string_equal(s->subject.type, "firmware");
	assert_int_equal(s->ncomponents, 2);
	say("PACKAGE_MANAGER (2.2 spelling) purl, cpe23Type, SHA256");
	c = comp(s, "SPDXRef-curl");
	assert_string_equal(c->purl, "pkg:generic/curl@8.4.0");
	assert_string_equal(c->cpe,
	    "cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*");
	assert_string_equal(c->supplier, "curl project");
	assert_string_equal(c->hashes[0].alg, "SHA-256");
	assert_string_equal(c->license, "curl");
	assert_int_equal(c->ndeps, 1);
	assert_string_equal(c->deps[0], "SPDXRef-openssl");
	say("cpe22Type bound to 2.3; NOASSERTION supplier is missing");
	c = comp(s, "SPDXRef-openssl");
	assert_string_equal(c->cpe,
	    "cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*");
	assert_string_equal(c->supplier, "");
	say("an edge to a file is no component and no warning");
	assert_int_equal(s->nwarnings, 0);
	vigil_sbom_quality(s, &q);
	assert_int_equal(q.missing_supplier, 1);
	assert_false(q.ntia_ok);
	vigil_sbom_free(s);
}

static void
spdx23_json_relationships_both_ways(void **state)
{
	struct vigil_sbom *s = load("spdx23-thermostat.json",
	    VIGIL_SBOM_SPDX_JSON);

	(void)state;
	say("SPDX 2.3 JSON: DESCRIBES, DEPENDS_ON and DEPENDENCY_OF");
	assert_string_equal(s->subject.ref, "SPDXRef-thermo");
	assert_int_equal(s->subject.ndeps, 2);
	assert_string_equal(s->subject.deps[0], "SPDXRef-lwip");
	assert_string_equal(s->subject.deps[1], "SPDXRef-mbedtls");
	assert_string_equal(comp(s, "SPDXRef-lwip")->supplier,
	    "Simon Goldschmidt");
	say("bad checksum and dangling relationship are warnings");
	assert_int_equal(comp(s, "SPDXRef-mbedtls")->nhashes, 0);
	assert_true(has_warning(s, "packages[2].checksums[0] (mbedtls): "
	    "SHA-1 value of 10 characters dropped (expected 40 hex digits)"));
	assert_true(has_warning(s, "relationships[3]: ref 'SPDXRef-nowhere' "
	    "names no component, dependency dropped"));
	assert_string_equal(s->authors, "");
	vigil_sbom_free(s);
}

static void
spdx_tag_value_multiline_and_files(void **state)
{
	struct vigil_sbom *s = load("spdx23-plug.spdx", VIGIL_SBOM_SPDX_TV);
	const struct vigil_sbom_component *c;

	(void)state;
	say("tag-value: <text> spanning lines hides its 'PackageName:'");
	assert_int_equal(s->ncomponents, 3);
	assert_string_equal(s->subject.name, "smart-plug");
	assert_string_equal(s->subject.type, "firmware");
	assert_string_equal(s->authors, "Plug Makers Inc");
	assert_string_equal(s->tools, "plug-builder-0.4");
	assert_int_equal(s->created_ms, 1709251199000LL);
	say("package fields, ExternalRef, checksum; files are no component");
	c = comp(s, "SPDXRef-freertos");
	assert_string_equal(c->name, "FreeRTOS-Kernel");
	assert_string_equal(c->version, "10.6.2");
	assert_string_equal(c->supplier, "Amazon");
	assert_string_equal(c->license, "MIT");
	assert_string_equal(c->cpe,
	    "cpe:2.3:o:amazon:freertos:10.6.2:*:*:*:*:*:*:*");
	assert_string_equal(c->purl,
	    "pkg:github/FreeRTOS/FreeRTOS-Kernel@V10.6.2");
	assert_string_equal(c->hashes[0].value, "9a0d7a2b4c1e3f5061728394a5b6"
	    "c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e");
	assert_int_equal(c->ndeps, 0);
	c = comp(s, "SPDXRef-mqtt");
	assert_int_equal(c->ndeps, 2);
	assert_string_equal(c->deps[0], "SPDXRef-freertos");
	assert_string_equal(c->deps[1], "SPDXRef-lwip");
	say("a <text> value of a tag that is read: its inner text");
	c = comp(s, "SPDXRef-lwip");
	assert_string_equal(c->name, "lwIP");
	assert_string_equal(c->version, "2.2.0");
	assert_string_equal(c->license, "BSD-3-Clause");
	assert_int_equal(s->subject.ndeps, 2);
	assert_int_equal(s->nwarnings, 0);
	vigil_sbom_free(s);
}

static void
broken_documents_are_refused_with_what_and_where(void **state)
{
	(void)state;
	say("unsupported versions, duplicate refs, wrong types, no </text>");
	expect_error("bad-cdx13.json", VIGIL_EUNSUPPORTED,
	    "CycloneDX specVersion 1.3: not supported (1.4, 1.5 and 1.6 are)");
	expect_error("bad-dup-ref.json", VIGIL_EINVAL,
	    "CycloneDX components[1].components[0]: ref 'a' already used by "
	    "components[0]");
	expect_error("bad-version-type.json", VIGIL_EINVAL,
	    "CycloneDX components[0].version: not a string");
	expect_error("bad-spdx30.json", VIGIL_EUNSUPPORTED,
	    "SPDX spdxVersion SPDX-3.0: not supported (SPDX-2.2 and SPDX-2.3 "
	    "are)");
	expect_error("bad-unclosed.spdx", VIGIL_EINVAL,
	    "SPDX tag-value line 4: <text> without </text>");
	expect_error("bad-no-colon.spdx", VIGIL_EINVAL,
	    "SPDX tag-value line 4: not 'Tag: value'");
}

/* A CycloneDX document whose components nest depth levels deep. */
static void
nested_doc(struct vigil_buf *nb, int depth)
{
	vigil_buf_init(nb, 1u << 20);
	assert_int_equal(vigil_buf_appends(nb, "{\"bomFormat\":\"CycloneDX\","
	    "\"specVersion\":\"1.6\""), VIGIL_OK);
	for (int i = 0; i < depth; i++)
		assert_int_equal(vigil_buf_appendf(nb, ",\"components\":[{"
		    "\"type\":\"library\",\"name\":\"n%d\"", i), VIGIL_OK);
	for (int i = 0; i < depth; i++)
		assert_int_equal(vigil_buf_appends(nb, "}]"), VIGIL_OK);
	assert_int_equal(vigil_buf_appends(nb, "}"), VIGIL_OK);
}

static void
inline_errors_and_bounds(void **state)
{
	struct vigil_buf nb;
	struct vigil_sbom *s = NULL;
	char err[512], *big;
	const char *dup_key = "{\"bomFormat\":\"CycloneDX\","
	    "\"specVersion\":\"1.6\",\"version\":1,\"version\":2}";
	const char *pre = "{\"bomFormat\":\"CycloneDX\","
	    "\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\","
	    "\"name\":\"";
	size_t n = 5000;

	(void)state;
	say("not an SBOM; duplicate JSON keys; over-long field");
	assert_int_equal(vigil_sbom_parse("hello", 5, VIGIL_SBOM_AUTO, &s,
	    err, sizeof err), VIGIL_EINVAL);
	assert_string_equal(err, "SBOM: not CycloneDX JSON, SPDX JSON, SPDX "
	    "tag-value or Buildroot show-info");
	assert_int_equal(vigil_sbom_parse(dup_key, strlen(dup_key),
	    VIGIL_SBOM_AUTO, &s, err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "CycloneDX document: "));
	big = malloc(n + 200);
	assert_non_null(big);
	memcpy(big, pre, strlen(pre));
	memset(big + strlen(pre), 'a', n);
	memcpy(big + strlen(pre) + n, "\"}]}", 5);
	assert_int_equal(vigil_sbom_parse(big, strlen(big), VIGIL_SBOM_AUTO,
	    &s, err, sizeof err), VIGIL_ERANGE);
	assert_string_equal(err, "CycloneDX components[0].name: 5000 bytes, "
	    "more than the 4096 allowed");
	free(big);
	say("components nested deeper than 32 levels are refused");
	nested_doc(&nb, 40);
	assert_int_equal(vigil_sbom_parse(nb.data, nb.len, VIGIL_SBOM_AUTO,
	    &s, err, sizeof err), VIGIL_ERANGE);
	assert_non_null(strstr(err, ": components nested deeper than 32"));
	vigil_buf_free(&nb);
	say("tag-value must start with SPDXVersion");
	assert_int_equal(vigil_sbom_parse("PackageName: x\n", 15,
	    VIGIL_SBOM_SPDX_TV, &s, err, sizeof err), VIGIL_EINVAL);
	assert_string_equal(err,
	    "SPDX tag-value line 1: SPDXVersion must come first");
	assert_null(s);
}

static int
same_component(const struct vigil_sbom_component *a,
    const struct vigil_sbom_component *b)
{
	if (strcmp(a->ref, b->ref) != 0 || strcmp(a->name, b->name) != 0 ||
	    strcmp(a->version, b->version) != 0 ||
	    strcmp(a->supplier, b->supplier) != 0 ||
	    strcmp(a->purl, b->purl) != 0 || strcmp(a->cpe, b->cpe) != 0 ||
	    strcmp(a->license, b->license) != 0 || a->nhashes != b->nhashes ||
	    a->ndeps != b->ndeps)
		return 0;
	for (size_t i = 0; i < a->nhashes; i++)
		if (strcmp(a->hashes[i].alg, b->hashes[i].alg) != 0 ||
		    strcmp(a->hashes[i].value, b->hashes[i].value) != 0)
			return 0;
	for (size_t i = 0; i < a->ndeps; i++)
		if (strcmp(a->deps[i], b->deps[i]) != 0)
			return 0;
	return 1;
}

static void
round_trip(const char *name, enum vigil_sbom_format fmt)
{
	struct vigil_sbom *s = load(name, fmt), *back = NULL;
	const char *serial = "urn:uuid:11111111-2222-4333-8444-555555555555";
	json_t *bom = vigil_sbom_to_cyclonedx(s, serial);
	char *text, err[512];

	assert_non_null(bom);
	assert_string_equal(json_string_value(json_object_get(bom,
	    "specVersion")), "1.6");
	assert_string_equal(json_string_value(json_object_get(bom,
	    "serialNumber")), serial);
	assert_int_equal(json_integer_value(json_object_get(bom, "version")),
	    1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(json_object_get(bom, "metadata"),
	    "tools"), "components"), 0), "name")), "vigil");
	text = json_dumps(bom, JSON_COMPACT);
	json_decref(bom);
	assert_non_null(text);
	if (vigil_sbom_parse(text, strlen(text), VIGIL_SBOM_AUTO, &back, err,
	    sizeof err) != VIGIL_OK)
		fail_msg("%s re-read: %s", name, err);
	free(text);
	assert_string_equal(back->spec_version, "1.6");
	assert_int_equal(back->created_ms, s->created_ms);
	assert_string_equal(back->authors, s->authors);
	assert_int_equal(back->has_dependencies, s->has_dependencies);
	assert_int_equal(back->ncomponents, s->ncomponents);
	assert_true(same_component(&back->subject, &s->subject));
	for (size_t i = 0; i < s->ncomponents; i++)
		if (!same_component(&back->components[i], &s->components[i]))
			fail_msg("%s: component %zu (%s) differs", name, i,
			    s->components[i].ref);
	assert_int_equal(back->nwarnings, 0);
	vigil_sbom_free(back);
	vigil_sbom_free(s);
}

static void
export_then_parse_gives_the_same_components(void **state)
{
	(void)state;
	say("CycloneDX 1.4/1.5/1.6, SPDX JSON and tag-value -> CycloneDX 1.6 "
	    "-> same components, subject, deps");
	round_trip("cdx14-router.json", VIGIL_SBOM_CYCLONEDX);
	round_trip("cdx15-sensor.json", VIGIL_SBOM_CYCLONEDX);
	round_trip("cdx16-gateway.json", VIGIL_SBOM_CYCLONEDX);
	round_trip("spdx22-camera.json", VIGIL_SBOM_SPDX_JSON);
	round_trip("spdx23-thermostat.json", VIGIL_SBOM_SPDX_JSON);
	round_trip("spdx23-plug.spdx", VIGIL_SBOM_SPDX_TV);
}

static void
export_names_a_new_serial_and_cdx_types(void **state)
{
	struct vigil_sbom *s = load("spdx23-plug.spdx", VIGIL_SBOM_SPDX_TV);
	json_t *bom = vigil_sbom_to_cyclonedx(s, NULL), *c;
	const char *serial;

	(void)state;
	say("no serial given: a fresh urn:uuid; SPDX purposeless -> library");
	assert_non_null(bom);
	serial = json_string_value(json_object_get(bom, "serialNumber"));
	assert_non_null(serial);
	assert_int_equal(strlen(serial), 45);
	assert_memory_equal(serial, "urn:uuid:", 9);
	c = json_array_get(json_object_get(bom, "components"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "type")),
	    "library");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(bom, "metadata"), "component"), "type")),
	    "firmware");
	assert_int_equal(json_array_size(json_object_get(bom,
	    "dependencies")), 4);
	json_decref(bom);
	vigil_sbom_free(s);
}

static void
vex_export_maps_states_ratings_and_bom_links(void **state)
{
	const struct vigil_vex_finding f[] = {
		{ "CVE-2024-0001", "nvd", "busybox", VIGIL_VEX_AFFECTED, "",
		    "", "1.36.2", 9.8,
		    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
		{ "GHSA-xxxx-yyyy-zzzz", "osv", "pkg a#1",
		    VIGIL_VEX_NOT_AFFECTED, "code_not_present",
		    "not compiled in", "", -1, "" },
		{ "CVE-2024-0003", "cve5", "c2", VIGIL_VEX_FIXED, "", "", "",
		    5.0, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/"
		    "SC:N/SI:N/SA:N" },
		{ "CVE-2024-0004", "nvd", "c1",
		    VIGIL_VEX_UNDER_INVESTIGATION, "", "", "", -1, "" },
		{ "CVE-2024-0005", "nvd", "c1", VIGIL_VEX_FALSE_POSITIVE,
		    "", "", "", -1, "" },
	};
	json_t *vex = vigil_vex_to_cyclonedx(
	    "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", f, 5,
	    "urn:uuid:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"), *v, *r;
	const char *states[] = { "exploitable", "not_affected", "resolved",
		"in_triage", "false_positive" };

	(void)state;
	say("VEX 1.6: states, justification, ratings, BOM-Link, advice");
	assert_non_null(vex);
	assert_string_equal(json_string_value(json_object_get(vex,
	    "specVersion")), "1.6");
	assert_int_equal(json_array_size(json_object_get(vex,
	    "vulnerabilities")), 5);
	for (size_t i = 0; i < 5; i++) {
		v = json_array_get(json_object_get(vex, "vulnerabilities"), i);
		assert_string_equal(json_string_value(json_object_get(
		    json_object_get(v, "analysis"), "state")), states[i]);
	}
	v = json_array_get(json_object_get(vex, "vulnerabilities"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "id")),
	    "CVE-2024-0001");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "source"), "name")), "NVD");
	r = json_array_get(json_object_get(v, "ratings"), 0);
	assert_true(json_real_value(json_object_get(r, "score")) == 9.8);
	assert_string_equal(json_string_value(json_object_get(r, "method")),
	    "CVSSv31");
	assert_string_equal(json_string_value(json_object_get(r, "severity")),
	    "critical");
	assert_string_equal(json_string_value(json_object_get(v,
	    "recommendation")), "Upgrade to 1.36.2");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(v, "affects"), 0), "ref")),
	    "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#busybox");
	v = json_array_get(json_object_get(vex, "vulnerabilities"), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "analysis"), "justification")), "code_not_present");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "analysis"), "detail")), "not compiled in");
	assert_null(json_object_get(v, "ratings"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(v, "affects"), 0), "ref")),
	    "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg%20a%231");
	v = json_array_get(json_object_get(vex, "vulnerabilities"), 2);
	r = json_array_get(json_object_get(v, "ratings"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "method")),
	    "CVSSv4");
	assert_null(json_object_get(json_object_get(v, "analysis"),
	    "justification"));
	json_decref(vex);
}

static void
vex_export_reads_back_through_the_vex_parser(void **state)
{
	const struct vigil_vex_finding f[] = {
		{ "CVE-2024-0001", "nvd", "busybox", VIGIL_VEX_AFFECTED, "",
		    "", "1.36.2", 9.8, "" },
		{ "CVE-2024-0002", "osv", "pkg a#1", VIGIL_VEX_NOT_AFFECTED,
		    "code_not_reachable", "dead code", "", -1, "" },
	};
	const char *serial = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79";
	json_t *vex = vigil_vex_to_cyclonedx(serial, f, 2, NULL);
	struct vigil_vex_doc *d = NULL;
	char *text, err[512];

	(void)state;
	say("exported VEX parses as CycloneDX VEX: states, refs, serial");
	assert_non_null(vex);
	text = json_dumps(vex, JSON_COMPACT);
	json_decref(vex);
	assert_non_null(text);
	if (vigil_vex_parse(text, strlen(text), VIGIL_VEX_CYCLONEDX, &d, err,
	    sizeof err) != VIGIL_OK)
		fail_msg("VEX re-read: %s", err);
	free(text);
	assert_int_equal(d->nstmts, 2);
	assert_string_equal(d->stmts[0].vuln, "CVE-2024-0001");
	assert_string_equal(d->stmts[0].product, "ref:busybox");
	assert_string_equal(d->stmts[0].serial, serial);
	assert_int_equal(d->stmts[0].state, VIGIL_VEX_AFFECTED);
	assert_string_equal(d->stmts[1].product, "ref:pkg a#1");
	assert_int_equal(d->stmts[1].state, VIGIL_VEX_NOT_AFFECTED);
	assert_string_equal(d->stmts[1].justification, "code_not_reachable");
	assert_string_equal(d->stmts[1].detail, "dead code");
	vigil_vex_doc_free(d);
}

static void
buildroot_show_info_keeps_target_packages(void **state)
{
	struct vigil_sbom *s = load("buildroot-show-info.json",
	    VIGIL_SBOM_BUILDROOT);
	const struct vigil_sbom_component *c;
	struct vigil_sbom_quality q;

	(void)state;
	say("Buildroot show-info: target packages only (no host, rootfs or "
	    "virtual ones), keyed by package name");
	assert_int_equal(s->ncomponents, 3);
	assert_string_equal(s->subject.name, "buildroot");
	assert_string_equal(s->subject.version, "");
	c = comp(s, "acme-tool");
	assert_string_equal(c->name, "acme-tool");
	assert_string_equal(c->version, "2.1.0");
	assert_string_equal(c->cpe,
	    "cpe:2.3:a:acme:acme-tool:2.1.0:*:*:*:*:*:*:*");
	assert_string_equal(c->license, "GPL-2.0+ (programs), MIT");
	assert_string_equal(c->purl, "");
	assert_string_equal(c->supplier, "");
	say("dependencies only to kept packages (host-pkgconf and the "
	    "virtual toolchain dropped)");
	assert_int_equal(c->ndeps, 1);
	assert_string_equal(c->deps[0], "libwidget");
	assert_int_equal(s->has_dependencies, 1);
	say("a CPE 2.2 URI in cpe-id is bound to 2.3");
	c = comp(s, "libwidget");
	assert_string_equal(c->cpe,
	    "cpe:2.3:a:widgetco:libwidget:0.9:*:*:*:*:*:*:*");
	assert_int_equal(c->ndeps, 0);
	c = comp(s, "board-scripts");
	assert_string_equal(c->version, "");
	assert_string_equal(c->cpe, "");
	assert_int_equal(s->nwarnings, 0);
	say("quality: no supplier anywhere, one package cannot be matched");
	vigil_sbom_quality(s, &q);
	assert_int_equal(q.components, 3);
	assert_int_equal(q.missing_supplier, 3);
	assert_int_equal(q.missing_version, 1);
	assert_int_equal(q.missing_identifier, 1);
	assert_false(q.ntia_ok);
	vigil_sbom_free(s);
}

static void
buildroot_names_detection_and_errors(void **state)
{
	struct vigil_sbom *s = NULL;
	char err[512];
	const char *virt = "{\"skeleton\": {\"type\":\"target\","
	    "\"virtual\":true}}";
	const char *csaf = "{\"document\":{\"category\":\"csaf_vex\","
	    "\"tracking\":{\"version\":\"1\"}}}";
	const char *bad_ver = "{\"a\":{\"type\":\"target\",\"version\":\"1\"},"
	    "\"zlib\":{\"type\":\"target\",\"version\":12}}";
	const char *bad_deps = "{\"zlib\":{\"type\":\"target\",\"version\":"
	    "\"1\",\"dependencies\":[\"x\",7]}}";
	const char *no_type = "{\"zlib\":{\"version\":\"1\"}}";
	const char *only_type = "{\"a\":{\"type\":\"x\"}}";
	const char *cdx = "{\"metadata\":{\"type\":1,\"version\":1},"
	    "\"bomFormat\":\"CycloneDX\"}";
	const char *quoted = "{\"a\":\"{\\\"type\\\":{\\\"version\\\"\"}";
	const char *not_obj = "{\"zlib\":{\"type\":\"target\",\"virtual\":"
	    "false},\"x\":[]}";

	(void)state;
	say("Buildroot format names: buildroot, show-info");
	assert_string_equal(vigil_sbom_format_name(VIGIL_SBOM_BUILDROOT),
	    "buildroot");
	assert_int_equal(vigil_sbom_format_from_name("show-info"),
	    VIGIL_SBOM_BUILDROOT);
	say("detection: an object of package objects with type and "
	    "virtual/version; not CSAF, not a CycloneDX BOM");
	assert_int_equal(vigil_sbom_detect(virt, strlen(virt)),
	    VIGIL_SBOM_BUILDROOT);
	assert_int_equal(vigil_sbom_detect(csaf, strlen(csaf)),
	    VIGIL_SBOM_AUTO);
	assert_int_equal(vigil_sbom_detect(only_type, strlen(only_type)),
	    VIGIL_SBOM_AUTO);
	assert_int_equal(vigil_sbom_detect(cdx, strlen(cdx)),
	    VIGIL_SBOM_CYCLONEDX);
	assert_int_equal(vigil_sbom_detect(quoted, strlen(quoted)),
	    VIGIL_SBOM_AUTO);
	say("only virtual packages: an empty SBOM, no error");
	assert_int_equal(vigil_sbom_parse(virt, strlen(virt), VIGIL_SBOM_AUTO,
	    &s, err, sizeof err), VIGIL_OK);
	assert_int_equal(s->ncomponents, 0);
	assert_int_equal(s->format, VIGIL_SBOM_BUILDROOT);
	vigil_sbom_free(s);
	s = NULL;
	say("errors name the package and member");
	assert_int_equal(vigil_sbom_parse(bad_ver, strlen(bad_ver),
	    VIGIL_SBOM_BUILDROOT, &s, err, sizeof err), VIGIL_EINVAL);
	assert_null(s);
	assert_string_equal(err, "Buildroot show-info zlib.version: not a "
	    "string");
	assert_int_equal(vigil_sbom_parse(bad_deps, strlen(bad_deps),
	    VIGIL_SBOM_BUILDROOT, &s, err, sizeof err), VIGIL_EINVAL);
	assert_string_equal(err, "Buildroot show-info zlib.dependencies[1]: "
	    "not a package name");
	assert_int_equal(vigil_sbom_parse(no_type, strlen(no_type),
	    VIGIL_SBOM_BUILDROOT, &s, err, sizeof err), VIGIL_EINVAL);
	assert_string_equal(err, "Buildroot show-info zlib.type: missing or "
	    "not a string");
	assert_int_equal(vigil_sbom_parse(not_obj, strlen(not_obj),
	    VIGIL_SBOM_BUILDROOT, &s, err, sizeof err), VIGIL_EINVAL);
	assert_string_equal(err, "Buildroot show-info x: not a package "
	    "object");
	assert_int_equal(vigil_sbom_parse("[1]", 3, VIGIL_SBOM_BUILDROOT, &s,
	    err, sizeof err), VIGIL_EINVAL);
	assert_string_equal(err, "Buildroot show-info document: not an "
	    "object of packages");
	say("a dependency on a package not in the document is a warning");
	{
		const char *dangling = "{\"zlib\":{\"type\":\"target\","
		    "\"version\":\"1\",\"dependencies\":[\"ghost\"]}}";

		assert_int_equal(vigil_sbom_parse(dangling, strlen(dangling),
		    VIGIL_SBOM_AUTO, &s, err, sizeof err), VIGIL_OK);
		assert_int_equal(s->nwarnings, 1);
		assert_non_null(strstr(s->warnings[0], "ghost"));
		vigil_sbom_free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_names_and_sniffing),
		cmocka_unit_test(
		    cyclonedx_14_flattens_nesting_and_names_missing_refs),
		cmocka_unit_test(cyclonedx_15_tools_object_and_bad_purl),
		cmocka_unit_test(cyclonedx_16_graph_and_quality_ok),
		cmocka_unit_test(spdx22_json_package_manager_and_cpe22),
		cmocka_unit_test(spdx23_json_relationships_both_ways),
		cmocka_unit_test(spdx_tag_value_multiline_and_files),
		cmocka_unit_test(
		    broken_documents_are_refused_with_what_and_where),
		cmocka_unit_test(inline_errors_and_bounds),
		cmocka_unit_test(
		    export_then_parse_gives_the_same_components),
		cmocka_unit_test(export_names_a_new_serial_and_cdx_types),
		cmocka_unit_test(vex_export_maps_states_ratings_and_bom_links),
		cmocka_unit_test(vex_export_reads_back_through_the_vex_parser),
		cmocka_unit_test(buildroot_show_info_keeps_target_packages),
		cmocka_unit_test(buildroot_names_detection_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
