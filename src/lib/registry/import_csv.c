/*
 * CSV import (RFC 4180): quoted fields with doubled quotes, CRLF or LF
 * line ends, a header row naming the columns. A streaming state machine
 * over the input: one record in a fixed buffer at a time, line numbers
 * counted over every line end (quoted ones included), so a message's
 * "line N" is what an editor shows.
 *
 * Row-level problems (over-long record, wrong field count, a stray
 * quote) fail that row and the reader resynchronises at the record's
 * end. An unterminated quote swallows the rest of the input and is
 * fatal, reported at the line where the quote opens.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "import_internal.h"

struct csv_rec {
	size_t off[VIGIL_IMPORT_MAX_FIELDS];
	size_t nf;    /* fields seen, may exceed the array */
	size_t len;   /* bytes used in im->rec */
	size_t data;  /* data bytes (without field terminators) */
	size_t fstart;
	bool too_long;
	bool quoted;  /* some field was quoted: not a blank line */
	uint64_t line;
	char err[200];
};

enum csv_state { F_START, F_UNQ, F_QUO, F_QEND };

static void
put(struct imp *im, struct csv_rec *r, int ch)
{
	if (r->too_long)
		return;
	if (r->data >= im->max_record) {
		r->too_long = true;
		return;
	}
	im->rec[r->len++] = (char)ch;
	r->data++;
}

static void
end_field(struct imp *im, struct csv_rec *r)
{
	if (r->nf < VIGIL_IMPORT_MAX_FIELDS && !r->too_long) {
		r->off[r->nf] = r->fstart;
		im->rec[r->len++] = '\0';
	}
	r->nf++;
	r->fstart = r->len;
}

static const char *
show_char(int ch, char buf[8])
{
	if (ch >= 0x21 && ch < 0x7f)
		snprintf(buf, 8, "'%c'", ch);
	else
		snprintf(buf, 8, "0x%02x", ch);
	return buf;
}

/* 1: a record; 0: end of input; -1: fatal, *fatal set. */
static int
read_record(struct imp *im, struct csv_rec *r, enum vigil_err *fatal)
{
	enum csv_state state = F_START;
	uint64_t quote_line = 0;
	bool any = false;
	char cb[8];

	memset(r, 0, offsetof(struct csv_rec, err));
	r->err[0] = '\0';
	r->line = im->line;
	for (;;) {
		int ch = imp_getc(im);

		if (ch < 0) {
			if (im->ioerr) {
				*fatal = imp_fatal(im, VIGIL_EIO, r->line,
				    "read error");
				return -1;
			}
			if (state == F_QUO) {
				*fatal = imp_fatal(im, VIGIL_EINVAL, quote_line,
				    "field %zu: unterminated quoted field (the "
				    "quote that opens here is never closed)",
				    r->nf + 1);
				return -1;
			}
			if (!any)
				return 0;
			end_field(im, r);
			return 1;
		}
		any = true;
		if (ch == '\n')
			im->line++;
		if (state == F_QUO) {
			if (ch == '"')
				state = F_QEND;
			else
				put(im, r, ch);
			continue;
		}
		if (state == F_QEND) {
			if (ch == '"') {
				put(im, r, ch);
				state = F_QUO;
				continue;
			}
			if (ch != ',' && ch != '\n' &&
			    !(ch == '\r' && imp_peek(im) == '\n')) {
				if (r->err[0] == '\0')
					snprintf(r->err, sizeof r->err,
					    "field %zu: %s after the closing "
					    "quote", r->nf + 1,
					    show_char(ch, cb));
				put(im, r, ch);
				state = F_UNQ;
				continue;
			}
		}
		if (ch == ',') {
			end_field(im, r);
			state = F_START;
			continue;
		}
		if (ch == '\r' && imp_peek(im) == '\n')
			continue; /* CRLF: the LF ends the record */
		if (ch == '\n') {
			end_field(im, r);
			return 1;
		}
		if (ch == '"') {
			if (state == F_START) {
				state = F_QUO;
				quote_line = im->line;
				r->quoted = true;
				continue;
			}
			if (r->err[0] == '\0')
				snprintf(r->err, sizeof r->err, "field %zu: "
				    "quote inside an unquoted field (quote the "
				    "whole field and double the quote)",
				    r->nf + 1);
		}
		put(im, r, ch);
		state = F_UNQ;
	}
}

static bool
blank(const struct csv_rec *r, const struct imp *im)
{
	return r->nf == 1 && !r->quoted && !r->too_long &&
	    im->rec[r->off[0]] == '\0';
}

struct csv_cols {
	size_t n;
	enum imp_col kind[VIGIL_IMPORT_MAX_FIELDS];
	enum vigil_id_type type[VIGIL_IMPORT_MAX_FIELDS];
};

/* Column names are short words of [a-z0-9_-] (after lower-casing). */
static bool
looks_like_column_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		    name[i] == '-'))
			return false;
	return true;
}

static enum vigil_err
read_header(struct imp *im, struct csv_cols *cols)
{
	struct csv_rec r;
	enum vigil_err fatal = VIGIL_OK;
	struct vigil_buf unknown;
	char q[REG_QUOTE_SIZE];
	bool seen[IMP_COL_UNKNOWN] = { false };
	size_t nunknown = 0;
	int got;

	do
		got = read_record(im, &r, &fatal);
	while (got == 1 && blank(&r, im));
	if (got < 0)
		return fatal;
	if (got == 0)
		return imp_fatal(im, VIGIL_EINVAL, 0, "CSV: empty input; a "
		    "header row naming the columns is required");
	if (r.too_long)
		return imp_fatal(im, VIGIL_ERANGE, r.line, "CSV header is "
		    "longer than %zu bytes", im->max_record);
	if (r.nf > VIGIL_IMPORT_MAX_FIELDS)
		return imp_fatal(im, VIGIL_ERANGE, r.line, "CSV header has %zu "
		    "columns, the limit is %d", r.nf, VIGIL_IMPORT_MAX_FIELDS);
	if (r.err[0] != '\0')
		return imp_fatal(im, VIGIL_EINVAL, r.line, "CSV header: %s",
		    r.err);
	vigil_buf_init(&unknown, 4096);
	cols->n = r.nf;
	for (size_t i = 0; i < r.nf; i++) {
		char *name = im->rec + r.off[i];
		size_t n = strlen(name);

		/* Headers are matched without surrounding blanks and case. */
		while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
			name[--n] = '\0';
		while (*name == ' ' || *name == '\t')
			name++;
		for (char *p = name; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		cols->kind[i] = imp_col_of(name, &cols->type[i]);
		if (cols->kind[i] == IMP_COL_UNKNOWN) {
			/* A cell that cannot be a column name is probably
			 * data (a missing header row): never echo it, it
			 * may be an owner's contact. */
			if (looks_like_column_name(name))
				vigil_buf_appendf(&unknown,
				    "%s\"%s\" (column %zu)",
				    nunknown++ > 0 ? ", " : "",
				    reg_quote(name, q, sizeof q), i + 1);
			else
				vigil_buf_appendf(&unknown, "%scolumn %zu "
				    "(not a column name: is the header row "
				    "missing?)", nunknown++ > 0 ? ", " : "",
				    i + 1);
			continue;
		}
		if (cols->kind[i] != IMP_COL_IDENT) {
			if (seen[cols->kind[i]]) {
				vigil_buf_free(&unknown);
				return imp_fatal(im, VIGIL_EINVAL, r.line,
				    "CSV header: column \"%s\" appears twice",
				    name);
			}
			seen[cols->kind[i]] = true;
		}
	}
	if (nunknown > 0) {
		char known[512];
		size_t o;

		o = (size_t)snprintf(known, sizeof known, "name, model, gtin, "
		    "state, region, owner, labels");
		/* "gtin" is the model column: GTINs are not device ids. */
		for (int t = 1; t < VIGIL_ID_TYPE_COUNT && o < sizeof known;
		    t++)
			if (t != VIGIL_ID_GTIN)
				o += (size_t)snprintf(known + o,
				    sizeof known - o, ", %s",
				    vigil_id_type_name((enum vigil_id_type)t));
		store_seterr(im->st, VIGIL_EINVAL, "line %llu: CSV header: "
		    "unknown column%s %s; known columns: %s",
		    (unsigned long long)r.line, nunknown > 1 ? "s" : "",
		    unknown.data != NULL ? unknown.data : "", known);
		vigil_buf_free(&unknown);
		return VIGIL_EINVAL;
	}
	vigil_buf_free(&unknown);
	return VIGIL_OK;
}

static const char *
cell(const char *v)
{
	return v[0] != '\0' ? v : NULL;
}

static enum vigil_err
row(struct imp *im, const struct csv_cols *cols, struct csv_rec *r)
{
	struct vigil_device_spec spec;
	int n;

	if (r->too_long) {
		imp_problem(im, "record is longer than %zu bytes",
		    im->max_record);
		return imp_row(im, NULL, r->line);
	}
	if (r->nf != cols->n) {
		imp_problem(im, "%zu field%s, the header has %zu", r->nf,
		    r->nf == 1 ? "" : "s", cols->n);
		return imp_row(im, NULL, r->line);
	}
	if (r->err[0] != '\0') {
		imp_problem(im, "%s", r->err);
		return imp_row(im, NULL, r->line);
	}
	memset(&spec, 0, sizeof spec);
	spec.idents = im->idents;
	spec.labels = im->labels;
	for (size_t i = 0; i < cols->n; i++) {
		char *v = im->rec + r->off[i];

		switch (cols->kind[i]) {
		case IMP_COL_NAME:
			spec.name = cell(v);
			break;
		case IMP_COL_MODEL:
			spec.model = cell(v);
			break;
		case IMP_COL_GTIN:
			spec.gtin = cell(v);
			break;
		case IMP_COL_REGION:
			spec.region = cell(v);
			break;
		case IMP_COL_OWNER:
			spec.owner = cell(v);
			break;
		case IMP_COL_STATE:
			imp_state(im, v, &spec);
			break;
		case IMP_COL_LABELS:
			n = reg_labels_parse(v, im->labels,
			    VIGIL_DEVICE_MAX_LABELS, &im->c->prob);
			spec.nlabels = n > 0 ? (size_t)n : 0;
			break;
		case IMP_COL_IDENT:
			if (v[0] == '\0')
				break;
			im->idents[spec.nidents].type = cols->type[i];
			im->idents[spec.nidents].value = v;
			spec.nidents++;
			break;
		case IMP_COL_UNKNOWN:
			break;
		}
	}
	return imp_row(im, &spec, r->line);
}

enum vigil_err
imp_csv(struct imp *im)
{
	static const struct csv_cols none;
	struct csv_cols cols = none;
	struct csv_rec r;
	enum vigil_err rc, fatal = VIGIL_OK;
	int got;

	imp_skip_bom(im);
	if ((rc = read_header(im, &cols)) != VIGIL_OK)
		return rc;
	while ((got = read_record(im, &r, &fatal)) == 1) {
		if (blank(&r, im))
			continue;
		if ((rc = row(im, &cols, &r)) != VIGIL_OK)
			return rc;
	}
	return got < 0 ? fatal : VIGIL_OK;
}
