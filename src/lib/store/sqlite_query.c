/*
 * SQLite backend: device reads, identifier lookups, claim checks and
 * history. Results are heap structs the caller frees with the
 * registry's *_free functions.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

static enum vigil_err
nomem(struct vigil_store *st)
{
	return store_seterr(st, VIGIL_ENOMEM, "store: out of memory");
}

static enum vigil_err
load_idents(struct vigil_store *st, const char *tenant_id,
    struct vigil_device *d)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_IDENTS);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, d->id);
	store_sq_bind_text(s, 2, tenant_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct vigil_device_ident *it;

		if (d->nidents == cap) {
			size_t ncap = cap ? cap * 2 : 4;

			if ((it = realloc(d->idents, ncap * sizeof *it)) ==
			    NULL)
				goto oom;
			d->idents = it;
			cap = ncap;
		}
		it = &d->idents[d->nidents];
		it->type = (enum vigil_id_type)sqlite3_column_int(s, 0);
		it->value = store_sq_col_strdup(s, 1);
		it->match_key = store_sq_col_strdup(s, 2);
		d->nidents++;
		if (it->value == NULL || it->match_key == NULL)
			goto oom;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? VIGIL_OK :
	    store_sq_step_err(st, "read identifiers");
oom:
	sqlite3_reset(s);
	return nomem(st);
}

static enum vigil_err
load_labels(struct vigil_store *st, struct vigil_device *d)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_LABELS);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, d->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct vigil_device_label *l;

		if (d->nlabels == cap) {
			size_t ncap = cap ? cap * 2 : 4;

			if ((l = realloc(d->labels, ncap * sizeof *l)) == NULL)
				goto oom;
			d->labels = l;
			cap = ncap;
		}
		l = &d->labels[d->nlabels];
		l->key = store_sq_col_strdup(s, 0);
		l->value = store_sq_col_strdup(s, 1);
		d->nlabels++;
		if (l->key == NULL || l->value == NULL)
			goto oom;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? VIGIL_OK :
	    store_sq_step_err(st, "read labels");
oom:
	sqlite3_reset(s);
	return nomem(st);
}

enum vigil_err
store_sq_device_load(struct vigil_store *st, const char *tenant_id,
    const char *device_id, struct vigil_device **out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_GET);
	struct vigil_device *d;
	enum vigil_err rc;
	int step;

	*out = NULL;
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, device_id);
	store_sq_bind_text(s, 2, tenant_id);
	if ((step = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		if (step == SQLITE_DONE)
			return store_seterr(st, VIGIL_ENOTFOUND,
			    "device %s: no such device", device_id);
		return store_sq_step_err(st, "read device");
	}
	if ((d = calloc(1, sizeof *d)) == NULL) {
		sqlite3_reset(s);
		return nomem(st);
	}
	store_sq_col_copy(s, 0, d->id, sizeof d->id);
	store_sq_col_copy(s, 1, d->tenant_id, sizeof d->tenant_id);
	d->name = store_sq_col_strdup(s, 2);
	d->model = store_sq_col_strdup(s, 3);
	d->gtin = store_sq_col_strdup(s, 4);
	d->state = vigil_device_state_from_name(
	    (const char *)sqlite3_column_text(s, 5));
	d->region = store_sq_col_strdup(s, 6);
	d->owner = store_sq_col_strdup(s, 7);
	d->created_ms = sqlite3_column_int64(s, 8);
	d->updated_ms = sqlite3_column_int64(s, 9);
	d->last_seen_ms = sqlite3_column_int64(s, 10);
	d->version = sqlite3_column_int64(s, 11);
	sqlite3_reset(s);
	if (d->name == NULL || d->model == NULL || d->gtin == NULL ||
	    d->region == NULL || d->owner == NULL) {
		vigil_device_free(d);
		return nomem(st);
	}
	if ((rc = load_idents(st, tenant_id, d)) != VIGIL_OK ||
	    (rc = load_labels(st, d)) != VIGIL_OK) {
		vigil_device_free(d);
		return rc;
	}
	*out = d;
	return VIGIL_OK;
}

/* Column 0, a device id, into char[VIGIL_UUID_STRLEN]. */
static void
id_row(sqlite3_stmt *s, void *dst)
{
	store_sq_col_copy(s, 0, dst, VIGIL_UUID_STRLEN);
}

enum vigil_err
store_sq_device_id_by_name(struct vigil_store *st, const char *tenant_id,
    const char *name, char id[VIGIL_UUID_STRLEN])
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_BY_NAME);
	enum vigil_err rc;

	id[0] = '\0';
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id);
	store_sq_bind_text(s, 2, name);
	rc = store_sq_step_one(st, s, id_row, id, "find device by name");
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "device %s: no such device", name);
	return rc;
}

static void
bind_filter(sqlite3_stmt *s, const char *tenant_id,
    const struct store_filter *f)
{
	store_sq_bind_text(s, 1, tenant_id);
	store_sq_bind_text(s, 2, f->after != NULL ? f->after : "");
	store_sq_bind_text(s, 3, f->state != VIGIL_DEV_NONE ?
	    vigil_device_state_name(f->state) : NULL);
	store_sq_bind_text(s, 4, f->model);
	store_sq_bind_text(s, 5, f->gtin);
	store_sq_bind_text(s, 6, f->label_key);
	store_sq_bind_text(s, 7, f->label_value);
	sqlite3_bind_int(s, 8, (int)f->id_type);
}

/* Runs a statement whose first column is a device id, feeding cb. */
static enum vigil_err
feed_ids(struct vigil_store *st, sqlite3_stmt *s, store_id_cb cb, void *ctx,
    const char *what)
{
	enum vigil_err rc = VIGIL_OK;
	int step;

	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		char id[VIGIL_UUID_STRLEN];

		store_sq_col_copy(s, 0, id, sizeof id);
		if ((rc = cb(ctx, id)) != VIGIL_OK)
			break;
	}
	sqlite3_reset(s);
	if (rc != VIGIL_OK)
		return rc;
	return step == SQLITE_DONE ? VIGIL_OK : store_sq_step_err(st, what);
}

enum vigil_err
store_sq_device_list(struct vigil_store *st, const char *tenant_id,
    const struct store_filter *f, store_id_cb cb, void *ctx)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_LIST);

	if (s == NULL)
		return VIGIL_ESTORE;
	bind_filter(s, tenant_id, f);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)f->limit);
	return feed_ids(st, s, cb, ctx, "list devices");
}

enum vigil_err
store_sq_device_count(struct vigil_store *st, const char *tenant_id,
    const struct store_filter *f, uint64_t *count)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_DEVICE_COUNT);
	struct store_filter all = *f;
	int64_t v = 0;
	enum vigil_err rc;

	*count = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	all.after = NULL;
	bind_filter(s, tenant_id, &all);
	/* count(*) always has its row. */
	rc = store_sq_step_one(st, s, store_sq_read_int64, &v,
	    "count devices");
	*count = (uint64_t)v;
	return rc;
}

enum vigil_err
store_sq_ident_find(struct vigil_store *st, const char *tenant_id,
    const char *match_key, store_id_cb cb, void *ctx)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_IDENT_FIND);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, match_key);
	store_sq_bind_text(s, 2, tenant_id);
	return feed_ids(st, s, cb, ctx, "find identifier");
}

enum vigil_err
store_sq_claim_owner(struct vigil_store *st, const char *tenant_id,
    const char *uniq_scope, const char *match_key, struct store_claim *out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_CLAIM_OWNER);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, uniq_scope);
	store_sq_bind_text(s, 2, match_key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		out->found = true;
		/* Another tenant's device stays anonymous: the asking
		 * tenant learns only that the key is taken. */
		if (t != NULL && strcmp(t, tenant_id) == 0) {
			out->same_tenant = true;
			store_sq_col_copy(s, 1, out->device_id,
			    sizeof out->device_id);
			store_sq_col_copy(s, 2, out->device_name,
			    sizeof out->device_name);
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? VIGIL_OK :
	    store_sq_step_err(st, "check identifier claim");
}

enum vigil_err
store_sq_ident_type_max(struct vigil_store *st, const char *tenant_id,
    size_t counts[VIGIL_ID_TYPE_COUNT])
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_IDENT_TYPE_MAX);
	int rc;

	memset(counts, 0, VIGIL_ID_TYPE_COUNT * sizeof counts[0]);
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int t = sqlite3_column_int(s, 0);
		sqlite3_int64 n = sqlite3_column_int64(s, 1);

		if (t > 0 && t < VIGIL_ID_TYPE_COUNT && n > 0)
			counts[t] = (size_t)n;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? VIGIL_OK :
	    store_sq_step_err(st, "count identifier types");
}

enum vigil_err
store_sq_history_list(struct vigil_store *st, const char *tenant_id,
    const char *device_id, int64_t after_seq, size_t limit,
    struct vigil_history *out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_HISTORY_LIST);
	int rc = SQLITE_DONE;

	out->n = 0;
	out->items = NULL;
	if (s == NULL)
		return VIGIL_ESTORE;
	if ((out->items = calloc(limit ? limit : 1, sizeof *out->items)) ==
	    NULL)
		return nomem(st);
	store_sq_bind_text(s, 1, device_id);
	store_sq_bind_text(s, 2, tenant_id);
	sqlite3_bind_int64(s, 3, after_seq);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)limit);
	while (out->n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct vigil_history_entry *e = &out->items[out->n++];

		e->seq = sqlite3_column_int64(s, 0);
		e->at_ms = sqlite3_column_int64(s, 1);
		store_sq_col_copy(s, 2, e->event, sizeof e->event);
		e->from = vigil_device_state_from_name(
		    (const char *)sqlite3_column_text(s, 3));
		e->to = vigil_device_state_from_name(
		    (const char *)sqlite3_column_text(s, 4));
		e->detail = store_sq_col_strdup(s, 5);
		e->actor = store_sq_col_strdup(s, 6);
		e->reason = store_sq_col_strdup(s, 7);
		if (e->detail == NULL || e->actor == NULL || e->reason == NULL) {
			sqlite3_reset(s);
			vigil_history_free(out);
			return nomem(st);
		}
	}
	if (out->n == limit)
		rc = SQLITE_DONE;
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		vigil_history_free(out);
		return store_sq_step_err(st, "read history");
	}
	return VIGIL_OK;
}

enum vigil_err
store_sq_history_import_line(struct vigil_store *st, const char *tenant_id,
    const char *device_id, const char *import_id, int64_t *line)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_HISTORY_IMPORT_LINE);

	*line = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, device_id);
	store_sq_bind_text(s, 2, tenant_id);
	store_sq_bind_text(s, 3, import_id);
	return store_sq_step_one(st, s, store_sq_read_int64, line,
	    "read import origin");
}
