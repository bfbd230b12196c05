/*
 * Bulk import internals: the run state shared by the driver (import.c)
 * and the two record readers (import_csv.c, import_jsonl.c). Memory is
 * fixed at the start of a run: one input buffer, one record buffer of
 * max_record bytes, one device-preparation context.
 */
#ifndef VIGIL_IMPORT_INTERNAL_H
#define VIGIL_IMPORT_INTERNAL_H

#include "registry_internal.h"

#define IMP_INBUF ((size_t)64 * 1024)

struct imp {
	struct vigil_store *st;
	struct reg_ctx *c;
	const struct vigil_import_options *opt;
	struct vigil_import_summary *sum;
	vigil_read_fn rd;
	void *rctx;

	/* Input window. */
	char *in;
	size_t in_len, in_pos;
	int eof;
	int ioerr;
	uint64_t line; /* 1-based line of the next byte */

	size_t max_record;
	size_t batch_rows;
	const char *actor;
	char import_id[VIGIL_UUID_STRLEN];
	size_t batch_n;    /* rows in the open batch */
	uint64_t batch_ok; /* of which inserted */
	uint64_t first_err_line;
	char first_err[1100];

	/* Record buffer: max_record bytes of data plus one NUL per field. */
	char *rec;
	size_t rec_cap;
	/* Scratch for label strings given in JSON (max_record + 1). */
	char *scratch;
	/* CSV rows. */
	struct vigil_ident_spec idents[VIGIL_IMPORT_MAX_FIELDS + 1];
	struct vigil_label_spec labels[VIGIL_DEVICE_MAX_LABELS + 1];
	/* JSON Lines rows (devspec_json.c), splitting labels in scratch. */
	struct reg_json_spec js;
};

/* Refills the input window; -1 at end of input or on a read error
 * (im->ioerr set). */
int imp_fill(struct imp *im);

static inline int
imp_getc(struct imp *im)
{
	if (im->in_pos == im->in_len && imp_fill(im) < 0)
		return -1;
	im->sum->bytes_read++;
	return (unsigned char)im->in[im->in_pos++];
}

static inline int
imp_peek(struct imp *im)
{
	if (im->in_pos == im->in_len && imp_fill(im) < 0)
		return -1;
	return (unsigned char)im->in[im->in_pos];
}

/* Skips a UTF-8 byte order mark at the start of the input. */
void imp_skip_bom(struct imp *im);

/* Adds a problem to the current row (c->prob). */
void imp_problem(struct imp *im, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Ends one data row that started on `line`: creates the device unless
 * the row already has problems, reports every problem as "line N: ...",
 * counts, and closes the batch when full. Returns VIGIL_OK to go on,
 * or a fatal error (the store failed).
 */
enum vigil_err imp_row(struct imp *im, const struct vigil_device_spec *spec,
    uint64_t line);

/* Fatal error at a line: sets the store error text, returns code. */
enum vigil_err imp_fatal(struct imp *im, enum vigil_err code, uint64_t line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The readers: run to the end of input. */
enum vigil_err imp_csv(struct imp *im);
enum vigil_err imp_jsonl(struct imp *im);

/* Field names: "name", "model", ... and identifier type names. */
enum imp_col {
	IMP_COL_NAME,
	IMP_COL_MODEL,
	IMP_COL_GTIN,
	IMP_COL_STATE,
	IMP_COL_REGION,
	IMP_COL_OWNER,
	IMP_COL_LABELS,
	IMP_COL_IDENT,
	IMP_COL_UNKNOWN,
};
/* Kind of a column/key name; *type set for IMP_COL_IDENT. */
enum imp_col imp_col_of(const char *name, enum vigil_id_type *type);
/* Sets the spec's state from a name ("" = default); problem if bad. */
void imp_state(struct imp *im, const char *v, struct vigil_device_spec *spec);

#endif
