/*
 * `vigil enroll token | tokens | revoke-token | pending | approve |
 * reject | allow`: how devices may enroll over EST. A one-time token's
 * secret is printed once and wiped; only its hash is stored. Works on
 * the local store or a vigild (pki_cli.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "vigil/json.h"

#include "../vigild/api_pki_json.h"
#include "backend.h"
#include "pki_cli.h"

#define DAY INT64_C(86400)

/* Enrollment data belongs to one tenant: always resolve it. */
static int
need_tenant(struct cli_ctx *ctx)
{
	return cli_tenant(ctx) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int
cli_enroll_token(struct cli_ctx *ctx, const struct cli_args *a)
{
	static char token[VIGIL_ENROLL_TOKEN_STRLEN];
	const char *t = cli_arg(a, "ttl");
	int64_t ttl = DAY;
	json_t *info = NULL;
	enum vigil_err rc;
	bool ok = true;
	int st;

	if (t != NULL && ((ttl = pki_duration(t, 30 * DAY)) < 60))
		return cli_usage(a->cmd,
		    "--ttl '%s': expected a duration from "
		    "60s to 30d such as 24h",
		    t);
	if ((st = need_tenant(ctx)) != CLI_EXIT_OK)
		return st;
	rc = cli_pki(ctx)->token_create(ctx, a->pos[0], ttl, token, &info);
	if (rc != VIGIL_OK) {
		OPENSSL_cleanse(token, sizeof token);
		return cli_store_err(ctx, rc);
	}
	if (ctx->json) {
		cli_json_set(info, "token", json_string(token));
		ok = cli_json_emit(stdout, json_incref(info));
		vigil_json_wipe_str(info, "token");
	} else
		printf("created enrollment token %s for device %s (expires "
		       "%s); shown once:\n%s\n",
		    cli_pki_js(info, "id"), cli_pki_js(info, "device_id"),
		    cli_pki_js(info, "expires"), token);
	OPENSSL_cleanse(token, sizeof token);
	json_decref(info);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

int
cli_enroll_tokens(struct cli_ctx *ctx, const struct cli_args *a)
{
	json_t *list = NULL, *t;
	enum vigil_err rc;
	size_t i;
	int st;

	(void)a;
	if ((st = need_tenant(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->token_list(ctx, &list)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json)
		return cli_finish_stdout(
		    cli_json_emit(stdout, json_pack("{so}", "tokens", list))
		        ? CLI_EXIT_OK
		        : CLI_EXIT_FAIL);
	printf("%-36s %-36s %-8s %s\n", "ID", "DEVICE", "STATE", "EXPIRES");
	json_array_foreach(list, i, t)
	{
		printf("%-36s %-36s %-8s %s\n", cli_pki_js(t, "id"),
		    cli_pki_js(t, "device_id"), cli_pki_js(t, "state"),
		    cli_pki_js(t, "expires"));
	}
	json_decref(list);
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_enroll_revoke_token(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum vigil_err rc;
	int st;

	if ((st = need_tenant(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->token_delete(ctx, a->pos[0])) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json)
		cli_json_emit(stdout,
		    json_pack("{ss sb}", "id", a->pos[0], "revoked", 1));
	else
		printf("revoked enrollment token %s\n", cli_safe(a->pos[0]));
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_enroll_pending(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *s = cli_arg(a, "state");
	json_t *list = NULL, *q;
	enum vigil_err rc;
	size_t i;
	int st;

	if (s != NULL && strcmp(s, "pending") != 0 &&
	    strcmp(s, "approved") != 0 && strcmp(s, "rejected") != 0 &&
	    strcmp(s, "done") != 0 && strcmp(s, "any") != 0)
		return cli_usage(a->cmd,
		    "--state '%s': expected pending, "
		    "approved, rejected, done or any",
		    s);
	if ((st = need_tenant(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->request_list(ctx, s, &list)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json)
		return cli_finish_stdout(
		    cli_json_emit(
		        stdout, json_pack("{so}", "enrollments", list))
		        ? CLI_EXIT_OK
		        : CLI_EXIT_FAIL);
	printf("%-36s %-36s %-12s %-9s %s\n", "ID", "DEVICE", "VIA", "STATE",
	    "CREATED");
	json_array_foreach(list, i, q)
	{
		printf("%-36s %-36s %-12s %-9s %s\n", cli_pki_js(q, "id"),
		    cli_pki_js(q, "device_id"), cli_pki_js(q, "via"),
		    cli_pki_js(q, "state"), cli_pki_js(q, "created"));
	}
	json_decref(list);
	return cli_finish_stdout(CLI_EXIT_OK);
}

static int
decide(struct cli_ctx *ctx, const struct cli_args *a, int approve)
{
	enum vigil_err rc;
	int st;

	if ((st = need_tenant(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->request_decide(ctx, a->pos[0], approve)) !=
	    VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json)
		cli_json_emit(
		    stdout, json_pack("{ss ss}", "id", a->pos[0], "state",
		                approve ? "approved" : "rejected"));
	else
		printf("%s enrollment %s\n", approve ? "approved" : "rejected",
		    cli_safe(a->pos[0]));
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_enroll_approve(struct cli_ctx *ctx, const struct cli_args *a)
{
	return decide(ctx, a, 1);
}

int
cli_enroll_reject(struct cli_ctx *ctx, const struct cli_args *a)
{
	return decide(ctx, a, 0);
}

int
cli_enroll_allow(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum vigil_err rc;
	int st;

	if ((st = need_tenant(ctx)) != CLI_EXIT_OK)
		return st;
	if ((rc = cli_pki(ctx)->claim_allow(ctx, a->pos[0])) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json)
		cli_json_emit(stdout, json_pack("{ss sb}", "identifier",
		                          a->pos[0], "allowed", 1));
	else
		printf("allowed %s to claim a device with a fleet claim "
		       "certificate\n",
		    cli_safe(a->pos[0]));
	return cli_finish_stdout(CLI_EXIT_OK);
}
