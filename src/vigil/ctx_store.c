/*
 * Opening the store and choosing the tenant for commands that work on
 * the registry (through the backend: the local store or a vigild).
 */
#include <string.h>

#include "vigil/registry.h"

#include "backend.h"
#include "cli.h"
#include "remote.h"

struct vigil_store *
cli_store(struct cli_ctx *ctx)
{
	char path[4096], err[VIGIL_STORE_MAX_ERR];
	int n;

	if (ctx->store != NULL)
		return ctx->store;
	if (ctx->be == &cli_backend_remote) {
		/* Remote mode never falls back on a local directory. */
		cli_err("this command works on a local data directory only");
		return NULL;
	}
	n = snprintf(path, sizeof path, "%s/vigil.db", ctx->data_dir);
	if (n < 0 || (size_t)n >= sizeof path) {
		cli_err("data directory path is too long");
		return NULL;
	}
	err[0] = '\0';
	if (vigil_store_open(&ctx->store, path, NULL, err, sizeof err) !=
	    VIGIL_OK) {
		ctx->store = NULL;
		cli_err("%s", err[0] ? err : "cannot open the database");
		return NULL;
	}
	return ctx->store;
}

void
cli_ctx_close(struct cli_ctx *ctx)
{
	vigil_store_close(ctx->store);
	ctx->store = NULL;
	remote_close(ctx);
	cli_conf_free(ctx->conf);
	ctx->conf = NULL;
}

int
cli_store_err(struct cli_ctx *ctx, enum vigil_err rc)
{
	const char *m;

	if (ctx->be == &cli_backend_remote)
		return remote_report(ctx);
	/* No store: opening it failed, and cli_store() said why. */
	if (ctx->store == NULL)
		return CLI_EXIT_FAIL;
	m = vigil_store_errmsg(ctx->store);
	return cli_err("%s", m[0] ? m : vigil_strerror(rc));
}

static void
set_tenant(struct cli_ctx *ctx, const struct vigil_tenant *t)
{
	memcpy(ctx->tenant_id, t->id, sizeof ctx->tenant_id);
	snprintf(ctx->tenant_name, sizeof ctx->tenant_name, "%s", t->name);
}

static int
choose_tenant(struct cli_ctx *ctx, bool quiet)
{
	struct vigil_tenant t, *list = NULL;
	char next[CLI_CURSOR_MAX];
	enum vigil_err rc;
	size_t n = 0;

	if (ctx->tenant_id[0] != '\0')
		return 1;
	if (ctx->be == &cli_backend_local && cli_store(ctx) == NULL)
		return -1;
	if (ctx->tenant != NULL) {
		rc = ctx->be->tenant_get(ctx, ctx->tenant, &t);
		if (rc == VIGIL_ENOTFOUND) {
			cli_err("tenant '%s' does not exist (see 'vigil tenant "
			    "list')", ctx->tenant);
			return -1;
		}
		if (rc != VIGIL_OK) {
			cli_store_err(ctx, rc);
			return -1;
		}
		set_tenant(ctx, &t);
		return 1;
	}
	/* Two entries are enough to tell "exactly one" from "several". */
	if ((rc = ctx->be->tenant_list(ctx, NULL, 2, &list, &n, next)) !=
	    VIGIL_OK) {
		cli_store_err(ctx, rc);
		return -1;
	}
	if (n == 1) {
		set_tenant(ctx, &list[0]);
		vigil_free(list);
		return 1;
	}
	vigil_free(list);
	if (quiet)
		return 0;
	if (n == 0)
		cli_err("no tenant exists yet; create one with 'vigil tenant "
		    "create NAME'");
	else
		cli_err("several tenants exist; choose one with --tenant NAME "
		    "or VIGIL_TENANT=NAME (see 'vigil tenant list')");
	return -1;
}

bool
cli_tenant(struct cli_ctx *ctx)
{
	return choose_tenant(ctx, false) == 1;
}

int
cli_tenant_maybe(struct cli_ctx *ctx)
{
	return choose_tenant(ctx, true);
}
