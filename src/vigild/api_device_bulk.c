/*
 * Bulk device handlers: import (the raw request body, CSV or JSON
 * Lines, through the registry's importer) and export (CSV or JSON
 * Lines from the registry's resumable exporter, optionally without the
 * owner contact, which is personal data, streamed one page at a time
 * as the client takes them).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "api_devspec.h"
#include "api_json.h"
#include "api_tx.h"
#include "log.h"
#include "reqctx.h"
#include "reqstream.h"

/* A client sending a million bad rows gets the first ones; the counts
 * still cover every row. */
#define IMPORT_MAX_ERRORS 1000

/* ------------------------------------------------------------------ */
/* Import */

struct import_errors {
	json_t *items;
	uint64_t omitted;
	int oom;
	/* For the audit entry of each committed batch (on_import_commit). */
	struct req *r;
	const char *obj;
	const char *fmt;
	uint64_t audited; /* devices recorded in batch entries so far */
};

/*
 * Inside each transaction the importer commits: its audit entry, so a
 * batch's devices and their record are durable together. The import
 * commits batch by batch (never one long write lock over the whole
 * file, which would stall every other writer of the API).
 */
static enum vigil_err
on_import_commit(void *ctx, uint64_t rows)
{
	struct import_errors *ie = ctx;
	char detail[200];
	enum vigil_err e;

	if (rows == 0)
		return VIGIL_OK;
	snprintf(detail, sizeof detail, "%s: batch of %" PRIu64 " devices "
	    "created (%" PRIu64 " before it in this import)", ie->fmt, rows,
	    ie->audited);
	if ((e = req_audit(ie->r, "device.import", ie->obj, "ok", detail)) ==
	    VIGIL_OK)
		ie->audited += rows;
	return e;
}

static void
on_import_error(void *ctx, uint64_t line, const char *msg)
{
	struct import_errors *ie = ctx;
	json_t *e;

	if (json_array_size(ie->items) >= IMPORT_MAX_ERRORS) {
		ie->omitted++;
		return;
	}
	e = json_pack("{s:I, s:s}", "line", (json_int_t)line, "message", msg);
	if (e == NULL || json_array_append_new(ie->items, e) != 0)
		ie->oom = 1;
}

/* The media type without parameters, compared case-insensitively
 * (RFC 9110 §8.3.1). */
static int
media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	return strncasecmp(ct, type, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

static int
import_format(struct req *r, enum vigil_import_format *fmt)
{
	const char *ct = req_content_type(r);

	if (ct != NULL && media_is(ct, "text/csv")) {
		*fmt = VIGIL_FORMAT_CSV;
		return 0;
	}
	if (ct != NULL && (media_is(ct, "application/x-ndjson") ||
	    media_is(ct, "application/jsonl") ||
	    media_is(ct, "application/x-jsonlines") ||
	    media_is(ct, "application/json-lines"))) {
		*fmt = VIGIL_FORMAT_JSONL;
		return 0;
	}
	req_problem(r, 415, "unsupported-media-type", "Content-Type: %s; "
	    "expected text/csv or application/x-ndjson (JSON Lines)",
	    ct != NULL ? "missing or not supported" : "missing");
	return -1;
}

/* A fatal error's text starts "line N: " when it has a line. */
static json_t *
fatal_error_json(const char *msg)
{
	unsigned long long line;
	char *end;

	if (strncmp(msg, "line ", 5) == 0 && msg[5] >= '1' && msg[5] <= '9') {
		errno = 0;
		line = strtoull(msg + 5, &end, 10);
		if (errno == 0 && end[0] == ':' && line <= INT64_MAX)
			return json_pack("{s:I, s:s}", "line",
			    (json_int_t)line, "message", msg);
	}
	return json_pack("{s:n, s:s}", "line", "message", msg);
}

void
api_device_import(struct req *r)
{
	struct vigil_import_options opt;
	struct vigil_import_summary sum;
	struct import_errors ie;
	enum vigil_import_format fmt;
	char msg[VIGIL_STORE_MAX_ERR], detail[200], obj[64];
	const uint8_t *body;
	size_t len;
	bool atomic;
	json_t *reply;
	enum vigil_err e;

	if (import_format(r, &fmt) < 0 || aq_bool(r, "atomic", false,
	    &atomic) < 0)
		return;
	body = req_body(r, &len);
	memset(&ie, 0, sizeof ie);
	if ((ie.items = json_array()) == NULL) {
		api_reply(r, 500, NULL);
		return;
	}
	memset(&opt, 0, sizeof opt);
	opt.format = fmt;
	opt.atomic = atomic;
	opt.actor = req_actor(r);
	opt.total_bytes = (int64_t)len;
	opt.on_error = on_import_error;
	opt.on_commit = on_import_commit;
	opt.ctx = &ie;
	snprintf(obj, sizeof obj, "tenant/%s", r->tenant.id);
	ie.r = r;
	ie.obj = obj;
	ie.fmt = fmt == VIGIL_FORMAT_CSV ? "csv" : "jsonl";
	e = vigil_import_mem(r->st, r->tenant.id, body != NULL ? body :
	    (const uint8_t *)"", len, &opt, &sum);
	if (e == VIGIL_ESTORE || e == VIGIL_ENOMEM || e == VIGIL_EIO ||
	    ie.oom) {
		/* Batches committed before the failure stay, each with its
		 * audit entry; api_fail records the failure. */
		json_decref(ie.items);
		api_fail(r, ie.oom ? VIGIL_ENOMEM : e, "device.import", obj);
		return;
	}
	snprintf(msg, sizeof msg, "%s", e != VIGIL_OK ?
	    vigil_store_errmsg(r->st) : "");
	if (sum.fatal && msg[0] != '\0' &&
	    json_array_size(ie.items) < IMPORT_MAX_ERRORS)
		json_array_append_new(ie.items, fatal_error_json(msg));
	snprintf(detail, sizeof detail, "%s%s: %" PRIu64 " rows read, %"
	    PRIu64 " imported, %" PRIu64 " failed%s",
	    fmt == VIGIL_FORMAT_CSV ? "csv" : "jsonl", atomic ? " atomic" : "",
	    sum.rows_read, sum.rows_imported, sum.rows_failed,
	    sum.fatal ? ", stopped" : "");
	/* The run's summary (each committed batch already has its own
	 * entry): "failed" when bad input kept every row out. */
	if (req_audit(r, "device.import", obj, e == VIGIL_OK ||
	    sum.rows_imported > 0 ? "ok" : "failed", detail) != VIGIL_OK) {
		json_decref(ie.items);
		api_fail(r, VIGIL_ESTORE, "device.import", obj);
		return;
	}
	reply = json_pack("{s:I, s:I, s:I, s:b, s:o, s:I, s:s*}",
	    "rows_read", (json_int_t)sum.rows_read,
	    "rows_imported", (json_int_t)sum.rows_imported,
	    "rows_failed", (json_int_t)sum.rows_failed,
	    "fatal", sum.fatal != 0,
	    "errors", ie.items,
	    "errors_omitted", (json_int_t)ie.omitted,
	    "detail", msg[0] != '\0' ? msg : NULL);
	api_reply(r, 200, reply);
}

/* ------------------------------------------------------------------ */
/* Export */

/* Devices per piece of the stream. A piece holds whole records of at
 * most VIGIL_IMPORT_MAX_RECORD bytes (the exporter refuses longer
 * ones), which bounds the memory of one export. */
#define EXPORT_PAGE 500
#define EXPORT_PIECE_MAX ((size_t)EXPORT_PAGE * \
    (VIGIL_IMPORT_MAX_RECORD + 2) + (size_t)VIGIL_IMPORT_MAX_RECORD)

/* One export between its pieces: struct req does not live that long. */
struct export_stream {
	struct vigil_store *st;
	struct vigil_export *ex;
	enum vigil_import_format fmt;
	struct vigil_buf piece; /* written by the exporter, not yet sent */
	bool first;             /* piece holds the page the handler made */
	bool first_done;        /* ... and it was the last one */
	char request_id[VIGIL_UUID_STRLEN];
};

static int
export_write(void *ctx, const void *buf, size_t n)
{
	struct export_stream *es = ctx;

	return vigil_buf_append(&es->piece, buf, n) == VIGIL_OK ? 0 : -1;
}

static void
export_end(void *arg, bool finished)
{
	struct export_stream *es = arg;

	(void)finished; /* reqstream.c logs a stream cut short */
	vigil_export_close(es->ex);
	vigil_buf_free(&es->piece);
	free(es);
}

/*
 * A failure after the first piece: the status went out with it, and a
 * chunked reply cannot be ended as failed through evhttp, so the body
 * says it in its last line, which the importer refuses (a file cut
 * short never passes for a whole one): JSON Lines {"error": "..."},
 * CSV "#error: ...". Server-side causes are logged, not told.
 */
static void
export_error_line(struct export_stream *es, enum vigil_err e)
{
	char msg[VIGIL_STORE_MAX_ERR + 160];
	size_t n;
	char *text;
	json_t *o;

	n = (size_t)snprintf(msg, sizeof msg, "export stopped after %" PRIu64
	    " devices: ", vigil_export_count(es->ex));
	if (n >= sizeof msg)
		n = 0;
	if (e == VIGIL_ECONFLICT || e == VIGIL_ERANGE || e == VIGIL_EINVAL)
		snprintf(msg + n, sizeof msg - n, "%s",
		    vigil_store_errmsg(es->st));
	else {
		vlog(VLOG_ERROR, "http.error", "request %s: export stopped: "
		    "%s: %s", es->request_id, vigil_strerror(e),
		    vigil_store_errmsg(es->st));
		snprintf(msg + n, sizeof msg - n, "internal error; the server "
		    "log has the details under request id %s", es->request_id);
	}
	vlog(VLOG_WARN, "http.export", "request %s: %s", es->request_id, msg);
	/* A full piece would refuse the line: what it holds is dropped,
	 * the error line says the file is incomplete anyway. */
	if (es->piece.len + sizeof msg + 32 > EXPORT_PIECE_MAX)
		vigil_buf_reset(&es->piece);
	if (es->fmt == VIGIL_FORMAT_CSV) {
		for (char *c = msg; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20)
				*c = ' ';
		vigil_buf_appendf(&es->piece, "#error: %s\r\n", msg);
		return;
	}
	o = json_pack("{s:s}", "error", msg);
	text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	vigil_buf_appendf(&es->piece, "%s\n", text != NULL ? text :
	    "{\"error\":\"export stopped: out of memory\"}");
	free(text);
	json_decref(o);
}

/* The stream's producer: the next page, or the one the handler made. */
static enum req_pace_step
export_piece(struct req_pace *p, void *arg)
{
	struct export_stream *es = arg;
	enum vigil_err e = VIGIL_OK;
	int done;

	if (es->first) {
		es->first = false;
		done = es->first_done;
	} else if ((e = vigil_export_step(es->ex, &done)) != VIGIL_OK) {
		export_error_line(es, e);
		done = 1;
	}
	if (req_pace_write(p, es->piece.data, es->piece.len) < 0) {
		vlog(VLOG_ERROR, "http.error", "request %s: export stopped: "
		    "out of memory", es->request_id);
		done = 1;
	}
	vigil_buf_reset(&es->piece);
	return done ? REQ_PACE_DONE : REQ_PACE_MORE;
}

void
api_device_export(struct req *r)
{
	struct vigil_export_options opt;
	struct api_devfilter df;
	struct export_stream *es;
	const char *format;
	char detail[128], obj[64];
	bool redact;
	int done = 0;
	enum vigil_err e;

	memset(&opt, 0, sizeof opt);
	if (api_devfilter_from_query(r, &df) < 0 ||
	    aq_str(r, "format", 16, &format) < 0 ||
	    aq_bool(r, "redact", false, &redact) < 0)
		return;
	if (format == NULL || strcmp(format, "jsonl") == 0)
		opt.format = VIGIL_FORMAT_JSONL;
	else if (strcmp(format, "csv") == 0)
		opt.format = VIGIL_FORMAT_CSV;
	else {
		aq_problem(r, "format", "expected jsonl or csv");
		return;
	}
	opt.flags = redact ? VIGIL_JSON_REDACT_PERSONAL : 0;
	opt.page = EXPORT_PAGE;
	snprintf(obj, sizeof obj, "tenant/%s", r->tenant.id);
	if ((es = calloc(1, sizeof *es)) == NULL) {
		req_reply_err(r, VIGIL_ENOMEM, "export: out of memory");
		return;
	}
	es->st = r->st;
	es->fmt = opt.format;
	memcpy(es->request_id, r->request_id, sizeof es->request_id);
	vigil_buf_init(&es->piece, EXPORT_PIECE_MAX);
	/* The first page before the status: what fails up front (a CSV
	 * too wide to import back, a bad filter) gets a problem reply. */
	e = vigil_export_open(r->st, r->tenant.id, &df.f, &opt, export_write,
	    es, &es->ex);
	if (e == VIGIL_OK)
		e = vigil_export_step(es->ex, &done);
	if (e != VIGIL_OK) {
		api_fail(r, e, "device.export", obj);
		export_end(es, false);
		return;
	}
	es->first = true;
	es->first_done = done != 0;
	/* An export hands out the whole fleet, owner contacts included
	 * unless redacted: it is audited, and the entry is on disk before
	 * the first byte leaves. */
	snprintf(detail, sizeof detail, "format %s%s",
	    opt.format == VIGIL_FORMAT_CSV ? "csv" : "jsonl",
	    redact ? ", owner redacted" : "");
	if ((e = req_audit(r, "device.export", obj, "ok", detail)) !=
	    VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		export_end(es, false);
		return;
	}
	req_header(r, "Content-Disposition", opt.format == VIGIL_FORMAT_CSV ?
	    "attachment; filename=\"devices.csv\"" :
	    "attachment; filename=\"devices.jsonl\"");
	req_stream_paced(r, 200, opt.format == VIGIL_FORMAT_CSV ?
	    "text/csv; charset=utf-8" : "application/x-ndjson", export_piece,
	    export_end, es);
}
