/*
 * SPDX 2.2 and 2.3 JSON into a struct vigil_sbom (packages are the
 * components; files and snippets are not), and the SPDX mapping both
 * SPDX readers share: creators, suppliers, external refs (purl, CPE 2.3
 * and 2.2), relationship types and the described package.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbom_internal.h"
#include "vigil/json.h"
#include "vigil/sbom.h"

/* ------------------------------------------------------------------ */
/* Shared with sbom_spdx_tv.c                                           */

int
sbom_spdx_rel_kind(const char *type)
{
	static const char *const forward[] = { "DEPENDS_ON", "CONTAINS",
		"STATIC_LINK", "DYNAMIC_LINK", "HAS_PREREQUISITE" };
	static const char *const backward[] = { "DEPENDENCY_OF",
		"CONTAINED_BY", "PREREQUISITE_FOR" };
	size_t n = strlen(type);

	if (strcmp(type, "DESCRIBES") == 0)
		return 2;
	if (strcmp(type, "DESCRIBED_BY") == 0)
		return -2;
	for (size_t i = 0; i < sizeof forward / sizeof forward[0]; i++)
		if (strcmp(type, forward[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof backward / sizeof backward[0]; i++)
		if (strcmp(type, backward[i]) == 0)
			return -1;
	/* BUILD_DEPENDENCY_OF, RUNTIME_DEPENDENCY_OF, DEV_..., OPTIONAL_
	 * ..., PROVIDED_...: B depends on A in some way. */
	if (n > 14 && strcmp(type + n - 14, "_DEPENDENCY_OF") == 0)
		return -1;
	return 0;
}

const char *
sbom_spdx_actor(const char *s, size_t *n)
{
	static const char *const prefix[] = { "Organization:", "Person:",
		"Tool:" };

	while (*s == ' ' || *s == '\t')
		s++;
	if (strcmp(s, "NOASSERTION") == 0 || strcmp(s, "NONE") == 0) {
		*n = 0;
		return s;
	}
	for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++) {
		size_t p = strlen(prefix[i]);

		if (strncmp(s, prefix[i], p) == 0) {
			s += p;
			break;
		}
	}
	while (*s == ' ' || *s == '\t')
		s++;
	*n = strlen(s);
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	return s;
}

enum vigil_err
sbom_spdx_creator(struct sbom_build *b, const char *s)
{
	char buf[SBOM_FIELD_MAX + 1];
	const char *v;
	size_t n;
	int is_tool;

	while (*s == ' ')
		s++;
	is_tool = strncmp(s, "Tool:", 5) == 0;
	v = sbom_spdx_actor(s, &n);
	if (n == 0)
		return VIGIL_OK;
	if (n > SBOM_FIELD_MAX)
		n = SBOM_FIELD_MAX;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return sbom_join(b, is_tool ? &b->s->tools : &b->s->authors, buf,
	    is_tool ? "creators (tools)" : "creators");
}

enum vigil_err
sbom_spdx_extref(struct sbom_build *b, struct vigil_sbom_component *c,
    const char *cat, const char *type, const char *loc, const char *where)
{
	/* 2.2's JSON schema spelled PACKAGE_MANAGER, 2.3 PACKAGE-MANAGER. */
	if ((strcmp(cat, "PACKAGE-MANAGER") == 0 ||
	    strcmp(cat, "PACKAGE_MANAGER") == 0) && strcmp(type, "purl") == 0) {
		if (c->purl[0] != '\0')
			return sbom_warn(b, "%s (%.80s): second purl '%.80s' "
			    "ignored", where, c->name, loc);
		return sbom_set_purl(b, c, loc, where);
	}
	if (strcmp(cat, "SECURITY") == 0 && (strcmp(type, "cpe23Type") == 0 ||
	    strcmp(type, "cpe22Type") == 0)) {
		/* The first CPE identifies; later ones (vendor variants
		 * some generators list) are not kept. */
		if (c->cpe[0] != '\0')
			return VIGIL_OK;
		return sbom_set_cpe(b, c, loc, where);
	}
	return VIGIL_OK;
}

enum vigil_err
sbom_spdx_subject(struct sbom_build *b, char **described, size_t n)
{
	/* One described package (however often it is said) is the
	 * product, the firmware; several are peers and stay components. */
	if (n == 0)
		return VIGIL_OK;
	for (size_t i = 1; i < n; i++)
		if (strcmp(described[i], described[0]) != 0)
			return VIGIL_OK;
	(void)sbom_take_subject(b, described[0]);
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */

static const char *
sget(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static enum vigil_err
sfield(struct sbom_build *b, const json_t *o, const char *key,
    const char *where, char **dst)
{
	json_t *v = json_object_get(o, key);
	char w[256];

	if (v == NULL || json_is_null(v))
		return VIGIL_OK;
	snprintf(w, sizeof w, "%s.%s", where, key);
	if (!json_is_string(v))
		return sbom_fail(b, VIGIL_EINVAL, "%s: not a string", w);
	return sbom_set(b, dst, json_string_value(v), json_string_length(v),
	    w);
}

static enum vigil_err
package(struct sbom_build *b, const json_t *p, const char *where)
{
	struct vigil_sbom_component *c;
	const char *sup, *purpose, *lic;
	json_t *arr, *e;
	size_t i, n;
	enum vigil_err rc;

	if (!json_is_object(p))
		return sbom_fail(b, VIGIL_EINVAL, "%s: not an object", where);
	if ((rc = sbom_add_component(b, where, &c)) != VIGIL_OK ||
	    (rc = sfield(b, p, "SPDXID", where, &c->ref)) != VIGIL_OK ||
	    (rc = sfield(b, p, "name", where, &c->name)) != VIGIL_OK ||
	    (rc = sfield(b, p, "versionInfo", where, &c->version)) !=
	    VIGIL_OK)
		return rc;
	if ((sup = sget(p, "supplier")) != NULL) {
		const char *v = sbom_spdx_actor(sup, &n);

		if ((rc = sbom_set(b, &c->supplier, v, n, where)) != VIGIL_OK)
			return rc;
	}
	if ((purpose = sget(p, "primaryPackagePurpose")) != NULL &&
	    strlen(purpose) < 64) {
		char t[64];

		for (i = 0; purpose[i] != '\0'; i++)
			t[i] = (char)(purpose[i] >= 'A' && purpose[i] <= 'Z' ?
			    purpose[i] - 'A' + 'a' : purpose[i]);
		t[i] = '\0';
		if ((rc = sbom_set(b, &c->type, t, i, where)) != VIGIL_OK)
			return rc;
	}
	lic = sget(p, "licenseConcluded");
	if (lic == NULL || strcmp(lic, "NOASSERTION") == 0 ||
	    strcmp(lic, "NONE") == 0)
		lic = sget(p, "licenseDeclared");
	if (lic != NULL && strcmp(lic, "NOASSERTION") != 0 &&
	    strcmp(lic, "NONE") != 0 && strlen(lic) <= SBOM_FIELD_MAX &&
	    sbom_set_n(&c->license, lic, strlen(lic)) != VIGIL_OK)
		return sbom_fail(b, VIGIL_ENOMEM, "out of memory");
	arr = json_object_get(p, "checksums");
	if (arr != NULL && !json_is_array(arr))
		return sbom_fail(b, VIGIL_EINVAL, "%s.checksums: not an array",
		    where);
	json_array_foreach(arr, i, e) {
		char w[256];
		const char *alg = sget(e, "algorithm"),
		    *val = sget(e, "checksumValue");

		snprintf(w, sizeof w, "%s.checksums[%zu]", where, i);
		if (alg == NULL || val == NULL)
			return sbom_fail(b, VIGIL_EINVAL,
			    "%s: algorithm and checksumValue must be strings",
			    w);
		if ((rc = sbom_add_hash(b, c, alg, val, w)) != VIGIL_OK)
			return rc;
	}
	arr = json_object_get(p, "externalRefs");
	if (arr != NULL && !json_is_array(arr))
		return sbom_fail(b, VIGIL_EINVAL,
		    "%s.externalRefs: not an array", where);
	json_array_foreach(arr, i, e) {
		char w[256];
		const char *cat = sget(e, "referenceCategory"),
		    *type = sget(e, "referenceType"),
		    *loc = sget(e, "referenceLocator");

		snprintf(w, sizeof w, "%s.externalRefs[%zu]", where, i);
		if (cat == NULL || type == NULL || loc == NULL)
			return sbom_fail(b, VIGIL_EINVAL,
			    "%s: referenceCategory, referenceType and "
			    "referenceLocator must be strings", w);
		if (strlen(loc) > SBOM_FIELD_MAX)
			return sbom_fail(b, VIGIL_ERANGE,
			    "%s.referenceLocator: more than %u bytes", w,
			    SBOM_FIELD_MAX);
		if ((rc = sbom_spdx_extref(b, c, cat, type, loc, w)) !=
		    VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

struct described {
	char **refs;
	size_t n;
};

static enum vigil_err
describe(struct sbom_build *b, struct described *d, const char *ref)
{
	char **r, *p = NULL;

	if (d->n >= VIGIL_SBOM_COMPONENTS_MAX)
		return sbom_fail(b, VIGIL_ERANGE, "too many DESCRIBES");
	r = realloc(d->refs, (d->n + 1) * sizeof *r);
	if (r == NULL || sbom_set_n(&p, ref, strlen(ref)) != VIGIL_OK) {
		if (r != NULL)
			d->refs = r;
		return sbom_fail(b, VIGIL_ENOMEM, "out of memory");
	}
	d->refs = r;
	d->refs[d->n++] = p;
	return VIGIL_OK;
}

static enum vigil_err
relationships(struct sbom_build *b, const json_t *doc, const char *docid,
    struct described *d)
{
	json_t *arr = json_object_get(doc, "relationships"), *r;
	size_t i;
	enum vigil_err rc;

	if (arr != NULL && !json_is_array(arr))
		return sbom_fail(b, VIGIL_EINVAL,
		    "relationships: not an array");
	json_array_foreach(arr, i, r) {
		char w[64];
		const char *a = sget(r, "spdxElementId"),
		    *t = sget(r, "relationshipType"),
		    *z = sget(r, "relatedSpdxElement");
		int k;

		snprintf(w, sizeof w, "relationships[%zu]", i);
		if (a == NULL || t == NULL || z == NULL)
			return sbom_fail(b, VIGIL_EINVAL,
			    "%s: spdxElementId, relationshipType and "
			    "relatedSpdxElement must be strings", w);
		if (strlen(a) > SBOM_FIELD_MAX || strlen(z) > SBOM_FIELD_MAX)
			return sbom_fail(b, VIGIL_ERANGE, "%s: ref too long",
			    w);
		k = sbom_spdx_rel_kind(t);
		if (k == 2 && strcmp(a, docid) == 0)
			rc = describe(b, d, z);
		else if (k == -2 && strcmp(z, docid) == 0)
			rc = describe(b, d, a);
		else if (k == 1 || k == -1)
			rc = k == 1 ? sbom_add_edge(b, a, z, w) :
			    sbom_add_edge(b, z, a, w);
		else
			rc = VIGIL_OK;
		if (rc != VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

/* Files and snippets are elements, not components. */
static enum vigil_err
others(struct sbom_build *b, const json_t *doc, const char *docid)
{
	const char *keys[] = { "files", "snippets" };
	enum vigil_err rc;

	if ((rc = sbom_add_other(b, docid)) != VIGIL_OK)
		return rc;
	for (size_t k = 0; k < 2; k++) {
		json_t *e;
		size_t i;

		json_array_foreach(json_object_get(doc, keys[k]), i, e) {
			const char *id = sget(e, "SPDXID");

			if (id != NULL && strlen(id) <= SBOM_FIELD_MAX &&
			    (rc = sbom_add_other(b, id)) != VIGIL_OK)
				return rc;
		}
	}
	return VIGIL_OK;
}

static enum vigil_err
header(struct sbom_build *b, const json_t *doc)
{
	struct vigil_sbom *s = b->s;
	const char *v = sget(doc, "spdxVersion"), *ts;
	json_t *ci, *creators, *e;
	size_t i;
	enum vigil_err rc;

	if (v == NULL)
		return sbom_fail(b, VIGIL_EINVAL, "spdxVersion: missing");
	if (strcmp(v, "SPDX-2.2") != 0 && strcmp(v, "SPDX-2.3") != 0)
		return sbom_fail(b, VIGIL_EUNSUPPORTED,
		    "spdxVersion %.20s: not supported (SPDX-2.2 and SPDX-2.3 "
		    "are)", v);
	if (sbom_set_n(&s->spec_version, v, strlen(v)) != VIGIL_OK)
		return sbom_fail(b, VIGIL_ENOMEM, "out of memory");
	if ((rc = sfield(b, doc, "documentNamespace", "document",
	    &s->serial)) != VIGIL_OK)
		return rc;
	ci = json_object_get(doc, "creationInfo");
	if (ci == NULL)
		return VIGIL_OK;
	if (!json_is_object(ci))
		return sbom_fail(b, VIGIL_EINVAL,
		    "creationInfo: not an object");
	if ((ts = sget(ci, "created")) != NULL) {
		char why[128];

		if (vigil_time_parse(ts, &s->created_ms, why, sizeof why) !=
		    VIGIL_OK) {
			s->created_ms = 0;
			if ((rc = sbom_warn(b, "creationInfo.created: %s",
			    why)) != VIGIL_OK)
				return rc;
		}
	}
	creators = json_object_get(ci, "creators");
	json_array_foreach(creators, i, e) {
		const char *c = json_string_value(e);

		if (c != NULL && (rc = sbom_spdx_creator(b, c)) != VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

enum vigil_err
sbom_spdx_json_parse(const char *buf, size_t len, struct vigil_sbom **out,
    char *err, size_t errsize)
{
	struct sbom_build b;
	struct described d = { NULL, 0 };
	json_t *doc = NULL, *pkgs, *p;
	const char *docid;
	char why[256];
	size_t i;
	enum vigil_err rc;

	if ((rc = sbom_build_init(&b, VIGIL_SBOM_SPDX_JSON, "SPDX", err,
	    errsize)) != VIGIL_OK)
		return rc;
	rc = vigil_json_loadb(buf, len, &doc, why, sizeof why);
	if (rc != VIGIL_OK) {
		rc = sbom_fail(&b, rc == VIGIL_ENOMEM ? rc : VIGIL_EINVAL,
		    "document: %s", why);
		goto done;
	}
	if (!json_is_object(doc)) {
		rc = sbom_fail(&b, VIGIL_EINVAL, "document: not an object");
		goto done;
	}
	if ((rc = header(&b, doc)) != VIGIL_OK)
		goto done;
	pkgs = json_object_get(doc, "packages");
	if (pkgs != NULL && !json_is_array(pkgs)) {
		rc = sbom_fail(&b, VIGIL_EINVAL, "packages: not an array");
		goto done;
	}
	json_array_foreach(pkgs, i, p) {
		char w[64];

		snprintf(w, sizeof w, "packages[%zu]", i);
		if ((rc = package(&b, p, w)) != VIGIL_OK)
			goto done;
	}
	docid = sget(doc, "SPDXID");
	if (docid == NULL)
		docid = "SPDXRef-DOCUMENT";
	if ((rc = others(&b, doc, docid)) != VIGIL_OK)
		goto done;
	p = json_object_get(doc, "documentDescribes");
	json_array_foreach(p, i, pkgs) {
		const char *ref = json_string_value(pkgs);

		if (ref != NULL && strlen(ref) <= SBOM_FIELD_MAX &&
		    (rc = describe(&b, &d, ref)) != VIGIL_OK)
			goto done;
	}
	if ((rc = relationships(&b, doc, docid, &d)) != VIGIL_OK ||
	    (rc = sbom_spdx_subject(&b, d.refs, d.n)) != VIGIL_OK ||
	    (rc = sbom_finish(&b)) != VIGIL_OK)
		goto done;
	sbom_build_take(&b, out);
	rc = VIGIL_OK;
done:
	for (i = 0; i < d.n; i++)
		free(d.refs[i]);
	free(d.refs);
	json_decref(doc);
	if (rc != VIGIL_OK)
		sbom_build_dispose(&b);
	return rc;
}
