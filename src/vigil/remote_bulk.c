/*
 * Remote backend, bulk transfers. Import sends the file in pieces cut
 * at record boundaries (each under the server's body limit; a CSV
 * piece repeats the header), maps the server's line numbers back to
 * the file's and feeds every row error to the same callbacks as a
 * local import. An atomic import must be all-or-nothing, so it goes in
 * one request. Export streams the server's reply straight to the file
 * descriptor, counting records as they pass.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remote_be.h"

/* Bytes per request of a non-atomic import: well under vigild's
 * default body limit (1 MiB). */
#define IMPORT_CHUNK (256u << 10)
/* Largest atomic import sent in one request. */
#define IMPORT_ATOMIC_MAX (1024u << 20)

struct chunker {
	int fd;
	bool eof;
	bool csv;
	char *buf;
	size_t len, cap;
	char *header;       /* CSV: first record, with its line break */
	size_t hlen;
	uint64_t hlines;    /* line breaks in the header */
	uint64_t line;      /* file line of buf[0] */
	uint64_t bytes;     /* read so far */
	int err;            /* errno of a failed read */
};

/* Reads until len >= want, end of input or a full buffer. */
static bool
fill(struct chunker *c, size_t want)
{
	while (!c->eof && c->len < want && c->len < c->cap) {
		ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			c->err = errno;
			return false;
		}
		if (n == 0)
			c->eof = true;
		c->len += (size_t)n;
		c->bytes += (uint64_t)n;
	}
	return true;
}

/* End of the last whole record within the first limit bytes (or of the
 * first record past it when none ends before); 0 when no record ends
 * in the buffer. Quotes matter only in CSV. */
static size_t
cut_point(const struct chunker *c, size_t limit)
{
	bool q = false;
	size_t last = 0;

	for (size_t i = 0; i < c->len; i++) {
		if (c->csv && c->buf[i] == '"')
			q = !q;
		else if (c->buf[i] == '\n' && !q) {
			if (i + 1 > limit && last > 0)
				return last;
			last = i + 1;
			if (i + 1 >= limit)
				return last;
		}
	}
	return last;
}

static uint64_t
count_lf(const char *p, size_t n)
{
	uint64_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

/* The import summary of one reply, added to sum. */
static enum vigil_err
add_summary(struct cli_ctx *ctx, const json_t *res,
    struct vigil_import_summary *sum, bool *fatal)
{
	static const char *const keys[] = { "rows_read", "rows_imported",
	    "rows_failed" };
	uint64_t *dst[] = { &sum->rows_read, &sum->rows_imported,
	    &sum->rows_failed };

	for (size_t i = 0; i < 3; i++) {
		const json_t *v = json_object_get(res, keys[i]);

		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN,
			    "malformed reply from the server: import: field "
			    "'%s' is missing or of the wrong type", keys[i]);
		*dst[i] += (uint64_t)json_integer_value(v);
	}
	*fatal = json_is_true(json_object_get(res, "fatal"));
	return VIGIL_OK;
}

/* Reports each row error with the file's line number: the server
 * numbered the lines of the piece it got (which may start with a
 * repeated header). The registry's messages start with "line N: ". */
static void
report_errors(const json_t *errors, const struct vigil_import_options *opt,
    uint64_t first_line, uint64_t skew, bool fatal, char *fatal_msg,
    size_t fsize)
{
	size_t i, n = json_array_size(errors);
	json_t *e;

	json_array_foreach(errors, i, e) {
		const char *msg = json_string_value(json_object_get(e,
		    "message"));
		json_int_t l = json_integer_value(json_object_get(e, "line"));
		uint64_t line = 0;
		char buf[2048], *end;
		const char *rest = msg;

		if (msg == NULL)
			continue;
		if (strncmp(msg, "line ", 5) == 0) {
			unsigned long long ml = strtoull(msg + 5, &end, 10);

			if (end != msg + 5 && strncmp(end, ": ", 2) == 0) {
				rest = end + 2;
				if (l <= 0)
					l = (json_int_t)ml;
			}
		}
		if (l > 0 && (uint64_t)l > skew)
			line = (uint64_t)l - skew + first_line - 1;
		if (line > 0 && rest != msg)
			snprintf(buf, sizeof buf, "line %" PRIu64 ": %s", line,
			    rest);
		else
			snprintf(buf, sizeof buf, "%s", msg);
		/* The problem that stopped the run is the last one; it is
		 * reported as the import's error, not as a row's. */
		if (fatal && i + 1 == n) {
			snprintf(fatal_msg, fsize, "%s", buf);
			continue;
		}
		if (opt->on_error != NULL)
			opt->on_error(opt->ctx, line, buf);
	}
}

static enum vigil_err
send_piece(struct cli_ctx *ctx, const char *path,
    const struct vigil_import_options *opt, const struct vigil_buf *body,
    uint64_t first_line, uint64_t skew, struct vigil_import_summary *sum,
    bool *fatal)
{
	struct remote_req rq;
	struct remote_resp resp;
	char fmsg[2048] = "";
	enum vigil_err rc;

	remote_req_init(&rq, "POST", path, NULL);
	rq.raw = body->data != NULL ? body->data : "";
	rq.rawlen = body->len;
	rq.ctype = opt->format == VIGIL_FORMAT_CSV ? "text/csv" :
	    "application/x-ndjson";
	rc = remote_do(ctx, &rq, &resp);
	if (rc == VIGIL_OK && !json_is_object(resp.json))
		rc = remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN, "malformed "
		    "reply from the server: import: not an object");
	if (rc == VIGIL_OK)
		rc = add_summary(ctx, resp.json, sum, fatal);
	if (rc == VIGIL_OK) {
		/* The server lists the problem that stopped the run last
		 * (also in "detail", with the piece's line numbers). */
		report_errors(json_object_get(resp.json, "errors"), opt,
		    first_line, skew, *fatal, fmsg, sizeof fmsg);
		if (*fatal)
			rc = remote_fail(ctx, VIGIL_EINVAL, CLI_EXIT_FAIL,
			    "%s", fmsg[0] ? fmsg : "the import stopped on a "
			    "problem of the input");
	}
	remote_resp_free(&resp);
	return rc;
}

static void
progress(const struct vigil_import_options *opt, const struct chunker *c,
    const struct vigil_import_summary *sum)
{
	struct vigil_import_progress p;

	if (opt->on_progress == NULL)
		return;
	p.rows_read = sum->rows_read;
	p.bytes_read = c->bytes;
	p.total_bytes = opt->total_bytes > 0 ? opt->total_bytes : -1;
	opt->on_progress(opt->ctx, &p);
}

/* An atomic import is sent whole: read it all (bounded). */
static enum vigil_err
read_all(struct cli_ctx *ctx, struct chunker *c)
{
	for (;;) {
		char *g;

		if (!fill(c, c->cap))
			return remote_fail(ctx, VIGIL_EIO, CLI_EXIT_FAIL,
			    "reading the import: %s", strerror(c->err));
		if (c->eof)
			return VIGIL_OK;
		if (c->cap >= IMPORT_ATOMIC_MAX)
			return remote_fail(ctx, VIGIL_ERANGE, CLI_EXIT_FAIL,
			    "an atomic import is sent in one request of at "
			    "most %u MiB; this input is larger (drop --atomic "
			    "to send it in pieces)", IMPORT_ATOMIC_MAX >> 20);
		if ((g = realloc(c->buf, c->cap * 2)) == NULL)
			return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
			    "out of memory");
		c->buf = g;
		c->cap *= 2;
	}
}

static enum vigil_err
import_path(struct cli_ctx *ctx, bool atomic, struct vigil_buf *path)
{
	enum vigil_err rc;

	if ((rc = r_device_path(ctx, path, NULL, "import")) != VIGIL_OK)
		return rc;
	if (atomic && (rc = rpath_query(path, "atomic", "true")) != VIGIL_OK) {
		vigil_buf_free(path);
		return r_path_err(ctx, rc);
	}
	return VIGIL_OK;
}

/* One piece: the next whole records (after the header for CSV). */
static enum vigil_err
next_piece(struct cli_ctx *ctx, struct chunker *c, bool atomic,
    struct vigil_buf *body, size_t *cut, uint64_t *skew)
{
	enum vigil_err rc = VIGIL_OK;

	vigil_buf_reset(body);
	*skew = 0;
	*cut = 0;
	if (!atomic && !fill(c, IMPORT_CHUNK))
		return remote_fail(ctx, VIGIL_EIO, CLI_EXIT_FAIL, "reading "
		    "the import: %s", strerror(c->err));
	*cut = atomic || c->eof ? c->len : cut_point(c, IMPORT_CHUNK);
	if (*cut == 0) /* no record end in a full buffer: let the server
			* report the over-long record */
		*cut = c->len;
	if (c->csv && c->header == NULL) {
		/* The header is the first record of the first piece. */
		size_t h = 0;
		bool q = false;

		for (; h < *cut; h++) {
			if (c->buf[h] == '"')
				q = !q;
			else if (c->buf[h] == '\n' && !q)
				break;
		}
		h = h < *cut ? h + 1 : *cut;
		if ((c->header = malloc(h + 1)) == NULL)
			return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
			    "out of memory");
		memcpy(c->header, c->buf, h);
		c->hlen = h;
		c->hlines = count_lf(c->buf, h);
	} else if (c->csv) {
		rc = vigil_buf_append(body, c->header, c->hlen);
		*skew = c->hlines;
	}
	if (rc == VIGIL_OK)
		rc = vigil_buf_append(body, c->buf, *cut);
	return rc != VIGIL_OK ? remote_fail(ctx, rc, CLI_EXIT_FAIL,
	    "out of memory") : VIGIL_OK;
}

enum vigil_err
r_device_import(struct cli_ctx *ctx, int fd,
    const struct vigil_import_options *opt, struct vigil_import_summary *sum)
{
	struct chunker c;
	struct vigil_buf path, body;
	enum vigil_err rc;
	bool atomic = opt->atomic != 0, fatal = false, first = true;

	memset(sum, 0, sizeof *sum);
	sum->fatal = 1;
	memset(&c, 0, sizeof c);
	c.fd = fd;
	c.csv = opt->format == VIGIL_FORMAT_CSV;
	c.line = 1;
	c.cap = atomic ? IMPORT_CHUNK : IMPORT_CHUNK +
	    2 * (size_t)VIGIL_IMPORT_MAX_RECORD + 2;
	if ((rc = import_path(ctx, atomic, &path)) != VIGIL_OK)
		return rc;
	vigil_buf_init(&body, IMPORT_ATOMIC_MAX +
	    4 * (size_t)VIGIL_IMPORT_MAX_RECORD);
	if ((c.buf = malloc(c.cap)) == NULL) {
		rc = remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
		goto out;
	}
	if (atomic && (rc = read_all(ctx, &c)) != VIGIL_OK)
		goto out;
	while (first || c.len > 0 || !c.eof) {
		size_t cut = 0;
		uint64_t skew = 0;

		if ((rc = next_piece(ctx, &c, atomic, &body, &cut, &skew)) !=
		    VIGIL_OK)
			goto out;
		if (cut == 0 && !first)
			break;
		rc = send_piece(ctx, path.data, opt, &body, c.line, skew, sum,
		    &fatal);
		first = false;
		if (rc != VIGIL_OK)
			goto out;
		c.line += count_lf(c.buf, cut);
		memmove(c.buf, c.buf + cut, c.len - cut);
		c.len -= cut;
		progress(opt, &c, sum);
		if (c.len == 0 && c.eof)
			break;
	}
	sum->bytes_read = c.bytes;
	sum->fatal = 0;
	rc = sum->rows_failed > 0 ? VIGIL_EINVAL : VIGIL_OK;
	if (rc != VIGIL_OK)
		remote_fail(ctx, rc, CLI_EXIT_FAIL, "%" PRIu64 " of %" PRIu64
		    " rows failed%s", sum->rows_failed, sum->rows_read,
		    atomic ? " (atomic: nothing imported)" : "");
out:
	if (rc != VIGIL_OK && rc != VIGIL_EINVAL)
		sum->fatal = 1;
	if (fatal)
		sum->fatal = 1;
	sum->bytes_read = c.bytes;
	free(c.buf);
	free(c.header);
	vigil_buf_free(&body);
	vigil_buf_free(&path);
	return rc;
}

enum vigil_err
r_device_export(struct cli_ctx *ctx, const struct vigil_device_filter *f,
    enum vigil_import_format format, unsigned flags, int fd, uint64_t *count)
{
	struct remote_req rq;
	struct remote_resp resp;
	struct vigil_buf b;
	bool csv = format == VIGIL_FORMAT_CSV;
	enum vigil_err rc;

	*count = 0;
	if ((rc = r_device_path(ctx, &b, NULL, "export")) != VIGIL_OK)
		return rc;
	rc = rpath_query(&b, "format", csv ? "csv" : "jsonl");
	if (rc == VIGIL_OK && f != NULL && f->state != VIGIL_DEV_NONE)
		rc = rpath_query(&b, "state", vigil_device_state_name(
		    f->state));
	if (rc == VIGIL_OK && (flags & VIGIL_JSON_REDACT_PERSONAL))
		rc = rpath_query(&b, "redact", "true");
	if (rc != VIGIL_OK) {
		vigil_buf_free(&b);
		return r_path_err(ctx, rc);
	}
	remote_req_init(&rq, "GET", b.data, NULL);
	rq.out_fd = fd;
	rq.count = csv ? REMOTE_COUNT_CSV : REMOTE_COUNT_LINES;
	rc = remote_do(ctx, &rq, &resp);
	/* A CSV export starts with its header row. */
	if (rc == VIGIL_OK)
		*count = csv && resp.records > 0 ? resp.records - 1 :
		    resp.records;
	remote_resp_free(&resp);
	vigil_buf_free(&b);
	return rc;
}
