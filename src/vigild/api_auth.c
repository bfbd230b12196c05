/*
 * API handlers for authentication and the caller's own account: login
 * (password [+ TOTP] → a new token), re-authentication (marks the
 * calling token fresh for privileged routes), logout, whoami, password
 * change and TOTP enrollment.
 *
 * Password checks go through vigil_iam_login, which applies the
 * brute-force rules (per principal and per source IP) and counts
 * failures in the store: it runs outside any request transaction so a
 * rollback never erases a failure count. Failures are audited as
 * outcome "failed" (the name tried, never the password); a lockout is
 * 429 with Retry-After. Passwords and TOTP secrets are wiped from
 * memory we own once used.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "api.h"
#include "api_json.h"
#include "api_tx.h"
#include "reqctx.h"
#include "vigil/json.h"

#define TOTP_CODE_MAX 10

/*
 * Replies to a failed password check: audited "failed" under action,
 * 429 + Retry-After while locked, a "totp-required" problem when the
 * account has TOTP and no code was sent, else the library's error
 * ("invalid credentials": one text for every cause).
 */
static void
login_failed(struct req *r, enum vigil_err e, int64_t retry_after,
    const char *action, const char *object, bool totp_given)
{
	char msg[VIGIL_STORE_MAX_ERR], ra[32];

	snprintf(msg, sizeof msg, "%s", vigil_store_errmsg(r->st));
	if (msg[0] == '\0')
		snprintf(msg, sizeof msg, "%s", vigil_strerror(e));
	(void)req_audit(r, action, object, "failed", msg);
	if (e == VIGIL_ELOCKED) {
		snprintf(ra, sizeof ra, "%" PRId64, retry_after > 0 ?
		    retry_after : 1);
		req_header(r, "Retry-After", ra);
	}
	if (e == VIGIL_EAUTH && !totp_given && strcasestr(msg, "totp") !=
	    NULL) {
		req_problem(r, 401, "totp-required", "%s", msg);
		return;
	}
	req_reply_err(r, e, msg);
}

void
api_auth_login(struct req *r)
{
	static const char *const keys[] = { "tenant", "name", "password",
		"totp", "ttl_s", NULL };
	const char *tenant, *name, *password, *totp, *scope = NULL;
	struct vigil_tenant t;
	struct vigil_principal p;
	struct vigil_token_info info;
	char secret[VIGIL_TOKEN_STRLEN], obj[700], tq[300], nq[300],
	    exp[VIGIL_RFC3339_LEN];
	int64_t ttl, retry = 0, now;
	bool present;
	json_t *body, *reply;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "tenant", VIGIL_TENANT_NAME_MAX, false,
	    &tenant) < 0 ||
	    aj_str(r, body, "name", VIGIL_PRINCIPAL_NAME_MAX, true,
	    &name) < 0 ||
	    aj_str(r, body, "password", VIGIL_PASSWORD_MAX, true,
	    &password) < 0 ||
	    aj_str(r, body, "totp", TOTP_CODE_MAX, false, &totp) < 0 ||
	    aj_int(r, body, "ttl_s", 60, r->cfg->max_token_ttl_s, false, &ttl,
	    &present) < 0)
		goto out;
	if (!present)
		ttl = r->cfg->token_ttl_s;
	/* The names tried, as text safe to show (they are client input). */
	snprintf(obj, sizeof obj, "principal/%s%s%s", tenant != NULL ?
	    aj_safe(tenant, tq, sizeof tq) : "", tenant != NULL ? "/" : "",
	    aj_safe(name, nq, sizeof nq));
	if (tenant != NULL) {
		/* An unknown tenant fails like a wrong password: a login
		 * form must not tell which tenants exist. */
		if (vigil_admin_tenant_get(r->st, tenant, &t) != VIGIL_OK) {
			(void)req_audit(r, "auth.login", obj, "failed",
			    "unknown tenant");
			req_reply_err(r, VIGIL_EAUTH, "invalid credentials");
			goto out;
		}
		scope = t.id;
	}
	now = vigil_time_now_ms();
	e = vigil_iam_login(r->st, scope, name, password, totp, r->ip, now, &p,
	    &retry);
	if (e != VIGIL_OK) {
		login_failed(r, e, retry, "auth.login", obj, totp != NULL);
		goto out;
	}
	snprintf(obj, sizeof obj, "principal/%s", p.id);
	if (api_begin(r) < 0)
		goto out;
	/* The password was just proven: the login token starts fresh. */
	e = vigil_iam_token_create(r->st, api_principal_scope(&p), p.id,
	    VIGIL_ROLE_NONE, ttl, "login", now, now, secret, &info);
	if (e != VIGIL_OK) {
		api_fail(r, e, "auth.login", obj);
		goto out;
	}
	if (api_commit(r, "auth.login", obj, info.id) < 0) {
		OPENSSL_cleanse(secret, sizeof secret);
		goto out;
	}
	vigil_time_format(info.expires_ms, exp);
	reply = json_pack("{s:s, s:s, s:o*, s:o*}", "token", secret,
	    "expires", exp, "principal", vigil_principal_to_json(&p),
	    "token_info", vigil_token_info_to_json(&info));
	OPENSSL_cleanse(secret, sizeof secret);
	api_reply(r, 201, reply);
out:
	vigil_json_wipe_str(body, "password");
	json_decref(body);
}

/* Checks the caller's own password (and TOTP code, when enrolled)
 * again, under the brute-force rules. 0, or -1 after replying. */
static int
prove_password(struct req *r, const char *password, const char *totp,
    const char *action)
{
	const struct vigil_principal *me = &r->auth.principal;
	char obj[64];
	int64_t retry = 0;
	enum vigil_err e;

	snprintf(obj, sizeof obj, "principal/%s", me->id);
	e = vigil_iam_reauth(r->st, api_principal_scope(me), me->id, password,
	    totp, r->ip, vigil_time_now_ms(), &retry);
	if (e != VIGIL_OK) {
		login_failed(r, e, retry, action, obj, totp != NULL);
		return -1;
	}
	return 0;
}

void
api_auth_reauth(struct req *r)
{
	static const char *const keys[] = { "password", "totp", NULL };
	const char *password, *totp;
	char obj[64], at[VIGIL_RFC3339_LEN];
	int64_t now;
	json_t *body;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "password", VIGIL_PASSWORD_MAX, true,
	    &password) < 0 ||
	    aj_str(r, body, "totp", TOTP_CODE_MAX, false, &totp) < 0 ||
	    prove_password(r, password, totp, "auth.reauth") < 0 ||
	    api_begin(r) < 0)
		goto out;
	now = vigil_time_now_ms();
	snprintf(obj, sizeof obj, "token/%s", r->auth.token.id);
	if ((e = vigil_iam_token_touch_auth(r->st, r->auth.token.id, now)) !=
	    VIGIL_OK) {
		api_fail(r, e, "auth.reauth", obj);
		goto out;
	}
	if (api_commit(r, "auth.reauth", obj, NULL) < 0)
		goto out;
	vigil_time_format(now, at);
	api_reply(r, 200, json_pack("{s:s}", "auth_time", at));
out:
	vigil_json_wipe_str(body, "password");
	json_decref(body);
}

void
api_auth_logout(struct req *r)
{
	char obj[64];
	enum vigil_err e;

	snprintf(obj, sizeof obj, "token/%s", r->auth.token.id);
	if (api_begin(r) < 0)
		return;
	e = vigil_iam_token_revoke(r->st, api_principal_scope(
	    &r->auth.principal), r->auth.token.id);
	api_finish_204(r, e, "auth.logout", obj, NULL);
}

void
api_auth_whoami(struct req *r)
{
	api_reply(r, 200, json_pack("{s:o*, s:o*}", "principal",
	    vigil_principal_to_json(&r->auth.principal), "token",
	    vigil_token_info_to_json(&r->auth.token)));
}

/*
 * The old password (and TOTP code when enrolled) is checked like a
 * re-authentication, outside any transaction; the new hash and its
 * audit entry are then committed together, so a change is never
 * acknowledged without its entry.
 */
void
api_auth_password(struct req *r)
{
	static const char *const keys[] = { "old", "new", "totp", NULL };
	const char *old, *new_, *totp;
	char obj[64];
	json_t *body;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "old", VIGIL_PASSWORD_MAX, true, &old) < 0 ||
	    aj_new_password(r, body, "new", &new_) < 0 ||
	    aj_str(r, body, "totp", TOTP_CODE_MAX, false, &totp) < 0 ||
	    prove_password(r, old, totp, "auth.password") < 0 ||
	    api_begin(r) < 0)
		goto out;
	snprintf(obj, sizeof obj, "principal/%s", r->auth.principal.id);
	e = vigil_iam_password_set(r->st, api_principal_scope(
	    &r->auth.principal), r->auth.principal.id, new_);
	api_finish_204(r, e, "auth.password", obj, NULL);
out:
	vigil_json_wipe_str(body, "old");
	vigil_json_wipe_str(body, "new");
	json_decref(body);
}

void
api_auth_totp_begin(struct req *r)
{
	char secret[128], uri[512], obj[64];
	json_t *reply;
	enum vigil_err e;

	snprintf(obj, sizeof obj, "principal/%s", r->auth.principal.id);
	if (api_begin(r) < 0)
		return;
	e = vigil_iam_totp_begin(r->st, api_principal_scope(
	    &r->auth.principal), r->auth.principal.id, secret, sizeof secret,
	    uri, sizeof uri);
	if (e != VIGIL_OK) {
		api_fail(r, e, "auth.totp.begin", obj);
		return;
	}
	if (api_commit(r, "auth.totp.begin", obj, NULL) < 0) {
		OPENSSL_cleanse(secret, sizeof secret);
		OPENSSL_cleanse(uri, sizeof uri);
		return;
	}
	reply = json_pack("{s:s, s:s}", "secret", secret, "uri", uri);
	OPENSSL_cleanse(secret, sizeof secret);
	OPENSSL_cleanse(uri, sizeof uri);
	api_reply(r, 201, reply);
}

void
api_auth_totp_confirm(struct req *r)
{
	static const char *const keys[] = { "code", NULL };
	const char *code;
	char obj[64];
	json_t *body;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "code", TOTP_CODE_MAX, true, &code) < 0 ||
	    api_begin(r) < 0)
		goto out;
	snprintf(obj, sizeof obj, "principal/%s", r->auth.principal.id);
	e = vigil_iam_totp_confirm(r->st, api_principal_scope(
	    &r->auth.principal), r->auth.principal.id, code,
	    vigil_time_now_ms());
	api_finish_204(r, e, "auth.totp.confirm", obj, NULL);
out:
	json_decref(body);
}
