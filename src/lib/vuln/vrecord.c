/*
 * Vulnerability records (struct vigil_vuln): source names, freeing,
 * the canonical id findings merge under, reading one record back from
 * its raw JSON, and the small builders the feed parsers share.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vigil/json.h"
#include "vigil/vuln.h"
#include "feed_internal.h"

static const char *const vsource_names[] = { "none", "osv", "nvd", "cve5" };
#define NVSOURCES (sizeof vsource_names / sizeof vsource_names[0])

const char *
vigil_vsource_name(enum vigil_vsource s)
{
	if ((unsigned)s >= NVSOURCES)
		return "none";
	return vsource_names[s];
}

enum vigil_vsource
vigil_vsource_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_VSRC_NONE;
	for (size_t i = 1; i < NVSOURCES; i++)
		if (strcasecmp(name, vsource_names[i]) == 0)
			return (enum vigil_vsource)i;
	return VIGIL_VSRC_NONE;
}

static void
free_strs(char **a, size_t n)
{
	for (size_t i = 0; i < n && a != NULL; i++)
		free(a[i]);
	free(a);
}

/* Parsers fill arrays item by item, so a half-built record has zeroed
 * items: every field may be NULL and a CPE may be unset. */
static void
cpe_clear_set(struct vigil_cpe *c)
{
	if (c->buf != NULL)
		vigil_cpe_clear(c);
}

static void
free_cpes(struct vigil_cpe *c, size_t n)
{
	for (size_t i = 0; i < n && c != NULL; i++)
		cpe_clear_set(&c[i]);
	free(c);
}

static void
free_pkg(struct vigil_vpkg *p)
{
	free(p->ecosystem);
	free(p->name);
	free(p->purl);
	for (size_t i = 0; i < p->nranges && p->ranges != NULL; i++) {
		struct vigil_vrange *r = &p->ranges[i];

		free(r->repo);
		for (size_t j = 0; j < r->nevents && r->events != NULL; j++)
			free(r->events[j].version);
		free(r->events);
	}
	free(p->ranges);
	free_strs(p->versions, p->nversions);
	free_cpes(p->cpes, p->ncpes);
}

static void
free_config(struct vigil_cpe_config *c)
{
	for (size_t i = 0; i < c->nnodes && c->nodes != NULL; i++) {
		struct vigil_cpe_node *n = &c->nodes[i];

		for (size_t j = 0; j < n->nmatches && n->matches != NULL;
		    j++) {
			cpe_clear_set(&n->matches[j].cpe);
			free(n->matches[j].start);
			free(n->matches[j].end);
		}
		free(n->matches);
	}
	free(c->nodes);
}

static void
free_cve5(struct vigil_cve5_affected *a)
{
	free(a->vendor);
	free(a->product);
	free(a->package_name);
	free(a->collection_url);
	for (size_t i = 0; i < a->nversions && a->versions != NULL; i++) {
		free(a->versions[i].version);
		free(a->versions[i].less_than);
		free(a->versions[i].less_than_or_equal);
		free(a->versions[i].version_type);
	}
	free(a->versions);
	free_cpes(a->cpes, a->ncpes);
}

void
vigil_vuln_free(struct vigil_vuln *v)
{
	if (v == NULL)
		return;
	free(v->id);
	free_strs(v->aliases, v->naliases);
	free(v->summary);
	free(v->status);
	for (size_t i = 0; i < v->nseverity && v->severity != NULL; i++) {
		free(v->severity[i].type);
		free(v->severity[i].vector);
	}
	free(v->severity);
	free_strs(v->cwes, v->ncwes);
	for (size_t i = 0; i < v->npkgs && v->pkgs != NULL; i++)
		free_pkg(&v->pkgs[i]);
	free(v->pkgs);
	for (size_t i = 0; i < v->nconfigs && v->configs != NULL; i++)
		free_config(&v->configs[i]);
	free(v->configs);
	for (size_t i = 0; i < v->ncve5 && v->cve5 != NULL; i++)
		free_cve5(&v->cve5[i]);
	free(v->cve5);
	free(v);
}

const char *
vigil_vuln_canonical_id(const struct vigil_vuln *v)
{
	if (v == NULL || v->id == NULL)
		return "";
	if (strncmp(v->id, "CVE-", 4) == 0)
		return v->id;
	for (size_t i = 0; i < v->naliases; i++)
		if (v->aliases[i] != NULL &&
		    strncmp(v->aliases[i], "CVE-", 4) == 0)
			return v->aliases[i];
	return v->id;
}

enum vigil_err
vigil_vuln_parse(enum vigil_vsource src, const char *raw, size_t len,
    struct vigil_vuln **out, char *err, size_t errsize)
{
	json_t *doc, *cve;
	enum vigil_err rc;

	*out = NULL;
	if (raw == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "vulnerability record: missing");
	if (len > VIGIL_FEED_DOC_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "vulnerability record: %zu bytes, the limit is %u", len,
		    VIGIL_FEED_DOC_MAX);
	rc = vigil_json_loadb(raw, len, &doc, err, errsize);
	if (rc != VIGIL_OK)
		return rc;
	switch (src) {
	case VIGIL_VSRC_OSV:
		rc = feed_osv_record(doc, "OSV ", out, err, errsize);
		break;
	case VIGIL_VSRC_NVD:
		/* The raw text is the cve object; a vulnerabilities[] item
		 * ({"cve": {...}}) is accepted as well. */
		cve = json_object_get(doc, "cve");
		if (json_is_object(cve) && json_object_size(doc) == 1)
			rc = feed_nvd_cve(cve, "NVD cve", out, err, errsize);
		else
			rc = feed_nvd_cve(doc, "NVD cve", out, err, errsize);
		break;
	case VIGIL_VSRC_CVE5:
		rc = feed_cve5_record(doc, "CVE5 ", out, err, errsize);
		break;
	default:
		rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "vulnerability record: unknown source %d", (int)src);
		break;
	}
	json_decref(doc);
	return rc;
}

/* ---- builders shared by the parsers ---- */

struct vigil_vuln *
feed_vuln_new(enum vigil_vsource src)
{
	struct vigil_vuln *v = calloc(1, sizeof *v);

	if (v == NULL)
		return NULL;
	v->source = src;
	v->id = feed_strdup("");
	v->summary = feed_strdup("");
	v->status = feed_strdup("");
	if (v->id == NULL || v->summary == NULL || v->status == NULL) {
		vigil_vuln_free(v);
		return NULL;
	}
	return v;
}

char *
feed_strdup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

enum vigil_err
feed_add_uniq(char ***arr, size_t *n, const char *s)
{
	char **a, *c;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*arr)[i], s) == 0)
			return VIGIL_OK;
	if (*n >= FEED_ARR_MAX)
		return VIGIL_ERANGE;
	if ((c = strdup(s)) == NULL)
		return VIGIL_ENOMEM;
	a = realloc(*arr, (*n + 1) * sizeof *a);
	if (a == NULL) {
		free(c);
		return VIGIL_ENOMEM;
	}
	a[(*n)++] = c;
	*arr = a;
	return VIGIL_OK;
}

enum vigil_err
feed_add_severity(struct vigil_vuln *v, const char *type, const char *vector,
    double score)
{
	struct vigil_severity *s;

	for (size_t i = 0; i < v->nseverity; i++)
		if (strcmp(v->severity[i].type, type) == 0 &&
		    strcmp(v->severity[i].vector, vector) == 0)
			return VIGIL_OK;
	if (v->nseverity >= FEED_ARR_MAX)
		return VIGIL_ERANGE;
	s = realloc(v->severity, (v->nseverity + 1) * sizeof *s);
	if (s == NULL)
		return VIGIL_ENOMEM;
	v->severity = s;
	s = &v->severity[v->nseverity];
	s->type = strdup(type);
	s->vector = strdup(vector);
	s->score = score;
	if (s->type == NULL || s->vector == NULL) {
		free(s->type);
		free(s->vector);
		return VIGIL_ENOMEM;
	}
	v->nseverity++;
	return VIGIL_OK;
}

int
feed_is_cve_id(const char *s)
{
	size_t i, d;

	if (s == NULL || strncmp(s, "CVE-", 4) != 0)
		return 0;
	for (i = 4; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	if (s[8] != '-')
		return 0;
	for (i = 9, d = 0; s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	return s[i] == '\0' && d >= 4 && d <= 19;
}
