/*
 * NVD CVE API 2.0 responses (nvd.nist.gov/developers/vulnerabilities):
 * each vulnerabilities[].cve into struct vigil_vuln, configurations
 * with their AND/OR nodes, negate, vulnerable flags and version bounds
 * kept as written. One parsed record exists at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"
#include "feed_internal.h"

static enum vigil_err
oom(char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, VIGIL_ENOMEM, "NVD: out of memory");
}

/* "AND" -> 1, "OR" or absent -> 0 (NVD's default), else an error. */
static enum vigil_err
parse_op(const json_t *obj, const char *path, int *and_op, int *negate,
    char *err, size_t errsize)
{
	const char *op;
	const json_t *neg = json_object_get(obj, "negate");
	enum vigil_err rc;

	*and_op = 0;
	*negate = 0;
	if ((rc = feed_str(obj, "operator", 8, 0, &op, path, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if (op != NULL && strcmp(op, "AND") == 0)
		*and_op = 1;
	else if (op != NULL && strcmp(op, "OR") != 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: operator must be AND or OR", path);
	if (neg != NULL && !json_is_null(neg) && !json_is_boolean(neg))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.negate: must be true or false", path);
	*negate = json_is_true(neg);
	return VIGIL_OK;
}

/* One end of a version range: at most one of the two spellings. */
static enum vigil_err
parse_bound(const json_t *m, const char *path, const char *incl_key,
    const char *excl_key, char **out, int *incl, char *err, size_t errsize)
{
	const char *in, *ex;
	enum vigil_err rc;

	if ((rc = feed_str(m, incl_key, VIGIL_VERSION_MAX, 0, &in, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_str(m, excl_key, VIGIL_VERSION_MAX, 0, &ex, path, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (in != NULL && ex != NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: both %s and %s", path, incl_key, excl_key);
	*incl = in != NULL;
	if ((*out = feed_strdup(in != NULL ? in : ex)) == NULL)
		return oom(err, errsize);
	return VIGIL_OK;
}

static enum vigil_err
parse_match(const json_t *m, const char *path, struct vigil_cpe_match *out,
    char *err, size_t errsize)
{
	char why[256];
	const json_t *vuln = json_object_get(m, "vulnerable");
	const char *criteria;
	enum vigil_err rc;

	if (!json_is_object(m))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	if (!json_is_boolean(vuln))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.vulnerable: must be true or false", path);
	out->vulnerable = json_is_true(vuln);
	if ((rc = feed_str(m, "criteria", VIGIL_CPE_MAX, 1, &criteria, path,
	    err, errsize)) != VIGIL_OK)
		return rc;
	if (vigil_cpe_parse(criteria, &out->cpe, why, sizeof why) !=
	    VIGIL_OK)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.criteria: %s", path, why);
	if ((rc = parse_bound(m, path, "versionStartIncluding",
	    "versionStartExcluding", &out->start, &out->start_incl, err,
	    errsize)) != VIGIL_OK)
		return rc;
	return parse_bound(m, path, "versionEndIncluding",
	    "versionEndExcluding", &out->end, &out->end_incl, err, errsize);
}

static enum vigil_err
parse_node(const json_t *n, const char *path, struct vigil_cpe_node *out,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *ms;
	enum vigil_err rc;

	if (!json_is_object(n))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	if ((rc = parse_op(n, path, &out->and_op, &out->negate, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_arr(n, "cpeMatch", FEED_ARR_MAX, 1, &ms, path, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (json_array_size(ms) == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.cpeMatch: empty", path);
	if ((out->matches = calloc(json_array_size(ms),
	    sizeof *out->matches)) == NULL)
		return oom(err, errsize);
	for (size_t i = 0; i < json_array_size(ms); i++) {
		feed_path(p, path, "cpeMatch[%zu]", i);
		out->nmatches = i + 1;
		if ((rc = parse_match(json_array_get(ms, i), p,
		    &out->matches[i], err, errsize)) != VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

static enum vigil_err
parse_config(const json_t *c, const char *path, struct vigil_cpe_config *out,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *nodes;
	enum vigil_err rc;

	if (!json_is_object(c))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	if ((rc = parse_op(c, path, &out->and_op, &out->negate, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_arr(c, "nodes", FEED_ARR_MAX, 1, &nodes, path, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (json_array_size(nodes) == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.nodes: empty", path);
	if ((out->nodes = calloc(json_array_size(nodes),
	    sizeof *out->nodes)) == NULL)
		return oom(err, errsize);
	for (size_t i = 0; i < json_array_size(nodes); i++) {
		feed_path(p, path, "nodes[%zu]", i);
		out->nnodes = i + 1;
		if ((rc = parse_node(json_array_get(nodes, i), p,
		    &out->nodes[i], err, errsize)) != VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

/* One metric list (cvssMetricV31...): the Primary entry, else the
 * first. */
static enum vigil_err
parse_metric(const json_t *metrics, const char *key, const char *type,
    const char *path, struct vigil_vuln *v, char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *list, *pick = NULL, *data, *score;
	const char *vector, *t;
	size_t at = 0;
	enum vigil_err rc;

	if ((rc = feed_arr(metrics, key, FEED_ARR_MAX, 0, &list, path, err,
	    errsize)) != VIGIL_OK || list == NULL)
		return rc;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *m = json_array_get(list, i);

		t = json_string_value(json_object_get(m, "type"));
		if (t != NULL && strcmp(t, "Primary") == 0) {
			pick = m;
			at = i;
			break;
		}
	}
	if (pick == NULL)
		pick = json_array_get(list, 0);
	if (pick == NULL)
		return VIGIL_OK;
	feed_path(p, path, "%s[%zu]", key, at);
	if (!json_is_object(pick))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", p);
	if ((rc = feed_obj(pick, "cvssData", &data, p, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if (data == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.cvssData: missing", p);
	feed_path(p, path, "%s[%zu].cvssData", key, at);
	if ((rc = feed_str(data, "vectorString", FEED_NAME_MAX, 1, &vector, p,
	    err, errsize)) != VIGIL_OK)
		return rc;
	score = json_object_get(data, "baseScore");
	if (score != NULL && (!json_is_number(score) ||
	    json_number_value(score) < 0 || json_number_value(score) > 10))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.baseScore: must be a number from 0 to 10", p);
	rc = feed_add_severity(v, type, vector, score != NULL ?
	    json_number_value(score) : -1);
	if (rc != VIGIL_OK)
		return vigil_seterr(err, errsize, rc, "%s: %s", p,
		    vigil_strerror(rc));
	return VIGIL_OK;
}

static enum vigil_err
parse_weaknesses(const json_t *cve, const char *path, struct vigil_vuln *v,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *ws, *ds;
	const char *s;
	enum vigil_err rc;

	if ((rc = feed_arr(cve, "weaknesses", FEED_ARR_MAX, 0, &ws, path, err,
	    errsize)) != VIGIL_OK || ws == NULL)
		return rc;
	for (size_t i = 0; i < json_array_size(ws); i++) {
		feed_path(p, path, "weaknesses[%zu]", i);
		if ((rc = feed_arr(json_array_get(ws, i), "description",
		    FEED_ARR_MAX, 0, &ds, p, err, errsize)) != VIGIL_OK)
			return rc;
		for (size_t j = 0; ds != NULL && j < json_array_size(ds);
		    j++) {
			feed_path(p, path, "weaknesses[%zu].description[%zu]",
			    i, j);
			if ((rc = feed_str(json_array_get(ds, j), "value",
			    FEED_ID_MAX, 1, &s, p, err, errsize)) !=
			    VIGIL_OK)
				return rc;
			/* "NVD-CWE-Other" and "NVD-CWE-noinfo" name no
			 * weakness. */
			if (strncmp(s, "CWE-", 4) == 0 &&
			    feed_add_uniq(&v->cwes, &v->ncwes, s) != VIGIL_OK)
				return oom(err, errsize);
		}
	}
	return VIGIL_OK;
}

/* The English description (lang "en" or "en-..."), else none. */
static enum vigil_err
parse_descriptions(const json_t *obj, const char *path, struct vigil_vuln *v,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *ds;
	const char *lang, *s;
	enum vigil_err rc;

	if ((rc = feed_arr(obj, "descriptions", FEED_ARR_MAX, 0, &ds, path,
	    err, errsize)) != VIGIL_OK || ds == NULL)
		return rc;
	for (size_t i = 0; i < json_array_size(ds); i++) {
		feed_path(p, path, "descriptions[%zu]", i);
		if ((rc = feed_str(json_array_get(ds, i), "lang", 32, 0, &lang,
		    p, err, errsize)) != VIGIL_OK ||
		    (rc = feed_str(json_array_get(ds, i), "value",
		    FEED_TEXT_MAX, 1, &s, p, err, errsize)) != VIGIL_OK)
			return rc;
		if (lang == NULL || strncmp(lang, "en", 2) != 0 ||
		    (lang[2] != '\0' && lang[2] != '-' && lang[2] != '_'))
			continue;
		free(v->summary);
		if ((v->summary = strdup(s)) == NULL)
			return oom(err, errsize);
		return VIGIL_OK;
	}
	return VIGIL_OK;
}

enum vigil_err
feed_nvd_cve(const json_t *cve, const char *base, struct vigil_vuln **out,
    char *err, size_t errsize)
{
	static const struct {
		const char *key, *type;
	} metric_keys[] = {
		{ "cvssMetricV40", "CVSS_V4" },
		{ "cvssMetricV31", "CVSS_V3" },
		{ "cvssMetricV30", "CVSS_V3" },
		{ "cvssMetricV2", "CVSS_V2" },
	};
	char p[FEED_PATH_MAX];
	struct vigil_vuln *v;
	const char *id, *status;
	const json_t *metrics, *configs;
	enum vigil_err rc;

	*out = NULL;
	if (!json_is_object(cve))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", base);
	if ((v = feed_vuln_new(VIGIL_VSRC_NVD)) == NULL)
		return oom(err, errsize);
	if ((rc = feed_str(cve, "id", FEED_ID_MAX, 1, &id, base, err,
	    errsize)) != VIGIL_OK)
		goto fail;
	if (!feed_is_cve_id(id)) {
		rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.id: \"%.40s\" is not a CVE id", base, id);
		goto fail;
	}
	free(v->id);
	if ((v->id = strdup(id)) == NULL)
		goto nomem;
	if ((rc = feed_get_time(cve, "published", 0, &v->published_ms, base,
	    err, errsize)) != VIGIL_OK ||
	    (rc = feed_get_time(cve, "lastModified", 1, &v->modified_ms,
	    base, err, errsize)) != VIGIL_OK ||
	    (rc = feed_get_time(cve, "cisaExploitAdd", 0, &v->kev_added_ms,
	    base, err, errsize)) != VIGIL_OK ||
	    (rc = feed_str(cve, "vulnStatus", 64, 0, &status, base, err,
	    errsize)) != VIGIL_OK)
		goto fail;
	free(v->status);
	if ((v->status = feed_strdup(status)) == NULL)
		goto nomem;
	/* A rejected CVE stays in the feed; it is withdrawn as of its
	 * last change. */
	if (status != NULL && strcmp(status, "Rejected") == 0)
		v->withdrawn_ms = v->modified_ms;
	if ((rc = parse_descriptions(cve, base, v, err, errsize)) !=
	    VIGIL_OK ||
	    (rc = feed_obj(cve, "metrics", &metrics, base, err, errsize)) !=
	    VIGIL_OK)
		goto fail;
	feed_path(p, base, "metrics");
	for (size_t i = 0; metrics != NULL && i < sizeof metric_keys /
	    sizeof metric_keys[0]; i++)
		if ((rc = parse_metric(metrics, metric_keys[i].key,
		    metric_keys[i].type, p, v, err, errsize)) != VIGIL_OK)
			goto fail;
	if ((rc = parse_weaknesses(cve, base, v, err, errsize)) != VIGIL_OK ||
	    (rc = feed_arr(cve, "configurations", FEED_ARR_MAX, 0, &configs,
	    base, err, errsize)) != VIGIL_OK)
		goto fail;
	if (configs != NULL && json_array_size(configs) > 0) {
		v->configs = calloc(json_array_size(configs),
		    sizeof *v->configs);
		if (v->configs == NULL)
			goto nomem;
		for (size_t i = 0; i < json_array_size(configs); i++) {
			feed_path(p, base, "configurations[%zu]", i);
			v->nconfigs = i + 1;
			if ((rc = parse_config(json_array_get(configs, i), p,
			    &v->configs[i], err, errsize)) != VIGIL_OK)
				goto fail;
		}
	}
	*out = v;
	return VIGIL_OK;
nomem:
	rc = oom(err, errsize);
fail:
	vigil_vuln_free(v);
	return rc;
}

enum vigil_err
feed_nvd_doc(const json_t *doc, const struct vigil_feed_cb *cb,
    char meta[64], char *err, size_t errsize)
{
	char base[FEED_PATH_MAX], why[512];
	const json_t *vulns;
	const char *ts;
	enum vigil_err rc;

	if (!json_is_object(doc))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "NVD: expected an API 2.0 response object");
	if ((rc = feed_str(doc, "timestamp", 63, 0, &ts, "NVD ", err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_arr(doc, "vulnerabilities", (size_t)-1, 1, &vulns,
	    "NVD ", err, errsize)) != VIGIL_OK)
		return rc;
	snprintf(meta, 64, "%s", ts != NULL ? ts : "");
	for (size_t i = 0; i < json_array_size(vulns); i++) {
		const json_t *item = json_array_get(vulns, i);
		const json_t *cve = json_object_get(item, "cve");
		const char *id = json_string_value(json_object_get(cve, "id"));
		struct vigil_vuln *v;

		snprintf(base, sizeof base, "NVD vulnerabilities[%zu].cve", i);
		rc = feed_nvd_cve(cve, base, &v, why, sizeof why);
		if (rc == VIGIL_ENOMEM)
			return vigil_seterr(err, errsize, rc, "%s", why);
		if (rc != VIGIL_OK) {
			feed_reject(cb, i, id, why);
			continue;
		}
		rc = feed_emit(cb, cve, v);
		vigil_vuln_free(v);
		if (rc != VIGIL_OK)
			return vigil_seterr(err, errsize, rc,
			    "NVD vulnerabilities[%zu]: stopped: %s", i,
			    vigil_strerror(rc));
	}
	return VIGIL_OK;
}
