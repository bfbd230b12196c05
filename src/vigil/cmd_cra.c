/*
 * `vigil cra status | open | step | export`: the Cyber Resilience Act
 * reports (Regulation (EU) 2024/2847, Art. 14) of actively exploited
 * vulnerabilities and severe incidents: their clocks (early warning
 * 24 h, notification 72 h, final report), the steps in order, and the
 * draft of the next report (vuln_cli.h, local or remote).
 */
#include <stdio.h>
#include <string.h>

#include "vuln_cli.h"

static const char *const steps[] = {
    "early-warning", "notification", "final", "fix", "close"};

int
cli_cra_status(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	if ((rc = cli_vuln(ctx)->cra_status(
	         ctx, cli_flag(a, "all"), &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_cra_status);
}

int
cli_cra_open(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *vuln = cli_arg(a, "vuln"), *model = cli_arg(a, "model");
	bool incident = cli_flag(a, "incident");
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	if (model == NULL)
		return cli_usage(a->cmd, "--model is required");
	if (incident == (vuln != NULL))
		return cli_usage(a->cmd, "give either --vuln ID or --incident");
	rc = cli_vuln(ctx)->cra_open(ctx,
	    incident ? VIGIL_CRA_INCIDENT : VIGIL_CRA_VULN, vuln, model,
	    cli_arg(a, "summary"), &out, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_cra_report);
}

int
cli_cra_step(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (strcmp(a->pos[1], steps[i]) == 0)
			break;
	if (i == sizeof steps / sizeof steps[0])
		return cli_usage(a->cmd,
		    "unknown step '%s' (early-warning, "
		    "notification, final, fix or close)",
		    a->pos[1]);
	rc = cli_vuln(ctx)->cra_step(ctx, a->pos[0], steps[i], &out, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, cli_vout_cra_report);
}

int
cli_cra_export(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *out = NULL;
	enum vigil_err rc;
	char err[CLI_VERR] = "";

	if ((rc = cli_vuln(ctx)->cra_export(ctx, a->pos[0], &out, err)) !=
	    VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_write_doc(ctx, cli_arg(a, "out"), out);
}
