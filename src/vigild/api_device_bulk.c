/*
 * Bulk device handlers: import (the raw request body, CSV or JSON
 * Lines, through the registry's importer) and export (streamed CSV or
 * JSON Lines from the registry's exporter, optionally without the
 * owner contact, which is personal data).
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
#include "reqctx.h"

/* A client sending a million bad rows gets the first ones; the counts
 * still cover every row. */
#define IMPORT_MAX_ERRORS 1000

/* ------------------------------------------------------------------ */
/* Import */

struct import_errors {
	json_t *items;
	uint64_t omitted;
	int oom;
};

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
	opt.ctx = &ie;
	snprintf(obj, sizeof obj, "tenant/%s", r->tenant.id);
	/* One outer transaction: the importer's batches become
	 * savepoints, committed together with the audit entry. */
	if (api_begin(r) < 0) {
		json_decref(ie.items);
		return;
	}
	e = vigil_import_mem(r->st, r->tenant.id, body != NULL ? body :
	    (const uint8_t *)"", len, &opt, &sum);
	if (e == VIGIL_ESTORE || e == VIGIL_ENOMEM || e == VIGIL_EIO ||
	    ie.oom) {
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
	if (req_audit(r, "device.import", obj, e == VIGIL_OK ||
	    sum.rows_imported > 0 ? "ok" : "failed", detail) != VIGIL_OK ||
	    vigil_store_commit(r->st) != VIGIL_OK) {
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

/* Column of the owner contact in the exporter's CSV (registry.h: name,
 * model, gtin, state, region, owner, labels, identifiers...). */
#define CSV_OWNER_COLUMN 5
#define JSONL_LINE_MAX ((size_t)4 * VIGIL_IMPORT_MAX_RECORD)

enum csv_state { CSV_FIELD_START, CSV_UNQUOTED, CSV_QUOTED, CSV_QUOTE };

struct export_out {
	struct req *r;
	enum vigil_import_format fmt;
	bool redact;
	bool started;
	int failed;
	/* JSON Lines redaction: the current line. */
	struct vigil_buf line;
	/* CSV redaction: where the RFC 4180 scanner is. */
	enum csv_state cs;
	unsigned long record;
	unsigned column;
	struct vigil_buf out;
};

static void
stream_start(struct export_out *o)
{
	if (o->started)
		return;
	o->started = true;
	req_header(o->r, "Content-Disposition", o->fmt == VIGIL_FORMAT_CSV ?
	    "attachment; filename=\"devices.csv\"" :
	    "attachment; filename=\"devices.jsonl\"");
	req_stream_start(o->r, 200, o->fmt == VIGIL_FORMAT_CSV ?
	    "text/csv; charset=utf-8" : "application/x-ndjson");
}

/* One complete JSON line without its owner member. */
static int
redact_jsonl_line(struct export_out *o, const char *s, size_t n)
{
	json_error_t je;
	json_t *obj;
	char *text;

	if ((obj = json_loadb(s, n, 0, &je)) == NULL)
		return -1;
	json_object_del(obj, "owner");
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (text == NULL)
		return -1;
	req_stream_chunk(o->r, text, strlen(text));
	req_stream_chunk(o->r, "\n", 1);
	free(text);
	return 0;
}

static int
redact_jsonl(struct export_out *o, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n') {
			if (vigil_buf_append(&o->line, p + i, 1) != VIGIL_OK)
				return -1;
			continue;
		}
		if (redact_jsonl_line(o, o->line.data != NULL ? o->line.data :
		    "", o->line.len) < 0)
			return -1;
		vigil_buf_reset(&o->line);
	}
	return 0;
}

/* Copies CSV through, emptying the owner column of every data record
 * (the header keeps its name, so the file still imports). Quoted
 * fields may hold commas and line ends: a small RFC 4180 scanner. */
static int
redact_csv(struct export_out *o, const char *p, size_t n)
{
	vigil_buf_reset(&o->out);
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		bool structural = false;

		switch (o->cs) {
		case CSV_QUOTE:
			if (c == '"') { /* "" inside a quoted field */
				o->cs = CSV_QUOTED;
				break;
			}
			o->cs = CSV_UNQUOTED; /* the closing quote was it */
			/* FALLTHROUGH */
		case CSV_FIELD_START:
		case CSV_UNQUOTED:
			if (c == ',') {
				o->column++;
				o->cs = CSV_FIELD_START;
				structural = true;
			} else if (c == '\n') {
				o->record++;
				o->column = 0;
				o->cs = CSV_FIELD_START;
				structural = true;
			} else if (c == '\r') {
				structural = true;
			} else if (c == '"' && o->cs == CSV_FIELD_START) {
				o->cs = CSV_QUOTED;
			} else {
				o->cs = CSV_UNQUOTED;
			}
			break;
		case CSV_QUOTED:
			if (c == '"')
				o->cs = CSV_QUOTE;
			break;
		}
		if (structural || o->record == 0 ||
		    o->column != CSV_OWNER_COLUMN)
			if (vigil_buf_append(&o->out, &c, 1) != VIGIL_OK)
				return -1;
	}
	if (o->out.len > 0)
		req_stream_chunk(o->r, o->out.data, o->out.len);
	return 0;
}

static int
export_write(void *ctx, const void *buf, size_t n)
{
	struct export_out *o = ctx;

	stream_start(o);
	if (!o->redact) {
		req_stream_chunk(o->r, buf, n);
		return 0;
	}
	if ((o->fmt == VIGIL_FORMAT_CSV ? redact_csv(o, buf, n) :
	    redact_jsonl(o, buf, n)) < 0) {
		o->failed = 1;
		return -1;
	}
	return 0;
}

void
api_device_export(struct req *r)
{
	struct api_devfilter df;
	struct export_out o;
	const char *format;
	char detail[128], obj[64];
	bool redact;
	uint64_t count = 0;
	enum vigil_err e;

	memset(&o, 0, sizeof o);
	o.r = r;
	if (api_devfilter_from_query(r, &df) < 0 ||
	    aq_str(r, "format", 16, &format) < 0 ||
	    aq_bool(r, "redact", false, &redact) < 0)
		return;
	if (format == NULL || strcmp(format, "jsonl") == 0)
		o.fmt = VIGIL_FORMAT_JSONL;
	else if (strcmp(format, "csv") == 0)
		o.fmt = VIGIL_FORMAT_CSV;
	else {
		aq_problem(r, "format", "expected jsonl or csv");
		return;
	}
	o.redact = redact;
	/* An export hands out the whole fleet, owner contacts included
	 * unless redacted: it is audited, and the entry is on disk before
	 * the first byte leaves. */
	snprintf(obj, sizeof obj, "tenant/%s", r->tenant.id);
	snprintf(detail, sizeof detail, "format %s%s",
	    o.fmt == VIGIL_FORMAT_CSV ? "csv" : "jsonl",
	    redact ? ", owner redacted" : "");
	if ((e = req_audit(r, "device.export", obj, "ok", detail)) !=
	    VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	vigil_buf_init(&o.line, JSONL_LINE_MAX);
	vigil_buf_init(&o.out, JSONL_LINE_MAX);
	e = vigil_export(r->st, r->tenant.id, &df.f, o.fmt, export_write, &o,
	    &count);
	if (e == VIGIL_OK && o.redact && o.fmt == VIGIL_FORMAT_JSONL &&
	    o.line.len > 0 && redact_jsonl_line(&o, o.line.data,
	    o.line.len) < 0)
		e = VIGIL_ENOMEM;
	if (e != VIGIL_OK && !o.started) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
	} else {
		/* An error after the first byte cannot change the status;
		 * the client sees a short file (and the count is not sent). */
		stream_start(&o);
		req_stream_end(r);
	}
	vigil_buf_free(&o.line);
	vigil_buf_free(&o.out);
}
