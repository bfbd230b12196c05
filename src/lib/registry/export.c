/*
 * Export of a tenant's devices as CSV or JSON Lines, in the exact
 * syntax the importer reads back (same devices, identifiers, labels
 * and states). Pages through the device list, so memory stays constant.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry_internal.h"

#define EXPORT_PAGE 500

struct out {
	struct vigil_store *st;
	vigil_write_fn wr;
	void *wctx;
	struct vigil_buf b; /* one record */
	int failed;
};

static enum vigil_err flush(struct out *o);

/* Writes the record in o->b. A record the importer would refuse as
 * too long (VIGIL_IMPORT_MAX_RECORD) is not written: the export would
 * not read back. */
static enum vigil_err
flush_record(struct out *o, const char *device_id)
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
flush(struct out *o)
{
	if (o->b.len > 0 && o->wr(o->wctx, o->b.data, o->b.len) != 0)
		return store_seterr(o->st, VIGIL_EIO, "export: write failed");
	vigil_buf_reset(&o->b);
	return VIGIL_OK;
}

/* RFC 4180: quote a field holding a comma, quote or line end. */
static void
csv_field(struct out *o, const char *s, int first)
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

static enum vigil_err
csv_header(struct out *o, const size_t counts[VIGIL_ID_TYPE_COUNT])
{
	size_t ncols = 7;

	/* The importer reads at most VIGIL_IMPORT_MAX_FIELDS columns: a
	 * wider file would export but never import back. */
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
		ncols += counts[t];
	if (ncols > VIGIL_IMPORT_MAX_FIELDS)
		return store_seterr(o->st, VIGIL_ERANGE, "export: CSV would "
		    "need %zu columns (one per identifier of the device with "
		    "the most of each type), the importer reads at most %d; "
		    "export as JSON Lines instead", ncols,
		    VIGIL_IMPORT_MAX_FIELDS);
	vigil_buf_appends(&o->b, "name,model,gtin,state,region,owner,labels");
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++)
		for (size_t k = 0; k < counts[t]; k++)
			csv_field(o, vigil_id_type_name((enum vigil_id_type)t),
			    0);
	vigil_buf_append(&o->b, "\r\n", 2);
	return flush(o);
}

static enum vigil_err
csv_device(struct out *o, const struct vigil_device *d,
    const size_t counts[VIGIL_ID_TYPE_COUNT], struct vigil_buf *cellb)
{
	enum vigil_err rc;

	csv_field(o, export_name(d), 1);
	csv_field(o, d->model, 0);
	csv_field(o, d->gtin, 0);
	csv_field(o, vigil_device_state_name(d->state), 0);
	csv_field(o, d->region, 0);
	csv_field(o, d->owner, 0);
	if ((rc = labels_cell(d, cellb)) != VIGIL_OK)
		return store_seterr(o->st, rc, "export: out of memory");
	csv_field(o, cellb->data != NULL ? cellb->data : "", 0);
	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++) {
		size_t k = 0;

		if (counts[t] == 0)
			continue;
		/* idents are ordered by type: this type's run, padded. */
		for (size_t i = 0; i < d->nidents; i++)
			if ((int)d->idents[i].type == t && k < counts[t]) {
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
	struct out *o = ctx;

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
jsonl_device(struct out *o, const struct vigil_device *d)
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

static enum vigil_err
export_impl(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f, enum vigil_import_format format,
    vigil_write_fn wr, void *wctx, uint64_t *count)
{
	struct vigil_device_filter page;
	struct vigil_device_list l;
	size_t counts[VIGIL_ID_TYPE_COUNT];
	char after[VIGIL_UUID_STRLEN] = "";
	struct vigil_buf cellb;
	struct out o;
	enum vigil_err rc;

	if (count != NULL)
		*count = 0;
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	if (format != VIGIL_FORMAT_CSV && format != VIGIL_FORMAT_JSONL)
		return store_seterr(st, VIGIL_EINVAL,
		    "export: unknown format %d", (int)format);
	o.st = st;
	o.wr = wr;
	o.wctx = wctx;
	o.failed = 0;
	vigil_buf_init(&o.b, (size_t)4 * VIGIL_IMPORT_MAX_RECORD);
	vigil_buf_init(&cellb, (size_t)VIGIL_IMPORT_MAX_RECORD);
	if (format == VIGIL_FORMAT_CSV) {
		/* Repeat a type's column as often as one device needs. */
		if ((rc = store_ident_type_max(st, tenant_id, counts)) !=
		    VIGIL_OK || (rc = csv_header(&o, counts)) != VIGIL_OK)
			goto done;
	}
	if (f != NULL)
		page = *f;
	else
		memset(&page, 0, sizeof page);
	page.limit = EXPORT_PAGE;
	for (;;) {
		page.after = after[0] != '\0' ? after : NULL;
		if ((rc = vigil_device_list(st, tenant_id, &page, &l)) !=
		    VIGIL_OK)
			goto done;
		for (size_t i = 0; i < l.n; i++) {
			rc = format == VIGIL_FORMAT_CSV ?
			    csv_device(&o, l.items[i], counts, &cellb) :
			    jsonl_device(&o, l.items[i]);
			if (rc != VIGIL_OK) {
				vigil_device_list_free(&l);
				goto done;
			}
			if (count != NULL)
				(*count)++;
		}
		memcpy(after, l.next, sizeof after);
		vigil_device_list_free(&l);
		if (after[0] == '\0')
			break;
	}
	rc = VIGIL_OK;
done:
	vigil_buf_free(&o.b);
	vigil_buf_free(&cellb);
	return rc;
}

/* One read snapshot for the whole export: the file describes one
 * state of the fleet, and the CSV header's column counts hold for
 * every row. */
enum vigil_err
vigil_export(struct vigil_store *st, const char *tenant_id,
    const struct vigil_device_filter *f, enum vigil_import_format format,
    vigil_write_fn wr, void *wctx, uint64_t *count)
{
	enum vigil_err rc;
	bool began;

	if (count != NULL)
		*count = 0;
	store_clearerr(st);
	if ((rc = store_read_begin(st, &began)) != VIGIL_OK)
		return rc;
	rc = export_impl(st, tenant_id, f, format, wr, wctx, count);
	store_read_end(st, began);
	return rc;
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
    const struct vigil_device_filter *f, enum vigil_import_format format,
    int fd, uint64_t *count)
{
	return vigil_export(st, tenant_id, f, format, fd_write, &fd, count);
}
