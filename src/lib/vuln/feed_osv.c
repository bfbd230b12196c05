/*
 * OSV records (github.com/ossf/osv-schema docs/schema.md, 1.x): one
 * record or a JSON array of them into struct vigil_vuln, checking the
 * schema's rules (one key per event, fixed and last_affected never in
 * one range) and keeping events as written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"
#include "feed_internal.h"

static enum vigil_err
oom(char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, VIGIL_ENOMEM, "OSV: out of memory");
}

static enum vigil_err
parse_event(const json_t *ev, const char *path, struct vigil_vevent *out,
    char *err, size_t errsize)
{
	static const struct {
		const char *key;
		enum vigil_vevent_kind kind;
	} kinds[] = {
		{ "introduced", VIGIL_EV_INTRODUCED },
		{ "fixed", VIGIL_EV_FIXED },
		{ "last_affected", VIGIL_EV_LAST_AFFECTED },
		{ "limit", VIGIL_EV_LIMIT },
	};
	const char *key, *s;
	enum vigil_err rc;

	if (!json_is_object(ev) || json_object_size(ev) != 1)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: an event must be an object with exactly one key",
		    path);
	key = json_object_iter_key(json_object_iter((json_t *)ev));
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strcmp(key, kinds[i].key) != 0)
			continue;
		rc = feed_str(ev, key, VIGIL_VERSION_MAX, 1, &s, path, err,
		    errsize);
		if (rc != VIGIL_OK)
			return rc;
		if (s[0] == '\0')
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s.%s: empty version", path, key);
		out->kind = kinds[i].kind;
		if ((out->version = strdup(s)) == NULL)
			return oom(err, errsize);
		return VIGIL_OK;
	}
	return vigil_seterr(err, errsize, VIGIL_EINVAL,
	    "%s: unknown event \"%.40s\" (expected introduced, fixed, "
	    "last_affected or limit)", path, key);
}

static enum vigil_err
parse_range(const json_t *r, const char *path, struct vigil_vrange *out,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const char *type, *repo;
	const json_t *evs;
	int intro = 0, fixed = 0, last = 0;
	enum vigil_err rc;

	if (!json_is_object(r))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	if ((rc = feed_str(r, "type", 16, 1, &type, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_str(r, "repo", FEED_NAME_MAX, 0, &repo, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_arr(r, "events", FEED_ARR_MAX, 1, &evs, path, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (strcmp(type, "SEMVER") == 0)
		out->type = VIGIL_VRANGE_SEMVER;
	else if (strcmp(type, "ECOSYSTEM") == 0)
		out->type = VIGIL_VRANGE_ECOSYSTEM;
	else if (strcmp(type, "GIT") == 0)
		out->type = VIGIL_VRANGE_GIT;
	else
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.type: \"%.40s\" is not SEMVER, ECOSYSTEM or GIT", path,
		    type);
	if (out->type == VIGIL_VRANGE_GIT && (repo == NULL || *repo == '\0'))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.repo: a GIT range needs its repository", path);
	if ((out->repo = feed_strdup(out->type == VIGIL_VRANGE_GIT ? repo :
	    "")) == NULL)
		return oom(err, errsize);
	if (json_array_size(evs) == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.events: empty", path);
	out->events = calloc(json_array_size(evs), sizeof *out->events);
	if (out->events == NULL)
		return oom(err, errsize);
	for (size_t i = 0; i < json_array_size(evs); i++) {
		struct vigil_vevent *e = &out->events[i];

		feed_path(p, path, "events[%zu]", i);
		out->nevents = i + 1;
		rc = parse_event(json_array_get(evs, i), p, e, err, errsize);
		if (rc != VIGIL_OK)
			return rc;
		intro |= e->kind == VIGIL_EV_INTRODUCED;
		fixed |= e->kind == VIGIL_EV_FIXED;
		last |= e->kind == VIGIL_EV_LAST_AFFECTED;
	}
	if (fixed && last)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.events: a range has fixed or last_affected events, "
		    "never both", path);
	if (!intro)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s.events: no introduced event", path);
	return VIGIL_OK;
}

/* A string array into a fresh (*arr, *n) (duplicates kept as written
 * for versions; the caller dedupes where it must). */
static enum vigil_err
str_array(const json_t *a, const char *path, size_t max, char ***arr,
    size_t *n, char *err, size_t errsize)
{
	if (json_array_size(a) == 0)
		return VIGIL_OK;
	if ((*arr = calloc(json_array_size(a), sizeof **arr)) == NULL)
		return oom(err, errsize);
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *s = json_array_get(a, i);

		if (!json_is_string(s) || json_string_length(s) > max ||
		    strlen(json_string_value(s)) != json_string_length(s))
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s[%zu]: must be a string of at most %zu bytes",
			    path, i, max);
		if (((*arr)[i] = strdup(json_string_value(s))) == NULL)
			return oom(err, errsize);
		*n = i + 1;
	}
	return VIGIL_OK;
}

static enum vigil_err
cpe_array(const json_t *a, const char *path, struct vigil_cpe **cpes,
    size_t *n, char *err, size_t errsize)
{
	char why[256];

	if (json_array_size(a) == 0)
		return VIGIL_OK;
	if ((*cpes = calloc(json_array_size(a), sizeof **cpes)) == NULL)
		return oom(err, errsize);
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *s = json_array_get(a, i);

		if (!json_is_string(s) ||
		    json_string_length(s) > VIGIL_CPE_MAX)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s[%zu]: must be a CPE string", path, i);
		if (vigil_cpe_parse(json_string_value(s), &(*cpes)[i], why,
		    sizeof why) != VIGIL_OK)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s[%zu]: %s", path, i, why);
		*n = i + 1;
	}
	return VIGIL_OK;
}

static enum vigil_err
parse_severity(const json_t *obj, const char *path, struct vigil_vuln *v,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *sev;
	const char *type, *score;
	enum vigil_err rc;

	if ((rc = feed_arr(obj, "severity", FEED_ARR_MAX, 0, &sev, path, err,
	    errsize)) != VIGIL_OK || sev == NULL)
		return rc;
	for (size_t i = 0; i < json_array_size(sev); i++) {
		const json_t *s = json_array_get(sev, i);

		feed_path(p, path, "severity[%zu]", i);
		if (!json_is_object(s))
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: must be an object", p);
		if ((rc = feed_str(s, "type", 32, 1, &type, p, err,
		    errsize)) != VIGIL_OK ||
		    (rc = feed_str(s, "score", FEED_NAME_MAX, 1, &score, p,
		    err, errsize)) != VIGIL_OK)
			return rc;
		/* OSV's score is the vector; the number is computed. */
		if ((rc = feed_add_severity(v, type, score, -1)) != VIGIL_OK)
			return vigil_seterr(err, errsize, rc, "%s: %s", p,
			    vigil_strerror(rc));
	}
	return VIGIL_OK;
}

/* database_specific.cwe_ids (GHSA) or .cwes (strings or {cweId}). */
static enum vigil_err
parse_cwes(const json_t *ds, const char *path, struct vigil_vuln *v,
    char *err, size_t errsize)
{
	static const char *const keys[] = { "cwe_ids", "cwes" };
	char p[FEED_PATH_MAX];
	const json_t *a;
	enum vigil_err rc;

	for (size_t k = 0; k < 2; k++) {
		if ((rc = feed_arr(ds, keys[k], FEED_ARR_MAX, 0, &a, path, err,
		    errsize)) != VIGIL_OK)
			return rc;
		for (size_t i = 0; a != NULL && i < json_array_size(a); i++) {
			const json_t *c = json_array_get(a, i);
			const char *s = NULL;

			feed_path(p, path, "%s[%zu]", keys[k], i);
			if (json_is_object(c)) {
				rc = feed_str(c, "cweId", FEED_ID_MAX, 1, &s,
				    p, err, errsize);
				if (rc != VIGIL_OK)
					return rc;
			} else if (json_is_string(c) &&
			    json_string_length(c) <= FEED_ID_MAX) {
				s = json_string_value(c);
			} else {
				return vigil_seterr(err, errsize,
				    VIGIL_EINVAL, "%s: must be a CWE id", p);
			}
			if (feed_add_uniq(&v->cwes, &v->ncwes, s) !=
			    VIGIL_OK)
				return oom(err, errsize);
		}
	}
	return VIGIL_OK;
}

static enum vigil_err
parse_affected(const json_t *a, const char *path, const json_t *rec_cpes,
    const char *rec_cpes_path, struct vigil_vuln *v, struct vigil_vpkg *pkg,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX];
	const json_t *package, *ranges, *versions, *ds, *cpes = NULL;
	const char *eco = NULL, *name = NULL, *purl = NULL;
	enum vigil_err rc;

	if (!json_is_object(a))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be an object", path);
	if ((rc = feed_obj(a, "package", &package, path, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	feed_path(p, path, "package");
	if (package != NULL &&
	    ((rc = feed_str(package, "ecosystem", FEED_NAME_MAX, 0, &eco, p,
	    err, errsize)) != VIGIL_OK ||
	    (rc = feed_str(package, "name", FEED_NAME_MAX, 0, &name, p, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_str(package, "purl", VIGIL_PURL_MAX, 0, &purl, p, err,
	    errsize)) != VIGIL_OK))
		return rc;
	pkg->ecosystem = feed_strdup(eco);
	pkg->name = feed_strdup(name);
	pkg->purl = feed_strdup(purl);
	if (pkg->ecosystem == NULL || pkg->name == NULL || pkg->purl == NULL)
		return oom(err, errsize);
	if ((rc = feed_arr(a, "ranges", FEED_ARR_MAX, 0, &ranges, path, err,
	    errsize)) != VIGIL_OK ||
	    (rc = feed_arr(a, "versions", FEED_ARR_MAX, 0, &versions, path,
	    err, errsize)) != VIGIL_OK ||
	    (rc = feed_obj(a, "database_specific", &ds, path, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if (ranges != NULL && json_array_size(ranges) > 0) {
		pkg->ranges = calloc(json_array_size(ranges),
		    sizeof *pkg->ranges);
		if (pkg->ranges == NULL)
			return oom(err, errsize);
		for (size_t i = 0; i < json_array_size(ranges); i++) {
			feed_path(p, path, "ranges[%zu]", i);
			pkg->nranges = i + 1;
			rc = parse_range(json_array_get(ranges, i), p,
			    &pkg->ranges[i], err, errsize);
			if (rc != VIGIL_OK)
				return rc;
		}
	}
	feed_path(p, path, "versions");
	if (versions != NULL && (rc = str_array(versions, p,
	    VIGIL_VERSION_MAX, &pkg->versions, &pkg->nversions, err,
	    errsize)) != VIGIL_OK)
		return rc;
	feed_path(p, path, "database_specific");
	if (ds != NULL && (rc = feed_arr(ds, "cpes", FEED_ARR_MAX, 0, &cpes,
	    p, err, errsize)) != VIGIL_OK)
		return rc;
	if (cpes != NULL) {
		feed_path(p, path, "database_specific.cpes");
	} else {
		/* Bitnami lists the CPEs once for the record: they name
		 * every package of it. */
		cpes = rec_cpes;
		snprintf(p, sizeof p, "%s", rec_cpes_path);
	}
	if (cpes != NULL && (rc = cpe_array(cpes, p, &pkg->cpes, &pkg->ncpes,
	    err, errsize)) != VIGIL_OK)
		return rc;
	return parse_severity(a, path, v, err, errsize);
}

enum vigil_err
feed_osv_record(const json_t *rec, const char *base, struct vigil_vuln **out,
    char *err, size_t errsize)
{
	char p[FEED_PATH_MAX], cpes_path[FEED_PATH_MAX];
	struct vigil_vuln *v;
	const char *id, *summary;
	const json_t *aliases, *affected, *ds, *cpes = NULL;
	enum vigil_err rc;

	*out = NULL;
	if (!json_is_object(rec))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%.*s: an OSV record must be an object",
		    (int)(strlen(base) - (base[0] != '\0' &&
		    base[strlen(base) - 1] == ' ')), base);
	if ((v = feed_vuln_new(VIGIL_VSRC_OSV)) == NULL)
		return oom(err, errsize);
	if ((rc = feed_str(rec, "id", FEED_ID_MAX, 1, &id, base, err,
	    errsize)) != VIGIL_OK)
		goto fail;
	if (*id == '\0') {
		feed_path(p, base, "id");
		rc = vigil_seterr(err, errsize, VIGIL_EINVAL, "%s: empty", p);
		goto fail;
	}
	free(v->id);
	if ((v->id = strdup(id)) == NULL)
		goto nomem;
	if ((rc = feed_get_time(rec, "modified", 1, &v->modified_ms, base,
	    err, errsize)) != VIGIL_OK ||
	    (rc = feed_get_time(rec, "published", 0, &v->published_ms, base,
	    err, errsize)) != VIGIL_OK ||
	    (rc = feed_get_time(rec, "withdrawn", 0, &v->withdrawn_ms, base,
	    err, errsize)) != VIGIL_OK ||
	    (rc = feed_str(rec, "summary", FEED_TEXT_MAX, 0, &summary, base,
	    err, errsize)) != VIGIL_OK)
		goto fail;
	if (summary == NULL || *summary == '\0') {
		if ((rc = feed_str(rec, "details", FEED_TEXT_MAX, 0, &summary,
		    base, err, errsize)) != VIGIL_OK)
			goto fail;
	}
	free(v->summary);
	if ((v->summary = feed_strdup(summary)) == NULL)
		goto nomem;
	if ((rc = feed_arr(rec, "aliases", FEED_ARR_MAX, 0, &aliases, base,
	    err, errsize)) != VIGIL_OK)
		goto fail;
	feed_path(p, base, "aliases");
	if (aliases != NULL && (rc = str_array(aliases, p, FEED_ID_MAX,
	    &v->aliases, &v->naliases, err, errsize)) != VIGIL_OK)
		goto fail;
	if ((rc = parse_severity(rec, base, v, err, errsize)) != VIGIL_OK ||
	    (rc = feed_obj(rec, "database_specific", &ds, base, err,
	    errsize)) != VIGIL_OK)
		goto fail;
	feed_path(p, base, "database_specific");
	if (ds != NULL && ((rc = feed_arr(ds, "cpes", FEED_ARR_MAX, 0, &cpes,
	    p, err, errsize)) != VIGIL_OK ||
	    (rc = parse_cwes(ds, p, v, err, errsize)) != VIGIL_OK))
		goto fail;
	if ((rc = feed_arr(rec, "affected", FEED_ARR_MAX, 0, &affected, base,
	    err, errsize)) != VIGIL_OK)
		goto fail;
	feed_path(cpes_path, base, "database_specific.cpes");
	if (affected != NULL && json_array_size(affected) > 0) {
		v->pkgs = calloc(json_array_size(affected), sizeof *v->pkgs);
		if (v->pkgs == NULL)
			goto nomem;
		for (size_t i = 0; i < json_array_size(affected); i++) {
			feed_path(p, base, "affected[%zu]", i);
			v->npkgs = i + 1;
			rc = parse_affected(json_array_get(affected, i), p,
			    cpes, cpes_path, v, &v->pkgs[i], err, errsize);
			if (rc != VIGIL_OK)
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

static enum vigil_err
one(const json_t *rec, size_t index, const char *base,
    const struct vigil_feed_cb *cb)
{
	char why[512];
	struct vigil_vuln *v;
	const json_t *id = json_object_get(rec, "id");
	enum vigil_err rc;

	rc = feed_osv_record(rec, base, &v, why, sizeof why);
	if (rc == VIGIL_ENOMEM)
		return rc;
	if (rc != VIGIL_OK) {
		feed_reject(cb, index, json_is_string(id) ?
		    json_string_value(id) : NULL, why);
		return VIGIL_OK;
	}
	rc = feed_emit(cb, rec, v);
	vigil_vuln_free(v);
	return rc;
}

enum vigil_err
feed_osv_doc(const json_t *doc, const struct vigil_feed_cb *cb, char *err,
    size_t errsize)
{
	char base[FEED_PATH_MAX];
	enum vigil_err rc;

	if (json_is_object(doc)) {
		rc = one(doc, 0, "OSV ", cb);
		goto out;
	}
	if (!json_is_array(doc))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "OSV: expected a record or an array of records");
	for (size_t i = 0; i < json_array_size(doc); i++) {
		snprintf(base, sizeof base, "OSV [%zu]", i);
		if ((rc = one(json_array_get(doc, i), i, base, cb)) !=
		    VIGIL_OK)
			goto out;
	}
	return VIGIL_OK;
out:
	if (rc != VIGIL_OK)
		return vigil_seterr(err, errsize, rc, "OSV: stopped: %s",
		    vigil_strerror(rc));
	return VIGIL_OK;
}
