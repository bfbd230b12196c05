/*
 * `vigil user list | add | show | set-role | disable | enable | passwd |
 * remove`: the principals (human operators and service accounts) of a
 * tenant, or of the platform when no tenant is named. Through the
 * backend: the IAM library on a local data directory, the API with
 * --server. Both hand back the principal's JSON rendering
 * (vigil_principal_to_json), which the printers here read.
 */
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "backend.h"
#include "remote.h"

/* The scope of the IAM commands: --tenant (or $VIGIL_TENANT, or the
 * tenant of vigil login); else remotely the caller's own tenant, and
 * locally (or for a platform principal) the platform. */
int
cli_iam_scope(struct cli_ctx *ctx, const char **tenant)
{
	json_t *who = NULL;
	const char *t;
	enum vigil_err rc;

	*tenant = NULL;
	if (ctx->tenant != NULL) {
		if (!cli_tenant(ctx))
			return CLI_EXIT_FAIL;
		*tenant = ctx->tenant_id;
		return CLI_EXIT_OK;
	}
	if (ctx->be != &cli_backend_remote)
		return CLI_EXIT_OK;
	if ((rc = remote_json(ctx, "GET", "/v1/auth/whoami", NULL, &who)) !=
	    VIGIL_OK)
		return cli_store_err(ctx, rc);
	t = json_string_value(json_object_get(json_object_get(who,
	    "principal"), "tenant"));
	if (t != NULL && t[0] != '\0') {
		snprintf(ctx->tenant_id, sizeof ctx->tenant_id, "%s", t);
		*tenant = ctx->tenant_id;
	}
	json_decref(who);
	return CLI_EXIT_OK;
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && s[0] != '\0' ? cli_safe(s) : "-";
}

static const char *
jyes(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key)) ? "yes" : "no";
}

static const char *
state_of(const json_t *p)
{
	if (json_is_true(json_object_get(p, "disabled")))
		return "disabled";
	if (json_is_string(json_object_get(p, "locked_until")))
		return "locked";
	return "enabled";
}

static void
print_principal(const json_t *p)
{
	printf("%s\n", jstr(p, "name"));
	printf("  %-13s %s\n", "id", jstr(p, "id"));
	printf("  %-13s %s\n", "tenant", json_is_string(json_object_get(p,
	    "tenant")) ? jstr(p, "tenant") : "(platform)");
	printf("  %-13s %s\n", "kind", jstr(p, "kind"));
	printf("  %-13s %s\n", "role", jstr(p, "role"));
	printf("  %-13s %s\n", "state", state_of(p));
	printf("  %-13s %s\n", "password", jyes(p, "has_password"));
	printf("  %-13s %s\n", "totp", jyes(p, "totp"));
	printf("  %-13s %s\n", "created", jstr(p, "created"));
	printf("  %-13s %s\n", "last login", json_is_string(json_object_get(p,
	    "last_login")) ? jstr(p, "last_login") : "never");
	if (json_is_string(json_object_get(p, "locked_until")))
		printf("  %-13s %s\n", "locked until", jstr(p,
		    "locked_until"));
}

/* One line saying what happened to whom, or its JSON. Steals p. */
static int
report(struct cli_ctx *ctx, const char *verb, json_t *p)
{
	bool ok = true;

	if (ctx->json)
		ok = cli_json_emit(stdout, json_incref(p));
	else
		printf("%s user %s (%s, %s, %s)\n", verb, jstr(p, "name"),
		    jstr(p, "role"), state_of(p), jstr(p, "id"));
	json_decref(p);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

int
cli_user_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *tenant;
	json_t *all = NULL, *p;
	enum vigil_err rc;
	bool ok = true;
	size_t i;
	int st;

	(void)a;
	if ((st = cli_iam_scope(ctx, &tenant)) != CLI_EXIT_OK)
		return st;
	if ((rc = ctx->be->user_list(ctx, tenant, &all)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (!ctx->json && json_array_size(all) > 0)
		printf("%-24s %-8s %-17s %-9s %-5s %s\n", "NAME", "KIND",
		    "ROLE", "STATE", "TOTP", "ID");
	json_array_foreach(all, i, p) {
		if (ctx->json) {
			if (ok)
				ok = cli_json_emit(stdout, json_incref(p));
			continue;
		}
		printf("%-24s %-8s %-17s %-9s %-5s %s\n", jstr(p, "name"),
		    jstr(p, "kind"), jstr(p, "role"), state_of(p),
		    jyes(p, "totp"), jstr(p, "id"));
	}
	if (!ctx->json && json_array_size(all) == 0)
		cli_note(ctx, "no principals in %s", tenant ? "this tenant" :
		    "the platform scope");
	json_decref(all);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

static bool
role_arg(const struct cli_args *a, const char *s, enum vigil_role *r)
{
	*r = vigil_role_from_name(s);
	if (*r != VIGIL_ROLE_NONE)
		return true;
	cli_usage(a->cmd, "unknown role '%s' (roles: platform-admin, "
	    "tenant-admin, security-analyst, device-manager, operator, "
	    "auditor)", s);
	return false;
}

/* A new password, typed twice on a terminal. */
static int
new_password(const char *who, char *pw, size_t size)
{
	char again[VIGIL_PASSWORD_MAX + 2], prompt[256];
	int st = CLI_EXIT_OK;

	snprintf(prompt, sizeof prompt, "new password for %s: ", who);
	if (cli_prompt(prompt, true, pw, size) < 0)
		return CLI_EXIT_FAIL;
	if (isatty(0) == 1) {
		if (cli_prompt("again: ", true, again, sizeof again) < 0)
			st = CLI_EXIT_FAIL;
		else if (strcmp(again, pw) != 0)
			st = cli_err("the passwords differ");
		OPENSSL_cleanse(again, sizeof again);
	}
	if (st == CLI_EXIT_OK && strlen(pw) < VIGIL_PASSWORD_MIN)
		st = cli_err("a password needs at least %d characters",
		    VIGIL_PASSWORD_MIN);
	return st;
}

int
cli_user_add(struct cli_ctx *ctx, const struct cli_args *a)
{
	static char pw[VIGIL_PASSWORD_MAX + 2];
	const char *role = cli_arg(a, "role"), *tenant;
	bool service = cli_flag(a, "service");
	enum vigil_role r;
	json_t *p = NULL;
	enum vigil_err rc;
	int st;

	if (role == NULL)
		return cli_usage(a->cmd, "--role ROLE is required");
	if (!role_arg(a, role, &r))
		return CLI_EXIT_USAGE;
	if ((st = cli_iam_scope(ctx, &tenant)) != CLI_EXIT_OK)
		return st;
	if (!service && (st = new_password(a->pos[0], pw, sizeof pw)) !=
	    CLI_EXIT_OK) {
		OPENSSL_cleanse(pw, sizeof pw);
		return st;
	}
	rc = ctx->be->user_add(ctx, tenant, a->pos[0], service ?
	    VIGIL_PRINCIPAL_SERVICE : VIGIL_PRINCIPAL_HUMAN, r,
	    service ? NULL : pw, &p);
	OPENSSL_cleanse(pw, sizeof pw);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	return report(ctx, "added", p);
}

int
cli_user_show(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *tenant;
	json_t *p = NULL;
	enum vigil_err rc;
	bool ok = true;
	int st;

	if ((st = cli_iam_scope(ctx, &tenant)) != CLI_EXIT_OK)
		return st;
	if ((rc = ctx->be->user_get(ctx, tenant, a->pos[0], &p)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json)
		ok = cli_json_emit(stdout, json_incref(p));
	else
		print_principal(p);
	json_decref(p);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

static int
update(struct cli_ctx *ctx, const struct cli_args *a, enum vigil_role r,
    int disabled)
{
	const char *tenant;
	json_t *p = NULL;
	enum vigil_err rc;
	int st;

	if ((st = cli_iam_scope(ctx, &tenant)) != CLI_EXIT_OK)
		return st;
	rc = ctx->be->user_update(ctx, tenant, a->pos[0], r, disabled, &p);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	return report(ctx, "updated", p);
}

int
cli_user_set_role(struct cli_ctx *ctx, const struct cli_args *a)
{
	enum vigil_role r;

	if (!role_arg(a, a->pos[1], &r))
		return CLI_EXIT_USAGE;
	return update(ctx, a, r, -1);
}

int
cli_user_disable(struct cli_ctx *ctx, const struct cli_args *a)
{
	return update(ctx, a, VIGIL_ROLE_NONE, 1);
}

int
cli_user_enable(struct cli_ctx *ctx, const struct cli_args *a)
{
	return update(ctx, a, VIGIL_ROLE_NONE, 0);
}

int
cli_user_remove(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *tenant;
	enum vigil_err rc;
	int st;

	if ((st = cli_iam_scope(ctx, &tenant)) != CLI_EXIT_OK)
		return st;
	if ((rc = ctx->be->user_remove(ctx, tenant, a->pos[0])) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "removed", cli_json_str(a->pos[0]));
		}
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	} else {
		printf("removed user %s\n", cli_safe(a->pos[0]));
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_user_passwd(struct cli_ctx *ctx, const struct cli_args *a)
{
	static char old[VIGIL_PASSWORD_MAX + 2], pw[VIGIL_PASSWORD_MAX + 2];
	static char totp[16];
	bool remote = ctx->be == &cli_backend_remote;
	const char *name = a->npos > 0 ? a->pos[0] : NULL, *tenant = NULL;
	/* With a server and no NAME: the caller's own password, proven by
	 * the current one. With NAME: an administrator sets another's
	 * (remotely a privileged route, which wants a fresh login). */
	bool self = remote && name == NULL;
	enum vigil_err rc;
	int st = CLI_EXIT_OK;

	if (!remote && name == NULL)
		return cli_usage(a->cmd, "name the principal (on a local data "
		    "directory there is no 'you')");
	if (!self && (st = cli_iam_scope(ctx, &tenant)) != CLI_EXIT_OK)
		return st;
	/* The server wants the current password (and TOTP code) as proof. */
	if (self && cli_prompt("current password: ", true, old,
	    sizeof old) < 0)
		st = CLI_EXIT_FAIL;
	if (st == CLI_EXIT_OK && self && cli_flag(a, "totp") &&
	    cli_prompt("TOTP code: ", false, totp, sizeof totp) < 0)
		st = CLI_EXIT_FAIL;
	if (st == CLI_EXIT_OK)
		st = new_password(name != NULL ? name : "you", pw, sizeof pw);
	if (st == CLI_EXIT_OK) {
		rc = ctx->be->user_passwd(ctx, tenant, name, self ? old :
		    NULL, pw, totp);
		if (rc != VIGIL_OK)
			st = cli_store_err(ctx, rc);
	}
	OPENSSL_cleanse(old, sizeof old);
	OPENSSL_cleanse(pw, sizeof pw);
	OPENSSL_cleanse(totp, sizeof totp);
	if (st != CLI_EXIT_OK)
		return st;
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL)
			cli_json_set(o, "password_changed", cli_json_str(
			    name != NULL ? name : "self"));
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	} else {
		printf("password changed%s%s\n", name ? " for " : "",
		    name ? cli_safe(name) : "");
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}
