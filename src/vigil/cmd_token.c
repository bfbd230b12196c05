/*
 * `vigil token create | list | revoke`: API tokens of the principals in
 * scope (cli_iam_scope). A new token's secret is printed once, on
 * stdout, and wiped from memory; listings show the records only
 * (vigil_token_info_to_json), never a secret.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "vigil/json.h"

#include "backend.h"

#define DEFAULT_TTL_S ((int64_t)30 * 86400)

/* "90", "90s", "15m", "8h", "30d" → seconds, at most the library's
 * ceiling. */
static bool
ttl_arg(const struct cli_args *a, const char *s, int64_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		goto bad;
	if (*end != '\0') {
		if (end[1] != '\0')
			goto bad;
		switch (*end) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		default: goto bad;
		}
	}
	if (v == 0 || v > (unsigned long long)VIGIL_TOKEN_TTL_MAX_S / mult)
		goto bad;
	*out = (int64_t)(v * mult);
	return true;
bad:
	cli_usage(a->cmd, "--ttl '%s': expected a positive duration such as "
	    "3600, 90m, 8h or 30d (at most %lld days)", s,
	    (long long)(VIGIL_TOKEN_TTL_MAX_S / 86400));
	return false;
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && s[0] != '\0' ? cli_safe(s) : "-";
}

static const char *
token_state(const json_t *t)
{
	const char *exp = json_string_value(json_object_get(t, "expires"));
	int64_t ms = 0;
	char err[64];

	if (json_is_true(json_object_get(t, "revoked")))
		return "revoked";
	if (exp != NULL && vigil_time_parse(exp, &ms, err, sizeof err) ==
	    VIGIL_OK && ms <= vigil_time_now_ms())
		return "expired";
	return "active";
}

int
cli_token_create(struct cli_ctx *ctx, const struct cli_args *a)
{
	static char secret[VIGIL_TOKEN_STRLEN];
	const char *s, *tenant;
	enum vigil_role role = VIGIL_ROLE_NONE;
	int64_t ttl = DEFAULT_TTL_S;
	json_t *info = NULL;
	enum vigil_err rc;
	bool ok = true;
	int st;

	if ((s = cli_arg(a, "ttl")) != NULL && !ttl_arg(a, s, &ttl))
		return CLI_EXIT_USAGE;
	if ((s = cli_arg(a, "role")) != NULL &&
	    (role = vigil_role_from_name(s)) == VIGIL_ROLE_NONE)
		return cli_usage(a->cmd, "unknown role '%s' (roles: "
		    "platform-admin, tenant-admin, security-analyst, "
		    "device-manager, operator, auditor)", s);
	if ((st = cli_iam_scope(ctx, &tenant)) != CLI_EXIT_OK)
		return st;
	rc = ctx->be->token_create(ctx, tenant, a->pos[0], role, ttl,
	    cli_arg(a, "label"), secret, &info);
	if (rc != VIGIL_OK) {
		OPENSSL_cleanse(secret, sizeof secret);
		return cli_store_err(ctx, rc);
	}
	if (ctx->json) {
		json_t *o = json_deep_copy(info);

		if (o != NULL)
			cli_json_set(o, "token", json_string(secret));
		ok = cli_json_emit(stdout, json_incref(o));
		vigil_json_wipe_str(o, "token");
		json_decref(o);
	} else {
		printf("created token %s for %s (%s, expires %s); shown once:\n"
		    "%s\n", jstr(info, "id"), cli_safe(a->pos[0]),
		    jstr(info, "role"), jstr(info, "expires"), secret);
	}
	OPENSSL_cleanse(secret, sizeof secret);
	json_decref(info);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

int
cli_token_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *tenant;
	json_t *all = NULL, *t;
	enum vigil_err rc;
	bool ok = true;
	size_t i;
	int st;

	if ((st = cli_iam_scope(ctx, &tenant)) != CLI_EXIT_OK)
		return st;
	rc = ctx->be->token_list(ctx, tenant, cli_arg(a, "principal"), &all);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (!ctx->json && json_array_size(all) > 0)
		printf("%-36s  %-17s %-8s %-24s %-24s %s\n", "ID", "ROLE",
		    "STATE", "EXPIRES", "LAST USED", "LABEL");
	json_array_foreach(all, i, t) {
		if (ctx->json) {
			if (ok)
				ok = cli_json_emit(stdout, json_incref(t));
			continue;
		}
		printf("%-36s  %-17s %-8s %-24s %-24s %s\n", jstr(t, "id"),
		    jstr(t, "role"), token_state(t), jstr(t, "expires"),
		    jstr(t, "last_used"), jstr(t, "label"));
	}
	if (!ctx->json && json_array_size(all) == 0)
		cli_note(ctx, "no tokens");
	json_decref(all);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

int
cli_token_revoke(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *tenant;
	enum vigil_err rc;
	int st;

	if ((st = cli_iam_scope(ctx, &tenant)) != CLI_EXIT_OK)
		return st;
	if ((rc = ctx->be->token_revoke(ctx, tenant, a->pos[0])) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL)
			cli_json_set(o, "revoked", cli_json_str(a->pos[0]));
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	} else {
		printf("revoked token %s\n", cli_safe(a->pos[0]));
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}
