/*
 * CycloneDX 1.6 out: an SBOM (whatever format it came in) as a
 * CycloneDX 1.6 BOM, and findings with their analysis as a CycloneDX
 * 1.6 VEX BOM whose affects[] point into that SBOM by BOM-Link.
 * Strings go through vigil_json_string_lossy: tag-value input is not
 * checked for UTF-8, and an export must not fail on one bad byte.
 */
#include <stdio.h>
#include <string.h>

#include "sbom_internal.h"
#include "vigil/json.h"
#include "vigil/sbom.h"

static json_t *
str(const char *s)
{
	return vigil_json_string_lossy(s, strlen(s));
}

/* Sets key when s is not empty. */
static void
put_str(json_t *o, const char *key, const char *s, int *ok)
{
	if (s != NULL && *s != '\0')
		vigil_json_put(o, key, str(s), ok);
}

/* serial, or a new urn:uuid when none is given. */
static json_t *
serial_number(const char *serial)
{
	char uuid[VIGIL_UUID_STRLEN], buf[64];

	if (serial != NULL && *serial != '\0')
		return str(serial);
	if (vigil_uuid7(uuid) != VIGIL_OK)
		return NULL;
	snprintf(buf, sizeof buf, "urn:uuid:%s", uuid);
	return json_string(buf);
}

static json_t *
tools(void)
{
	json_t *t = json_object(), *arr = json_array(), *v = json_object();
	int ok = t != NULL && arr != NULL && v != NULL;

	vigil_json_put(v, "type", json_string("application"), &ok);
	vigil_json_put(v, "name", json_string("vigil"), &ok);
	if (v != NULL && json_array_append_new(arr, v) != 0)
		ok = 0;
	vigil_json_put(t, "components", arr, &ok);
	return vigil_json_done(t, ok);
}

/* CycloneDX 1.6's component types; others (SPDX purposes such as
 * "archive" or "source", or none) export as "library". */
static const char *
cdx_type(const char *t)
{
	static const char *const types[] = { "application", "framework",
		"library", "container", "platform", "operating-system",
		"device", "device-driver", "firmware", "file",
		"machine-learning-model", "data", "cryptographic-asset" };

	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(t, types[i]) == 0)
			return types[i];
	return "library";
}

static json_t *
component(const struct vigil_sbom_component *c)
{
	json_t *o = json_object();
	int ok = o != NULL;

	put_str(o, "bom-ref", c->ref, &ok);
	vigil_json_put(o, "type", json_string(cdx_type(c->type)), &ok);
	vigil_json_put(o, "name", str(c->name), &ok);
	put_str(o, "version", c->version, &ok);
	if (c->supplier[0] != '\0') {
		json_t *sup = json_object();

		vigil_json_put(sup, "name", str(c->supplier), &ok);
		vigil_json_put(o, "supplier", sup, &ok);
	}
	if (c->nhashes > 0) {
		json_t *arr = json_array();

		ok = ok && arr != NULL;
		for (size_t i = 0; ok && i < c->nhashes; i++) {
			json_t *h;

			size_t n = strlen(c->hashes[i].value);

			/* Only the algorithms CycloneDX's enum has, with
			 * the lengths its content pattern allows (BLAKE3
			 * may be longer). */
			if (sbom_hash_alg(c->hashes[i].alg, NULL, 1) == NULL ||
			    (n != 32 && n != 40 && n != 64 && n != 96 &&
			    n != 128))
				continue;
			h = json_object();
			vigil_json_put(h, "alg", str(c->hashes[i].alg), &ok);
			vigil_json_put(h, "content", str(c->hashes[i].value),
			    &ok);
			if (h == NULL || json_array_append_new(arr, h) != 0)
				ok = 0;
		}
		if (json_array_size(arr) > 0)
			vigil_json_put(o, "hashes", arr, &ok);
		else
			json_decref(arr);
	}
	if (c->license[0] != '\0') {
		json_t *arr = json_array(), *l = json_object();

		vigil_json_put(l, "expression", str(c->license), &ok);
		if (l == NULL || json_array_append_new(arr, l) != 0)
			ok = 0;
		vigil_json_put(o, "licenses", arr, &ok);
	}
	put_str(o, "cpe", c->cpe, &ok);
	put_str(o, "purl", c->purl, &ok);
	return vigil_json_done(o, ok);
}

static json_t *
metadata(const struct vigil_sbom *s)
{
	json_t *m = json_object();
	int ok = m != NULL;
	int64_t ts = s->created_ms > 0 ? s->created_ms : vigil_time_now_ms();

	vigil_json_put(m, "timestamp", vigil_json_time(ts), &ok);
	vigil_json_put(m, "tools", tools(), &ok);
	if (s->authors[0] != '\0') {
		json_t *arr = json_array();
		const char *p = s->authors;

		ok = ok && arr != NULL;
		/* Split back on the "; " they were joined with. */
		while (ok && *p != '\0') {
			const char *e = strstr(p, "; ");
			size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
			json_t *a = json_object();

			vigil_json_put(a, "name",
			    vigil_json_string_lossy(p, n), &ok);
			if (a == NULL || json_array_append_new(arr, a) != 0)
				ok = 0;
			p += n;
			if (*p != '\0')
				p += 2;
		}
		vigil_json_put(m, "authors", arr, &ok);
	}
	if (s->subject.ref[0] != '\0' || s->subject.name[0] != '\0')
		vigil_json_put(m, "component", component(&s->subject), &ok);
	return vigil_json_done(m, ok);
}

static json_t *
dependency(const struct vigil_sbom_component *c)
{
	json_t *d = json_object(), *on = json_array();
	int ok = d != NULL && on != NULL;

	vigil_json_put(d, "ref", str(c->ref), &ok);
	for (size_t i = 0; ok && i < c->ndeps; i++)
		if (json_array_append_new(on, str(c->deps[i])) != 0)
			ok = 0;
	vigil_json_put(d, "dependsOn", on, &ok);
	return vigil_json_done(d, ok);
}

json_t *
vigil_sbom_to_cyclonedx(const struct vigil_sbom *s, const char *serial)
{
	json_t *bom = json_object(), *comps = json_array();
	int ok = bom != NULL && comps != NULL;

	if (s == NULL || !ok) {
		json_decref(bom);
		json_decref(comps);
		return NULL;
	}
	vigil_json_put(bom, "bomFormat", json_string("CycloneDX"), &ok);
	vigil_json_put(bom, "specVersion", json_string("1.6"), &ok);
	vigil_json_put(bom, "serialNumber", serial_number(serial), &ok);
	vigil_json_put(bom, "version", json_integer(1), &ok);
	vigil_json_put(bom, "metadata", metadata(s), &ok);
	for (size_t i = 0; ok && i < s->ncomponents; i++) {
		json_t *c = component(&s->components[i]);

		if (c == NULL || json_array_append_new(comps, c) != 0)
			ok = 0;
	}
	vigil_json_put(bom, "components", comps, &ok);
	if (ok && s->has_dependencies) {
		/* Every component is listed, the leaves with an empty
		 * dependsOn: CycloneDX reads a missing entry as "unknown". */
		json_t *deps = json_array();

		ok = deps != NULL;
		if (ok && s->subject.ref[0] != '\0' &&
		    json_array_append_new(deps, dependency(&s->subject)) != 0)
			ok = 0;
		for (size_t i = 0; ok && i < s->ncomponents; i++)
			if (json_array_append_new(deps,
			    dependency(&s->components[i])) != 0)
				ok = 0;
		vigil_json_put(bom, "dependencies", deps, &ok);
	}
	return vigil_json_done(bom, ok);
}

/* ------------------------------------------------------------------ */
/* VEX                                                                  */

static const char *
cdx_state(enum vigil_vex_state st)
{
	switch (st) {
	case VIGIL_VEX_AFFECTED:
		return "exploitable";
	case VIGIL_VEX_NOT_AFFECTED:
		return "not_affected";
	case VIGIL_VEX_FIXED:
		return "resolved";
	case VIGIL_VEX_UNDER_INVESTIGATION:
		return "in_triage";
	case VIGIL_VEX_FALSE_POSITIVE:
		return "false_positive";
	case VIGIL_VEX_NONE:
		break;
	}
	return NULL;
}

/* The rating method a CVSS vector names. */
static const char *
cvss_method(const char *v)
{
	if (strncmp(v, "CVSS:3.1/", 9) == 0)
		return "CVSSv31";
	if (strncmp(v, "CVSS:3.0/", 9) == 0)
		return "CVSSv3";
	if (strncmp(v, "CVSS:4.0/", 9) == 0)
		return "CVSSv4";
	if (strncmp(v, "AV:", 3) == 0 || strncmp(v, "(AV:", 4) == 0)
		return "CVSSv2";
	return "other";
}

/* CVSS v3/v4 qualitative severity of a base score. */
static const char *
severity(double score)
{
	if (score >= 9.0)
		return "critical";
	if (score >= 7.0)
		return "high";
	if (score >= 4.0)
		return "medium";
	if (score > 0.0)
		return "low";
	return "none";
}

static json_t *
source(const char *src, const char *id)
{
	json_t *o = json_object();
	int ok = o != NULL;
	char url[256];

	if (src == NULL)
		src = "";
	if (strcmp(src, "nvd") == 0) {
		vigil_json_put(o, "name", json_string("NVD"), &ok);
		snprintf(url, sizeof url,
		    "https://nvd.nist.gov/vuln/detail/%.200s", id);
		vigil_json_put(o, "url", str(url), &ok);
	} else if (strcmp(src, "osv") == 0) {
		vigil_json_put(o, "name", json_string("OSV"), &ok);
		snprintf(url, sizeof url, "https://osv.dev/vulnerability/"
		    "%.200s", id);
		vigil_json_put(o, "url", str(url), &ok);
	} else if (strcmp(src, "cve5") == 0)
		vigil_json_put(o, "name", json_string("CVE"), &ok);
	else
		vigil_json_put(o, "name", str(*src != '\0' ? src : "vigil"),
		    &ok);
	return vigil_json_done(o, ok);
}

/* Characters a bom-ref may keep in a BOM-Link fragment (RFC 3986
 * pchar plus '/' and '?'); the rest are percent-encoded. */
static int
fragment_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@/?", c) !=
	    NULL;
}

static json_t *
bom_link(const char *serial, const char *ref)
{
	struct vigil_buf b;
	const char *uuid = serial;
	json_t *j = NULL;

	if (strncmp(uuid, "urn:uuid:", 9) == 0)
		uuid += 9;
	vigil_buf_init(&b, 3 * SBOM_FIELD_MAX + 256);
	if (vigil_buf_appendf(&b, "urn:cdx:%s/1#", uuid) != VIGIL_OK)
		goto out;
	for (const unsigned char *p = (const unsigned char *)ref; *p != '\0';
	    p++) {
		enum vigil_err rc = fragment_ok(*p) && *p != '\0' ?
		    vigil_buf_append(&b, p, 1) :
		    vigil_buf_appendf(&b, "%%%02X", *p);

		if (rc != VIGIL_OK)
			goto out;
	}
	j = str(b.data);
out:
	vigil_buf_free(&b);
	return j;
}

static json_t *
ratings(const struct vigil_vex_finding *f)
{
	json_t *arr = json_array(), *r = json_object();
	int ok = arr != NULL && r != NULL;
	const char *vec = f->cvss_vector != NULL ? f->cvss_vector : "";

	vigil_json_put(r, "score", json_real(f->cvss), &ok);
	vigil_json_put(r, "severity", json_string(severity(f->cvss)), &ok);
	vigil_json_put(r, "method", json_string(cvss_method(vec)), &ok);
	put_str(r, "vector", vec, &ok);
	if (ok && json_array_append_new(arr, r) != 0)
		ok = 0;
	else if (!ok)
		json_decref(r);
	return vigil_json_done(arr, ok);
}

static json_t *
analysis(const struct vigil_vex_finding *f)
{
	json_t *a = json_object();
	int ok = a != NULL;
	const char *st = cdx_state(f->state);

	vigil_json_put(a, "state", json_string(st), &ok);
	if (f->state == VIGIL_VEX_NOT_AFFECTED)
		put_str(a, "justification", f->justification, &ok);
	put_str(a, "detail", f->detail, &ok);
	if (f->state == VIGIL_VEX_AFFECTED && f->fixed != NULL &&
	    *f->fixed != '\0') {
		json_t *resp = json_array();

		if (resp == NULL || json_array_append_new(resp,
		    json_string("update")) != 0)
			ok = 0;
		vigil_json_put(a, "response", resp, &ok);
	}
	return vigil_json_done(a, ok);
}

static json_t *
vulnerability(const char *bom_serial, const struct vigil_vex_finding *f)
{
	json_t *v = json_object(), *aff = json_array(), *a = json_object();
	int ok = v != NULL && aff != NULL && a != NULL;
	const char *vid = f->vuln != NULL ? f->vuln : "";

	vigil_json_put(v, "id", str(vid), &ok);
	vigil_json_put(v, "source", source(f->source, vid), &ok);
	if (f->cvss >= 0)
		vigil_json_put(v, "ratings", ratings(f), &ok);
	if (f->fixed != NULL && *f->fixed != '\0') {
		char rec[300];

		snprintf(rec, sizeof rec, "Upgrade to %.280s", f->fixed);
		vigil_json_put(v, "recommendation", str(rec), &ok);
	}
	if (cdx_state(f->state) != NULL)
		vigil_json_put(v, "analysis", analysis(f), &ok);
	vigil_json_put(a, "ref", bom_link(bom_serial, f->component_ref !=
	    NULL ? f->component_ref : ""), &ok);
	if (a != NULL && json_array_append_new(aff, a) != 0)
		ok = 0;
	vigil_json_put(v, "affects", aff, &ok);
	return vigil_json_done(v, ok);
}

json_t *
vigil_vex_to_cyclonedx(const char *bom_serial,
    const struct vigil_vex_finding *f, size_t n, const char *serial)
{
	json_t *bom, *vulns, *m;
	int ok;

	if (bom_serial == NULL || (f == NULL && n > 0))
		return NULL;
	bom = json_object();
	vulns = json_array();
	m = json_object();
	ok = bom != NULL && vulns != NULL && m != NULL;
	vigil_json_put(bom, "bomFormat", json_string("CycloneDX"), &ok);
	vigil_json_put(bom, "specVersion", json_string("1.6"), &ok);
	vigil_json_put(bom, "serialNumber", serial_number(serial), &ok);
	vigil_json_put(bom, "version", json_integer(1), &ok);
	vigil_json_put(m, "timestamp", vigil_json_time(vigil_time_now_ms()),
	    &ok);
	vigil_json_put(m, "tools", tools(), &ok);
	vigil_json_put(bom, "metadata", m, &ok);
	for (size_t i = 0; ok && i < n; i++) {
		json_t *v = vulnerability(bom_serial, &f[i]);

		if (v == NULL || json_array_append_new(vulns, v) != 0)
			ok = 0;
	}
	vigil_json_put(bom, "vulnerabilities", vulns, &ok);
	return vigil_json_done(bom, ok);
}
