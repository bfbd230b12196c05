/*
 * Loading the stored policies for the decision point (policydb.h): the
 * current version of every policy of one tenant (or all), parsed, with
 * its attachments, from one read snapshot. A document that no longer
 * parses (written by a newer vigil) is skipped and counted, never
 * fatal: the other policies still apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_zt.h"
#include "vigil/policydb.h"

#define LOAD_ROWS_MAX 1000000 /* policies or attachments in one load */

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

void
vigil_policydb_entries_free(struct vigil_policydb_entry *e, size_t n)
{
	size_t i, j;

	if (e == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(e[i].tenant_id);
		free(e[i].name);
		vigil_policy_free(e[i].policy);
		for (j = 0; j < e[i].nattach; j++)
			free(e[i].attach[j].target);
		free(e[i].attach);
	}
	free(e);
}

/* The attachments of policy id from rows (sorted by policy id, which
 * the entries are not: each entry finds its own run). */
static enum vigil_err
take_attach(struct vigil_policydb_entry *e, const char *id,
    const json_t *rows)
{
	size_t i, n = 0, total = json_array_size(rows);
	size_t lo = 0, hi = total;
	const json_t *r;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(str(json_array_get(rows, mid), "policy_id"), id) <
		    0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < total && strcmp(str(json_array_get(rows, i),
	    "policy_id"), id) == 0; i++)
		n++;
	if (n == 0)
		return VIGIL_OK;
	if ((e->attach = calloc(n, sizeof *e->attach)) == NULL)
		return VIGIL_ENOMEM;
	for (i = 0; i < n; i++) {
		r = json_array_get(rows, lo + i);
		e->attach[i].kind = vigil_attach_kind_from_name(str(r,
		    "kind"));
		if ((e->attach[i].target = strdup(str(r, "target"))) == NULL)
			return VIGIL_ENOMEM;
		e->nattach = i + 1;
	}
	return VIGIL_OK;
}

/* Notes a skipped document in err: the first one named, then a count. */
static void
note_skip(const json_t *r, const char *why, size_t skipped, char *err,
    size_t errsize)
{
	if (err == NULL || errsize == 0)
		return;
	if (skipped == 1)
		vigil_seterr(err, errsize, VIGIL_OK, "policy %s of tenant %s "
		    "version %lld skipped: %s", str(r, "name"),
		    str(r, "tenant_id"), (long long)json_integer_value(
		    json_object_get(r, "version")), why);
	else {
		size_t l = strlen(err);

		/* Keep the first reason; the count says the rest. */
		if (l > 0 && strstr(err, " (and ") != NULL)
			*strstr(err, " (and ") = '\0';
		l = strlen(err);
		snprintf(err + l, errsize - l, " (and %zu more)",
		    skipped - 1);
	}
}

enum vigil_err
vigil_policydb_load(struct vigil_store *st, const char *tenant,
    struct vigil_policydb_entry **out, size_t *n, size_t *skipped,
    char *err, size_t errsize)
{
	struct store_arg a[1] = { SA_S(tenant) };
	json_t *pols = NULL, *atts = NULL, *r;
	struct vigil_policydb_entry *e = NULL;
	enum vigil_err rc;
	bool began = false;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	*skipped = 0;
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK)
		return store_zt_err(st, rc, err, errsize);
	if ((rc = store_zt_rows(st, ZT_LOAD_POLICIES, a, 1, LOAD_ROWS_MAX,
	    &pols)) == VIGIL_OK)
		rc = store_zt_rows(st, ZT_LOAD_ATTACH, a, 1, LOAD_ROWS_MAX,
		    &atts);
	if (rc != VIGIL_OK)
		store_zt_err(st, rc, err, errsize);
	store_read_end(st, began);
	if (rc != VIGIL_OK)
		goto done;
	if (json_array_size(pols) > 0 && (e = calloc(json_array_size(pols),
	    sizeof *e)) == NULL) {
		rc = VIGIL_ENOMEM;
		goto oom;
	}
	/* e is NULL only when there are no rows. */
	for (i = 0; e != NULL && i < json_array_size(pols); i++) {
		struct vigil_policy *p = NULL;
		const char *doc;
		char why[256];

		r = json_array_get(pols, i);
		doc = str(r, "document");
		if (vigil_policy_parse(doc, strlen(doc), &p, why,
		    sizeof why) != VIGIL_OK) {
			(*skipped)++;
			note_skip(r, why, *skipped, err, errsize);
			continue;
		}
		e[k].policy = p;
		e[k].version = json_integer_value(json_object_get(r,
		    "version"));
		k++;
		if ((e[k - 1].tenant_id = strdup(str(r, "tenant_id"))) ==
		    NULL || (e[k - 1].name = strdup(str(r, "name"))) == NULL ||
		    take_attach(&e[k - 1], str(r, "id"), atts) != VIGIL_OK) {
			rc = VIGIL_ENOMEM;
			goto oom;
		}
	}
	*out = e;
	*n = k;
	e = NULL;
	goto done;
oom:
	vigil_seterr(err, errsize, rc, "policies: out of memory");
done:
	vigil_policydb_entries_free(e, k);
	json_decref(pols);
	json_decref(atts);
	return rc;
}
