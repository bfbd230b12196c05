/*
 * CycloneDX VEX (1.4-1.6): a BOM's vulnerabilities[] with their
 * analysis, turned into statements per affects[] target.
 *
 * A vulnerability without an analysis is a finding someone reports,
 * not a statement about it: it is skipped and counted nowhere. A
 * vulnerability without affects[] speaks about the whole product the
 * BOM describes (product ""). affects[].versions[] entries become one
 * statement each, their state taken from the entry's status and their
 * version or "vers:" range kept in the statement's versions, so a
 * lookup tells "2.4 affected" from "4.2 not affected" of one product.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/sbom.h"
#include "vex_internal.h"

static const struct {
	const char *name;
	enum vigil_vex_state state;
} cdx_states[] = {
	{ "exploitable", VIGIL_VEX_AFFECTED },
	{ "resolved", VIGIL_VEX_FIXED },
	{ "resolved_with_pedigree", VIGIL_VEX_FIXED },
	{ "not_affected", VIGIL_VEX_NOT_AFFECTED },
	{ "in_triage", VIGIL_VEX_UNDER_INVESTIGATION },
	{ "false_positive", VIGIL_VEX_FALSE_POSITIVE },
};

static enum vigil_vex_state
cdx_state(const char *s)
{
	for (size_t i = 0; i < sizeof cdx_states / sizeof cdx_states[0]; i++)
		if (strcmp(s, cdx_states[i].name) == 0)
			return cdx_states[i].state;
	return VIGIL_VEX_NONE;
}

/* What one vulnerability's analysis says, shared by its targets. */
struct cdx_analysis {
	const char *vuln;
	enum vigil_vex_state state;
	const char *justification;
	const char *detail;
	char action[512];
	int64_t time_ms;
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * "urn:cdx:<uuid>/<version>#<bom-ref>" into serial "urn:uuid:<uuid>"
 * and the percent-decoded bom-ref. -1 when malformed.
 */
static int
bom_link(const char *s, char *serial, size_t ssize, char *ref, size_t rsize)
{
	const char *p = s + strlen("urn:cdx:");
	const char *slash = strchr(p, '/');
	const char *hash = slash != NULL ? strchr(slash, '#') : NULL;
	size_t n = 0;

	if (slash == NULL || hash == NULL || slash == p ||
	    hash == slash + 1 || hash[1] == '\0')
		return -1;
	for (const char *q = slash + 1; q < hash; q++)
		if (*q < '0' || *q > '9')
			return -1;
	if ((size_t)(slash - p) + sizeof "urn:uuid:" > ssize)
		return -1;
	snprintf(serial, ssize, "urn:uuid:%.*s", (int)(slash - p), p);
	for (const char *q = hash + 1; *q != '\0'; q++) {
		char c = *q;

		if (c == '%') {
			int hi = hexval(q[1]), lo = hi < 0 ? -1 : hexval(q[2]);

			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			q += 2;
		}
		if (c == '\0' || n + 1 >= rsize)
			return -1;
		ref[n++] = c;
	}
	ref[n] = '\0';
	return 0;
}

/* The state a versions[] entry gives, from its status and the
 * analysis: an affected version of a not_affected/resolved analysis is
 * affected; an unaffected version of an open one is not_affected. */
static enum vigil_vex_state
version_state(const char *status, enum vigil_vex_state an)
{
	if (strcmp(status, "affected") == 0)
		return an == VIGIL_VEX_NOT_AFFECTED || an == VIGIL_VEX_FIXED ?
		    VIGIL_VEX_AFFECTED : an;
	if (strcmp(status, "unaffected") == 0)
		return an == VIGIL_VEX_NOT_AFFECTED || an == VIGIL_VEX_FIXED ||
		    an == VIGIL_VEX_FALSE_POSITIVE ? an :
		    VIGIL_VEX_NOT_AFFECTED;
	if (strcmp(status, "unknown") == 0)
		return VIGIL_VEX_UNDER_INVESTIGATION;
	return VIGIL_VEX_NONE;
}

static enum vigil_err
add_one(struct vex_build *b, const struct cdx_analysis *a,
    enum vigil_vex_state st, const char *product, const char *serial,
    const char *versions, const char *path)
{
	struct vex_stmt_in in = { 0 };
	size_t before = b->doc->nstmts;
	struct vigil_vex_stmt *s;
	enum vigil_err rc;
	char *v;

	if (st == VIGIL_VEX_NOT_AFFECTED && a->justification == NULL)
		return vex_reject(b, "CycloneDX %s: not_affected without a "
		    "justification", path);
	in.vuln = a->vuln;
	in.product = product;
	in.serial = serial;
	in.state = st;
	in.justification = st == VIGIL_VEX_NOT_AFFECTED ? a->justification :
	    NULL;
	in.detail = a->detail;
	in.action = a->action;
	in.time_ms = a->time_ms;
	rc = vex_add(b, &in);
	if (rc != VIGIL_OK || versions == NULL || versions[0] == '\0' ||
	    b->doc->nstmts == before)
		return rc;
	/* vex_add knows no version scope (other formats have none): set
	 * it on the statement just added. */
	v = strdup(versions);
	if (v == NULL)
		return VIGIL_ENOMEM;
	s = &b->doc->stmts[b->doc->nstmts - 1];
	free(s->versions);
	s->versions = v;
	return VIGIL_OK;
}

/* One versions[] entry of a target: a statement of its own. */
static enum vigil_err
add_version(struct vex_build *b, const struct cdx_analysis *a,
    const json_t *ver, const char *product, const char *serial,
    const char *path)
{
	const char *v, *range, *status;
	enum vigil_vex_state st;

	if (!json_is_object(ver))
		return vex_reject(b, "CycloneDX %s: not an object", path);
	if (vex_str(ver, "version", VEX_ID_MAX, &v) != 0 || vex_str(ver,
	    "range", VEX_PRODUCT_MAX, &range) != 0 || (v == NULL) ==
	    (range == NULL))
		return vex_reject(b, "CycloneDX %s: needs one version or "
		    "range string", path);
	if (vex_str(ver, "status", 32, &status) != 0)
		return vex_reject(b, "CycloneDX %s.status: not a string",
		    path);
	st = version_state(status != NULL ? status : "affected", a->state);
	if (st == VIGIL_VEX_NONE)
		return vex_reject(b, "CycloneDX %s.status: '%s' is not "
		    "affected, unaffected or unknown", path, status);
	if (range != NULL && strncmp(range, "vers:", 5) != 0)
		return vex_reject(b, "CycloneDX %s.range: not a \"vers:\" "
		    "range", path);
	if ((v != NULL && v[0] == '\0') || (range != NULL && range[5] ==
	    '\0'))
		return vex_reject(b, "CycloneDX %s: empty version or range",
		    path);
	return add_one(b, a, st, product, serial, v != NULL ? v : range,
	    path);
}

/* One affects[] target: a bom-ref or a BOM-Link. */
static enum vigil_err
add_target(struct vex_build *b, const struct cdx_analysis *a,
    const json_t *t, const char *path)
{
	char serial[VEX_ID_MAX], ref[VEX_PRODUCT_MAX], product[
	    VEX_PRODUCT_MAX + 8], vpath[160];
	const json_t *vers;
	const char *r;
	enum vigil_err rc = VIGIL_OK;

	if (vex_str(t, "ref", VEX_PRODUCT_MAX - 1, &r) != 0 || r == NULL ||
	    r[0] == '\0')
		return vex_reject(b, "CycloneDX %s.ref: missing or not a "
		    "string", path);
	serial[0] = '\0';
	if (strncmp(r, "urn:cdx:", 8) == 0) {
		if (bom_link(r, serial, sizeof serial, ref, sizeof ref) != 0)
			return vex_reject(b, "CycloneDX %s.ref: malformed "
			    "BOM-Link (urn:cdx:<serial>/<version>#<ref>)",
			    path);
	} else {
		snprintf(ref, sizeof ref, "%s", r);
	}
	snprintf(product, sizeof product, "ref:%s", ref);
	vers = json_object_get(t, "versions");
	if (vers != NULL && !json_is_array(vers))
		return vex_reject(b, "CycloneDX %s.versions: not an array",
		    path);
	if (json_array_size(vers) == 0)
		return add_one(b, a, a->state, product, serial, "", path);
	for (size_t k = 0; k < json_array_size(vers) && rc == VIGIL_OK;
	    k++) {
		snprintf(vpath, sizeof vpath, "%s.versions[%zu]", path, k);
		rc = add_version(b, a, json_array_get(vers, k), product,
		    serial, vpath);
	}
	return rc;
}

/* response[] joined: "update, workaround_available". */
static int
join_response(const json_t *resp, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	if (resp == NULL)
		return 0;
	if (!json_is_array(resp))
		return -1;
	for (size_t k = 0; k < json_array_size(resp); k++) {
		const char *s;
		int n;

		if (vex_str_value(json_array_get(resp, k), 64, &s) != 0 ||
		    s == NULL)
			return -1;
		n = snprintf(out + used, size - used, "%s%s",
		    used > 0 ? ", " : "", s);
		if (n < 0 || (size_t)n >= size - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

static enum vigil_err
one_vuln(struct vex_build *b, const json_t *v, size_t i, int64_t doc_ms)
{
	struct cdx_analysis a;
	const json_t *an, *aff;
	const char *state, *t1, *t2;
	char path[96], tpath[128];
	enum vigil_err rc = VIGIL_OK;

	memset(&a, 0, sizeof a);
	snprintf(path, sizeof path, "vulnerabilities[%zu]", i);
	if (!json_is_object(v))
		return vex_reject(b, "CycloneDX %s: not an object", path);
	an = json_object_get(v, "analysis");
	if (an == NULL || json_is_null(an))
		return VIGIL_OK; /* a finding, not a statement */
	if (vex_str(v, "id", VEX_ID_MAX, &a.vuln) != 0 || a.vuln == NULL ||
	    a.vuln[0] == '\0')
		return vex_reject(b, "CycloneDX %s.id: missing or not a "
		    "string", path);
	if (!json_is_object(an))
		return vex_reject(b, "CycloneDX %s.analysis: not an object",
		    path);
	if (vex_str(an, "state", 64, &state) != 0 || state == NULL)
		return vex_reject(b, "CycloneDX %s.analysis.state: missing",
		    path);
	a.state = cdx_state(state);
	if (a.state == VIGIL_VEX_NONE)
		return vex_reject(b, "CycloneDX %s.analysis.state: unknown "
		    "state '%.64s'", path, state);
	if (vex_str(an, "justification", 64, &a.justification) != 0)
		return vex_reject(b, "CycloneDX %s.analysis.justification: "
		    "not a string", path);
	if (a.justification != NULL && a.justification[0] == '\0')
		a.justification = NULL;
	if (vex_str(an, "detail", VEX_TEXT_MAX, &a.detail) != 0)
		return vex_reject(b, "CycloneDX %s.analysis.detail: not a "
		    "string", path);
	if (join_response(json_object_get(an, "response"), a.action,
	    sizeof a.action) != 0)
		return vex_reject(b, "CycloneDX %s.analysis.response: not "
		    "an array of response names", path);
	if (vex_str(an, "lastUpdated", 64, &t1) != 0 || vex_str(an,
	    "firstIssued", 64, &t2) != 0 || vex_time(t1 != NULL ? t1 : t2,
	    &a.time_ms) != 0)
		return vex_reject(b, "CycloneDX %s.analysis: bad "
		    "lastUpdated/firstIssued time", path);
	if (a.time_ms == 0)
		a.time_ms = doc_ms;
	aff = json_object_get(v, "affects");
	if (aff != NULL && !json_is_array(aff))
		return vex_reject(b, "CycloneDX %s.affects: not an array",
		    path);
	if (json_array_size(aff) == 0)
		return add_one(b, &a, a.state, "", "", "", path);
	for (size_t j = 0; j < json_array_size(aff) && rc == VIGIL_OK; j++) {
		const json_t *t = json_array_get(aff, j);

		snprintf(tpath, sizeof tpath, "%s.affects[%zu]", path, j);
		if (!json_is_object(t))
			rc = vex_reject(b, "CycloneDX %s: not an object",
			    tpath);
		else
			rc = add_target(b, &a, t, tpath);
	}
	return rc;
}

enum vigil_err
vex_parse_cdx(const json_t *root, struct vex_build *b)
{
	const json_t *vulns;
	const char *fmt, *serial, *ts;
	enum vigil_err rc = VIGIL_OK;
	int64_t doc_ms = 0;

	if (!json_is_object(root) || vex_str(root, "bomFormat", 32,
	    &fmt) != 0 || fmt == NULL || strcmp(fmt, "CycloneDX") != 0)
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CycloneDX bomFormat: not \"CycloneDX\"");
	if (vex_str(root, "serialNumber", VEX_ID_MAX, &serial) != 0)
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CycloneDX serialNumber: not a string");
	if (vex_str(json_object_get(root, "metadata"), "timestamp", 64,
	    &ts) != 0 || vex_time(ts, &doc_ms) != 0)
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CycloneDX metadata.timestamp: not an RFC 3339 time");
	b->doc->id = strdup(serial != NULL ? serial : "");
	if (b->doc->id == NULL)
		return VIGIL_ENOMEM;
	b->doc->time_ms = doc_ms;
	vulns = json_object_get(root, "vulnerabilities");
	if (vulns != NULL && !json_is_array(vulns))
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "CycloneDX vulnerabilities: not an array");
	for (size_t i = 0; i < json_array_size(vulns) && rc == VIGIL_OK; i++)
		rc = one_vuln(b, json_array_get(vulns, i), i, doc_ms);
	return rc;
}
