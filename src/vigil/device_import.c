/*
 * `vigil device import | export`: bulk CSV / JSON Lines through the
 * registry's streaming import and export (constant memory), locally or
 * in a vigild (backend.h). Supersedes cmd_import.c, which called the
 * library directly.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "device.h"

/* Format from --format, else from the file name's extension. */
static int
format_of(const struct cli_args *a, const char *path,
    enum vigil_import_format *fmt, bool required)
{
	const char *f = cli_arg(a, "format"), *dot;

	if (f == NULL && path != NULL && strcmp(path, "-") != 0 &&
	    (dot = strrchr(path, '.')) != NULL) {
		if (strcmp(dot, ".csv") == 0)
			f = "csv";
		else if (strcmp(dot, ".jsonl") == 0 ||
		    strcmp(dot, ".ndjson") == 0)
			f = "jsonl";
	}
	if (f == NULL && !required)
		f = "jsonl";
	if (f == NULL)
		return cli_usage(a->cmd, "cannot tell the format of '%s' from "
		    "its name; add --format csv or --format jsonl", path);
	if (strcmp(f, "csv") == 0)
		*fmt = VIGIL_FORMAT_CSV;
	else if (strcmp(f, "jsonl") == 0)
		*fmt = VIGIL_FORMAT_JSONL;
	else
		return cli_usage(a->cmd, "unknown format '%s' (csv, jsonl)", f);
	return CLI_EXIT_OK;
}

struct import_ui {
	struct cli_ctx *ctx;
	bool progress; /* stderr is a terminal */
	bool drawn;
};

static void
on_error(void *arg, uint64_t line, const char *msg)
{
	struct import_ui *ui = arg;

	if (ui->drawn) {
		fputs("\r\033[K", stderr);
		ui->drawn = false;
	}
	if (ui->ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "line", json_integer((json_int_t)line));
			cli_json_set(o, "error", cli_json_str(msg));
		}
		cli_json_emit(stdout, o);
		return;
	}
	/* The registry's messages already start with "line N: ". They
	 * quote the file's cells: escaped, like every diagnostic. */
	if (strncmp(msg, "line ", 5) == 0)
		cli_diag(stderr, "%s", msg);
	else
		cli_diag(stderr, "line %llu: %s", (unsigned long long)line,
		    msg);
	fputc('\n', stderr);
}

static void
on_progress(void *arg, const struct vigil_import_progress *p)
{
	struct import_ui *ui = arg;

	if (!ui->progress)
		return;
	if (p->total_bytes > 0) {
		int pct = (int)((double)p->bytes_read * 100.0 /
		    (double)p->total_bytes);
		int fill = pct > 100 ? 30 : pct * 30 / 100;

		fprintf(stderr, "\r[%.*s%*s] %3d%%  %llu rows", fill,
		    "##############################", 30 - fill, "",
		    pct > 100 ? 100 : pct, (unsigned long long)p->rows_read);
	} else {
		fprintf(stderr, "\r%llu rows",
		    (unsigned long long)p->rows_read);
	}
	ui->drawn = true;
}

int
cli_device_import(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *path = a->pos[0], *b = cli_arg(a, "batch");
	struct vigil_import_options opt;
	struct vigil_import_summary sum;
	struct import_ui ui = { ctx, false, false };
	enum vigil_import_format fmt = VIGIL_FORMAT_CSV;
	struct stat sb;
	enum vigil_err rc;
	size_t batch = 0;
	int fd, status;

	if ((status = format_of(a, path, &fmt, true)) != CLI_EXIT_OK)
		return status;
	if (b != NULL && !cli_parse_size(a, "batch", b, 1, 100000, &batch))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cli_err("cannot open %s: %s", path, strerror(errno));
	memset(&opt, 0, sizeof opt);
	opt.format = fmt;
	opt.atomic = cli_flag(a, "atomic");
	opt.batch_rows = batch;
	opt.actor = ctx->actor;
	opt.total_bytes = (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) ?
	    (int64_t)sb.st_size : -1;
	opt.on_error = on_error;
	opt.on_progress = on_progress;
	opt.ctx = &ui;
	ui.progress = !ctx->quiet && isatty(STDERR_FILENO);
	rc = ctx->be->device_import(ctx, fd, &opt, &sum);
	if (fd != STDIN_FILENO)
		close(fd);
	if (ui.drawn)
		fputs("\r\033[K", stderr);
	if (rc != VIGIL_OK && sum.fatal)
		cli_store_err(ctx, rc);
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "rows_read", json_integer(
			    (json_int_t)sum.rows_read));
			cli_json_set(o, "rows_imported", json_integer(
			    (json_int_t)sum.rows_imported));
			cli_json_set(o, "rows_failed", json_integer(
			    (json_int_t)sum.rows_failed));
			cli_json_set(o, "atomic", json_boolean(opt.atomic));
			cli_json_set(o, "complete", json_boolean(
			    rc == VIGIL_OK));
		}
		cli_json_emit(stdout, o);
	} else {
		printf("imported %llu of %llu rows, %llu failed%s\n",
		    (unsigned long long)sum.rows_imported,
		    (unsigned long long)sum.rows_read,
		    (unsigned long long)sum.rows_failed,
		    opt.atomic && sum.rows_imported == 0 && sum.rows_read > 0 ?
		    " (atomic: nothing kept)" : "");
	}
	return cli_finish_stdout(rc == VIGIL_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

int
cli_device_export(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *path = cli_arg(a, "output"), *s;
	struct vigil_device_filter f;
	enum vigil_import_format fmt = VIGIL_FORMAT_JSONL;
	char *tmp = NULL;
	uint64_t count = 0;
	enum vigil_err rc;
	int fd = STDOUT_FILENO, status;
	bool to_file = path != NULL && strcmp(path, "-") != 0;

	memset(&f, 0, sizeof f);
	if ((status = format_of(a, path, &fmt, false)) != CLI_EXIT_OK)
		return status;
	if ((s = cli_arg(a, "state")) != NULL && !dev_state_arg(a, s,
	    &f.state))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if (to_file) {
		/* Written next to the target and renamed at the end, so a
		 * failed export never leaves half a file under the name;
		 * 0600 because exports hold owner contacts. */
		size_t n = strlen(path) + sizeof ".XXXXXX";

		if ((tmp = malloc(n)) == NULL)
			return cli_err("out of memory");
		snprintf(tmp, n, "%s.XXXXXX", path);
		if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
			status = cli_err("cannot create %s: %s", tmp,
			    strerror(errno));
			free(tmp);
			return status;
		}
		fchmod(fd, 0600);
	} else {
		fflush(stdout);
	}
	rc = ctx->be->device_export(ctx, &f, fmt, cli_flag(a, "redact") ?
	    VIGIL_JSON_REDACT_PERSONAL : 0, fd, &count);
	if (to_file) {
		if (rc == VIGIL_OK && fsync(fd) != 0)
			rc = VIGIL_EIO;
		if (close(fd) != 0 && rc == VIGIL_OK)
			rc = VIGIL_EIO;
		if (rc == VIGIL_OK && rename(tmp, path) != 0) {
			status = cli_err("cannot rename %s to %s: %s", tmp,
			    path, strerror(errno));
			unlink(tmp);
			free(tmp);
			return status;
		}
		if (rc != VIGIL_OK)
			unlink(tmp);
		free(tmp);
	}
	if (rc != VIGIL_OK) {
		if (rc == VIGIL_EIO && ctx->be == &cli_backend_local &&
		    ctx->store != NULL &&
		    vigil_store_errmsg(ctx->store)[0] == '\0')
			return cli_err("writing %s: %s", to_file ? path :
			    "stdout", strerror(errno));
		return cli_store_err(ctx, rc);
	}
	if (ctx->json && to_file) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "exported", json_integer(
			    (json_int_t)count));
			cli_json_set(o, "format", json_string(
			    fmt == VIGIL_FORMAT_CSV ? "csv" : "jsonl"));
			cli_json_set(o, "output", cli_json_str(path));
		}
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	} else {
		cli_note(ctx, "exported %llu device%s%s%s",
		    (unsigned long long)count, count == 1 ? "" : "s",
		    to_file ? " to " : "", to_file ? path : "");
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}
