/*
 * SQLite backend: device writes. Each function runs a fixed sequence
 * of cached statements; the caller (registry) wraps it in a transaction
 * or savepoint so a failure leaves nothing behind. Every statement is
 * scoped by tenant id, or reaches a row whose tenant the same
 * transaction has just written or checked.
 */
#include <string.h>

#include "sqlite_internal.h"

static enum vigil_err
insert_ident(struct vigil_store *st, const char *tenant_id,
    const char *device_id, const struct store_ident_row *r)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_IDENT_INSERT);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, device_id);
	store_sq_bind_text(s, 2, tenant_id);
	sqlite3_bind_int(s, 3, (int)r->type);
	store_sq_bind_text(s, 4, r->value);
	store_sq_bind_text(s, 5, r->match_key);
	store_sq_bind_text(s, 6, r->uniq_scope);
	return store_sq_run(st, s, "insert identifier");
}

static enum vigil_err
upsert_label(struct vigil_store *st, const char *device_id,
    const struct vigil_label_spec *l)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_LABEL_UPSERT);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, device_id);
	store_sq_bind_text(s, 2, l->key);
	store_sq_bind_text(s, 3, l->value);
	return store_sq_run(st, s, "set label");
}

static const char *
state_or_null(enum vigil_device_state s)
{
	return s == VIGIL_DEV_NONE ? NULL : vigil_device_state_name(s);
}

static enum vigil_err
insert_history(struct vigil_store *st, const char *tenant_id,
    const char *device_id, const struct store_history_row *h)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_HISTORY_INSERT);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id);
	store_sq_bind_text(s, 2, device_id);
	sqlite3_bind_int64(s, 3, h->at_ms);
	store_sq_bind_text(s, 4, h->event);
	store_sq_bind_text(s, 5, state_or_null(h->from));
	store_sq_bind_text(s, 6, state_or_null(h->to));
	store_sq_bind_text(s, 7, h->detail != NULL ? h->detail : "");
	store_sq_bind_text(s, 8, h->actor);
	store_sq_bind_text(s, 9, h->reason != NULL ? h->reason : "");
	store_sq_bind_text(s, 10, h->import_id);
	if (h->import_id != NULL)
		sqlite3_bind_int64(s, 11, h->import_line);
	return store_sq_run(st, s, "append history");
}

enum vigil_err
store_sq_device_create(struct vigil_store *st, const char *tenant_id,
    const struct store_device_row *row, size_t nident,
    const struct store_ident_row *idents, size_t nlabel,
    const struct vigil_label_spec *labels, const struct store_history_row *h)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_INSERT);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, row->id);
	store_sq_bind_text(s, 2, tenant_id);
	store_sq_bind_text(s, 3, row->name);
	store_sq_bind_text(s, 4, row->model != NULL ? row->model : "");
	store_sq_bind_text(s, 5, row->gtin != NULL ? row->gtin : "");
	store_sq_bind_text(s, 6, vigil_device_state_name(row->state));
	store_sq_bind_text(s, 7, row->region != NULL ? row->region : "");
	store_sq_bind_text(s, 8, row->owner != NULL ? row->owner : "");
	sqlite3_bind_int64(s, 9, row->created_ms);
	sqlite3_bind_int64(s, 10, row->updated_ms);
	if ((rc = store_sq_run(st, s, "insert device")) != VIGIL_OK)
		return rc;
	for (size_t i = 0; i < nident; i++)
		if ((rc = insert_ident(st, tenant_id, row->id, &idents[i])) !=
		    VIGIL_OK)
			return rc;
	for (size_t i = 0; i < nlabel; i++)
		if ((rc = upsert_label(st, row->id, &labels[i])) != VIGIL_OK)
			return rc;
	return insert_history(st, tenant_id, row->id, h);
}

/* After an UPDATE that matched nothing: missing or stale? */
static enum vigil_err
why_unchanged(struct vigil_store *st, const char *tenant_id,
    const char *device_id, int64_t expected)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_VERSION);
	int64_t v = 0;
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, device_id);
	store_sq_bind_text(s, 2, tenant_id);
	rc = store_sq_step_one(st, s, store_sq_read_int64, &v,
	    "read device version");
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "device %s: no such device",
		    device_id);
	if (rc != VIGIL_OK)
		return rc;
	return store_seterr(st, VIGIL_ECONFLICT,
	    "device %s: changed since version %lld (now version %lld); "
	    "reload it and retry", device_id, (long long)expected,
	    (long long)v);
}

static enum vigil_err
update_row(struct vigil_store *st, const char *tenant_id,
    const char *device_id, const struct store_device_row *r, int64_t expected)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_UPDATE);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, device_id);
	store_sq_bind_text(s, 2, tenant_id);
	store_sq_bind_text(s, 3, r->name);
	store_sq_bind_text(s, 4, r->model != NULL ? r->model : "");
	store_sq_bind_text(s, 5, r->gtin != NULL ? r->gtin : "");
	store_sq_bind_text(s, 6, vigil_device_state_name(r->state));
	store_sq_bind_text(s, 7, r->region != NULL ? r->region : "");
	store_sq_bind_text(s, 8, r->owner != NULL ? r->owner : "");
	sqlite3_bind_int64(s, 9, r->updated_ms);
	sqlite3_bind_int64(s, 10, expected);
	if ((rc = store_sq_run(st, s, "update device")) != VIGIL_OK)
		return rc;
	if (sqlite3_changes(store_sq_db(st)) == 0)
		return why_unchanged(st, tenant_id, device_id, expected);
	return VIGIL_OK;
}

enum vigil_err
store_sq_device_modify(struct vigil_store *st, const char *tenant_id,
    const char *device_id, const struct store_device_change *c)
{
	sqlite3_stmt *s;
	enum vigil_err rc;

	/* The row update first: it checks tenant and version before any
	 * child row is touched. */
	if ((rc = update_row(st, tenant_id, device_id, c->row,
	    c->expected_version)) != VIGIL_OK)
		return rc;
	for (size_t i = 0; i < c->nident_del; i++) {
		if ((s = store_sq_stmt(st, SQ_IDENT_DELETE)) == NULL)
			return VIGIL_ESTORE;
		store_sq_bind_text(s, 1, device_id);
		store_sq_bind_text(s, 2, tenant_id);
		sqlite3_bind_int(s, 3, (int)c->ident_del[i].type);
		store_sq_bind_text(s, 4, c->ident_del[i].value);
		if ((rc = store_sq_run(st, s, "remove identifier")) != VIGIL_OK)
			return rc;
	}
	for (size_t i = 0; i < c->nident_add; i++)
		if ((rc = insert_ident(st, tenant_id, device_id,
		    &c->ident_add[i])) != VIGIL_OK)
			return rc;
	for (size_t i = 0; i < c->nlabel_unset; i++) {
		if ((s = store_sq_stmt(st, SQ_LABEL_DELETE)) == NULL)
			return VIGIL_ESTORE;
		store_sq_bind_text(s, 1, device_id);
		store_sq_bind_text(s, 2, c->label_unset[i]);
		if ((rc = store_sq_run(st, s, "unset label")) != VIGIL_OK)
			return rc;
	}
	for (size_t i = 0; i < c->nlabel_set; i++)
		if ((rc = upsert_label(st, device_id, &c->label_set[i])) !=
		    VIGIL_OK)
			return rc;
	return insert_history(st, tenant_id, device_id, c->history);
}

enum vigil_err
store_sq_device_touch(struct vigil_store *st, const char *tenant_id,
    const char *device_id, int64_t at_ms)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_TOUCH);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, device_id);
	store_sq_bind_text(s, 2, tenant_id);
	sqlite3_bind_int64(s, 3, at_ms);
	if ((rc = store_sq_run(st, s, "record last seen")) != VIGIL_OK)
		return rc;
	if (sqlite3_changes(store_sq_db(st)) == 0)
		return store_seterr(st, VIGIL_ENOTFOUND,
		    "device %s: no such device", device_id);
	return VIGIL_OK;
}
