/*
 * The zero-trust generation (policydb.h): one store counter that the
 * migration 9 triggers bump with every change that can alter an access
 * decision; caches key on it. vigil_zt_bump is for changes no trigger
 * sees (a rescan that moved risk scores, an explicit refresh).
 */
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
