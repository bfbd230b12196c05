/*
 * `vigil audit verify | list | export` with --server: the audit routes
 * of the API (GET /v1/audit/verify, /v1/audit, /v1/tenants/{t}/audit).
 * The local versions (cmd_audit.c) read the store themselves, so these
 * are separate implementations, found through cli_remote_run(): the
 * table of commands whose remote code is not the backend's.
 *
 * JSON output is the server's rendering of each entry, which is the
 * library's vigil_audit_entry_to_json: the same lines as local mode.
 */
#include <stdlib.h>
#include <string.h>

#include "remote_be.h"

static int remote_audit_verify(struct cli_ctx *ctx,
    const struct cli_args *a);
static int remote_audit_list(struct cli_ctx *ctx, const struct cli_args *a);
static int remote_audit_export(struct cli_ctx *ctx,
    const struct cli_args *a);

static const struct {
	const char *group, *name;
	cli_run_fn run;
} remote_cmds[] = {
	{ "audit", "verify", remote_audit_verify },
	{ "audit", "list", remote_audit_list },
	{ "audit", "export", remote_audit_export },
};

cli_run_fn
cli_remote_run(const struct cli_cmd *c)
{
	for (size_t i = 0; i < sizeof remote_cmds / sizeof remote_cmds[0];
	    i++)
		if (strcmp(c->group, remote_cmds[i].group) == 0 &&
		    c->name != NULL && strcmp(c->name, remote_cmds[i].name) ==
		    0)
			return remote_cmds[i].run;
	return NULL;
}

static int
remote_audit_verify(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *res = NULL;
	const char *reason;
	enum vigil_err rc;
	bool ok;

	if (cli_arg(a, "pubkey") != NULL)
		return cli_usage(a->cmd, "--pubkey: with --server the server "
		    "verifies with its own audit key");
	rc = remote_json(ctx, "GET", "/v1/audit/verify", NULL, &res);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (!json_is_boolean(json_object_get(res, "ok")) ||
	    (reason = json_string_value(json_object_get(res, "reason"))) ==
	    NULL) {
		json_decref(res);
		remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN, "malformed reply "
		    "from the server: audit verify: field 'ok' or 'reason' is "
		    "missing");
		return cli_store_err(ctx, VIGIL_EIO);
	}
	ok = json_is_true(json_object_get(res, "ok"));
	if (ctx->json) {
		if (!cli_json_emit(stdout, json_incref(res))) {
			json_decref(res);
			return CLI_EXIT_FAIL;
		}
	} else if (ok) {
		printf("audit log intact: %s\n", cli_safe(reason));
	} else {
		printf("audit log TAMPERED: first bad entry %lld: %s\n",
		    (long long)json_integer_value(json_object_get(res,
		    "first_bad_seq")), cli_safe(reason));
	}
	json_decref(res);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

/* The list path with the filters of the command line. */
static int
audit_path(struct cli_ctx *ctx, const struct cli_args *a,
    struct vigil_buf *b, const char *after, bool with_limit)
{
	static const char *const filters[] = { "since", "until", "principal",
	    "action", "outcome" };
	enum vigil_err rc = VIGIL_OK;
	size_t v;
	const char *s;

	if ((s = cli_arg(a, "after")) != NULL &&
	    !cli_parse_size(a, "after", s, 0, (size_t)INT64_MAX, &v))
		return CLI_EXIT_USAGE;
	if (with_limit && (s = cli_arg(a, "limit")) != NULL &&
	    !cli_parse_size(a, "limit", s, 1, 1000, &v))
		return CLI_EXIT_USAGE;
	if (ctx->tenant != NULL && !cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	vigil_buf_init(b, 16384);
	if (ctx->tenant != NULL) {
		rc = rpath_tenant(ctx, b, ctx->tenant_id);
		if (rc == VIGIL_OK)
			rc = rpath_seg(b, "audit");
	} else {
		rc = vigil_buf_appends(b, "/v1/audit");
	}
	if (rc == VIGIL_OK)
		rc = rpath_query(b, "after", after != NULL ? after :
		    cli_arg(a, "after"));
	for (size_t i = 0; rc == VIGIL_OK && i < sizeof filters /
	    sizeof filters[0]; i++)
		rc = rpath_query(b, filters[i], cli_arg(a, filters[i]));
	if (rc == VIGIL_OK)
		rc = rpath_query(b, "limit", with_limit ? cli_arg(a, "limit") :
		    "1000");
	if (rc != VIGIL_OK) {
		vigil_buf_free(b);
		return cli_store_err(ctx, r_path_err(ctx, rc));
	}
	return CLI_EXIT_OK;
}

/* GETs one page of entries (audit_path): *res is the reply to release
 * with json_decref(), *items its entries, *next the cursor of the next
 * page or NULL. Returns a CLI exit status, the error reported. */
static int
get_page(struct cli_ctx *ctx, const struct cli_args *a, const char *after,
    bool with_limit, json_t **res, json_t **items, const char **next)
{
	struct vigil_buf b;
	enum vigil_err rc;
	int st;

	*res = NULL;
	if ((st = audit_path(ctx, a, &b, after, with_limit)) != CLI_EXIT_OK)
		return st;
	rc = remote_json(ctx, "GET", b.data, NULL, res);
	vigil_buf_free(&b);
	if (rc == VIGIL_OK)
		rc = rjson_page(ctx, *res, items, next);
	if (rc != VIGIL_OK) {
		json_decref(*res);
		*res = NULL;
		return cli_store_err(ctx, rc);
	}
	return CLI_EXIT_OK;
}

static int
remote_audit_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *res, *items, *e;
	const char *next = NULL;
	bool ok = true;
	size_t i;
	int st;

	if ((st = get_page(ctx, a, NULL, true, &res, &items, &next)) !=
	    CLI_EXIT_OK)
		return st;
	if (ctx->json) {
		json_array_foreach(items, i, e) {
			if (ok)
				ok = cli_json_emit(stdout, json_incref(e));
		}
		if (ok && next != NULL) {
			json_t *o = json_object();

			if (o != NULL)
				cli_json_set(o, "next_after", json_integer(
				    (json_int_t)strtoll(next, NULL, 10)));
			ok = cli_json_emit(stdout, o);
		}
	} else if (json_array_size(items) > 0) {
		printf("%-7s %-24s %-8s %-4s %-20s %-22s %-24s %s\n", "SEQ",
		    "TIME", "OUTCOME", "PRIV", "PRINCIPAL", "ACTION", "OBJECT",
		    "TENANT");
		json_array_foreach(items, i, e) {
			cli_audit_print_row(e);
		}
	} else {
		cli_note(ctx, "no audit entries match");
	}
	if (!ctx->json && next != NULL)
		cli_note(ctx, "more entries: add --after %s", cli_safe(next));
	json_decref(res);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

static int
remote_audit_export(struct cli_ctx *ctx, const struct cli_args *a)
{
	char after[32] = "";
	unsigned long long n = 0;
	json_t *res, *items, *e;
	const char *next = NULL;
	size_t i;
	int st;

	do {
		if ((st = get_page(ctx, a, after[0] ? after : NULL, false, &res,
		    &items, &next)) != CLI_EXIT_OK)
			return st;
		json_array_foreach(items, i, e) {
			if (!cli_json_emit(stdout, json_incref(e))) {
				json_decref(res);
				return CLI_EXIT_FAIL;
			}
			n++;
		}
		snprintf(after, sizeof after, "%s", next != NULL ? next : "");
		json_decref(res);
	} while (after[0] != '\0');
	st = cli_finish_stdout(CLI_EXIT_OK);
	if (st == CLI_EXIT_OK)
		cli_note(ctx, "exported %llu audit entries", n);
	return st;
}
