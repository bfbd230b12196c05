/*
 * Fleet exposure on the store (vulndb.h "queries"): vulnerabilities by
 * priority, one vulnerability with its provenance, "affects N devices
 * in T tenants", a device's findings and risk, and the firmware version
 * a device runs. Devices are always counted in the caller's tenant
 * scope (NULL = platform). Also the helpers vdbq_internal.h declares.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_vulnq.h"
#include "vdbq_internal.h"
#include "vigil/json.h"

#define LIST_DEFAULT 100
#define LIST_MAX 10000
#define NA(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Helpers (vdbq_internal.h). */

int
vdbq_suppressed(const char *s)
{
	return strcmp(s, "not_affected") == 0 || strcmp(s, "fixed") == 0 ||
	    strcmp(s, "false_positive") == 0;
}

const char *
vdbq_str(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s != NULL ? s : "";
}

int64_t
vdbq_int(const json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return 0;
}

double
vdbq_real(const json_t *row, const char *key, double none)
{
	json_t *v = json_object_get(row, key);

	return json_is_number(v) ? json_number_value(v) : none;
}

enum vigil_err
vdbq_store_err(struct vigil_store *st, enum vigil_err rc, char *err,
    size_t errsize)
{
	if (rc == VIGIL_ENOMEM && vigil_store_errmsg(st)[0] == '\0')
		return vigil_seterr(err, errsize, rc, "out of memory");
	return vigil_seterr(err, errsize, rc, "%s", vigil_store_errmsg(st));
}

enum vigil_err
vdbq_norm_id(const char *id, char out[VDBQ_ID_MAX + 1], char *err,
    size_t errsize)
{
	size_t n, i;

	out[0] = '\0';
	if (id == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "vulnerability id: missing");
	while (*id == ' ' || *id == '\t')
		id++;
	n = strlen(id);
	while (n > 0 && (id[n - 1] == ' ' || id[n - 1] == '\t'))
		n--;
	if (n == 0 || n > VDBQ_ID_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "vulnerability id: %zu bytes, expected 1 to %d", n,
		    VDBQ_ID_MAX);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c <= 0x20 || c >= 0x7f)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "vulnerability id: byte 0x%02x at offset %zu is "
			    "not a printable character", c, i);
		out[i] = (char)toupper(c);
	}
	out[n] = '\0';
	return VIGIL_OK;
}

enum vigil_err
vdbq_resolve(struct vigil_store *st, const char *id,
    char out[VDBQ_ID_MAX + 1], char *err, size_t errsize)
{
	struct store_vq_arg a[1];
	json_t *row = NULL;
	enum vigil_err rc;
	char norm[VDBQ_ID_MAX + 1];

	out[0] = '\0';
	if ((rc = vdbq_norm_id(id, norm, err, errsize)) != VIGIL_OK)
		return rc;
	a[0] = VQ_S(norm);
	rc = store_vq_row(st, VQ_RESOLVE, a, NA(a), &row);
	if (rc == VIGIL_ENOTFOUND)
		return vigil_seterr(err, errsize, rc,
		    "vulnerability %s: not known (no record, finding, KEV "
		    "entry or mark names it)", norm);
	if (rc != VIGIL_OK)
		return vdbq_store_err(st, rc, err, errsize);
	snprintf(out, VDBQ_ID_MAX + 1, "%s", vdbq_str(row, "vuln"));
	json_decref(row);
	return VIGIL_OK;
}

enum vigil_err
vdbq_device(struct vigil_store *st, const char *tenant, const char *device,
    json_t **row, char *err, size_t errsize)
{
	struct store_vq_arg a[2];
	json_t *rows = NULL, *first;
	enum vigil_err rc;

	*row = NULL;
	if (device == NULL || device[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "device: missing");
	a[0] = VQ_S(device);
	a[1] = VQ_S(tenant);
	if ((rc = store_vq_rows(st, VQ_DEVICE_GET, a, NA(a), 2, &rows)) !=
	    VIGIL_OK)
		return vdbq_store_err(st, rc, err, errsize);
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return vigil_seterr(err, errsize, VIGIL_ENOTFOUND,
		    "device %s: not found%s", device,
		    tenant != NULL ? " in this tenant" : "");
	}
	first = json_array_get(rows, 0);
	/* One name in two tenants seen from the platform scope. */
	if (json_array_size(rows) > 1 &&
	    strcmp(vdbq_str(first, "id"), device) != 0) {
		json_decref(rows);
		return vigil_seterr(err, errsize, VIGIL_EAMBIGUOUS,
		    "device %s: the name is used in several tenants; give "
		    "its id", device);
	}
	*row = json_incref(first);
	json_decref(rows);
	return VIGIL_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
vdbq_aliases(const char *joined, const char *except)
{
	json_t *arr = json_array();
	char *copy, *p, **v = NULL;
	size_t n = 0, cap = 0, i;
	int ok = arr != NULL;

	if (!ok || joined == NULL || joined[0] == '\0')
		return arr;
	if ((copy = strdup(joined)) == NULL) {
		json_decref(arr);
		return NULL;
	}
	for (p = copy; ok && p != NULL;) {
		char *next = strchr(p, ',');

		if (next != NULL)
			*next++ = '\0';
		if (*p != '\0' && (except == NULL || strcmp(p, except) != 0)) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 8;
				char **nv = realloc(v, nc * sizeof *v);

				if (nv == NULL) {
					ok = 0;
					break;
				}
				v = nv;
				cap = nc;
			}
			v[n++] = p;
		}
		p = next;
	}
	if (ok && n > 1)
		qsort(v, n, sizeof *v, cmp_str);
	for (i = 0; ok && i < n; i++)
		ok = json_array_append_new(arr, json_string(v[i])) == 0;
	free(v);
	free(copy);
	if (!ok) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *
vdbq_date(int64_t ms)
{
	char t[VIGIL_RFC3339_LEN];

	if (ms <= 0)
		return json_null();
	vigil_time_format(ms, t);
	return json_stringn(t, 10);
}

/* A real, or null when unknown (< 0). */
static json_t *
real_or_null(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

/* The prioritisation fields a vulnerability row and a finding row
 * share: priority and its label, KEV and ransomware use, EPSS, CVSS. */
static void
put_priority(json_t *o, const json_t *r, double prio, int *ok)
{
	vigil_json_put(o, "priority", json_real(prio), ok);
	vigil_json_put(o, "priority_label",
	    json_string(vigil_priority_label(prio)), ok);
	vigil_json_put(o, "kev", json_boolean(vdbq_int(r, "kev")), ok);
	vigil_json_put(o, "ransomware",
	    json_boolean(vdbq_int(r, "ransomware")), ok);
	vigil_json_put(o, "epss", real_or_null(vdbq_real(r, "epss", -1)), ok);
	vigil_json_put(o, "cvss", real_or_null(vdbq_real(r, "cvss", -1)), ok);
}

static enum vigil_err
oom(char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, VIGIL_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------------ */
/* vigil_vdb_vuln_list */

static json_t *
list_item(const json_t *r)
{
	json_t *o = json_object();
	double prio = vdbq_real(r, "priority", 0);
	int ok = o != NULL;

	vigil_json_put(o, "id", json_string(vdbq_str(r, "vuln")), &ok);
	vigil_json_put(o, "aliases", vdbq_aliases(vdbq_str(r, "aliases"),
	    vdbq_str(r, "vuln")), &ok);
	put_priority(o, r, prio, &ok);
	vigil_json_put(o, "summary", json_string(vdbq_str(r, "summary")),
	    &ok);
	vigil_json_put(o, "builds", json_integer(vdbq_int(r, "builds")), &ok);
	return vigil_json_done(o, ok);
}

/* The build id of "ID" or "MODEL@FIRMWARE" into id. */
static enum vigil_err
build_id(struct vigil_store *st, const char *build, char *id, size_t idsize)
{
	struct store_vq_arg a[1] = { VQ_S(build) };
	json_t *row = NULL;
	enum vigil_err rc = store_vq_row(st, VQ_BUILD_RESOLVE, a, 1, &row);

	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "build %s: not found", build);
	if (rc != VIGIL_OK)
		return rc;
	snprintf(id, idsize, "%s", vdbq_str(row, "id"));
	json_decref(row);
	return VIGIL_OK;
}

enum vigil_err
vigil_vdb_vuln_list(struct vigil_store *st, const char *tenant,
    const struct vigil_vdb_filter *f, json_t **out)
{
	struct vigil_vdb_filter none;
	struct store_vq_arg a[8];
	char bid[VIGIL_UUID_STRLEN + 64] = "";
	char err[256];
	json_t *rows = NULL, *arr = NULL, *r;
	enum vigil_err rc;
	size_t limit, i;

	*out = NULL;
	if (f == NULL) {
		memset(&none, 0, sizeof none);
		f = &none;
	}
	limit = f->limit == 0 ? LIST_DEFAULT : f->limit;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	if (f->build != NULL &&
	    (rc = build_id(st, f->build, bid, sizeof bid)) != VIGIL_OK)
		return rc;
	/* A device filter is the filter by the build the device runs. */
	if (f->device != NULL) {
		json_t *d = NULL;
		const char *db;

		if ((rc = vdbq_device(st, tenant, f->device, &d, err,
		    sizeof err)) != VIGIL_OK)
			return store_seterr(st, rc, "%s", err);
		db = vdbq_str(d, "build_id");
		if (db[0] == '\0' || (f->build != NULL &&
		    strcmp(db, bid) != 0)) {
			json_decref(d);
			*out = json_array();
			return *out != NULL ? VIGIL_OK : store_seterr(st,
			    VIGIL_ENOMEM, "out of memory");
		}
		snprintf(bid, sizeof bid, "%s", db);
		json_decref(d);
	}
	a[0] = VQ_S(tenant);
	a[1] = VQ_S(f->build != NULL || f->device != NULL ? bid : NULL);
	a[2] = VQ_S(NULL);
	a[3] = VQ_I(f->kev_only != 0);
	a[4] = VQ_I(f->include_unknown != 0);
	a[5] = VQ_I(f->include_suppressed != 0);
	a[6] = VQ_D(f->min_priority > 0 ? f->min_priority : 0);
	a[7] = VQ_I((int64_t)limit);
	if ((rc = store_vq_rows(st, VQ_VULN_LIST, a, NA(a), limit, &rows)) !=
	    VIGIL_OK)
		goto done;
	if ((arr = json_array()) == NULL) {
		rc = store_seterr(st, VIGIL_ENOMEM, "out of memory");
		goto done;
	}
	json_array_foreach(rows, i, r) {
		json_t *item;

		if ((item = list_item(r)) == NULL ||
		    json_object_set_new(item, "devices",
		    json_integer(vdbq_int(r, "devices"))) ||
		    json_object_set_new(item, "tenants",
		    json_integer(vdbq_int(r, "tenants"))) ||
		    json_array_append_new(arr, item) != 0) {
			rc = store_seterr(st, VIGIL_ENOMEM, "out of memory");
			goto done;
		}
	}
	*out = arr;
	arr = NULL;
done:
	json_decref(rows);
	json_decref(arr);
	return rc;
}

/* ------------------------------------------------------------------ */
/* vigil_vdb_vuln_show, vigil_vdb_affected */

static json_t *
record_item(const json_t *r)
{
	json_t *o = json_object(), *prov = json_object();
	int ok = o != NULL && prov != NULL;

	vigil_json_put(o, "source", json_string(vdbq_str(r, "source")), &ok);
	vigil_json_put(o, "id", json_string(vdbq_str(r, "id")), &ok);
	vigil_json_put(o, "modified", vigil_json_time(vdbq_int(r,
	    "modified_ms")), &ok);
	vigil_json_put(o, "withdrawn", vigil_json_time(vdbq_int(r,
	    "withdrawn_ms")), &ok);
	vigil_json_put(o, "summary", json_string(vdbq_str(r, "summary")),
	    &ok);
	vigil_json_put(o, "cvss", real_or_null(vdbq_real(r, "cvss", -1)),
	    &ok);
	vigil_json_put(o, "cvss_vector",
	    vigil_json_str_or_null(vdbq_str(r, "cvss_vector")), &ok);
	vigil_json_put(prov, "kind", vigil_json_str_or_null(vdbq_str(r,
	    "feed_kind")), &ok);
	vigil_json_put(prov, "source", vigil_json_str_or_null(vdbq_str(r,
	    "feed_source")), &ok);
	vigil_json_put(prov, "path", vigil_json_str_or_null(vdbq_str(r,
	    "feed_path")), &ok);
	vigil_json_put(prov, "fetched_at", vigil_json_time(vdbq_int(r,
	    "fetched_ms")), &ok);
	vigil_json_put(prov, "imported_at", vigil_json_time(vdbq_int(r,
	    "imported_ms")), &ok);
	if (ok)
		vigil_json_put(o, "provenance", prov, &ok);
	else
		json_decref(prov);
	return vigil_json_done(o, ok);
}

static json_t *
kev_item(const json_t *k)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "vendor", json_string(vdbq_str(k, "vendor")), &ok);
	vigil_json_put(o, "product", json_string(vdbq_str(k, "product")), &ok);
	vigil_json_put(o, "name", json_string(vdbq_str(k, "name")), &ok);
	vigil_json_put(o, "description", json_string(vdbq_str(k,
	    "description")), &ok);
	vigil_json_put(o, "required_action", json_string(vdbq_str(k,
	    "action")), &ok);
	vigil_json_put(o, "notes", json_string(vdbq_str(k, "notes")), &ok);
	vigil_json_put(o, "date_added", vdbq_date(vdbq_int(k, "added_ms")),
	    &ok);
	vigil_json_put(o, "due_date", vdbq_date(vdbq_int(k, "due_ms")), &ok);
	vigil_json_put(o, "known_ransomware_use",
	    json_boolean(vdbq_int(k, "ransomware")), &ok);
	vigil_json_put(o, "catalog_version", json_string(vdbq_str(k,
	    "catalog_version")), &ok);
	vigil_json_put(o, "fetched_at", vigil_json_time(vdbq_int(k,
	    "fetched_ms")), &ok);
	return vigil_json_done(o, ok);
}

/* One finding of VQ_FINDINGS_OF as a component entry. */
static json_t *
component_item(const json_t *r, int full)
{
	json_t *o = json_object();
	int ok = o != NULL;
	const char *vex = vdbq_str(r, "vex_state");

	vigil_json_put(o, "ref", json_string(vdbq_str(r, "ref")), &ok);
	vigil_json_put(o, "name", json_string(vdbq_str(r, "name")), &ok);
	vigil_json_put(o, "version", json_string(vdbq_str(r, "version")), &ok);
	vigil_json_put(o, "fixed", vigil_json_str_or_null(vdbq_str(r,
	    "fixed")), &ok);
	vigil_json_put(o, "reason", json_string(vdbq_str(r, "reason")), &ok);
	if (full) {
		json_t *v = json_object();

		vigil_json_put(o, "purl", vigil_json_str_or_null(vdbq_str(r,
		    "purl")), &ok);
		vigil_json_put(o, "outcome", json_string(vdbq_str(r,
		    "outcome")), &ok);
		vigil_json_put(o, "sources", json_string(vdbq_str(r,
		    "sources")), &ok);
		vigil_json_put(o, "priority", json_real(vdbq_real(r,
		    "priority", 0)), &ok);
		vigil_json_put(o, "suppressed", json_boolean(
		    vdbq_suppressed(vex)), &ok);
		if (vex[0] == '\0') {
			json_decref(v);
			vigil_json_put(o, "vex", json_null(), &ok);
		} else {
			ok = ok && v != NULL;
			vigil_json_put(v, "state", json_string(vex), &ok);
			vigil_json_put(v, "justification",
			    vigil_json_str_or_null(vdbq_str(r,
			    "vex_justification")), &ok);
			vigil_json_put(v, "detail", vigil_json_str_or_null(
			    vdbq_str(r, "vex_detail")), &ok);
			vigil_json_put(o, "vex", v, &ok);
		}
	}
	return vigil_json_done(o, ok);
}

/* Groups findings rows (ordered by model, firmware, ref) into builds;
 * open_only keeps affected, unsuppressed ones. */
static json_t *
group_builds(const json_t *rows, int open_only, double *maxprio)
{
	json_t *builds = json_array(), *cur = NULL, *comps = NULL, *r;
	size_t i;
	int ok = builds != NULL;

	*maxprio = 0;
	json_array_foreach(rows, i, r) {
		const char *bid = vdbq_str(r, "build_id");
		int open = strcmp(vdbq_str(r, "outcome"), "affected") == 0 &&
		    !vdbq_suppressed(vdbq_str(r, "vex_state"));

		if (!ok)
			break;
		if (open_only && !open)
			continue;
		if (open && vdbq_real(r, "priority", 0) > *maxprio)
			*maxprio = vdbq_real(r, "priority", 0);
		if (cur == NULL || strcmp(vdbq_str(cur, "id"), bid) != 0) {
			cur = json_object();
			comps = json_array();
			ok = cur != NULL && comps != NULL &&
			    json_array_append_new(builds, cur) == 0;
			if (!ok) {
				json_decref(comps);
				break;
			}
			vigil_json_put(cur, "id", json_string(bid), &ok);
			vigil_json_put(cur, "model", json_string(vdbq_str(r,
			    "model")), &ok);
			vigil_json_put(cur, "firmware", json_string(vdbq_str(r,
			    "firmware")), &ok);
			vigil_json_put(cur, "devices", json_integer(vdbq_int(r,
			    "devices")), &ok);
			vigil_json_put(cur, "components", comps, &ok);
		}
		ok = ok && json_array_append_new(comps,
		    component_item(r, !open_only)) == 0;
	}
	if (!ok) {
		json_decref(builds);
		return NULL;
	}
	return builds;
}

static enum vigil_err
findings_of(struct vigil_store *st, const char *tenant, const char *vuln,
    json_t **rows, char *err, size_t errsize)
{
	struct store_vq_arg a[2] = { VQ_S(vuln), VQ_S(tenant) };
	enum vigil_err rc;

	rc = store_vq_rows(st, VQ_FINDINGS_OF, a, NA(a), VDBQ_ROWS_MAX, rows);
	return rc == VIGIL_OK ? rc : vdbq_store_err(st, rc, err, errsize);
}

/* The single row of q for vuln, or null. */
static enum vigil_err
one_or_null(struct vigil_store *st, enum store_vq q, const char *vuln,
    json_t **row, char *err, size_t errsize)
{
	struct store_vq_arg a[1] = { VQ_S(vuln) };
	enum vigil_err rc = store_vq_row(st, q, a, 1, row);

	if (rc == VIGIL_ENOTFOUND) {
		*row = json_null();
		return VIGIL_OK;
	}
	return rc == VIGIL_OK ? rc : vdbq_store_err(st, rc, err, errsize);
}

enum vigil_err
vigil_vdb_vuln_show(struct vigil_store *st, const char *tenant,
    const char *id, json_t **out, char *err, size_t errsize)
{
	char vuln[VDBQ_ID_MAX + 1];
	struct store_vq_arg a[1];
	json_t *recs = NULL, *al = NULL, *kev = NULL, *epss = NULL;
	json_t *mark = NULL, *finds = NULL, *o = NULL, *arr, *r, *best = NULL;
	double prio = 0, cvss = -1;
	enum vigil_err rc;
	size_t i;
	int ok;

	*out = NULL;
	if ((rc = vdbq_resolve(st, id, vuln, err, errsize)) != VIGIL_OK)
		return rc;
	a[0] = VQ_S(vuln);
	if ((rc = store_vq_rows(st, VQ_RECORDS, a, 1, VDBQ_ROWS_MAX,
	    &recs)) != VIGIL_OK) {
		rc = vdbq_store_err(st, rc, err, errsize);
		goto done;
	}
	if ((rc = one_or_null(st, VQ_ALIASES, vuln, &al, err, errsize)) ||
	    (rc = one_or_null(st, VQ_KEV, vuln, &kev, err, errsize)) ||
	    (rc = one_or_null(st, VQ_EPSS, vuln, &epss, err, errsize)) ||
	    (rc = one_or_null(st, VQ_EXPLOITED, vuln, &mark, err, errsize)) ||
	    (rc = findings_of(st, tenant, vuln, &finds, err, errsize)))
		goto done;
	o = json_object();
	arr = json_array();
	ok = o != NULL && arr != NULL;
	json_array_foreach(recs, i, r) {
		double c = vdbq_real(r, "cvss", -1);

		if (c > cvss) {
			cvss = c;
			best = r;
		}
		ok = ok && json_array_append_new(arr, record_item(r)) == 0;
	}
	vigil_json_put(o, "id", json_string(vuln), &ok);
	vigil_json_put(o, "aliases", vdbq_aliases(vdbq_str(al, "aliases"),
	    vuln), &ok);
	{
		const char *sum = "";

		json_array_foreach(recs, i, r) {
			if (sum[0] == '\0' || strcmp(vdbq_str(r, "source"),
			    "osv") == 0)
				if (vdbq_str(r, "summary")[0] != '\0')
					sum = vdbq_str(r, "summary");
		}
		vigil_json_put(o, "summary", json_string(sum), &ok);
	}
	vigil_json_put(o, "cvss", real_or_null(cvss), &ok);
	vigil_json_put(o, "cvss_vector", best != NULL ?
	    vigil_json_str_or_null(vdbq_str(best, "cvss_vector")) :
	    json_null(), &ok);
	vigil_json_put(o, "kev", json_is_null(kev) ? json_null() :
	    kev_item(kev), &ok);
	vigil_json_put(o, "exploited", json_is_null(mark) ? json_null() :
	    json_pack("{s:o,s:s,s:s}", "marked_at",
	    vigil_json_time(vdbq_int(mark, "marked_ms")), "actor",
	    vdbq_str(mark, "actor"), "note", vdbq_str(mark, "note")), &ok);
	vigil_json_put(o, "actively_exploited", json_boolean(
	    !json_is_null(kev) || !json_is_null(mark)), &ok);
	vigil_json_put(o, "epss", json_is_null(epss) ? json_null() :
	    json_pack("{s:f,s:f,s:s}", "score", vdbq_real(epss, "epss", 0),
	    "percentile", vdbq_real(epss, "percentile", 0), "date",
	    vdbq_str(epss, "score_date")), &ok);
	vigil_json_put(o, "records", arr, &ok);
	vigil_json_put(o, "builds", group_builds(finds, 0, &prio), &ok);
	vigil_json_put(o, "priority", json_real(prio), &ok);
	vigil_json_put(o, "priority_label",
	    json_string(vigil_priority_label(prio)), &ok);
	if (!ok) {
		json_decref(o);
		o = NULL;
		rc = oom(err, errsize);
	}
	*out = o;
done:
	json_decref(recs);
	json_decref(al);
	json_decref(kev);
	json_decref(epss);
	json_decref(mark);
	json_decref(finds);
	return rc;
}

/* Per model sums of the builds' devices. */
static json_t *
models_of(const json_t *builds)
{
	json_t *models = json_array(), *b, *m;
	size_t i, j;
	int ok = models != NULL;

	json_array_foreach(builds, i, b) {
		const char *model = vdbq_str(b, "model");
		json_t *found = NULL;

		json_array_foreach(models, j, m) {
			if (strcmp(vdbq_str(m, "model"), model) == 0)
				found = m;
		}
		if (found == NULL) {
			found = json_pack("{s:s,s:I,s:I}", "model", model,
			    "builds", (json_int_t)0, "devices", (json_int_t)0);
			ok = ok && found != NULL &&
			    json_array_append_new(models, found) == 0;
			if (!ok)
				break;
		}
		json_object_set_new(found, "builds",
		    json_integer(vdbq_int(found, "builds") + 1));
		json_object_set_new(found, "devices", json_integer(
		    vdbq_int(found, "devices") + vdbq_int(b, "devices")));
	}
	if (!ok) {
		json_decref(models);
		return NULL;
	}
	return models;
}

enum vigil_err
vigil_vdb_affected(struct vigil_store *st, const char *tenant,
    const char *id, json_t **out, char *err, size_t errsize)
{
	char vuln[VDBQ_ID_MAX + 1], text[512];
	struct store_vq_arg a[2];
	json_t *finds = NULL, *tot = NULL, *o, *builds;
	enum vigil_err rc;
	double prio;
	int64_t ndev, nten;
	int ok;

	*out = NULL;
	if ((rc = vdbq_resolve(st, id, vuln, err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = findings_of(st, tenant, vuln, &finds, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	a[0] = VQ_S(vuln);
	a[1] = VQ_S(tenant);
	if ((rc = store_vq_row(st, VQ_AFFECTED_TOTALS, a, NA(a), &tot)) !=
	    VIGIL_OK) {
		json_decref(finds);
		return vdbq_store_err(st, rc, err, errsize);
	}
	ndev = vdbq_int(tot, "devices");
	nten = vdbq_int(tot, "tenants");
	json_decref(tot);
	builds = group_builds(finds, 1, &prio);
	json_decref(finds);
	snprintf(text, sizeof text, "%s affects %lld device%s in %lld "
	    "tenant%s", vuln, (long long)ndev, ndev == 1 ? "" : "s",
	    (long long)nten, nten == 1 ? "" : "s");
	o = json_object();
	ok = o != NULL && builds != NULL;
	vigil_json_put(o, "id", json_string(vuln), &ok);
	vigil_json_put(o, "devices", json_integer(ndev), &ok);
	vigil_json_put(o, "tenants", json_integer(nten), &ok);
	vigil_json_put(o, "priority", json_real(prio), &ok);
	vigil_json_put(o, "text", json_string(text), &ok);
	vigil_json_put(o, "models", models_of(builds), &ok);
	vigil_json_put(o, "builds", json_incref(builds), &ok);
	json_decref(builds);
	if ((*out = vigil_json_done(o, ok)) == NULL)
		return oom(err, errsize);
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* Devices: findings, risk, firmware. */

/* Risk over the open findings of build bid (one priority per
 * vulnerability). */
static enum vigil_err
build_risk(struct vigil_store *st, const char *bid, double *risk)
{
	struct store_vq_arg a[1] = { VQ_S(bid) };
	json_t *rows = NULL, *r;
	double *p;
	size_t i, n;
	enum vigil_err rc;

	*risk = 0;
	if ((rc = store_vq_rows(st, VQ_BUILD_OPEN_PRIOS, a, 1, VDBQ_ROWS_MAX,
	    &rows)) != VIGIL_OK)
		return rc;
	n = json_array_size(rows);
	if (n > 0) {
		if ((p = calloc(n, sizeof *p)) == NULL) {
			json_decref(rows);
			return store_seterr(st, VIGIL_ENOMEM, "out of memory");
		}
		json_array_foreach(rows, i, r)
			p[i] = vdbq_real(r, "priority", 0);
		*risk = vigil_device_risk(p, n);
		free(p);
	}
	json_decref(rows);
	return VIGIL_OK;
}

static json_t *
finding_item(const json_t *r)
{
	json_t *o = json_object();
	double prio = vdbq_real(r, "priority", 0);
	const char *vex = vdbq_str(r, "vex_state");
	int ok = o != NULL;

	vigil_json_put(o, "vuln", json_string(vdbq_str(r, "vuln")), &ok);
	vigil_json_put(o, "ref", json_string(vdbq_str(r, "ref")), &ok);
	vigil_json_put(o, "component", json_string(vdbq_str(r, "name")), &ok);
	vigil_json_put(o, "version", json_string(vdbq_str(r, "version")), &ok);
	vigil_json_put(o, "purl", vigil_json_str_or_null(vdbq_str(r, "purl")),
	    &ok);
	vigil_json_put(o, "outcome", json_string(vdbq_str(r, "outcome")),
	    &ok);
	vigil_json_put(o, "reason", json_string(vdbq_str(r, "reason")), &ok);
	vigil_json_put(o, "fixed", vigil_json_str_or_null(vdbq_str(r,
	    "fixed")), &ok);
	vigil_json_put(o, "vex_state", vigil_json_str_or_null(vex), &ok);
	vigil_json_put(o, "suppressed", json_boolean(vdbq_suppressed(vex)),
	    &ok);
	put_priority(o, r, prio, &ok);
	return vigil_json_done(o, ok);
}

enum vigil_err
vigil_vdb_device_findings(struct vigil_store *st, const char *tenant,
    const char *device, json_t **out, char *err, size_t errsize)
{
	json_t *d = NULL, *rows = NULL, *o, *dev, *arr, *r;
	const char *bid;
	struct store_vq_arg a[1];
	enum vigil_err rc;
	double risk = 0;
	size_t i, open = 0;
	int ok;

	*out = NULL;
	if ((rc = vdbq_device(st, tenant, device, &d, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	bid = vdbq_str(d, "build_id");
	if (bid[0] != '\0') {
		a[0] = VQ_S(bid);
		if ((rc = store_vq_rows(st, VQ_BUILD_FINDINGS, a, 1,
		    VDBQ_ROWS_MAX, &rows)) != VIGIL_OK ||
		    (rc = build_risk(st, bid, &risk)) != VIGIL_OK) {
			json_decref(d);
			json_decref(rows);
			return vdbq_store_err(st, rc, err, errsize);
		}
	}
	o = json_object();
	dev = json_object();
	arr = json_array();
	ok = o != NULL && dev != NULL && arr != NULL;
	vigil_json_put(dev, "id", json_string(vdbq_str(d, "id")), &ok);
	vigil_json_put(dev, "tenant", json_string(vdbq_str(d, "tenant_id")),
	    &ok);
	vigil_json_put(dev, "name", json_string(vdbq_str(d, "name")), &ok);
	vigil_json_put(dev, "model", json_string(vdbq_str(d, "model")), &ok);
	vigil_json_put(dev, "region", json_string(vdbq_str(d, "region")),
	    &ok);
	vigil_json_put(dev, "firmware", vigil_json_str_or_null(vdbq_str(d,
	    "firmware")), &ok);
	vigil_json_put(dev, "firmware_source", vigil_json_str_or_null(
	    vdbq_str(d, "firmware_source")), &ok);
	vigil_json_put(dev, "firmware_updated_at", vigil_json_time(
	    vdbq_int(d, "firmware_updated_ms")), &ok);
	json_array_foreach(rows, i, r) {
		if (strcmp(vdbq_str(r, "outcome"), "affected") == 0 &&
		    !vdbq_suppressed(vdbq_str(r, "vex_state")))
			open++;
		ok = ok && json_array_append_new(arr, finding_item(r)) == 0;
	}
	vigil_json_put(o, "device", dev, &ok);
	vigil_json_put(o, "build", bid[0] == '\0' ? json_null() :
	    json_pack("{s:s,s:s,s:s}", "id", bid, "model", vdbq_str(d,
	    "model"), "firmware", vdbq_str(d, "firmware")), &ok);
	vigil_json_put(o, "risk", json_real(risk), &ok);
	vigil_json_put(o, "risk_label", json_string(vigil_priority_label(
	    risk)), &ok);
	vigil_json_put(o, "open", json_integer((json_int_t)open), &ok);
	vigil_json_put(o, "findings", arr, &ok);
	json_decref(d);
	json_decref(rows);
	if ((*out = vigil_json_done(o, ok)) == NULL)
		return oom(err, errsize);
	return VIGIL_OK;
}

enum vigil_err
vigil_vdb_device_risk(struct vigil_store *st, const char *tenant,
    const char *device_id, double *risk)
{
	json_t *d = NULL;
	char err[256];
	enum vigil_err rc;

	*risk = 0;
	if ((rc = vdbq_device(st, tenant, device_id, &d, err, sizeof err)) !=
	    VIGIL_OK)
		return store_seterr(st, rc, "%s", err);
	if (vdbq_str(d, "build_id")[0] != '\0')
		rc = build_risk(st, vdbq_str(d, "build_id"), risk);
	json_decref(d);
	return rc;
}

enum vigil_err
vigil_vdb_device_firmware_set(struct vigil_store *st, const char *tenant,
    const char *device, const char *version, const char *source, char *err,
    size_t errsize)
{
	struct store_vq_arg a[5];
	json_t *d = NULL;
	enum vigil_err rc;
	size_t n, i;

	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "device firmware: a tenant is required");
	if (source == NULL)
		source = "registry";
	if (strcmp(source, "registry") != 0 && strcmp(source, "checkin") != 0
	    && strcmp(source, "import") != 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "device firmware: source must be registry, checkin or "
		    "import");
	if (version == NULL || (n = strlen(version)) == 0 ||
	    n > VIGIL_VERSION_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "device firmware version: %zu bytes, expected 1 to %d",
		    version == NULL ? (size_t)0 : strlen(version),
		    VIGIL_VERSION_MAX);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)version[i];

		if (c < 0x20 || c >= 0x7f)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "device firmware version: byte 0x%02x at offset "
			    "%zu is not a printable character", c, i);
	}
	if ((rc = vdbq_device(st, tenant, device, &d, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	a[0] = VQ_S(vdbq_str(d, "tenant_id"));
	a[1] = VQ_S(vdbq_str(d, "id"));
	a[2] = VQ_S(version);
	a[3] = VQ_S(source);
	a[4] = VQ_I(vigil_time_now_ms());
	rc = store_vq_exec(st, VQ_FIRMWARE_SET, a, NA(a), NULL);
	json_decref(d);
	return rc == VIGIL_OK ? rc : vdbq_store_err(st, rc, err, errsize);
}
