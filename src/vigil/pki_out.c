/*
 * Small helpers the PKI commands (cmd_ca.c, cmd_cert.c, cmd_enroll.c)
 * share to read their JSON results and resolve their tenant scope.
 */
#include "backend.h"
#include "pki_cli.h"

const char *
cli_pki_raw(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

const char *
cli_pki_js(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? cli_safe(s) : "-";
}

int
cli_pki_scope(struct cli_ctx *ctx)
{
	/* Remotely, or with --tenant, the tenant must resolve; locally
	 * without one, the platform scope sees every tenant. */
	if (ctx->be == &cli_backend_remote || ctx->tenant != NULL)
		return cli_tenant(ctx) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	return cli_tenant_maybe(ctx) < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
