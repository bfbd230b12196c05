/*
 * `vigil sbom import | list | show | export | delete | quality`: the
 * firmware builds (model + firmware version) and their SBOMs, on the
 * local store or a vigild (vuln_cli.h). `sbom quality` works offline on
 * a file: parse and NTIA minimum-elements report, nothing stored.
 */
#include <stdio.h>
#include <string.h>

#include "vigil/sbom.h"

#include "vuln_cli.h"

int
cli_vuln_scope(struct cli_ctx *ctx)
{
	if (ctx->tenant != NULL && !cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	return CLI_EXIT_OK;
}

int
cli_vuln_show_ref(struct cli_ctx *ctx, const char *ref, cli_vuln_get_fn get,
    void (*human)(const json_t *v))
{
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";
	int st;

	if ((st = cli_vuln_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = get(ctx, ref, &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, human);
}

static bool
sbom_format(const struct cli_args *a, enum vigil_sbom_format *f)
{
	const char *s = cli_arg(a, "format");

	*f = VIGIL_SBOM_AUTO;
	if (s == NULL)
		return true;
	if ((*f = vigil_sbom_format_from_name(s)) == VIGIL_SBOM_AUTO) {
		cli_usage(a->cmd,
		    "unknown format '%s' (cyclonedx, spdx-json, "
		    "spdx-tv or buildroot)",
		    s);
		return false;
	}
	return true;
}

int
cli_sbom_import(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_vdb_sbom_opts o;
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "", *buf = NULL;
	size_t len = 0;

	memset(&o, 0, sizeof o);
	o.model = cli_arg(a, "model");
	o.firmware = cli_arg(a, "firmware");
	o.replace = cli_flag(a, "replace");
	if (o.model == NULL || o.firmware == NULL)
		return cli_usage(a->cmd, "--model and --firmware are required");
	if (!sbom_format(a, &o.format))
		return CLI_EXIT_USAGE;
	if (!cli_vuln_read(a->pos[0], VIGIL_SBOM_DOC_MAX, &buf, &len))
		return CLI_EXIT_FAIL;
	rc = cli_vuln(ctx)->sbom_import(ctx, buf, len, &o, &out, err);
	vigil_free(buf);
	if (rc == VIGIL_EEXIST && err[0] == '\0')
		snprintf(err, sizeof err,
		    "build %s@%s has an SBOM already "
		    "(--replace replaces it)",
		    o.model, o.firmware);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_sbom_import);
}

int
cli_sbom_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";
	int st;

	(void)a;
	if ((st = cli_vuln_scope(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_vuln(ctx)->build_list(ctx, &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_builds);
}

int
cli_sbom_show(struct cli_ctx *ctx, const struct cli_args *a)
{
	return cli_vuln_show_ref(ctx, a->pos[0], cli_vuln(ctx)->build_get,
	    cli_vout_build);
}

int
cli_sbom_export(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	rc = cli_vuln(ctx)->sbom_export(
	    ctx, a->pos[0], cli_flag(a, "vex"), &out, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	/* The document itself, with or without --json: it is JSON. */
	return cli_vuln_write_doc(ctx, cli_arg(a, "out"), out);
}

int
cli_sbom_delete(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	if ((rc = cli_vuln(ctx)->build_delete(ctx, a->pos[0], err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	if (ctx->json) {
		json_t *o =
		    json_pack("{sssb}", "build", a->pos[0], "deleted", 1);

		return cli_json_emit(stdout, o) ? cli_finish_stdout(CLI_EXIT_OK)
		                                : CLI_EXIT_FAIL;
	}
	printf("deleted build %s\n", cli_safe(a->pos[0]));
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_sbom_quality(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_sbom *s = NULL;
	struct vigil_sbom_quality q;
	enum vigil_sbom_format fmt;
	enum vigil_err rc;
	json_t *out;
	char err[CLI_VERR], *buf = NULL;
	size_t len = 0;
	int ntia, st;

	if (!sbom_format(a, &fmt))
		return CLI_EXIT_USAGE;
	if (!cli_vuln_read(a->pos[0], VIGIL_SBOM_DOC_MAX, &buf, &len))
		return CLI_EXIT_FAIL;
	rc = vigil_sbom_parse(buf, len, fmt, &s, err, sizeof err);
	vigil_free(buf);
	if (rc != VIGIL_OK)
		return cli_err("%s: %s", a->pos[0], err);
	vigil_sbom_quality(s, &q);
	ntia = q.ntia_ok;
	if ((out = vigil_sbom_quality_to_json(&q)) != NULL) {
		json_t *w = json_array();

		cli_json_set(out, "format",
		    cli_json_str(vigil_sbom_format_name(s->format)));
		cli_json_set(
		    out, "spec_version", cli_json_str(s->spec_version));
		for (size_t i = 0; w != NULL && i < s->nwarnings; i++)
			json_array_append_new(w, cli_json_str(s->warnings[i]));
		cli_json_set(out, "warnings", w);
	}
	vigil_sbom_free(s);
	if (out == NULL)
		return cli_err("out of memory");
	if (!ctx->json) {
		size_t i;
		json_t *e;

		printf("%s: %s %s\n", cli_safe(a->pos[0]),
		    cli_vs(out, "format"), cli_vs(out, "spec_version"));
		json_array_foreach(json_object_get(out, "warnings"), i, e) {
			printf("warning: %s\n",
			    cli_safe(json_string_value(e)));
		}
	}
	st = cli_vuln_print(ctx, out, cli_vout_quality);
	if (st == CLI_EXIT_OK && !ntia && cli_flag(a, "strict"))
		return CLI_EXIT_FAIL;
	return st;
}
