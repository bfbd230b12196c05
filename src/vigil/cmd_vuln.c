/*
 * `vigil vuln` commands: `vuln version-compare`, which orders two
 * versions under one scheme (include/vigil/vuln.h) so an operator can
 * see how vigil reads a version range; feed imports, scans, the
 * prioritised list, one vulnerability, its fleet exposure, analysts'
 * exploited marks and VEX imports (vuln_cli.h, local or remote); and
 * `device firmware | findings`, the link between devices and builds.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vigil/vuln.h"
#include "vuln_cli.h"

/* "semver, dpkg, ..." into buf: the names --scheme accepts. */
static const char *
scheme_list(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int s = VIGIL_VS_SEMVER; s <= VIGIL_VS_GENERIC; s++) {
		int w = snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
		    vigil_vscheme_name((enum vigil_vscheme)s));

		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	return buf;
}

int
cli_vuln_version_compare(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *name = cli_arg(a, "scheme"), *r;
	enum vigil_vscheme s;
	enum vigil_err rc;
	char err[VIGIL_VERSION_MAX * 2 + 128], list[128];
	int cmp;

	if (name == NULL)
		return cli_usage(a->cmd, "--scheme is required (%s)",
		    scheme_list(list, sizeof list));
	if ((s = vigil_vscheme_from_name(name)) == VIGIL_VS_NONE)
		return cli_usage(a->cmd, "unknown scheme '%s' (%s)", name,
		    scheme_list(list, sizeof list));
	rc = vigil_version_cmp(s, a->pos[0], a->pos[1], &cmp, err, sizeof err);
	if (rc != VIGIL_OK)
		return cli_err("%s", err);
	r = cmp < 0 ? "<" : cmp > 0 ? ">" : "=";
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(
			    o, "scheme", cli_json_str(vigil_vscheme_name(s)));
			cli_json_set(o, "a", cli_json_str(a->pos[0]));
			cli_json_set(o, "b", cli_json_str(a->pos[1]));
			cli_json_set(o, "result", cli_json_str(r));
		}
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	} else {
		printf("%s\n", r);
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}

/* ---- vuln import --------------------------------------------------- */

struct import_ui {
	struct cli_progress bar;
	const char *path;
	uint64_t errors;
};

static void
on_progress(void *vctx, uint64_t done, uint64_t total, uint64_t records)
{
	struct import_ui *ui = vctx;

	cli_progress_update(&ui->bar, done, total, records);
}

static void
on_error(void *vctx, const char *where, const char *msg)
{
	struct import_ui *ui = vctx;

	cli_progress_clear(&ui->bar);
	ui->errors++;
	/* Every rejected record says where and why; the rest goes on. */
	if (ui->errors <= 1000)
		fprintf(stderr, "vigil: rejected %s: %s\n", cli_safe(where),
		    cli_safe(msg));
	else if (ui->errors == 1001)
		fprintf(stderr, "vigil: more rejected records not shown\n");
}

/* Adds the integer members of b to a. */
static void
stats_add(json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)b, k, v) {
		json_t *x = json_object_get(a, k);

		if (json_is_integer(v) && json_is_integer(x))
			json_integer_set(
			    x, json_integer_value(x) + json_integer_value(v));
		else if (x == NULL)
			json_object_set(a, k, v);
	}
}

int
cli_vuln_import(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_vdb_import_opts o;
	struct import_ui ui;
	const char *kind = cli_arg(a, "kind");
	json_t *total = json_object();
	int status = CLI_EXIT_OK;
	bool any = false;

	memset(&o, 0, sizeof o);
	memset(&ui, 0, sizeof ui);
	if (total == NULL)
		return cli_err("out of memory");
	if (kind != NULL && strcmp(kind, "auto") != 0 &&
	    (o.kind = vigil_feed_kind_from_name(kind)) == VIGIL_FEED_AUTO) {
		json_decref(total);
		return cli_usage(a->cmd,
		    "unknown kind '%s' (osv, nvd, cve5, "
		    "kev or epss)",
		    kind);
	}
	o.source = cli_arg(a, "source");
	o.ctx = &ui;
	o.on_progress = on_progress;
	o.on_error = on_error;
	for (size_t i = 0; i < a->npos; i++) {
		json_t *st = NULL;
		enum vigil_err rc;
		const char *base;
		char err[CLI_VERR] = "";

		ui.path = a->pos[i];
		base = strrchr(a->pos[i], '/');
		cli_progress_init(&ui.bar, ctx,
		    base != NULL && base[1] != '\0' ? base + 1 : a->pos[i]);
		rc = cli_vuln(ctx)->feed_import(ctx, a->pos[i], &o, &st, err);
		cli_progress_clear(&ui.bar);
		if (st != NULL) {
			stats_add(total, st);
			any = true;
		}
		json_decref(st);
		if (rc == VIGIL_EINVAL && st != NULL) {
			/* Some records were rejected (listed above). */
			status = CLI_EXIT_FAIL;
		} else if (rc != VIGIL_OK) {
			int s2 = cli_vuln_fail(ctx, rc, err);

			status =
			    status == CLI_EXIT_OK || s2 > status ? s2 : status;
		}
	}
	/* Counts only when something was read: a run whose every PATH
	 * failed has said why already. */
	if (!any)
		json_decref(total);
	else if (ctx->json) {
		if (!cli_json_emit(stdout, total))
			return CLI_EXIT_FAIL;
	} else {
		cli_vout_import_stats(total);
		json_decref(total);
	}
	if (status == CLI_EXIT_OK && ui.errors > 0)
		status = CLI_EXIT_FAIL;
	return cli_finish_stdout(status);
}

int
cli_vuln_feeds(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	(void)a;
	if ((rc = cli_vuln(ctx)->feed_list(ctx, &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_feeds);
}

int
cli_vuln_scan(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	if ((rc = cli_vuln(ctx)->scan(ctx, cli_arg(a, "build"), &out, err)) !=
	    VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_scan);
}

/* ---- queries ------------------------------------------------------- */

int
cli_vuln_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_vdb_filter f;
	const char *mp = cli_arg(a, "min-priority"), *lim = cli_arg(a, "limit");
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";
	int st;

	memset(&f, 0, sizeof f);
	f.build = cli_arg(a, "build");
	f.device = cli_arg(a, "device");
	f.kev_only = cli_flag(a, "kev");
	f.include_unknown = cli_flag(a, "unknown");
	f.include_suppressed = cli_flag(a, "all");
	if (mp != NULL) {
		size_t n;

		if (!cli_parse_size(a, "min-priority", mp, 0, 100, &n))
			return CLI_EXIT_USAGE;
		f.min_priority = (double)n;
	}
	if (lim != NULL && !cli_parse_size(a, "limit", lim, 1, 10000, &f.limit))
		return CLI_EXIT_USAGE;
	if ((st = cli_vuln_scope(ctx)) != CLI_EXIT_OK)
		return st;
	/* A device name means something in one tenant only. */
	if (f.device != NULL && ctx->tenant_id[0] == '\0' &&
	    cli_tenant_maybe(ctx) < 0)
		return CLI_EXIT_FAIL;
	if ((rc = cli_vuln(ctx)->vuln_list(ctx, &f, &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_vulns);
}

int
cli_vuln_show(struct cli_ctx *ctx, const struct cli_args *a)
{
	return cli_vuln_show_ref(ctx, a->pos[0], cli_vuln(ctx)->vuln_show,
	    cli_vout_vuln);
}

int
cli_vuln_affected(struct cli_ctx *ctx, const struct cli_args *a)
{
	return cli_vuln_show_ref(ctx, a->pos[0], cli_vuln(ctx)->affected,
	    cli_vout_affected);
}

int
cli_vuln_exploited(struct cli_ctx *ctx, const struct cli_args *a)
{
	int on = !cli_flag(a, "clear");
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	rc = cli_vuln(ctx)->exploited(
	    ctx, a->pos[0], on, cli_arg(a, "note"), err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	if (ctx->json) {
		json_t *o =
		    json_pack("{sssb}", "id", a->pos[0], "exploited", on);

		return cli_json_emit(stdout, o) ? cli_finish_stdout(CLI_EXIT_OK)
		                                : CLI_EXIT_FAIL;
	}
	printf("%s %s actively exploited\n", cli_safe(a->pos[0]),
	    on ? "marked" : "no longer marked");
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_vuln_vex(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *fs = cli_arg(a, "format");
	enum vigil_vex_format fmt = VIGIL_VEX_AUTO;
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "", *buf = NULL;
	size_t len = 0;
	bool rejected;
	int st;

	if (fs != NULL &&
	    (fmt = vigil_vex_format_from_name(fs)) == VIGIL_VEX_AUTO)
		return cli_usage(a->cmd,
		    "unknown VEX format '%s' (cyclonedx, "
		    "openvex, csaf, buildroot or yocto)",
		    fs);
	if (!cli_vuln_read(a->pos[0], VIGIL_SBOM_DOC_MAX, &buf, &len))
		return CLI_EXIT_FAIL;
	rc = cli_vuln(ctx)->vex_import(
	    ctx, buf, len, fmt, cli_arg(a, "build"), &out, err);
	vigil_free(buf);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	/* Like vuln import: the rest is applied, a rejected statement
	 * (listed on stderr) makes the exit status 1. */
	rejected = json_array_size(json_object_get(out, "rejected")) > 0;
	for (size_t i = 0;
	     i < json_array_size(json_object_get(out, "rejected")); i++) {
		const char *m = json_string_value(
		    json_array_get(json_object_get(out, "rejected"), i));

		fprintf(stderr, "vigil: rejected %s\n",
		    cli_safe(m != NULL ? m : "a statement"));
	}
	st = cli_vuln_print(ctx, out, cli_vout_vex);
	return st == CLI_EXIT_OK && rejected ? CLI_EXIT_FAIL : st;
}

/* ---- devices ------------------------------------------------------- */

int
cli_device_firmware(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_vuln(ctx)->device_firmware(ctx, a->pos[0], a->pos[1], err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	if (ctx->json) {
		json_t *o = json_pack(
		    "{ssss}", "device", a->pos[0], "firmware", a->pos[1]);

		return cli_json_emit(stdout, o) ? cli_finish_stdout(CLI_EXIT_OK)
		                                : CLI_EXIT_FAIL;
	}
	printf("device %s runs firmware %s\n", cli_safe(a->pos[0]),
	    cli_safe(a->pos[1]));
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_device_findings(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = cli_vuln(ctx)->device_findings(ctx, a->pos[0], &out, err)) !=
	    VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_findings);
}
