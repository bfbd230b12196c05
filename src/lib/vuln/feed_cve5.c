/*
 * CVE JSON 5.x records (github.com/CVEProject/cve-schema, dataType
 * CVE_RECORD): metadata, the CNA container's affected[], metrics and
 * problem types, and each ADP container's (CISA vulnrichment adds CPEs
 * and CVSS there) into struct vigil_vuln.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"
#include "feed_internal.h"

static enum vigil_err
oom(char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, VIGIL_ENOMEM,
	    "CVE5: out of memory");
}

static enum vigil_err
parse_status(const json_t *obj, const char *key, int required,
    enum vigil_vstatus *out, const char *path, char *err, size_t errsize)
{
	const char *s;
	enum vigil_err rc;

	*out = VIGIL_VST_UNKNOWN;
	if ((rc = feed_str(obj, key, 16, required, &s, path, err, errsize)) !=
	    VIGIL_OK || s == NULL)
		return rc;
	if (strcmp(s, "affected") == 0)
		*out = VIGIL_VST_AFFECTED;
	else if (strcmp(s, "unaffected") == 0)
		*out = VIGIL_VST_UNAFFECTED;
	else if (strcmp(s, "unknown") != 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.%s: \"%.20s\" is not affected, unaffected or unknown",
		    path, key, s);
	return VIGIL_OK;
}

static enum vigil_err
parse_version(const json_t *o, const char *path,
    struct vigil_cve5_version *out, char *err, size_t errsize)
{
	const char *ver, *lt, *le, *vt;
	enum vigil_err rc;

	if (!json_is_object(o))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	if ((rc = feed_str(o, "version", VIGIL_VERSION_MAX, 1, &ver, path,
	    err, errsize)) != VIGIL_OK ||
	    (rc = parse_status(o, "status", 1, &out->status, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_str(o, "lessThan", VIGIL_VERSION_MAX, 0, &lt, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_str(o, "lessThanOrEqual", VIGIL_VERSION_MAX, 0, &le,
	    path, err, errsize)) != VIGIL_OK ||
	    (rc = feed_str(o, "versionType", 64, 0, &vt, path, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (lt != NULL && le != NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: both lessThan and lessThanOrEqual", path);
	out->version = strdup(ver);
	out->less_than = feed_strdup(lt);
	out->less_than_or_equal = feed_strdup(le);
	out->version_type = feed_strdup(vt);
	if (out->version == NULL || out->less_than == NULL ||
	    out->less_than_or_equal == NULL || out->version_type == NULL)
		return oom(err, errsize);
	return VIGIL_OK;
}

static enum vigil_err
parse_affected(const json_t *a, const char *path, int adp,
    struct vigil_cve5_affected *out, char *err, size_t errsize)
{
	char p[FEED_PATH_MAX], why[256];
	const char *vendor, *product, *pkg, *url;
	const json_t *vers, *cpes;
	enum vigil_err rc;

	if (!json_is_object(a))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	out->adp = adp;
	if ((rc = feed_str(a, "vendor", FEED_NAME_MAX, 0, &vendor, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_str(a, "product", FEED_NAME_MAX, 0, &product, path,
	    err, errsize)) != VIGIL_OK ||
	    (rc = feed_str(a, "packageName", FEED_NAME_MAX, 0, &pkg, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_str(a, "collectionURL", FEED_NAME_MAX, 0, &url, path,
	    err, errsize)) != VIGIL_OK ||
	    (rc = parse_status(a, "defaultStatus", 0, &out->default_status,
	    path, err, errsize)) != VIGIL_OK ||
	    (rc = feed_arr(a, "versions", FEED_ARR_MAX, 0, &vers, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_arr(a, "cpes", FEED_ARR_MAX, 0, &cpes, path, err,
	    errsize)) != VIGIL_OK)
		return rc;
	out->vendor = feed_strdup(vendor);
	out->product = feed_strdup(product);
	out->package_name = feed_strdup(pkg);
	out->collection_url = feed_strdup(url);
	if (out->vendor == NULL || out->product == NULL ||
	    out->package_name == NULL || out->collection_url == NULL)
		return oom(err, errsize);
	if (vers != NULL && json_array_size(vers) > 0) {
		if ((out->versions = calloc(json_array_size(vers),
		    sizeof *out->versions)) == NULL)
			return oom(err, errsize);
		for (size_t i = 0; i < json_array_size(vers); i++) {
			feed_path(p, path, "versions[%zu]", i);
			out->nversions = i + 1;
			if ((rc = parse_version(json_array_get(vers, i), p,
			    &out->versions[i], err, errsize)) != VIGIL_OK)
				return rc;
		}
	}
	if (cpes == NULL || json_array_size(cpes) == 0)
		return VIGIL_OK;
	if ((out->cpes = calloc(json_array_size(cpes),
	    sizeof *out->cpes)) == NULL)
		return oom(err, errsize);
	for (size_t i = 0; i < json_array_size(cpes); i++) {
		const json_t *s = json_array_get(cpes, i);

		feed_path(p, path, "cpes[%zu]", i);
		if (!json_is_string(s) ||
		    json_string_length(s) > VIGIL_CPE_MAX)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: must be a CPE string", p);
		if (vigil_cpe_parse(json_string_value(s), &out->cpes[i], why,
		    sizeof why) != VIGIL_OK)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: %s", p, why);
		out->ncpes = i + 1;
	}
	return VIGIL_OK;
}

static enum vigil_err
parse_metrics(const json_t *c, const char *path, struct vigil_vuln *v,
    char *err, size_t errsize)
{
	static const struct {
		const char *key, *type;
	} kinds[] = {
		{ "cvssV4_0", "CVSS_V4" },
		{ "cvssV3_1", "CVSS_V3" },
		{ "cvssV3_0", "CVSS_V3" },
		{ "cvssV2_0", "CVSS_V2" },
	};
	char p[FEED_PATH_MAX];
	const json_t *ms, *m, *score;
	const char *vector;
	enum vigil_err rc;

	if ((rc = feed_arr(c, "metrics", FEED_ARR_MAX, 0, &ms, path, err,
	    errsize)) != VIGIL_OK || ms == NULL)
		return rc;
	for (size_t i = 0; i < json_array_size(ms); i++) {
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
			feed_path(p, path, "metrics[%zu].%s", i,
			    kinds[k].key);
			m = json_object_get(json_array_get(ms, i),
			    kinds[k].key);
			if (m == NULL)
				continue;
			if ((rc = feed_str(m, "vectorString", FEED_NAME_MAX,
			    1, &vector, p, err, errsize)) != VIGIL_OK)
				return rc;
			score = json_object_get(m, "baseScore");
			if (score != NULL && (!json_is_number(score) ||
			    json_number_value(score) < 0 ||
			    json_number_value(score) > 10))
				return vigil_seterr(err, errsize,
				    VIGIL_EINVAL, "%s.baseScore: must be a "
				    "number from 0 to 10", p);
			rc = feed_add_severity(v, kinds[k].type, vector,
			    score != NULL ? json_number_value(score) : -1);
			if (rc != VIGIL_OK)
				return oom(err, errsize);
		}
	}
	return VIGIL_OK;
}

/* problemTypes[].descriptions[]: cweId, else a "CWE-NNN ..." text. */
static enum vigil_err
parse_cwes(const json_t *c, const char *path, struct vigil_vuln *v,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX], cwe[32];
	const json_t *pts, *ds;
	const char *id, *text;
	enum vigil_err rc;

	if ((rc = feed_arr(c, "problemTypes", FEED_ARR_MAX, 0, &pts, path,
	    err, errsize)) != VIGIL_OK || pts == NULL)
		return rc;
	for (size_t i = 0; i < json_array_size(pts); i++) {
		feed_path(p, path, "problemTypes[%zu]", i);
		if ((rc = feed_arr(json_array_get(pts, i), "descriptions",
		    FEED_ARR_MAX, 0, &ds, p, err, errsize)) != VIGIL_OK)
			return rc;
		for (size_t j = 0; ds != NULL && j < json_array_size(ds);
		    j++) {
			const json_t *d = json_array_get(ds, j);
			size_t n = 4;

			feed_path(p, path, "problemTypes[%zu].descriptions"
			    "[%zu]", i, j);
			if ((rc = feed_str(d, "cweId", 31, 0, &id, p, err,
			    errsize)) != VIGIL_OK ||
			    (rc = feed_str(d, "description", FEED_TEXT_MAX, 0,
			    &text, p, err, errsize)) != VIGIL_OK)
				return rc;
			if (id == NULL && text != NULL &&
			    strncmp(text, "CWE-", 4) == 0) {
				while (n < sizeof cwe - 1 && text[n] >= '0' &&
				    text[n] <= '9')
					n++;
				memcpy(cwe, text, n);
				cwe[n] = '\0';
				if (n > 4)
					id = cwe;
			}
			if (id != NULL && strncmp(id, "CWE-", 4) == 0 &&
			    feed_add_uniq(&v->cwes, &v->ncwes, id) != VIGIL_OK)
				return oom(err, errsize);
		}
	}
	return VIGIL_OK;
}

/* The English text of obj[key][] (descriptions, rejectedReasons). */
static enum vigil_err
english(const json_t *obj, const char *key, const char *path,
    const char **out, char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *ds;
	const char *lang, *s;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = feed_arr(obj, key, FEED_ARR_MAX, 0, &ds, path, err,
	    errsize)) != VIGIL_OK || ds == NULL)
		return rc;
	for (size_t i = 0; i < json_array_size(ds); i++) {
		feed_path(p, path, "%s[%zu]", key, i);
		if ((rc = feed_str(json_array_get(ds, i), "lang", 32, 1, &lang,
		    p, err, errsize)) != VIGIL_OK ||
		    (rc = feed_str(json_array_get(ds, i), "value",
		    FEED_TEXT_MAX, 1, &s, p, err, errsize)) != VIGIL_OK)
			return rc;
		if (strncmp(lang, "en", 2) == 0 && (lang[2] == '\0' ||
		    lang[2] == '-' || lang[2] == '_')) {
			*out = s;
			return VIGIL_OK;
		}
	}
	return VIGIL_OK;
}

/* One container's affected[], metrics and CWEs. */
static enum vigil_err
parse_container(const json_t *c, const char *path, int adp,
    struct vigil_vuln *v, char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *aff;
	struct vigil_cve5_affected *grown;
	size_t n;
	enum vigil_err rc;

	if (!json_is_object(c))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	if ((rc = feed_arr(c, "affected", FEED_ARR_MAX, 0, &aff, path, err,
	    errsize)) != VIGIL_OK)
		return rc;
	n = aff != NULL ? json_array_size(aff) : 0;
	if (n > 0) {
		if (v->ncve5 + n > FEED_ARR_MAX)
			return vigil_seterr(err, errsize, VIGIL_ERANGE,
			    "%s.affected: more than %u entries in the record",
			    path, (unsigned)FEED_ARR_MAX);
		grown = realloc(v->cve5, (v->ncve5 + n) * sizeof *grown);
		if (grown == NULL)
			return oom(err, errsize);
		v->cve5 = grown;
		memset(&grown[v->ncve5], 0, n * sizeof *grown);
		for (size_t i = 0; i < n; i++) {
			feed_path(p, path, "affected[%zu]", i);
			rc = parse_affected(json_array_get(aff, i), p, adp,
			    &v->cve5[v->ncve5++], err, errsize);
			if (rc != VIGIL_OK)
				return rc;
		}
	}
	if ((rc = parse_metrics(c, path, v, err, errsize)) != VIGIL_OK)
		return rc;
	return parse_cwes(c, path, v, err, errsize);
}

/* modified = dateUpdated, else the newest date the metadata has. */
static enum vigil_err
parse_meta(const json_t *md, struct vigil_vuln *v, char *err,
    size_t errsize)
{
	static const char *const p = "CVE5 cveMetadata";
	int64_t updated, rejected, reserved;
	const char *id, *state;
	enum vigil_err rc;

	if ((rc = feed_str(md, "cveId", FEED_ID_MAX, 1, &id, p, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (!feed_is_cve_id(id))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.cveId: \"%.40s\" is not a CVE id", p, id);
	free(v->id);
	if ((v->id = strdup(id)) == NULL)
		return oom(err, errsize);
	if ((rc = feed_str(md, "state", 32, 1, &state, p, err, errsize)) !=
	    VIGIL_OK ||
	    (rc = feed_get_time(md, "datePublished", 0, &v->published_ms, p,
	    err, errsize)) != VIGIL_OK ||
	    (rc = feed_get_time(md, "dateUpdated", 0, &updated, p, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_get_time(md, "dateRejected", 0, &rejected, p, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_get_time(md, "dateReserved", 0, &reserved, p, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (strcmp(state, "PUBLISHED") != 0 && strcmp(state, "REJECTED") != 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.state: \"%.20s\" is not PUBLISHED or REJECTED", p,
		    state);
	free(v->status);
	if ((v->status = strdup(state)) == NULL)
		return oom(err, errsize);
	v->modified_ms = updated ? updated : rejected ? rejected :
	    v->published_ms ? v->published_ms : reserved;
	if (strcmp(state, "REJECTED") == 0) {
		v->withdrawn_ms = rejected ? rejected : v->modified_ms;
		if (v->withdrawn_ms <= 0)
			v->withdrawn_ms = 1; /* withdrawn, date unknown */
	}
	return VIGIL_OK;
}

enum vigil_err
feed_cve5_record(const json_t *rec, const char *base, struct vigil_vuln **out,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	struct vigil_vuln *v;
	const json_t *md, *containers, *cna, *adps;
	const char *dt, *text;
	enum vigil_err rc;

	(void)base; /* one record per document: paths start at its root */
	*out = NULL;
	if (!json_is_object(rec))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CVE5: a record must be an object");
	if ((rc = feed_str(rec, "dataType", 32, 0, &dt, "CVE5 ", err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (dt != NULL && strcmp(dt, "CVE_RECORD") != 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CVE5 dataType: \"%.20s\" is not CVE_RECORD", dt);
	if ((rc = feed_obj(rec, "cveMetadata", &md, "CVE5 ", err, errsize)) !=
	    VIGIL_OK ||
	    (rc = feed_obj(rec, "containers", &containers, "CVE5 ", err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (md == NULL || containers == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CVE5: %s missing", md == NULL ? "cveMetadata" :
		    "containers");
	if ((rc = feed_obj(containers, "cna", &cna, "CVE5 containers", err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_arr(containers, "adp", FEED_ARR_MAX, 0, &adps,
	    "CVE5 containers", err, errsize)) != VIGIL_OK)
		return rc;
	if (cna == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CVE5 containers.cna: missing");
	if ((v = feed_vuln_new(VIGIL_VSRC_CVE5)) == NULL)
		return oom(err, errsize);
	if ((rc = parse_meta(md, v, err, errsize)) != VIGIL_OK)
		goto fail;
	p[0] = '\0';
	if ((rc = english(cna, "descriptions", "CVE5 containers.cna", &text,
	    err, errsize)) != VIGIL_OK)
		goto fail;
	if (text == NULL && (rc = english(cna, "rejectedReasons",
	    "CVE5 containers.cna", &text, err, errsize)) != VIGIL_OK)
		goto fail;
	if (text == NULL && (rc = feed_str(cna, "title", FEED_TEXT_MAX, 0,
	    &text, "CVE5 containers.cna", err, errsize)) != VIGIL_OK)
		goto fail;
	free(v->summary);
	if ((v->summary = feed_strdup(text)) == NULL) {
		rc = oom(err, errsize);
		goto fail;
	}
	if ((rc = parse_container(cna, "CVE5 containers.cna", 0, v, err,
	    errsize)) != VIGIL_OK)
		goto fail;
	for (size_t i = 0; adps != NULL && i < json_array_size(adps); i++) {
		snprintf(p, sizeof p, "CVE5 containers.adp[%zu]", i);
		if ((rc = parse_container(json_array_get(adps, i), p, 1, v,
		    err, errsize)) != VIGIL_OK)
			goto fail;
	}
	*out = v;
	return VIGIL_OK;
fail:
	vigil_vuln_free(v);
	return rc;
}

enum vigil_err
feed_cve5_doc(const json_t *doc, const struct vigil_feed_cb *cb, char *err,
    size_t errsize)
{
	char why[512];
	struct vigil_vuln *v;
	const json_t *md = json_object_get(doc, "cveMetadata");
	enum vigil_err rc;

	if (!json_is_object(doc))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CVE5: expected a record object");
	rc = feed_cve5_record(doc, "CVE5 ", &v, why, sizeof why);
	if (rc == VIGIL_ENOMEM)
		return vigil_seterr(err, errsize, rc, "%s", why);
	if (rc != VIGIL_OK) {
		feed_reject(cb, 0, json_string_value(json_object_get(md,
		    "cveId")), why);
		return VIGIL_OK;
	}
	rc = feed_emit(cb, doc, v);
	vigil_vuln_free(v);
	if (rc != VIGIL_OK)
		return vigil_seterr(err, errsize, rc, "CVE5: stopped: %s",
		    vigil_strerror(rc));
	return VIGIL_OK;
}
