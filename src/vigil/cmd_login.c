/*
 * `vigil login | logout | reauth`: a session with a vigild. login trades
 * a name and password (and a TOTP code when the principal has one) for
 * an API token and saves it, with the server URL, CA file and tenant,
 * in the config file (mode 0600, remote_conf.c); logout revokes that
 * token and forgets it; reauth proves the password again, which the
 * server asks before privileged actions. Passwords are read from the
 * terminal without echo (or from stdin in scripts) and wiped after use.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "vigil/iam.h"
#include "vigil/json.h"

#include "cli.h"
#include "remote.h"

#define TOTP_MAX 16

struct secrets {
	char password[VIGIL_PASSWORD_MAX + 2];
	char totp[TOTP_MAX];
};

static void
secrets_wipe(struct secrets *s)
{
	OPENSSL_cleanse(s, sizeof *s);
}

static bool
ask_totp(struct secrets *s)
{
	return cli_prompt("TOTP code: ", false, s->totp, sizeof s->totp) >= 0;
}

/*
 * POSTs body (which gets "password" and, when known, "totp") to path;
 * asks for a TOTP code and retries once when the server says it needs
 * one. *out is the reply.
 */
static enum vigil_err
post_with_password(struct cli_ctx *ctx, const char *path, json_t *body,
    bool anonymous, struct secrets *s, json_t **out)
{
	struct remote_req rq;
	struct remote_resp resp;
	enum vigil_err rc;

	*out = NULL;
	remote_req_init(&rq, "POST", path, body);
	rq.anonymous = anonymous;
	for (int attempt = 0; attempt < 2; attempt++) {
		cli_json_set(body, "password", json_string(s->password));
		if (s->totp[0] != '\0')
			cli_json_set(body, "totp", json_string(s->totp));
		rc = remote_do(ctx, &rq, &resp);
		vigil_json_wipe_str(body, "password");
		vigil_json_wipe_str(body, "totp");
		if (rc == VIGIL_OK) {
			*out = resp.json;
			resp.json = NULL;
			remote_resp_free(&resp);
			return VIGIL_OK;
		}
		if (attempt == 0 && s->totp[0] == '\0' &&
		    strcmp(resp.problem, "totp-required") == 0) {
			remote_resp_free(&resp);
			if (!ask_totp(s))
				return VIGIL_EINVAL;
			continue;
		}
		remote_resp_free(&resp);
		break;
	}
	return rc;
}

static int
read_password(struct cli_ctx *ctx, const char *name, bool totp,
    struct secrets *s)
{
	char prompt[512];

	snprintf(prompt, sizeof prompt, "password for %s at %s: ",
	    cli_safe(name), cli_safe(ctx->server));
	if (cli_prompt(prompt, true, s->password, sizeof s->password) < 0)
		return CLI_EXIT_FAIL;
	if (s->password[0] == '\0')
		return cli_err("empty password");
	if (totp && !ask_totp(s))
		return CLI_EXIT_FAIL;
	return CLI_EXIT_OK;
}

/* The tenant asked for: --tenant or $VIGIL_TENANT, not the one saved by
 * an earlier login (a platform admin has none). */
static const char *
login_tenant(const struct cli_ctx *ctx)
{
	const char *t = getenv("VIGIL_TENANT");

	if (ctx->tenant_opt)
		return ctx->tenant;
	return t != NULL && t[0] != '\0' ? t : NULL;
}

static int
save(struct cli_ctx *ctx, const char *tenant, const char *token)
{
	char err[1024], ca[PATH_MAX];
	struct cli_conf *c = ctx->conf;

	if (ctx->ca != NULL && realpath(ctx->ca, ca) == NULL)
		return cli_err("--ca %s: cannot resolve the path", ctx->ca);
	if (!cli_conf_set(&c->server, ctx->server) ||
	    !cli_conf_set(&c->ca, ctx->ca != NULL ? ca : NULL) ||
	    !cli_conf_set(&c->tenant, tenant) ||
	    !cli_conf_set(&c->token, token))
		return cli_err("out of memory");
	if (cli_conf_save(c, err, sizeof err) != VIGIL_OK)
		return cli_err("%s", err);
	return CLI_EXIT_OK;
}

int
cli_login(struct cli_ctx *ctx, const struct cli_args *a)
{
	static struct secrets s;
	char name[VIGIL_PRINCIPAL_NAME_MAX + 2];
	const char *tenant = login_tenant(ctx), *tok, *exp, *role;
	json_t *body, *res = NULL, *p;
	enum vigil_err rc;
	int st;

	if (cli_arg(a, "name") != NULL)
		snprintf(name, sizeof name, "%s", cli_arg(a, "name"));
	else if (cli_prompt("name: ", false, name, sizeof name) < 0)
		return CLI_EXIT_FAIL;
	if (name[0] == '\0')
		return cli_usage(a->cmd, "no name: give --name NAME");
	if ((st = read_password(ctx, name, cli_flag(a, "totp"), &s)) !=
	    CLI_EXIT_OK) {
		secrets_wipe(&s);
		return st;
	}
	if ((body = json_object()) == NULL) {
		secrets_wipe(&s);
		return cli_err("out of memory");
	}
	if (tenant != NULL)
		cli_json_set(body, "tenant", cli_json_str(tenant));
	cli_json_set(body, "name", cli_json_str(name));
	rc = post_with_password(ctx, "/v1/auth/login", body, true, &s, &res);
	json_decref(body);
	secrets_wipe(&s);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	tok = json_string_value(json_object_get(res, "token"));
	exp = json_string_value(json_object_get(res, "expires"));
	p = json_object_get(res, "principal");
	role = json_string_value(json_object_get(p, "role"));
	if (tok == NULL || strlen(tok) >= VIGIL_TOKEN_STRLEN) {
		json_decref(res);
		remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN, "malformed reply "
		    "from the server: login: no token");
		return cli_store_err(ctx, VIGIL_EIO);
	}
	st = save(ctx, tenant, tok);
	vigil_json_wipe_str(res, "token");
	if (st == CLI_EXIT_OK && ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "server", cli_json_str(ctx->server));
			cli_json_set(o, "principal", json_incref(p));
			cli_json_set(o, "expires", cli_json_str_or_null(exp));
			cli_json_set(o, "config", cli_json_str(
			    ctx->conf->path));
		}
		st = cli_json_emit(stdout, o) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	} else if (st == CLI_EXIT_OK) {
		printf("logged in to %s as %s (%s%s%s); token expires %s, "
		    "saved in %s\n", cli_safe(ctx->server), cli_safe(name),
		    role ? cli_safe(role) : "?", tenant ? ", tenant " : "",
		    tenant ? cli_safe(tenant) : "", exp ? cli_safe(exp) :
		    "never", cli_safe(ctx->conf->path));
	}
	json_decref(res);
	return st == CLI_EXIT_OK ? cli_finish_stdout(st) : st;
}

int
cli_logout(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *env = getenv("VIGIL_TOKEN");
	bool from_env = env != NULL && env[0] != '\0';
	json_t *res = NULL;
	enum vigil_err rc;
	int st = CLI_EXIT_OK;

	(void)a;
	if (!from_env && (ctx->conf->token == NULL))
		return cli_err("not logged in to %s (no saved token)",
		    ctx->server);
	rc = remote_json(ctx, "POST", "/v1/auth/logout", NULL, &res);
	json_decref(res);
	/* A token the server no longer accepts is as good as revoked. */
	if (rc != VIGIL_OK && rc != VIGIL_EAUTH)
		return cli_store_err(ctx, rc);
	if (!from_env) {
		char err[1024];

		cli_conf_set(&ctx->conf->token, NULL);
		if (cli_conf_save(ctx->conf, err, sizeof err) != VIGIL_OK)
			return cli_err("%s", err);
	}
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "server", cli_json_str(ctx->server));
			cli_json_set(o, "revoked", json_boolean(rc ==
			    VIGIL_OK));
		}
		if (!cli_json_emit(stdout, o))
			st = CLI_EXIT_FAIL;
	} else {
		printf("logged out of %s%s\n", cli_safe(ctx->server),
		    rc == VIGIL_OK ? "" : " (the token was no longer valid)");
	}
	if (from_env)
		cli_note(ctx, "the token came from VIGIL_TOKEN: unset it");
	return cli_finish_stdout(st);
}

int
cli_reauth(struct cli_ctx *ctx, const struct cli_args *a)
{
	static struct secrets s;
	json_t *body, *res = NULL;
	const char *when;
	enum vigil_err rc;
	int st;

	if ((st = read_password(ctx, "your account", cli_flag(a, "totp"),
	    &s)) != CLI_EXIT_OK) {
		secrets_wipe(&s);
		return st;
	}
	if ((body = json_object()) == NULL) {
		secrets_wipe(&s);
		return cli_err("out of memory");
	}
	rc = post_with_password(ctx, "/v1/auth/reauth", body, false, &s, &res);
	json_decref(body);
	secrets_wipe(&s);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	when = json_string_value(json_object_get(res, "auth_time"));
	if (ctx->json)
		st = cli_json_emit(stdout, json_incref(res)) ? CLI_EXIT_OK :
		    CLI_EXIT_FAIL;
	else
		printf("re-authenticated at %s: privileged actions are allowed "
		    "for a few minutes\n", when ? cli_safe(when) : "now");
	json_decref(res);
	return cli_finish_stdout(st);
}
