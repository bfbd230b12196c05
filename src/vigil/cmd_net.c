/*
 * `vigil net bind | unbind | bindings | sessions`: which address or
 * subnet is which device or the tenant's site (how flows are
 * attributed), and the cellular sessions RADIUS accounting reported,
 * through the network backend (net_cli.h).
 */
#include <stdio.h>
#include <string.h>

#include "vigil/detect.h"

#include "net_cli.h"
#include "vuln_cli.h"

static void
out_binding_row(const json_t *e)
{
	printf("%-43s %-24s %-16s %s\n", cli_vs(e, "cidr"),
	    json_is_object(json_object_get(e, "device")) ?
	    cli_vs(json_object_get(e, "device"), "name") : cli_vs(e, "device"),
	    cli_vs(e, "site"), cli_vs(e, "created"));
}

static void
out_binding(const json_t *v)
{
	printf("bound: ");
	out_binding_row(v);
}

static void
out_bindings(const json_t *v)
{
	const json_t *e;
	size_t i;

	printf("%-43s %-24s %-16s %s\n", "CIDR", "DEVICE", "SITE", "CREATED");
	json_array_foreach(json_object_get(v, "bindings"), i, e) {
		out_binding_row(e);
	}
}

static void
out_sessions(const json_t *v)
{
	const json_t *e, *d;
	size_t i;

	printf("%-15s %-15s %-16s %-24s %-24s %s\n", "IP", "IMSI", "IMEI",
	    "DEVICE", "STARTED", "STOPPED");
	json_array_foreach(json_object_get(v, "sessions"), i, e) {
		d = json_object_get(e, "device");
		printf("%-15s %-15s %-16s %-24s %-24s %s\n", cli_vs(e, "ip"),
		    cli_vs(e, "imsi"), cli_vs(e, "imei"),
		    json_is_object(d) ? cli_vs(d, "name") : "-",
		    cli_vs(e, "start"), json_is_string(json_object_get(e,
		    "stop")) ? cli_vs(e, "stop") : "(open)");
	}
}

int
cli_net_bind(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_NERR] = "";
	struct vigil_cidr c;
	json_t *out = NULL;
	enum vigil_err rc;

	if (!vigil_cidr_parse(a->pos[0], &c))
		return cli_usage(a->cmd, "'%s' is not an address or subnet "
		    "(192.0.2.0/24, 2001:db8::/64)", a->pos[0]);
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_net(ctx)->bind(ctx, a->pos[0], cli_arg(a, "device"),
	    cli_arg(a, "site"), &out, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_binding);
}

int
cli_net_unbind(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_NERR] = "";
	enum vigil_err rc;

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = cli_net(ctx)->unbind(ctx, a->pos[0], err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	if (!ctx->quiet && !ctx->json)
		fprintf(stderr, "vigil: binding of %s removed\n",
		    cli_safe(a->pos[0]));
	return CLI_EXIT_OK;
}

int
cli_net_bindings(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_NERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	(void)a;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = cli_net(ctx)->bindings(ctx, &out, err)) != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_bindings);
}

int
cli_net_sessions(struct cli_ctx *ctx, const struct cli_args *a)
{
	char err[CLI_NERR] = "";
	json_t *out = NULL;
	enum vigil_err rc;

	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	rc = cli_net(ctx)->sessions(ctx, cli_flag(a, "all"), &out, err);
	if (rc != VIGIL_OK)
		return cli_vuln_fail(ctx, rc, err);
	return cli_vuln_print(ctx, out, out_sessions);
}
