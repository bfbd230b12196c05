/*
 * Export of a tenant's devices as CSV or JSON Lines, in the exact
 * syntax the importer reads back (same devices, identifiers, labels
 * and states), optionally without the owner contact. Pages through the
 * device list, one page per step, so memory stays at one page and a
 * caller can pause between pages (vigil_export_open/step/close); the
 * one-call forms run every step in one read snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry_internal.h"

struct vigil_export {
	struct vigil_store *st;
	vigil_write_fn wr;
	void *wctx;
	struct vigil_buf b;     /* one record */
	struct vigil_buf cellb; /* the CSV labels cell */
	char *tenant_id;
	/* The filter, with copies of its strings: the caller's may be
	 * gone by the next step. */
	struct vigil_device_filter f;
	char *model, *label_key, *label_value;
	enum vigil_import_format format;
	bool redact;
	size_t page;
	/* CSV: columns per identifier type, fixed when the export opens. */
	size_t counts[VIGIL_ID_TYPE_COUNT];
	bool header_done;
	char after[VIGIL_UUID_STRLEN]; /* the last id written */
	uint64_t count;
	bool done;
	bool failed;
};

static enum vigil_err flush(struct vigil_export *o);

/* Writes the record in o->b. A record the importer would refuse as
 * too long (VIGIL_IMPORT_MAX_RECORD) is not written: the export would
 * not read back. */
static enum vigil_err
flush_record(struct vigil_export *o, const char *device_id)
{
	if (o->b.len > (size_t)VIGIL_IMPORT_MAX_RECORD + 2) {
		vigil_buf_reset(&o->b);
		return store_seterr(o->st, VIGIL_ERANGE, "export: device %s "
		    "needs a record longer than %d bytes, which the importer "
		    "refuses", device_id, VIGIL_IMPORT_MAX_RECORD);
	}
	return flush(o);
}

static enum vigil_err
flush(struct vigil_export *o)
{
	if (o->b.len > 0 && o->wr != NULL &&
	    o->wr(o->wctx, o->b.data, o->b.len) != 0)
		return store_seterr(o->st, VIGIL_EIO, "export: write failed");
	vigil_buf_reset(&o->b);
	return VIGIL_OK;
}

/* RFC 4180: quote a field holding a comma, quote or line end. */
static void
csv_field(struct vigil_export *o, const char *s, int first)
{
	if (!first)
		vigil_buf_append(&o->b, ",", 1);
	if (strpbrk(s, ",\"\r\n") == NULL) {
		vigil_buf_appends(&o->b, s);
		return;
	}
	vigil_buf_append(&o->b, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			vigil_buf_append(&o->b, "\"", 1);
		vigil_buf_append(&o->b, s, 1);
	}
	vigil_buf_append(&o->b, "\"", 1);
}

/* "k=v;k2=v2" with ';' and '\' in values escaped by '\'. */
static enum vigil_err
labels_cell(const struct vigil_device *d, struct vigil_buf *cellb)
{
	vigil_buf_reset(cellb);
	for (size_t i = 0; i < d->nlabels; i++) {
		if (i > 0)
			vigil_buf_append(cellb, ";", 1);
		vigil_buf_appends(cellb, d->labels[i].key);
		vigil_buf_append(cellb, "=", 1);
		for (const char *s = d->labels[i].value; *s != '\0'; s++) {
			if (*s == ';' || *s == '\\')
				vigil_buf_append(cellb, "\\", 1);
			vigil_buf_append(cellb, s, 1);
		}
	}
	return cellb->data == NULL && d->nlabels > 0 ? VIGIL_ENOMEM :
	    VIGIL_OK;
}

/* The name to export: none when it is the default (the id). */
static const char *
export_name(const struct vigil_device *d)
{
	return strcmp(d->name, d->id) == 0 ? "" : d->name;
}

/* The importer reads at most VIGIL_IMPORT_MAX_FIELDS columns: a wider
 * file would export but never import back. */
static enum vigil_err
csv_width(struct vigil_export *o)
{
	size_t ncols = 7;

	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
		ncols += o->counts[t];
	if (ncols > VIGIL_IMPORT_MAX_FIELDS)
		return store_seterr(o->st, VIGIL_ERANGE, "export: CSV would "
		    "need %zu columns (one per identifier of the device with "
		    "the most of each type), the importer reads at most %d; "
		    "export as JSON Lines instead", ncols,
		    VIGIL_IMPORT_MAX_FIELDS);
	return VIGIL_OK;
}

/* The same with or without redaction: the owner column stays. */
static enum vigil_err
csv_header(struct vigil_export *o)
{
	vigil_buf_appends(&o->b, "name,model,gtin,state,region,owner,labels");
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
		for (size_t k = 0; k < o->counts[t]; k++)
			csv_field(o, vigil_id_type_name((enum vigil_id_type)t),
			    0);
	vigil_buf_append(&o->b, "\r\n", 2);
	return flush(o);
}

/* Between the steps of a paused export a device may have gained
 * identifiers the header, made at the start, has no column for:
 * dropping them would silently lose data on import. */
static enum vigil_err
csv_fits(struct vigil_export *o, const struct vigil_device *d)
{
	for (size_t i = 0, run = 0; i < d->nidents; i++) {
		enum vigil_id_type t = d->idents[i].type;

		run = i > 0 && d->idents[i - 1].type == t ? run + 1 : 1;
		if (run > o->counts[t])
			return store_seterr(o->st, VIGIL_ECONFLICT, "export: "
			    "device %s now has %zu %s identifiers, more than "
			    "the %zu %s column%s of the CSV header written at "
			    "the start of the export (it changed during the "
			    "export); export again", d->id, run,
			    vigil_id_type_name(t), o->counts[t],
			    vigil_id_type_name(t), o->counts[t] == 1 ? "" :
			    "s");
	}
	return VIGIL_OK;
}

static enum vigil_err
csv_device(struct vigil_export *o, const struct vigil_device *d)
{
	const size_t *counts = o->counts;
	struct vigil_buf *cellb = &o->cellb;
	enum vigil_err rc;

	if ((rc = csv_fits(o, d)) != VIGIL_OK)
		return rc;
	csv_field(o, export_name(d), 1);
	csv_field(o, d->model, 0);
	csv_field(o, d->gtin, 0);
	csv_field(o, vigil_device_state_name(d->state), 0);
	csv_field(o, d->region, 0);
	csv_field(o, o->redact ? "" : d->owner, 0);
	if ((rc = labels_cell(d, cellb)) != VIGIL_OK)
		return store_seterr(o->st, rc, "export: out of memory");
	csv_field(o, cellb->data != NULL ? cellb->data : "", 0);
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++) {
		size_t k = 0;

		if (counts[t] == 0)
			continue;
		/* idents are ordered by type: this type's run, padded. */
		for (size_t i = 0; i < d->nidents; i++)
			if ((int)d->idents[i].type == t) {
				csv_field(o, d->idents[i].value, 0);
				k++;
			}
		for (; k < counts[t]; k++)
			csv_field(o, "", 0);
	}
	vigil_buf_append(&o->b, "\r\n", 2);
	return flush_record(o, d->id);
}

static int
dump_cb(const char *buf, size_t size, void *ctx)
{
	struct vigil_export *o = ctx;

	return vigil_buf_append(&o->b, buf, size) == VIGIL_OK ? 0 : -1;
}

static void
put_str(json_t *obj, const char *k, const char *v, int *ok)
{
	if (v[0] == '\0')
		return;
	if (json_object_set_new(obj, k, json_string(v)) != 0)
		*ok = 0;
}

static enum vigil_err
jsonl_device(struct vigil_export *o, const struct vigil_device *d)
{
	json_t *obj = json_object(), *labels = json_object(),
	    *ids = json_array();
	int ok = obj != NULL && labels != NULL && ids != NULL;

	if (ok) {
		put_str(obj, "name", export_name(d), &ok);
		put_str(obj, "model", d->model, &ok);
		put_str(obj, "gtin", d->gtin, &ok);
		put_str(obj, "state", vigil_device_state_name(d->state), &ok);
		put_str(obj, "region", d->region, &ok);
		if (!o->redact)
			put_str(obj, "owner", d->owner, &ok);
		for (size_t i = 0; i < d->nlabels; i++)
			if (json_object_set_new(labels, d->labels[i].key,
			    json_string(d->labels[i].value)) != 0)
				ok = 0;
		for (size_t i = 0; i < d->nidents; i++) {
			json_t *e = json_pack("{s:s, s:s}", "type",
			    vigil_id_type_name(d->idents[i].type), "value",
			    d->idents[i].value);

			if (e == NULL || json_array_append_new(ids, e) != 0)
				ok = 0;
		}
	}
	if (ok && d->nlabels > 0) {
		ok = json_object_set_new(obj, "labels", labels) == 0;
		labels = NULL;
	}
	if (ok && d->nidents > 0) {
		ok = json_object_set_new(obj, "identifiers", ids) == 0;
		ids = NULL;
	}
	if (ok)
		ok = json_dump_callback(obj, dump_cb, o, JSON_COMPACT) == 0;
	json_decref(labels);
	json_decref(ids);
	json_decref(obj);
	if (!ok)
		return store_seterr(o->st, VIGIL_ENOMEM, "export: cannot "
		    "render device %s as JSON", d->id);
	vigil_buf_append(&o->b, "\n", 1);
	return flush_record(o, d->id);
}

/* ------------------------------------------------------------------ */
/* The resumable export */

static enum vigil_err
copy_str(struct vigil_store *st, const char *s, char **dst)
{
	*dst = NULL;
	if (s != NULL && (*dst = strdup(s)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "export: out of memory");
	return VIGIL_OK;
}

void
vigil_export_close(struct vigil_export *ex)
{
	if (ex == NULL)
		return;
	vigil_buf_free(&ex->b);
	vigil_buf_free(&ex->cellb);
	free(ex->tenant_id);
	free(ex->model);
	free(ex->label_key);
	free(ex->label_value);
	free(ex);
}

enum vigil_err
vigil_export_open(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f,
    const struct vigil_export_options *opt, vigil_write_fn wr, void *wctx,
    struct vigil_export **out)
{
	struct vigil_export *ex;
	enum vigil_err rc;

	*out = NULL;
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	if (opt == NULL || (opt->format != VIGIL_FORMAT_CSV &&
	    opt->format != VIGIL_FORMAT_JSONL))
		return store_seterr(st, VIGIL_EINVAL,
		    "export: unknown format %d", opt != NULL ?
		    (int)opt->format : 0);
	if ((ex = calloc(1, sizeof *ex)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "export: out of memory");
	ex->st = st;
	ex->wr = wr;
	ex->wctx = wctx;
	ex->format = opt->format;
	ex->redact = (opt->flags & VIGIL_JSON_REDACT_PERSONAL) != 0;
	ex->page = opt->page == 0 ? VIGIL_EXPORT_DEFAULT_PAGE :
	    opt->page > VIGIL_LIST_MAX_LIMIT ? VIGIL_LIST_MAX_LIMIT :
	    opt->page;
	vigil_buf_init(&ex->b, (size_t)4 * VIGIL_IMPORT_MAX_RECORD);
	vigil_buf_init(&ex->cellb, (size_t)VIGIL_IMPORT_MAX_RECORD);
	if (f != NULL)
		ex->f = *f;
	ex->f.after = NULL;
	if ((rc = copy_str(st, tenant_id, &ex->tenant_id)) != VIGIL_OK ||
	    (rc = copy_str(st, ex->f.model, &ex->model)) != VIGIL_OK ||
	    (rc = copy_str(st, ex->f.label_key, &ex->label_key)) !=
	    VIGIL_OK ||
	    (rc = copy_str(st, ex->f.label_value, &ex->label_value)) !=
	    VIGIL_OK)
		goto fail;
	ex->f.model = ex->model;
	ex->f.label_key = ex->label_key;
	ex->f.label_value = ex->label_value;
	/* Repeat a type's CSV column as often as one device needs. */
	if (ex->format == VIGIL_FORMAT_CSV &&
	    ((rc = store_ident_type_max(st, tenant_id, ex->counts)) !=
	    VIGIL_OK || (rc = csv_width(ex)) != VIGIL_OK))
		goto fail;
	*out = ex;
	return VIGIL_OK;
fail:
	vigil_export_close(ex);
	return rc;
}

static enum vigil_err
step_impl(struct vigil_export *ex)
{
	struct vigil_device_list l;
	enum vigil_err rc;

	if (ex->format == VIGIL_FORMAT_CSV && !ex->header_done) {
		if ((rc = csv_header(ex)) != VIGIL_OK)
			return rc;
		ex->header_done = true;
	}
	ex->f.after = ex->after[0] != '\0' ? ex->after : NULL;
	ex->f.limit = ex->page;
	if ((rc = vigil_device_list(ex->st, ex->tenant_id, &ex->f, &l)) !=
	    VIGIL_OK)
		return rc;
	for (size_t i = 0; i < l.n; i++) {
		rc = ex->format == VIGIL_FORMAT_CSV ?
		    csv_device(ex, l.items[i]) : jsonl_device(ex, l.items[i]);
		if (rc != VIGIL_OK)
			break;
		memcpy(ex->after, l.items[i]->id, sizeof ex->after);
		ex->count++;
	}
	if (rc == VIGIL_OK && l.next[0] == '\0')
		ex->done = true;
	vigil_device_list_free(&l);
	return rc;
}

enum vigil_err
vigil_export_step(struct vigil_export *ex, int *done)
{
	enum vigil_err rc;
	bool began;

	*done = 0;
	if (ex == NULL) /* a failed vigil_export_open left NULL */
		return VIGIL_EINVAL;
	store_clearerr(ex->st);
	if (ex->failed)
		return store_seterr(ex->st, VIGIL_ESTATE, "export: stopped "
		    "by an earlier error");
	if (!ex->done) {
		/* One page, one consistent state of the store. */
		if ((rc = store_read_begin(ex->st, &began)) != VIGIL_OK)
			return rc;
		rc = step_impl(ex);
		store_read_end(ex->st, began);
		if (rc != VIGIL_OK) {
			ex->failed = true;
			return rc;
		}
	}
	*done = ex->done;
	return VIGIL_OK;
}

uint64_t
vigil_export_count(const struct vigil_export *ex)
{
	return ex != NULL ? ex->count : 0;
}

/* ------------------------------------------------------------------ */
/* One-call forms */

/* One read snapshot for the whole export: the file describes one
 * state of the fleet, and the CSV header's column counts hold for
 * every row. */
enum vigil_err
vigil_export_opt(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f,
    const struct vigil_export_options *opt, vigil_write_fn wr, void *wctx,
    uint64_t *count)
{
	struct vigil_export *ex = NULL;
	enum vigil_err rc;
	bool began;
	int done = 0;

	if (count != NULL)
		*count = 0;
	store_clearerr(st);
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK)
		return rc;
	rc = vigil_export_open(st, tenant_id, f, opt, wr, wctx, &ex);
	while (rc == VIGIL_OK && !done)
		rc = vigil_export_step(ex, &done);
	if (count != NULL)
		*count = vigil_export_count(ex);
	vigil_export_close(ex);
	store_read_end(st, began);
	return rc;
}

enum vigil_err
vigil_export(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f, enum vigil_import_format format,
    vigil_write_fn wr, void *wctx, uint64_t *count)
{
	struct vigil_export_options opt;

	memset(&opt, 0, sizeof opt);
	opt.format = format;
	return vigil_export_opt(st, tenant_id, f, &opt, wr, wctx, count);
}

static int
fd_write(void *ctx, const void *buf, size_t n)
{
	int fd = *(int *)ctx;
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

enum vigil_err
vigil_export_fd(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f,
    const struct vigil_export_options *opt, int fd, uint64_t *count)
{
	return vigil_export_opt(st, tenant_id, f, opt, fd_write, &fd, count);
}
