/*
 * CSAF 2.0 VEX (document.category csaf_vex): product_tree ids resolved
 * to what a component is matched by (purl, else CPE, else "name:"),
 * then one statement per (vulnerability, product id) in each
 * product_status list, with flags[] labels as justifications, impact
 * threats as detail and remediations as action.
 *
 * A relationship's product (component X installed on platform Y) is
 * resolved to its product_reference, the component, unless it carries
 * its own identification helper. not_affected without a flag or an
 * impact threat is refused; with only the threat, justification is
 * recorded as "impact_statement". Flag labels keep CSAF's spelling
 * (the same five names as OpenVEX).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/sbom.h"
#include "vex_internal.h"

/* The product_tree, as id -> matchable text, and group -> ids. */
struct csaf_tree {
	json_t *ids;    /* product_id -> "pkg:..." / "cpe:..." / "name:..." */
	json_t *groups; /* group_id -> array of product_id */
};

/* {"name", "product_id", "product_identification_helper"} -> text. */
static json_t *
resolve_fpn(const json_t *p)
{
	const json_t *h = json_object_get(p, "product_identification_helper");
	const char *s, *name;
	char buf[VEX_PRODUCT_MAX + 8];

	if (vex_str(h, "purl", VEX_PRODUCT_MAX, &s) == 0 && s != NULL)
		return json_string(s);
	if (vex_str(h, "cpe", VEX_PRODUCT_MAX, &s) == 0 && s != NULL)
		return json_string(s);
	if (vex_str(p, "name", VEX_PRODUCT_MAX, &name) != 0 || name == NULL)
		return NULL;
	snprintf(buf, sizeof buf, "name:%s", name);
	return json_string(buf);
}

static enum vigil_err
add_fpn(struct csaf_tree *t, const json_t *p)
{
	const char *pid;
	json_t *v;

	if (vex_str(p, "product_id", VEX_ID_MAX, &pid) != 0 || pid == NULL)
		return VIGIL_OK; /* unusable: statements naming it refuse */
	v = resolve_fpn(p);
	if (v == NULL)
		return VIGIL_OK;
	if (json_object_set_new(t->ids, pid, v) != 0)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}

static enum vigil_err
/* NOLINTNEXTLINE(misc-no-recursion): bounded: depth < VEX_DEPTH_MAX */
walk_branches(struct csaf_tree *t, const json_t *br, unsigned depth,
    struct vex_build *b)
{
	enum vigil_err rc = VIGIL_OK;

	if (br == NULL)
		return VIGIL_OK;
	if (!json_is_array(br))
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CSAF product_tree.branches: not an array (depth %u)",
		    depth);
	if (depth >= VEX_DEPTH_MAX)
		return vigil_seterr(b->err, b->errsize, VIGIL_ERANGE,
		    "CSAF product_tree.branches: nested deeper than %u",
		    VEX_DEPTH_MAX);
	for (size_t i = 0; i < json_array_size(br) && rc == VIGIL_OK; i++) {
		const json_t *n = json_array_get(br, i);
		const json_t *p = json_object_get(n, "product");

		if (json_is_object(p))
			rc = add_fpn(t, p);
		if (rc == VIGIL_OK)
			rc = walk_branches(t, json_object_get(n, "branches"),
			    depth + 1, b);
	}
	return rc;
}

static enum vigil_err
add_relationship(struct csaf_tree *t, const json_t *r)
{
	const json_t *fpn = json_object_get(r, "full_product_name");
	const json_t *h = json_object_get(fpn,
	    "product_identification_helper");
	const char *pid, *ref;
	json_t *v;

	if (vex_str(fpn, "product_id", VEX_ID_MAX, &pid) != 0 || pid == NULL)
		return VIGIL_OK;
	if (!json_is_object(h) && vex_str(r, "product_reference",
	    VEX_ID_MAX, &ref) == 0 && ref != NULL && json_object_get(t->ids,
	    ref) != NULL)
		v = json_copy(json_object_get(t->ids, ref));
	else
		v = resolve_fpn(fpn);
	if (v == NULL)
		return VIGIL_OK;
	if (json_object_set_new(t->ids, pid, v) != 0)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}

static enum vigil_err
read_tree(struct csaf_tree *t, const json_t *tree, struct vex_build *b)
{
	const json_t *a;
	enum vigil_err rc;

	if (tree == NULL)
		return VIGIL_OK;
	if (!json_is_object(tree))
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CSAF product_tree: not an object");
	rc = walk_branches(t, json_object_get(tree, "branches"), 0, b);
	a = json_object_get(tree, "full_product_names");
	for (size_t i = 0; i < json_array_size(a) && rc == VIGIL_OK; i++)
		rc = add_fpn(t, json_array_get(a, i));
	a = json_object_get(tree, "relationships");
	for (size_t i = 0; i < json_array_size(a) && rc == VIGIL_OK; i++)
		rc = add_relationship(t, json_array_get(a, i));
	a = json_object_get(tree, "product_groups");
	for (size_t i = 0; i < json_array_size(a) && rc == VIGIL_OK; i++) {
		const json_t *g = json_array_get(a, i);
		const json_t *ids = json_object_get(g, "product_ids");
		const char *gid;

		if (vex_str(g, "group_id", VEX_ID_MAX, &gid) != 0 ||
		    gid == NULL || !json_is_array(ids))
			continue;
		if (json_object_set(t->groups, gid, (json_t *)ids) != 0)
			rc = VIGIL_ENOMEM;
	}
	return rc;
}

/* map[pid] = text, or old "; " text when appending; a text past
 * VEX_TEXT_MAX keeps the old one. */
static enum vigil_err
note_one(json_t *map, const char *pid, const char *text, int append)
{
	const char *old;
	struct vigil_buf jb;
	enum vigil_err rc = VIGIL_OK;
	json_t *v;

	if (pid == NULL)
		return VIGIL_OK;
	old = json_string_value(json_object_get(map, pid));
	if (old != NULL && !append)
		return VIGIL_OK;
	vigil_buf_init(&jb, VEX_TEXT_MAX);
	if (old != NULL)
		rc = vigil_buf_appendf(&jb, "%s; ", old);
	if (rc == VIGIL_OK)
		rc = vigil_buf_appends(&jb, text);
	if (rc == VIGIL_OK) {
		v = json_string(jb.data);
		if (v == NULL || json_object_set_new(map, pid, v) != 0)
			rc = VIGIL_ENOMEM;
	} else if (rc == VIGIL_ERANGE) {
		rc = VIGIL_OK;
	}
	vigil_buf_free(&jb);
	return rc;
}

/*
 * For each product id an entry names (product_ids[], and the members of
 * its group_ids[]), map[id] = text; append = join with "; " instead of
 * keeping the first.
 */
static enum vigil_err
note_ids(const struct csaf_tree *t, json_t *map, const json_t *entry,
    const char *text, int append)
{
	const json_t *groups = json_object_get(entry, "group_ids");
	const json_t *ids = json_object_get(entry, "product_ids");
	enum vigil_err rc = VIGIL_OK;

	/* Round 0: product_ids; round g + 1: the members of group g. */
	for (size_t g = 0; g <= json_array_size(groups); g++) {
		for (size_t i = 0; i < json_array_size(ids) && rc == VIGIL_OK;
		    i++)
			rc = note_one(map, json_string_value(json_array_get(ids,
			    i)), text, append);
		if (rc != VIGIL_OK)
			return rc;
		ids = json_object_get(t->groups, json_string_value(
		    json_array_get(groups, g)));
	}
	return VIGIL_OK;
}

/* flags, impact threats and remediations of one vulnerability. */
struct csaf_notes {
	json_t *just, *impact, *action;
};

static enum vigil_err
read_notes(const struct csaf_tree *t, const json_t *v, struct csaf_notes *n)
{
	const json_t *a;
	enum vigil_err rc = VIGIL_OK;
	char text[1024];

	a = json_object_get(v, "flags");
	for (size_t i = 0; i < json_array_size(a) && rc == VIGIL_OK; i++) {
		const char *label;

		if (vex_str(json_array_get(a, i), "label", 64, &label) == 0 &&
		    label != NULL)
			rc = note_ids(t, n->just, json_array_get(a, i), label,
			    0);
	}
	a = json_object_get(v, "threats");
	for (size_t i = 0; i < json_array_size(a) && rc == VIGIL_OK; i++) {
		const json_t *th = json_array_get(a, i);
		const char *cat, *det;

		if (vex_str(th, "category", 32, &cat) == 0 && cat != NULL &&
		    strcmp(cat, "impact") == 0 && vex_str(th, "details",
		    VEX_TEXT_MAX, &det) == 0 && det != NULL)
			rc = note_ids(t, n->impact, th, det, 0);
	}
	a = json_object_get(v, "remediations");
	for (size_t i = 0; i < json_array_size(a) && rc == VIGIL_OK; i++) {
		const json_t *re = json_array_get(a, i);
		const char *cat, *det;

		/* Longer details are cut: action is a summary. */
		if (vex_str(re, "category", 32, &cat) != 0 || cat == NULL ||
		    vex_str(re, "details", VEX_TEXT_MAX, &det) != 0)
			continue;
		snprintf(text, sizeof text, "%s%s%.960s", cat, det != NULL ?
		    ": " : "", det != NULL ? det : "");
		rc = note_ids(t, n->action, re, text, 1);
	}
	return rc;
}

static const struct {
	const char *list;
	enum vigil_vex_state state;
} csaf_lists[] = {
	{ "known_affected", VIGIL_VEX_AFFECTED },
	{ "first_affected", VIGIL_VEX_AFFECTED },
	{ "last_affected", VIGIL_VEX_AFFECTED },
	{ "known_not_affected", VIGIL_VEX_NOT_AFFECTED },
	{ "fixed", VIGIL_VEX_FIXED },
	{ "first_fixed", VIGIL_VEX_FIXED },
	{ "under_investigation", VIGIL_VEX_UNDER_INVESTIGATION },
};

static enum vigil_err
one_product(struct vex_build *b, const struct csaf_tree *t,
    const struct csaf_notes *n, const char *vuln, size_t vi, size_t li,
    size_t k, const char *pid, int64_t ms)
{
	struct vex_stmt_in in = { 0 };
	const char *product = json_string_value(json_object_get(t->ids, pid));

	if (product == NULL)
		return vex_reject(b, "CSAF vulnerabilities[%zu].product_status"
		    ".%s[%zu]: product_id '%.64s' not in product_tree", vi,
		    csaf_lists[li].list, k, pid);
	in.vuln = vuln;
	in.product = product;
	in.state = csaf_lists[li].state;
	in.detail = json_string_value(json_object_get(n->impact, pid));
	in.action = json_string_value(json_object_get(n->action, pid));
	in.time_ms = ms;
	if (in.state == VIGIL_VEX_NOT_AFFECTED) {
		in.justification = json_string_value(json_object_get(n->just,
		    pid));
		if (in.justification == NULL && in.detail != NULL)
			in.justification = "impact_statement";
		if (in.justification == NULL)
			return vex_reject(b, "CSAF vulnerabilities[%zu]."
			    "product_status.%s[%zu] (%.64s): not_affected "
			    "without a flags[] label or impact threat", vi,
			    csaf_lists[li].list, k, pid);
	}
	return vex_add(b, &in);
}

static enum vigil_err
one_vuln(struct vex_build *b, const struct csaf_tree *t, const json_t *v,
    size_t vi, int64_t ms)
{
	struct csaf_notes n;
	const json_t *ps;
	const char *vuln = NULL;
	enum vigil_err rc;

	if (!json_is_object(v))
		return vex_reject(b, "CSAF vulnerabilities[%zu]: not an "
		    "object", vi);
	if (vex_str(v, "cve", VEX_ID_MAX, &vuln) != 0)
		vuln = NULL;
	if (vuln == NULL && vex_str(json_array_get(json_object_get(v, "ids"),
	    0), "text", VEX_ID_MAX, &vuln) != 0)
		vuln = NULL;
	if (vuln == NULL || vuln[0] == '\0')
		return vex_reject(b, "CSAF vulnerabilities[%zu]: no cve and "
		    "no ids[].text", vi);
	ps = json_object_get(v, "product_status");
	if (!json_is_object(ps))
		return vex_reject(b, "CSAF vulnerabilities[%zu]."
		    "product_status: missing or not an object", vi);
	n.just = json_object();
	n.impact = json_object();
	n.action = json_object();
	rc = n.just == NULL || n.impact == NULL || n.action == NULL ?
	    VIGIL_ENOMEM : read_notes(t, v, &n);
	for (size_t li = 0; li < sizeof csaf_lists / sizeof csaf_lists[0] &&
	    rc == VIGIL_OK; li++) {
		const json_t *ids = json_object_get(ps, csaf_lists[li].list);

		for (size_t k = 0; k < json_array_size(ids) && rc == VIGIL_OK;
		    k++) {
			const char *pid;

			if (vex_str_value(json_array_get(ids, k), VEX_ID_MAX,
			    &pid) != 0 || pid == NULL)
				rc = vex_reject(b, "CSAF vulnerabilities[%zu]."
				    "product_status.%s[%zu]: not a product_id",
				    vi, csaf_lists[li].list, k);
			else
				rc = one_product(b, t, &n, vuln, vi, li, k,
				    pid, ms);
		}
	}
	json_decref(n.just);
	json_decref(n.impact);
	json_decref(n.action);
	return rc;
}

enum vigil_err
vex_parse_csaf(const json_t *root, struct vex_build *b)
{
	const json_t *doc = json_object_get(root, "document");
	const json_t *trk = json_object_get(doc, "tracking");
	const json_t *vulns = json_object_get(root, "vulnerabilities");
	struct csaf_tree t;
	const char *cat, *id, *ts;
	enum vigil_err rc;
	int64_t ms = 0;

	if (!json_is_object(doc))
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CSAF document: missing or not an object");
	if (vex_str(doc, "category", 64, &cat) != 0 || cat == NULL ||
	    strcmp(cat, "csaf_vex") != 0)
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CSAF document.category: '%.64s' is not csaf_vex",
		    cat != NULL ? cat : "(missing)");
	if (vex_str(trk, "id", VEX_ID_MAX, &id) != 0 || vex_str(trk,
	    "current_release_date", 64, &ts) != 0 || vex_time(ts, &ms) != 0)
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CSAF document.tracking: bad id or current_release_date");
	if (vulns != NULL && !json_is_array(vulns))
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CSAF vulnerabilities: not an array");
	b->doc->id = strdup(id != NULL ? id : "");
	if (b->doc->id == NULL)
		return VIGIL_ENOMEM;
	b->doc->time_ms = ms;
	t.ids = json_object();
	t.groups = json_object();
	rc = t.ids == NULL || t.groups == NULL ? VIGIL_ENOMEM :
	    read_tree(&t, json_object_get(root, "product_tree"), b);
	for (size_t i = 0; i < json_array_size(vulns) && rc == VIGIL_OK; i++)
		rc = one_vuln(b, &t, json_array_get(vulns, i), i, ms);
	json_decref(t.ids);
	json_decref(t.groups);
	return rc;
}
