/*
 * OpenVEX (0.2.0, and the 0.0.1 shapes still in the wild): statements
 * per (vulnerability, product), where the product is the subcomponent
 * when one is named (the component inside the product) and else the
 * product itself.
 *
 * not_affected needs a justification or an impact_statement (spec);
 * with only the latter, justification is recorded as
 * "impact_statement" so the statement still carries one. A
 * vulnerability's aliases yield the same statements under each alias.
 */
#include <stdio.h>
#include <string.h>

#include "vigil/sbom.h"
#include "vex_internal.h"

static const struct {
	const char *name;
	enum vigil_vex_state state;
} ov_states[] = {
	{ "not_affected", VIGIL_VEX_NOT_AFFECTED },
	{ "affected", VIGIL_VEX_AFFECTED },
	{ "fixed", VIGIL_VEX_FIXED },
	{ "under_investigation", VIGIL_VEX_UNDER_INVESTIGATION },
};

/* What one statement says, repeated for each (vulnerability, product). */
struct ov_stmt {
	const json_t *vulns; /* NULL or array of alias strings */
	struct vex_stmt_in in;
};

/*
 * A product or subcomponent: a string (0.0.1) or {"@id", "identifiers"
 * {purl, cpe23, cpe22}}. The purl or CPE is preferred when @id is some
 * other IRI. NULL with *bad set when malformed.
 */
static const char *
product_id(const json_t *p, int *bad)
{
	const json_t *ids;
	const char *id, *alt;

	*bad = 0;
	if (json_is_string(p)) {
		if (vex_str_value(p, VEX_PRODUCT_MAX, &id) != 0)
			*bad = 1;
		return id;
	}
	if (!json_is_object(p) || vex_str(p, "@id", VEX_PRODUCT_MAX,
	    &id) != 0) {
		*bad = 1;
		return NULL;
	}
	if (id != NULL && (strncmp(id, "pkg:", 4) == 0 || strncmp(id,
	    "cpe:", 4) == 0))
		return id;
	ids = json_object_get(p, "identifiers");
	if (json_is_object(ids)) {
		if (vex_str(ids, "purl", VEX_PRODUCT_MAX, &alt) == 0 &&
		    alt != NULL)
			return alt;
		if (vex_str(ids, "cpe23", VEX_PRODUCT_MAX, &alt) == 0 &&
		    alt != NULL)
			return alt;
		if (vex_str(ids, "cpe22", VEX_PRODUCT_MAX, &alt) == 0 &&
		    alt != NULL)
			return alt;
	}
	if (id == NULL)
		*bad = 1;
	return id;
}

/* The statement for one product under the name and every alias. */
static enum vigil_err
emit(struct vex_build *b, struct ov_stmt *s, const char *name,
    const char *product)
{
	enum vigil_err rc;

	s->in.product = product;
	s->in.vuln = name;
	rc = vex_add(b, &s->in);
	for (size_t k = 0; k < json_array_size(s->vulns) && rc == VIGIL_OK;
	    k++) {
		const char *alias;

		if (vex_str_value(json_array_get(s->vulns, k), VEX_ID_MAX,
		    &alias) != 0 || alias == NULL || alias[0] == '\0' ||
		    strcmp(alias, name) == 0)
			continue;
		s->in.vuln = alias;
		rc = vex_add(b, &s->in);
	}
	return rc;
}

/* subcomponents[] of a product (or, in 0.0.1, of the statement); a
 * malformed one is refused, never widened to its product. */
static enum vigil_err
emit_subs(struct vex_build *b, struct ov_stmt *s, const char *name,
    const json_t *subs, const char *path)
{
	enum vigil_err rc = VIGIL_OK;

	for (size_t k = 0; k < json_array_size(subs) && rc == VIGIL_OK;
	    k++) {
		int bad;
		const char *id = product_id(json_array_get(subs, k), &bad);

		if (bad || id == NULL)
			rc = vex_reject(b, "OpenVEX %s.subcomponents[%zu]: "
			    "no @id", path, k);
		else
			rc = emit(b, s, name, id);
	}
	return rc;
}

/*
 * The statement for each product, or for each of its subcomponents
 * when it lists some. 0.0.1 puts subcomponents beside products: they
 * are then the components meant, once for all products. Without any
 * product the statement is about the whole product ("").
 */
static enum vigil_err
emit_products(struct vex_build *b, struct ov_stmt *s, const char *name,
    const json_t *st, const char *path)
{
	const json_t *prods = json_object_get(st, "products");
	const json_t *ssubs = json_object_get(st, "subcomponents");
	enum vigil_err rc = VIGIL_OK;
	char ppath[128];

	if ((prods != NULL && !json_is_array(prods)) || (ssubs != NULL &&
	    !json_is_array(ssubs)))
		return vex_reject(b, "OpenVEX %s: products/subcomponents "
		    "not an array", path);
	if (json_array_size(ssubs) > 0)
		return emit_subs(b, s, name, ssubs, path);
	if (json_array_size(prods) == 0)
		return emit(b, s, name, "");
	for (size_t j = 0; j < json_array_size(prods) && rc == VIGIL_OK;
	    j++) {
		const json_t *p = json_array_get(prods, j);
		const json_t *subs = json_is_object(p) ? json_object_get(p,
		    "subcomponents") : NULL;
		int bad;
		const char *id = product_id(p, &bad);

		snprintf(ppath, sizeof ppath, "%s.products[%zu]", path, j);
		if (subs != NULL && !json_is_array(subs))
			rc = vex_reject(b, "OpenVEX %s.subcomponents: not an "
			    "array", ppath);
		else if (json_array_size(subs) > 0)
			rc = emit_subs(b, s, name, subs, ppath);
		else if (bad || id == NULL)
			rc = vex_reject(b, "OpenVEX %s: no @id", ppath);
		else
			rc = emit(b, s, name, id);
	}
	return rc;
}

static enum vigil_err
one_stmt(struct vex_build *b, const json_t *st, size_t i, int64_t doc_ms)
{
	struct ov_stmt s;
	const json_t *vul;
	const char *name = NULL, *status, *impact, *notes, *t1, *t2;
	char path[64];

	memset(&s, 0, sizeof s);
	snprintf(path, sizeof path, "statements[%zu]", i);
	if (!json_is_object(st))
		return vex_reject(b, "OpenVEX %s: not an object", path);
	vul = json_object_get(st, "vulnerability");
	if (json_is_object(vul)) {
		if (vex_str(vul, "name", VEX_ID_MAX, &name) != 0 ||
		    (name == NULL && vex_str(vul, "@id", VEX_ID_MAX,
		    &name) != 0))
			name = NULL;
		s.vulns = json_object_get(vul, "aliases");
		if (!json_is_array(s.vulns))
			s.vulns = NULL;
	} else if (vex_str_value(vul, VEX_ID_MAX, &name) != 0) {
		name = NULL;
	}
	if (name == NULL || name[0] == '\0')
		return vex_reject(b, "OpenVEX %s.vulnerability: no name",
		    path);
	for (size_t k = 0; k < sizeof ov_states / sizeof ov_states[0]; k++)
		if (vex_str(st, "status", 32, &status) == 0 && status !=
		    NULL && strcmp(status, ov_states[k].name) == 0)
			s.in.state = ov_states[k].state;
	if (s.in.state == VIGIL_VEX_NONE)
		return vex_reject(b, "OpenVEX %s.status: missing or not one "
		    "of not_affected, affected, fixed, under_investigation",
		    path);
	if (vex_str(st, "justification", 64, &s.in.justification) != 0 ||
	    vex_str(st, "impact_statement", VEX_TEXT_MAX, &impact) != 0 ||
	    vex_str(st, "status_notes", VEX_TEXT_MAX, &notes) != 0 ||
	    vex_str(st, "action_statement", VEX_TEXT_MAX, &s.in.action) !=
	    0)
		return vex_reject(b, "OpenVEX %s: justification, "
		    "impact_statement, status_notes or action_statement not "
		    "a string", path);
	if (s.in.justification != NULL && s.in.justification[0] == '\0')
		s.in.justification = NULL;
	if (impact != NULL && impact[0] == '\0')
		impact = NULL;
	if (s.in.state == VIGIL_VEX_NOT_AFFECTED) {
		if (s.in.justification == NULL && impact == NULL)
			return vex_reject(b, "OpenVEX %s: not_affected "
			    "without a justification or impact_statement",
			    path);
		if (s.in.justification == NULL)
			s.in.justification = "impact_statement";
	} else {
		s.in.justification = NULL;
	}
	s.in.detail = impact != NULL ? impact : notes;
	if (vex_str(st, "last_updated", 64, &t1) != 0 || vex_str(st,
	    "timestamp", 64, &t2) != 0 || vex_time(t1 != NULL ? t1 : t2,
	    &s.in.time_ms) != 0)
		return vex_reject(b, "OpenVEX %s: bad timestamp", path);
	if (s.in.time_ms == 0)
		s.in.time_ms = doc_ms;
	return emit_products(b, &s, name, st, path);
}

enum vigil_err
vex_parse_openvex(const json_t *root, struct vex_build *b)
{
	const json_t *stmts;
	const char *ctx, *id, *ts, *t2;
	enum vigil_err rc = VIGIL_OK;
	int64_t doc_ms = 0;

	if (!json_is_object(root) || vex_str(root, "@context",
	    VEX_PRODUCT_MAX, &ctx) != 0 || ctx == NULL || strstr(ctx,
	    "openvex") == NULL)
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "OpenVEX @context: not an openvex.dev context");
	if (vex_str(root, "@id", VEX_PRODUCT_MAX, &id) != 0)
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "OpenVEX @id: not a string");
	if (vex_str(root, "last_updated", 64, &ts) != 0 || vex_str(root,
	    "timestamp", 64, &t2) != 0 || vex_time(ts != NULL ? ts : t2,
	    &doc_ms) != 0)
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "OpenVEX timestamp: not an RFC 3339 time");
	b->doc->id = strdup(id != NULL ? id : "");
	if (b->doc->id == NULL)
		return VIGIL_ENOMEM;
	b->doc->time_ms = doc_ms;
	stmts = json_object_get(root, "statements");
	if (!json_is_array(stmts))
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "OpenVEX statements: missing or not an array");
	for (size_t i = 0; i < json_array_size(stmts) && rc == VIGIL_OK; i++)
		rc = one_stmt(b, json_array_get(stmts, i), i, doc_ms);
	return rc;
}
