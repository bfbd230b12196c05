/*
 * CycloneDX JSON 1.4, 1.5 and 1.6 into a struct vigil_sbom: document
 * identity, metadata (timestamp, authors, tools in both the 1.4 array
 * and the 1.5+ object form, the subject), components with nested ones
 * flattened, and the dependency graph. vulnerabilities[] is VEX and
 * read elsewhere (vex_cdx.c).
 */
#include <stdio.h>
#include <string.h>

#include "sbom_internal.h"
#include "vigil/json.h"
#include "vigil/sbom.h"

/* obj[key] as a bounded string; NULL when absent or null, an error
 * when it is something else. *n gets the length. */
static enum vigil_err
str_at(struct sbom_build *b, const json_t *obj, const char *key,
    const char *where, const char **out, size_t *n)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (n != NULL)
		*n = 0;
	if (v == NULL || json_is_null(v))
		return VIGIL_OK;
	if (!json_is_string(v))
		return sbom_fail(b, VIGIL_EINVAL, "%s.%s: not a string", where,
		    key);
	if (json_string_length(v) > SBOM_FIELD_MAX)
		return sbom_fail(b, VIGIL_ERANGE,
		    "%s.%s: %zu bytes, more than the %u allowed", where, key,
		    json_string_length(v), SBOM_FIELD_MAX);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return sbom_fail(b, VIGIL_EINVAL, "%s.%s: contains a NUL byte",
		    where, key);
	*out = json_string_value(v);
	if (n != NULL)
		*n = json_string_length(v);
	return VIGIL_OK;
}

/* Sets *field from obj[key] when present. */
static enum vigil_err
field(struct sbom_build *b, const json_t *obj, const char *key,
    const char *where, char **dst)
{
	const char *v;
	size_t n;
	enum vigil_err rc = str_at(b, obj, key, where, &v, &n);

	if (rc != VIGIL_OK || v == NULL)
		return rc;
	return sbom_set_n(dst, v, n) == VIGIL_OK ? VIGIL_OK :
	    sbom_fail(b, VIGIL_ENOMEM, "%s: out of memory", where);
}

static enum vigil_err
array_at(struct sbom_build *b, const json_t *obj, const char *key,
    const char *where, json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return VIGIL_OK;
	if (!json_is_array(v))
		return sbom_fail(b, VIGIL_EINVAL, "%s%s%s: not an array", where,
		    *where != '\0' ? "." : "", key);
	*out = v;
	return VIGIL_OK;
}

/* licenses[]: {license:{id|name}} or {expression}; joined with " AND "
 * (informational only). Over-long ones are dropped with a warning. */
static enum vigil_err
licenses(struct sbom_build *b, struct vigil_sbom_component *c,
    const json_t *comp, const char *where)
{
	json_t *arr, *e;
	size_t i;
	char buf[SBOM_FIELD_MAX + 1];
	size_t len = 0;
	enum vigil_err rc;

	if ((rc = array_at(b, comp, "licenses", where, &arr)) != VIGIL_OK ||
	    arr == NULL)
		return rc;
	buf[0] = '\0';
	json_array_foreach(arr, i, e) {
		const json_t *l = json_object_get(e, "license");
		const char *v = json_string_value(json_object_get(e,
		    "expression"));
		int w;

		if (v == NULL && json_is_object(l)) {
			v = json_string_value(json_object_get(l, "id"));
			if (v == NULL)
				v = json_string_value(json_object_get(l,
				    "name"));
		}
		if (v == NULL || *v == '\0')
			continue;
		w = snprintf(buf + len, sizeof buf - len, "%s%s",
		    len > 0 ? " AND " : "", v);
		if (w < 0 || (size_t)w >= sizeof buf - len)
			return sbom_warn(b, "%s.licenses: longer than %u "
			    "bytes, dropped", where, SBOM_FIELD_MAX);
		len += (size_t)w;
	}
	return sbom_set_n(&c->license, buf, len) == VIGIL_OK ? VIGIL_OK :
	    sbom_fail(b, VIGIL_ENOMEM, "%s: out of memory", where);
}

/* The fields of one component object into c. */
static enum vigil_err
component_fields(struct sbom_build *b, struct vigil_sbom_component *c,
    const json_t *comp, const char *where)
{
	const char *purl, *cpe;
	json_t *sup, *hashes, *h;
	size_t i;
	enum vigil_err rc;

	if (!json_is_object(comp))
		return sbom_fail(b, VIGIL_EINVAL, "%s: not an object", where);
	if ((rc = field(b, comp, "bom-ref", where, &c->ref)) != VIGIL_OK ||
	    (rc = field(b, comp, "type", where, &c->type)) != VIGIL_OK ||
	    (rc = field(b, comp, "name", where, &c->name)) != VIGIL_OK ||
	    (rc = field(b, comp, "version", where, &c->version)) !=
	    VIGIL_OK)
		return rc;
	sup = json_object_get(comp, "supplier");
	if (sup != NULL && !json_is_null(sup)) {
		char w[256];

		if (!json_is_object(sup))
			return sbom_fail(b, VIGIL_EINVAL,
			    "%s.supplier: not an object", where);
		snprintf(w, sizeof w, "%s.supplier", where);
		if ((rc = field(b, sup, "name", w, &c->supplier)) != VIGIL_OK)
			return rc;
	}
	if ((rc = str_at(b, comp, "purl", where, &purl, NULL)) != VIGIL_OK ||
	    (rc = str_at(b, comp, "cpe", where, &cpe, NULL)) != VIGIL_OK)
		return rc;
	if ((rc = sbom_set_purl(b, c, purl, where)) != VIGIL_OK ||
	    (rc = sbom_set_cpe(b, c, cpe, where)) != VIGIL_OK)
		return rc;
	if ((rc = array_at(b, comp, "hashes", where, &hashes)) != VIGIL_OK)
		return rc;
	json_array_foreach(hashes, i, h) {
		char w[256];
		const char *alg, *content;

		snprintf(w, sizeof w, "%s.hashes[%zu]", where, i);
		if (!json_is_object(h))
			return sbom_fail(b, VIGIL_EINVAL, "%s: not an object",
			    w);
		if ((rc = str_at(b, h, "alg", w, &alg, NULL)) != VIGIL_OK ||
		    (rc = str_at(b, h, "content", w, &content, NULL)) !=
		    VIGIL_OK)
			return rc;
		if (alg == NULL || content == NULL) {
			if ((rc = sbom_warn(b, "%s: alg or content missing, "
			    "dropped", w)) != VIGIL_OK)
				return rc;
			continue;
		}
		if ((rc = sbom_add_hash(b, c, alg, content, w)) != VIGIL_OK)
			return rc;
	}
	return licenses(b, c, comp, where);
}

static enum vigil_err
/* NOLINTNEXTLINE(misc-no-recursion): bounded: depth <= SBOM_NEST_MAX */
components(struct sbom_build *b, const json_t *arr, const char *where,
    unsigned depth)
{
	const json_t *comp;
	size_t i;

	if (depth > SBOM_NEST_MAX)
		return sbom_fail(b, VIGIL_ERANGE,
		    "%s: components nested deeper than %u", where,
		    SBOM_NEST_MAX);
	json_array_foreach(arr, i, comp) {
		struct vigil_sbom_component *c;
		char path[512];
		json_t *sub;
		enum vigil_err rc;
		int w = snprintf(path, sizeof path, "%s%scomponents[%zu]",
		    where, *where != '\0' ? "." : "", i);

		if (w < 0 || (size_t)w >= sizeof path)
			return sbom_fail(b, VIGIL_ERANGE,
			    "%.100s...: components nested too deep", where);
		if ((rc = sbom_add_component(b, path, &c)) != VIGIL_OK ||
		    (rc = component_fields(b, c, comp, path)) != VIGIL_OK)
			return rc;
		if ((rc = array_at(b, comp, "components", path, &sub)) !=
		    VIGIL_OK)
			return rc;
		if (sub != NULL &&
		    (rc = components(b, sub, path, depth + 1)) != VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

/* "name version" of a tool entry (1.4 tool or 1.5 component/service),
 * with its vendor/group in front when there is one. */
static enum vigil_err
tool(struct sbom_build *b, const json_t *t)
{
	const char *vendor = json_string_value(json_object_get(t, "vendor")),
	    *name = json_string_value(json_object_get(t, "name")),
	    *version = json_string_value(json_object_get(t, "version"));
	char buf[512];

	if (vendor == NULL)
		vendor = json_string_value(json_object_get(t, "group"));
	if (name == NULL || *name == '\0')
		return VIGIL_OK;
	snprintf(buf, sizeof buf, "%s%s%s%s%s",
	    vendor != NULL && *vendor != '\0' ? vendor : "",
	    vendor != NULL && *vendor != '\0' ? " " : "", name,
	    version != NULL && *version != '\0' ? " " : "",
	    version != NULL ? version : "");
	return sbom_join(b, &b->s->tools, buf, "metadata.tools");
}

static enum vigil_err
tools(struct sbom_build *b, const json_t *meta)
{
	json_t *t = json_object_get(meta, "tools"), *e;
	const char *parts[] = { "components", "services" };
	size_t i;
	enum vigil_err rc;

	if (t == NULL || json_is_null(t))
		return VIGIL_OK;
	if (json_is_array(t)) { /* 1.4, deprecated in 1.5 */
		json_array_foreach(t, i, e) {
			if ((rc = tool(b, e)) != VIGIL_OK)
				return rc;
		}
		return VIGIL_OK;
	}
	if (!json_is_object(t))
		return sbom_fail(b, VIGIL_EINVAL,
		    "metadata.tools: neither an array nor an object");
	for (size_t p = 0; p < 2; p++) {
		json_t *arr = json_object_get(t, parts[p]);

		if (arr != NULL && !json_is_array(arr))
			return sbom_fail(b, VIGIL_EINVAL,
			    "metadata.tools.%s: not an array", parts[p]);
		json_array_foreach(arr, i, e) {
			if ((rc = tool(b, e)) != VIGIL_OK)
				return rc;
		}
	}
	return VIGIL_OK;
}

static enum vigil_err
metadata(struct sbom_build *b, const json_t *meta)
{
	struct vigil_sbom *s = b->s;
	const char *ts;
	json_t *authors, *a, *comp;
	size_t i;
	enum vigil_err rc;

	if (meta == NULL || json_is_null(meta))
		return VIGIL_OK;
	if (!json_is_object(meta))
		return sbom_fail(b, VIGIL_EINVAL, "metadata: not an object");
	if ((rc = str_at(b, meta, "timestamp", "metadata", &ts, NULL)) !=
	    VIGIL_OK)
		return rc;
	if (ts != NULL) {
		char why[128];

		if (vigil_time_parse(ts, &s->created_ms, why, sizeof why) !=
		    VIGIL_OK) {
			s->created_ms = 0;
			if ((rc = sbom_warn(b, "metadata.timestamp: %s",
			    why)) != VIGIL_OK)
				return rc;
		}
	}
	if ((rc = array_at(b, meta, "authors", "metadata", &authors)) !=
	    VIGIL_OK)
		return rc;
	json_array_foreach(authors, i, a) {
		const char *n = json_string_value(json_object_get(a, "name"));

		if (n == NULL || *n == '\0')
			n = json_string_value(json_object_get(a, "email"));
		if (n != NULL && (rc = sbom_join(b, &s->authors, n,
		    "metadata.authors")) != VIGIL_OK)
			return rc;
	}
	if ((rc = tools(b, meta)) != VIGIL_OK)
		return rc;
	comp = json_object_get(meta, "component");
	if (comp != NULL && !json_is_null(comp))
		return component_fields(b, &s->subject, comp,
		    "metadata.component");
	return VIGIL_OK;
}

static enum vigil_err
dependencies(struct sbom_build *b, const json_t *doc)
{
	json_t *deps, *d, *on, *t;
	size_t i, j;
	enum vigil_err rc;

	if ((rc = array_at(b, doc, "dependencies", "", &deps)) != VIGIL_OK ||
	    deps == NULL)
		return rc;
	b->s->has_dependencies = 1;
	json_array_foreach(deps, i, d) {
		char w[64];
		const char *ref;

		snprintf(w, sizeof w, "dependencies[%zu]", i);
		if (!json_is_object(d))
			return sbom_fail(b, VIGIL_EINVAL, "%s: not an object",
			    w);
		if ((rc = str_at(b, d, "ref", w, &ref, NULL)) != VIGIL_OK)
			return rc;
		if (ref == NULL)
			return sbom_fail(b, VIGIL_EINVAL, "%s: no ref", w);
		if ((rc = array_at(b, d, "dependsOn", w, &on)) != VIGIL_OK)
			return rc;
		json_array_foreach(on, j, t) {
			char wj[96];

			snprintf(wj, sizeof wj, "%s.dependsOn[%zu]", w, j);
			if (!json_is_string(t) ||
			    json_string_length(t) > SBOM_FIELD_MAX)
				return sbom_fail(b, VIGIL_EINVAL,
				    "%s: not a ref", wj);
			if ((rc = sbom_add_edge(b, ref, json_string_value(t),
			    wj)) != VIGIL_OK)
				return rc;
		}
	}
	return VIGIL_OK;
}

static enum vigil_err
header(struct sbom_build *b, const json_t *doc)
{
	struct vigil_sbom *s = b->s;
	const char *fmt, *spec;
	json_t *ver;
	enum vigil_err rc;

	if ((rc = str_at(b, doc, "bomFormat", "document", &fmt, NULL)) !=
	    VIGIL_OK)
		return rc;
	if (fmt == NULL || strcmp(fmt, "CycloneDX") != 0)
		return sbom_fail(b, VIGIL_EINVAL,
		    "bomFormat: must be \"CycloneDX\"");
	if ((rc = str_at(b, doc, "specVersion", "document", &spec, NULL)) !=
	    VIGIL_OK)
		return rc;
	if (spec == NULL)
		return sbom_fail(b, VIGIL_EINVAL, "specVersion: missing");
	if (strcmp(spec, "1.4") != 0 && strcmp(spec, "1.5") != 0 &&
	    strcmp(spec, "1.6") != 0)
		return sbom_fail(b, VIGIL_EUNSUPPORTED,
		    "specVersion %.20s: not supported (1.4, 1.5 and 1.6 are)",
		    spec);
	if (sbom_set_n(&s->spec_version, spec, strlen(spec)) != VIGIL_OK)
		return sbom_fail(b, VIGIL_ENOMEM, "out of memory");
	if ((rc = field(b, doc, "serialNumber", "document", &s->serial)) !=
	    VIGIL_OK)
		return rc;
	ver = json_object_get(doc, "version");
	if (ver != NULL) {
		if (!json_is_integer(ver) || json_integer_value(ver) < 1)
			return sbom_fail(b, VIGIL_EINVAL,
			    "version: must be an integer >= 1");
		s->bom_version = json_integer_value(ver);
	}
	return VIGIL_OK;
}

enum vigil_err
sbom_cdx_parse(const char *buf, size_t len, struct vigil_sbom **out,
    char *err, size_t errsize)
{
	struct sbom_build b;
	json_t *doc = NULL, *comps;
	char why[256];
	enum vigil_err rc;

	if ((rc = sbom_build_init(&b, VIGIL_SBOM_CYCLONEDX, "CycloneDX", err,
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
	if ((rc = header(&b, doc)) != VIGIL_OK ||
	    (rc = metadata(&b, json_object_get(doc, "metadata"))) !=
	    VIGIL_OK ||
	    (rc = array_at(&b, doc, "components", "", &comps)) != VIGIL_OK)
		goto done;
	if (comps != NULL && (rc = components(&b, comps, "", 1)) != VIGIL_OK)
		goto done;
	if ((rc = dependencies(&b, doc)) != VIGIL_OK ||
	    (rc = sbom_finish(&b)) != VIGIL_OK)
		goto done;
	sbom_build_take(&b, out);
	json_decref(doc);
	return VIGIL_OK;
done:
	json_decref(doc);
	sbom_build_dispose(&b);
	return rc;
}
