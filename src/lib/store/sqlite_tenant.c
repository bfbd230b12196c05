/*
 * SQLite backend: tenants. These are platform-admin rows: the functions
 * are unscoped by nature and reached only through vigil_admin_*.
 */
#include <string.h>

#include "sqlite_internal.h"

static void
read_tenant(sqlite3_stmt *s, void *dst)
{
	struct vigil_tenant *t = dst;

	store_sq_col_copy(s, 0, t->id, sizeof t->id);
	store_sq_col_copy(s, 1, t->name, sizeof t->name);
	store_sq_col_copy(s, 2, t->display_name, sizeof t->display_name);
	t->created_ms = sqlite3_column_int64(s, 3);
}

enum vigil_err
store_sq_tenant_insert(struct vigil_store *st, const struct vigil_tenant *t)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_TENANT_INSERT);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, t->id);
	store_sq_bind_text(s, 2, t->name);
	store_sq_bind_text(s, 3, t->display_name);
	sqlite3_bind_int64(s, 4, t->created_ms);
	rc = store_sq_run(st, s, "insert tenant");
	if (rc == VIGIL_EEXIST)
		return store_seterr(st, rc, "tenant %s: name already taken",
		    t->name);
	return rc;
}

enum vigil_err
store_sq_tenant_get(struct vigil_store *st, const char *id_or_name,
    struct vigil_tenant *out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_TENANT_GET);
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id_or_name);
	rc = store_sq_step_one(st, s, read_tenant, out, "read tenant");
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "tenant %s: no such tenant",
		    id_or_name);
	return rc;
}

enum vigil_err
store_sq_tenant_list(struct vigil_store *st, const char *after, size_t limit,
    struct vigil_tenant **out, size_t *n)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_TENANT_LIST);
	void *arr;
	enum vigil_err rc;

	rc = store_sq_page(st, s, after, limit, sizeof **out, read_tenant, &arr,
	    n, "list tenants");
	*out = arr;
	return rc;
}

enum vigil_err
store_sq_tenant_update(struct vigil_store *st, const char *tenant_id,
    const char *name, const char *display)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_TENANT_UPDATE);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id);
	store_sq_bind_text(s, 2, name);
	store_sq_bind_text(s, 3, display);
	rc = store_sq_run(st, s, "update tenant");
	if (rc == VIGIL_EEXIST)
		return store_seterr(st, rc, "tenant %s: name already taken",
		    name != NULL ? name : tenant_id);
	if (rc == VIGIL_OK && sqlite3_changes(store_sq_db(st)) == 0)
		return store_seterr(st, VIGIL_ENOTFOUND,
		    "tenant %s: no such tenant", tenant_id);
	return rc;
}

enum vigil_err
store_sq_tenant_delete(struct vigil_store *st, const char *tenant_id)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_TENANT_HAS_DEVICES);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id);
	rc = store_sq_step_one(st, s, NULL, NULL, "delete tenant");
	if (rc == VIGIL_OK)
		return store_seterr(st, VIGIL_ESTATE,
		    "tenant %s: still has devices (retired ones included, "
		    "their history is kept); it can be deleted only when "
		    "empty", tenant_id);
	if (rc != VIGIL_ENOTFOUND)
		return rc;
	if ((s = store_sq_stmt(st, SQ_TENANT_DELETE)) == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id);
	if ((rc = store_sq_run(st, s, "delete tenant")) != VIGIL_OK)
		return rc;
	if (sqlite3_changes(store_sq_db(st)) == 0)
		return store_seterr(st, VIGIL_ENOTFOUND,
		    "tenant %s: no such tenant", tenant_id);
	return VIGIL_OK;
}
