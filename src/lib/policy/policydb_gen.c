/*
 * The zero-trust generation (policydb.h): one store counter that the
 * migration 9 triggers bump with every change that can alter an access
 * decision; caches key on it. vigil_zt_bump is for changes no trigger
 * sees (a rescan that moved risk scores, an explicit refresh);
 * vigil_zt_changes reads what each generation changed, so a cache can
 * drop one device's facts instead of everything.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_zt.h"
#include "vigil/policydb.h"

enum vigil_err
vigil_zt_generation(struct vigil_store *st, int64_t *gen)
{
	json_t *row = NULL;
	enum vigil_err rc;

	*gen = 0;
	rc = store_zt_row(st, ZT_GEN_GET, NULL, 0, &row);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, VIGIL_ESTORE,
		    "zero-trust generation: row missing (schema before "
		    "migration 9?)");
	if (rc != VIGIL_OK)
		return rc;
	*gen = json_integer_value(json_object_get(row, "gen"));
	json_decref(row);
	return VIGIL_OK;
}

enum vigil_err
vigil_zt_bump(struct vigil_store *st)
{
	enum vigil_err rc;
	int n = 0;

	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = store_zt_exec(st, ZT_GEN_BUMP, NULL, 0, &n);
	if (rc == VIGIL_OK && n != 1)
		rc = store_seterr(st, VIGIL_ESTORE,
		    "zero-trust generation: row missing (schema before "
		    "migration 9?)");
	return store_tx_end(st, rc);
}

int
vigil_zt_changes(struct vigil_store *st, int64_t since, int64_t upto,
    size_t max, char (**ids)[VIGIL_UUID_STRLEN], size_t *n)
{
	struct store_arg a[3] = { SA_I(since), SA_I(upto),
		SA_I((int64_t)max + 1) };
	json_t *rows = NULL, *r;
	enum vigil_err rc;
	size_t i, k = 0;
	int ok = 1;

	*ids = NULL;
	*n = 0;
	if (upto <= since)
		return 1;
	rc = store_zt_rows(st, ZT_CHANGES, a, 3, max + 1, &rows);
	if (rc != VIGIL_OK)
		return -(int)rc;
	/* Every generation of the range must be there, each about one
	 * device: a gap means the log was pruned past `since`. */
	if (json_array_size(rows) != (size_t)(upto - since) ||
	    json_array_size(rows) > max) {
		json_decref(rows);
		return 0;
	}
	if ((*ids = calloc(json_array_size(rows) + 1, sizeof **ids)) == NULL) {
		json_decref(rows);
		return -(int)VIGIL_ENOMEM;
	}
	json_array_foreach(rows, i, r) {
		const char *id = json_string_value(json_object_get(r,
		    "device_id"));

		if (id == NULL || strlen(id) >= VIGIL_UUID_STRLEN) {
			ok = 0;
			break;
		}
		memcpy((*ids)[k++], id, strlen(id) + 1);
	}
	json_decref(rows);
	if (!ok) {
		free(*ids);
		*ids = NULL;
		return 0;
	}
	*n = k;
	return 1;
}
