/*
 * Bulk import driver: streaming input, batches of rows per transaction
 * with one savepoint per row (a bad row never spoils its batch), row
 * error reporting, progress, atomic mode, and the public entry points.
 * Memory is constant whatever the input size.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "import_internal.h"

int
imp_fill(struct imp *im)
{
	ssize_t n;

	if (im->eof)
		return -1;
	n = im->rd(im->rctx, im->in, IMP_INBUF);
	if (n <= 0) {
		im->eof = 1;
		if (n < 0)
			im->ioerr = 1;
		im->in_len = im->in_pos = 0;
		return -1;
	}
	im->in_len = (size_t)n;
	im->in_pos = 0;
	return 0;
}

void
imp_skip_bom(struct imp *im)
{
	/* A reader may return fewer bytes than asked (a pipe, a socket):
	 * gather the first three before deciding. Called at the start of
	 * input only, so the window begins at offset 0. */
	if (imp_peek(im) != 0xef)
		return;
	while (!im->eof && im->in_len - im->in_pos < 3) {
		ssize_t n = im->rd(im->rctx, im->in + im->in_len,
		    IMP_INBUF - im->in_len);

		if (n <= 0) {
			/* The bytes already in the window are still read;
			 * then imp_fill reports the end (or the error). */
			im->eof = 1;
			if (n < 0)
				im->ioerr = 1;
			break;
		}
		im->in_len += (size_t)n;
	}
	if (im->in_len - im->in_pos < 3)
		return;
	if ((unsigned char)im->in[im->in_pos + 1] == 0xbb &&
	    (unsigned char)im->in[im->in_pos + 2] == 0xbf) {
		im->in_pos += 3;
		im->sum->bytes_read += 3;
	}
}

void
imp_problem(struct imp *im, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reg_vproblem(&im->c->prob, fmt, ap);
	va_end(ap);
}

enum vigil_err
imp_fatal(struct imp *im, enum vigil_err code, uint64_t line,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	if (line > 0)
		return store_seterr(im->st, code, "line %llu: %s",
		    (unsigned long long)line, msg);
	return store_seterr(im->st, code, "%s", msg);
}

static const struct {
	const char *name;
	enum imp_col col;
} fixed_cols[] = {
	{ "name", IMP_COL_NAME },
	{ "model", IMP_COL_MODEL },
	{ "gtin", IMP_COL_GTIN },
	{ "state", IMP_COL_STATE },
	{ "region", IMP_COL_REGION },
	{ "owner", IMP_COL_OWNER },
	{ "labels", IMP_COL_LABELS },
};

enum imp_col
imp_col_of(const char *name, enum vigil_id_type *type)
{
	*type = VIGIL_ID_UNKNOWN;
	for (size_t i = 0; i < sizeof fixed_cols / sizeof fixed_cols[0]; i++)
		if (strcmp(fixed_cols[i].name, name) == 0)
			return fixed_cols[i].col;
	/* "gtin" is the model column above; GTIN identifiers are the
	 * device's model, not a device identifier. */
	if ((*type = vigil_id_type_from_name(name)) != VIGIL_ID_UNKNOWN)
		return IMP_COL_IDENT;
	return IMP_COL_UNKNOWN;
}

void
imp_state(struct imp *im, const char *v, struct vigil_device_spec *spec)
{
	reg_spec_state(&im->c->prob, v, spec);
}

/* Calls on_error once per problem of the row. */
static void
report(struct imp *im, uint64_t line)
{
	const struct reg_problems *p = &im->c->prob;
	const char *s = p->buf.data != NULL ? p->buf.data : "";
	char msg[1100];

	while (*s != '\0') {
		const char *e = strchr(s, '\n');
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);

		snprintf(msg, sizeof msg, "line %llu: %.*s",
		    (unsigned long long)line, (int)(n > 1024 ? 1024 : n), s);
		if (im->first_err_line == 0) {
			im->first_err_line = line;
			snprintf(im->first_err, sizeof im->first_err, "%s",
			    msg);
		}
		if (im->opt->on_error != NULL)
			im->opt->on_error(im->opt->ctx, line, msg);
		s += n;
		if (*s == '\n')
			s++;
	}
}

static void
progress(struct imp *im)
{
	struct vigil_import_progress p;

	if (im->opt->on_progress == NULL)
		return;
	p.rows_read = im->sum->rows_read;
	p.bytes_read = im->sum->bytes_read;
	p.total_bytes = im->opt->total_bytes > 0 ? im->opt->total_bytes : -1;
	im->opt->on_progress(im->opt->ctx, &p);
}

/* Commits the open transaction, after the caller's on_commit hook
 * (which records the change inside it). On failure the transaction is
 * still open: the caller rolls it back. */
static enum vigil_err
commit(struct imp *im)
{
	enum vigil_err rc;

	if (im->opt->on_commit != NULL &&
	    (rc = im->opt->on_commit(im->opt->ctx, im->batch_ok)) != VIGIL_OK)
		return rc;
	return vigil_store_commit(im->st);
}

/* Closes the open batch (commit, or nothing in atomic mode) and opens
 * the next one. */
static enum vigil_err
next_batch(struct imp *im)
{
	enum vigil_err rc;

	if (!im->opt->atomic) {
		if ((rc = commit(im)) != VIGIL_OK)
			return rc;
		im->sum->rows_imported += im->batch_ok;
		im->batch_ok = 0;
		if ((rc = vigil_store_begin(im->st)) != VIGIL_OK)
			return rc;
	}
	im->batch_n = 0;
	progress(im);
	return VIGIL_OK;
}

enum vigil_err
imp_row(struct imp *im, const struct vigil_device_spec *spec, uint64_t line)
{
	enum vigil_err rc = VIGIL_EINVAL;

	im->sum->rows_read++;
	im->c->line = line;
	if (spec != NULL) {
		rc = reg_device_create(im->c, spec, im->actor);
		if (rc != VIGIL_OK && rc != VIGIL_EINVAL && rc != VIGIL_EEXIST)
			return rc; /* the store failed: stop */
	}
	if (rc == VIGIL_OK)
		im->batch_ok++;
	else {
		im->sum->rows_failed++;
		report(im, line);
	}
	reg_problems_reset(&im->c->prob);
	if (++im->batch_n >= im->batch_rows)
		return next_batch(im);
	return VIGIL_OK;
}

static enum vigil_err
run(struct imp *im)
{
	switch (im->opt->format) {
	case VIGIL_FORMAT_CSV:
		return imp_csv(im);
	case VIGIL_FORMAT_JSONL:
		return imp_jsonl(im);
	}
	return store_seterr(im->st, VIGIL_EINVAL, "import: unknown format %d",
	    (int)im->opt->format);
}

static void
imp_free(struct imp *im)
{
	free(im->in);
	free(im->rec);
	free(im->scratch);
	reg_ctx_free(im->c);
	free(im);
}

enum vigil_err
vigil_import(struct vigil_store *st, const char *tenant_id, vigil_read_fn rd,
    void *rctx, const struct vigil_import_options *opt,
    struct vigil_import_summary *sum)
{
	struct imp *im;
	enum vigil_err rc;
	char saved[VIGIL_STORE_MAX_ERR];

	memset(sum, 0, sizeof *sum);
	sum->fatal = 1; /* until the run gets through the whole input */
	store_clearerr(st);
	if (opt == NULL || rd == NULL)
		return store_seterr(st, VIGIL_EINVAL,
		    "import: no options or no reader");
	if (opt->format != VIGIL_FORMAT_CSV && opt->format != VIGIL_FORMAT_JSONL)
		return store_seterr(st, VIGIL_EINVAL,
		    "import: unknown format %d", (int)opt->format);
	if ((im = calloc(1, sizeof *im)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "import: out of memory");
	im->st = st;
	im->opt = opt;
	im->sum = sum;
	im->rd = rd;
	im->rctx = rctx;
	im->line = 1;
	im->max_record = opt->max_record == 0 ||
	    opt->max_record > (size_t)VIGIL_IMPORT_MAX_RECORD ?
	    (size_t)VIGIL_IMPORT_MAX_RECORD : opt->max_record;
	im->batch_rows = opt->batch_rows == 0 ? VIGIL_IMPORT_DEFAULT_BATCH :
	    opt->batch_rows;
	im->actor = opt->actor != NULL ? opt->actor : "import";
	im->rec_cap = im->max_record + (size_t)VIGIL_IMPORT_MAX_FIELDS + 2;
	if ((rc = reg_ctx_new(st, tenant_id, &im->c)) != VIGIL_OK) {
		imp_free(im);
		return rc;
	}
	if ((im->in = malloc(IMP_INBUF)) == NULL ||
	    (im->rec = malloc(im->rec_cap)) == NULL ||
	    (im->scratch = malloc(im->max_record + 1)) == NULL) {
		imp_free(im);
		return store_seterr(st, VIGIL_ENOMEM, "import: out of memory");
	}
	if (vigil_uuid7(im->import_id) != VIGIL_OK) {
		imp_free(im);
		return store_seterr(st, VIGIL_EIO,
		    "import: cannot generate a run id");
	}
	im->c->import_id = im->import_id;

	/* atomic: one transaction for the run; otherwise one per batch. */
	if ((rc = vigil_store_begin(st)) != VIGIL_OK) {
		imp_free(im);
		return rc;
	}
	rc = run(im);
	memcpy(saved, st->err, sizeof saved);
	if (rc == VIGIL_OK && !(opt->atomic && sum->rows_failed > 0)) {
		if ((rc = commit(im)) == VIGIL_OK)
			sum->rows_imported += im->batch_ok;
		else {
			memcpy(saved, st->err, sizeof saved);
			vigil_store_rollback(st);
		}
	} else if (rc != VIGIL_OK && !opt->atomic && rc != VIGIL_ESTORE &&
	    rc != VIGIL_ENOMEM && rc != VIGIL_EIO) {
		/* A syntax error ends the run; the rows before it were
		 * checked one by one and are kept. */
		if (commit(im) == VIGIL_OK)
			sum->rows_imported += im->batch_ok;
		else
			vigil_store_rollback(st);
	} else {
		vigil_store_rollback(st);
		if (opt->atomic)
			sum->rows_imported = 0;
	}
	im->batch_ok = 0;
	progress(im);
	sum->fatal = rc != VIGIL_OK;
	if (rc == VIGIL_OK && sum->rows_failed > 0) {
		rc = VIGIL_EINVAL;
		snprintf(saved, sizeof saved, "%llu of %llu rows failed%s; "
		    "first: %s", (unsigned long long)sum->rows_failed,
		    (unsigned long long)sum->rows_read,
		    opt->atomic ? " (atomic: nothing imported)" : "",
		    im->first_err);
	}
	memcpy(st->err, saved, sizeof saved);
	imp_free(im);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Readers for the convenience entry points. */

static ssize_t
fd_read(void *ctx, void *buf, size_t n)
{
	int fd = *(int *)ctx;
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

enum vigil_err
vigil_import_fd(struct vigil_store *st, const char *tenant_id, int fd,
    const struct vigil_import_options *opt, struct vigil_import_summary *sum)
{
	return vigil_import(st, tenant_id, fd_read, &fd, opt, sum);
}

struct mem_src {
	const char *p;
	size_t left;
};

static ssize_t
mem_read(void *ctx, void *buf, size_t n)
{
	struct mem_src *m = ctx;

	if (n > m->left)
		n = m->left;
	if (n > 0)
		memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (ssize_t)n;
}

enum vigil_err
vigil_import_mem(struct vigil_store *st, const char *tenant_id,
    const void *buf, size_t len, const struct vigil_import_options *opt,
    struct vigil_import_summary *sum)
{
	struct mem_src m = { buf, len };

	return vigil_import(st, tenant_id, mem_read, &m, opt, sum);
}
