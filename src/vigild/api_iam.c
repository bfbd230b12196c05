/*
 * API handlers for IAM: principals, tokens and password resets of a
 * tenant, and of the platform; one handler body serves both (scope and
 * a platform flag). Every IAM call takes the tenant scope (the
 * resolved {tenant}; "" or NULL on platform routes), so one tenant's
 * admin never reaches another's principals. Role grants follow
 * vigil_role_may_grant against the caller's effective role (its
 * token's); a tenant route never mints a platform role. Token secrets
 * appear once, in the 201 reply, and passwords are wiped from the
 * request body after use.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api.h"
#include "api_json.h"
#include "api_tx.h"
#include "reqctx.h"
#include "vigil/json.h"

/* ------------------------------------------------------------------ */
/* Helpers */

static json_t *
principals_json(const struct vigil_principal *p, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++) {
		if (json_array_append_new(a, vigil_principal_to_json(&p[i])) !=
		    0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* One page of principals in scope ("" = the platform's own, which is
 * all a platform route needs). */
static void
principal_page(struct req *r, const char *scope, bool platform)
{
	struct vigil_principal *p = NULL;
	const char *cursor;
	size_t limit, n = 0;
	enum vigil_err e;

	(void)platform;
	if (aq_str(r, "cursor", VIGIL_UUID_STRLEN - 1, &cursor) < 0 ||
	    req_limit(r, &limit) < 0)
		return;
	e = vigil_iam_principal_list(r->st, scope, cursor, limit, &p, &n);
	if (e != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	api_reply_page(r, principals_json(p, n),
	    n == limit && n > 0 ? p[n - 1].id : NULL);
	vigil_free(p);
}

/* A principal in scope by id or name; on a platform route only a
 * platform principal. 0, or -1 after replying 404. */
static int
find_principal(struct req *r, const char *scope, bool platform,
    const char *ref, struct vigil_principal *p)
{
	enum vigil_err e = vigil_iam_principal_get(r->st, scope, ref, p);

	if (e == VIGIL_OK && platform && p->tenant_id[0] != '\0') {
		char q[100];

		req_problem(r, 404, "not-found", "principal %s not found",
		    aj_safe(ref, q, sizeof q));
		return -1;
	}
	if (e != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return -1;
	}
	return 0;
}

/* Whether a role fits the scope the route works in. */
static int
check_role_scope(struct req *r, const char *field, enum vigil_role role,
    bool platform)
{
	if (platform && role != VIGIL_ROLE_PLATFORM_ADMIN &&
	    role != VIGIL_ROLE_AUDITOR) {
		aj_field_problem(r, field, "platform principals are "
		    "platform-admin or auditor");
		return -1;
	}
	if (!platform && role == VIGIL_ROLE_PLATFORM_ADMIN) {
		aj_field_problem(r, field, "platform-admin is a platform "
		    "role; a tenant's principals and tokens have tenant roles "
		    "(tenant-admin, security-analyst, device-manager, "
		    "operator, auditor)");
		return -1;
	}
	return 0;
}

/* 403 (audited as denied) unless the caller may hand out role. */
static int
check_grant(struct req *r, enum vigil_role role, const char *action,
    const char *object)
{
	char detail[200];

	if (vigil_role_may_grant(api_caller_role(r), role))
		return 0;
	snprintf(detail, sizeof detail, "a %s may not grant the role %s",
	    vigil_role_name(api_caller_role(r)), vigil_role_name(role));
	api_fail_problem(r, 403, "forbidden", action, object, "denied",
	    detail);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Principals */

/* scope: the tenant id, or NULL on the platform route (platform). */
static void
principal_create(struct req *r, const char *scope, bool platform)
{
	static const char *const keys[] = { "name", "kind", "role",
		"password", NULL };
	const char *name, *kind_s, *password;
	enum vigil_principal_kind kind = VIGIL_PRINCIPAL_HUMAN;
	enum vigil_role role;
	struct vigil_principal p;
	char obj[VIGIL_PRINCIPAL_NAME_MAX + 64], loc[128];
	json_t *body;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "name", VIGIL_PRINCIPAL_NAME_MAX, true,
	    &name) < 0 ||
	    aj_str(r, body, "kind", 16, false, &kind_s) < 0 ||
	    aj_role(r, body, "role", true, &role) < 0 ||
	    check_role_scope(r, "role", role, platform) < 0 ||
	    aj_str(r, body, "password", VIGIL_PASSWORD_MAX, false,
	    &password) < 0)
		goto out;
	if (kind_s != NULL && strcmp(kind_s, "service") == 0)
		kind = VIGIL_PRINCIPAL_SERVICE;
	else if (kind_s != NULL && strcmp(kind_s, "human") != 0) {
		aj_field_problem(r, "kind", "expected human or service");
		goto out;
	}
	if (kind == VIGIL_PRINCIPAL_SERVICE && password != NULL) {
		aj_field_problem(r, "password", "service accounts have no "
		    "password; they authenticate with tokens");
		goto out;
	}
	snprintf(obj, sizeof obj, "principal/%s", name);
	if (check_grant(r, role, "principal.create", obj) < 0 ||
	    api_begin(r) < 0)
		goto out;
	e = vigil_iam_principal_create(r->st, scope, name, kind, role, &p);
	if (e == VIGIL_OK && password != NULL &&
	    (e = vigil_iam_password_set(r->st, scope, p.id, password)) ==
	    VIGIL_OK)
		e = vigil_iam_principal_get(r->st, scope, p.id, &p);
	if (e != VIGIL_OK) {
		api_fail(r, e, "principal.create", obj);
		goto out;
	}
	snprintf(obj, sizeof obj, "principal/%s", p.id);
	if (api_commit(r, "principal.create", obj, vigil_role_name(role)) < 0)
		goto out;
	if (platform)
		snprintf(loc, sizeof loc, "/v1/platform/principals/%s", p.id);
	else
		snprintf(loc, sizeof loc, "/v1/tenants/%s/principals/%s",
		    scope, p.id);
	req_header(r, "Location", loc);
	api_reply(r, 201, vigil_principal_to_json(&p));
out:
	vigil_json_wipe_str(body, "password");
	json_decref(body);
}

static void
principal_get(struct req *r, const char *scope, bool platform)
{
	struct vigil_principal p;

	if (find_principal(r, scope, platform, req_param(r, "principal"),
	    &p) < 0)
		return;
	api_reply(r, 200, vigil_principal_to_json(&p));
}

/* Refuses changes of the caller's own principal: an admin who demotes
 * or disables itself by mistake may leave the tenant without one. */
static int
not_self(struct req *r, const struct vigil_principal *p, const char *what)
{
	if (strcmp(p->id, r->auth.principal.id) != 0)
		return 0;
	req_problem(r, 409, "invalid-state", "principal %s is the caller: "
	    "another administrator must %s it", p->name, what);
	return -1;
}

/* scope: the tenant id, or "" (platform principals only) on the
 * platform route. */
static void
principal_update(struct req *r, const char *scope, bool platform)
{
	static const char *const keys[] = { "role", "disabled", NULL };
	struct vigil_principal p;
	enum vigil_role role;
	char obj[64], detail[128];
	int disabled;
	json_t *body;
	enum vigil_err e = VIGIL_OK;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_role(r, body, "role", false, &role) < 0 ||
	    (role != VIGIL_ROLE_NONE &&
	    check_role_scope(r, "role", role, platform) < 0) ||
	    aj_bool(r, body, "disabled", &disabled) < 0)
		goto out;
	if (role == VIGIL_ROLE_NONE && disabled < 0) {
		req_problem(r, 422, "validation-failed", "body: nothing to "
		    "change; give role and/or disabled");
		goto out;
	}
	if (find_principal(r, scope, platform, req_param(r, "principal"),
	    &p) < 0 || not_self(r, &p, "change"))
		goto out;
	snprintf(obj, sizeof obj, "principal/%s", p.id);
	/* The caller must be allowed to grant both the role it takes
	 * away and the one it gives. */
	if (check_grant(r, p.role, "principal.update", obj) < 0 ||
	    (role != VIGIL_ROLE_NONE &&
	    check_grant(r, role, "principal.update", obj) < 0) ||
	    api_begin(r) < 0)
		goto out;
	snprintf(detail, sizeof detail, "role %s%s%s%s",
	    vigil_role_name(p.role), role != VIGIL_ROLE_NONE ? " -> " : "",
	    role != VIGIL_ROLE_NONE ? vigil_role_name(role) : "",
	    disabled < 0 ? "" : disabled ? ", disabled" : ", enabled");
	if (role != VIGIL_ROLE_NONE)
		e = vigil_iam_principal_set_role(r->st, scope, p.id, role);
	if (e == VIGIL_OK && disabled >= 0)
		e = vigil_iam_principal_set_disabled(r->st, scope, p.id,
		    disabled);
	if (e == VIGIL_OK)
		e = vigil_iam_principal_get(r->st, scope, p.id, &p);
	if (e != VIGIL_OK) {
		api_fail(r, e, "principal.update", obj);
		goto out;
	}
	if (api_commit(r, "principal.update", obj, detail) < 0)
		goto out;
	api_reply(r, 200, vigil_principal_to_json(&p));
out:
	json_decref(body);
}

static void
principal_delete(struct req *r, const char *scope, bool platform)
{
	struct vigil_principal p;
	char obj[64];
	enum vigil_err e;

	if (find_principal(r, scope, platform, req_param(r, "principal"),
	    &p) < 0 || not_self(r, &p, "delete"))
		return;
	snprintf(obj, sizeof obj, "principal/%s", p.id);
	if (check_grant(r, p.role, "principal.delete", obj) < 0 ||
	    api_begin(r) < 0)
		return;
	e = vigil_iam_principal_delete(r->st, scope, p.id);
	api_finish_204(r, e, "principal.delete", obj, p.name);
}

/*
 * An administrator sets another principal's password (a reset: no old
 * password). Humans only; the caller's own goes through
 * POST /v1/auth/password, which proves the old one. The audit entry
 * names the principal, never the password.
 */
static void
password_set(struct req *r, const char *scope, bool platform)
{
	static const char *const keys[] = { "password", NULL };
	struct vigil_principal p;
	const char *password;
	char obj[64];
	json_t *body;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_new_password(r, body, "password", &password) < 0 ||
	    find_principal(r, scope, platform, req_param(r, "principal"),
	    &p) < 0)
		goto out;
	if (strcmp(p.id, r->auth.principal.id) == 0) {
		req_problem(r, 409, "invalid-state", "principal %s is the "
		    "caller: change your own password with POST "
		    "/v1/auth/password (it proves the old one)", p.name);
		goto out;
	}
	if (p.kind == VIGIL_PRINCIPAL_SERVICE) {
		req_problem(r, 409, "invalid-state", "principal %s is a "
		    "service account: it has no password (it authenticates "
		    "with tokens)", p.name);
		goto out;
	}
	snprintf(obj, sizeof obj, "principal/%s", p.id);
	if (check_grant(r, p.role, "principal.password", obj) < 0 ||
	    api_begin(r) < 0)
		goto out;
	e = vigil_iam_password_set(r->st, scope, p.id, password);
	api_finish_204(r, e, "principal.password", obj, p.name);
out:
	vigil_json_wipe_str(body, "password");
	json_decref(body);
}

/* ------------------------------------------------------------------ */
/* Tokens */

static void
token_create(struct req *r, const char *scope, bool platform)
{
	static const char *const keys[] = { "role", "ttl_s", "label", NULL };
	struct vigil_principal p;
	struct vigil_token_info info;
	enum vigil_role role, effective;
	char secret[VIGIL_TOKEN_STRLEN], obj[64], detail[200];
	const char *label;
	int64_t ttl;
	bool present;
	json_t *body, *reply;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_role(r, body, "role", false, &role) < 0 ||
	    (role != VIGIL_ROLE_NONE &&
	    check_role_scope(r, "role", role, platform) < 0) ||
	    aj_int(r, body, "ttl_s", 1, r->cfg->max_token_ttl_s, true, &ttl,
	    &present) < 0 ||
	    aj_str(r, body, "label", VIGIL_TOKEN_LABEL_MAX, true, &label) < 0 ||
	    find_principal(r, scope, platform, req_param(r, "principal"),
	    &p) < 0)
		goto out;
	/* The token's role: the one asked for, else the principal's. */
	effective = role != VIGIL_ROLE_NONE ? role : p.role;
	snprintf(obj, sizeof obj, "principal/%s", p.id);
	if (check_grant(r, effective, "token.create", obj) < 0 ||
	    api_begin(r) < 0)
		goto out;
	/* auth_ms 0: a minted token is not "fresh"; its holder proves a
	 * password (reauth) before privileged actions. */
	e = vigil_iam_token_create(r->st, scope, p.id, role, ttl, label,
	    vigil_time_now_ms(), 0, secret, &info);
	if (e != VIGIL_OK) {
		api_fail(r, e, "token.create", obj);
		goto out;
	}
	snprintf(obj, sizeof obj, "token/%s", info.id);
	snprintf(detail, sizeof detail, "principal %s, role %s, ttl %" PRId64
	    " s", p.id, vigil_role_name(info.role), ttl);
	if (api_commit(r, "token.create", obj, detail) < 0) {
		OPENSSL_cleanse(secret, sizeof secret);
		goto out;
	}
	reply = vigil_token_info_to_json(&info);
	if (reply != NULL &&
	    json_object_set_new(reply, "token", json_string(secret)) != 0) {
		json_decref(reply);
		reply = NULL;
	}
	OPENSSL_cleanse(secret, sizeof secret);
	api_reply(r, 201, reply);
out:
	json_decref(body);
}

/* scope: the tenant id, or "" (the platform principals' tokens). */
static void
token_list(struct req *r, const char *scope, bool platform)
{
	struct vigil_token_info *t = NULL;
	struct vigil_principal p;
	const char *cursor, *pref;
	json_t *items;
	size_t limit, n = 0;
	enum vigil_err e;

	if (aq_str(r, "cursor", VIGIL_UUID_STRLEN - 1, &cursor) < 0 ||
	    aq_str(r, "principal", VIGIL_PRINCIPAL_NAME_MAX + 1, &pref) < 0 ||
	    req_limit(r, &limit) < 0)
		return;
	if (pref != NULL && find_principal(r, scope, platform, pref, &p) < 0)
		return;
	e = vigil_iam_token_list(r->st, scope, pref != NULL ? p.id : NULL,
	    cursor, limit, &t, &n);
	if (e != VIGIL_OK) {
		req_reply_err(r, e, vigil_store_errmsg(r->st));
		return;
	}
	items = json_array();
	for (size_t i = 0; items != NULL && i < n; i++)
		if (json_array_append_new(items, vigil_token_info_to_json(
		    &t[i])) != 0) {
			json_decref(items);
			items = NULL;
		}
	api_reply_page(r, items, n == limit && n > 0 ? t[n - 1].id : NULL);
	vigil_free(t);
}

/* scope "" (a platform route) reaches only the platform's tokens. */
static void
token_revoke(struct req *r, const char *scope, bool platform)
{
	const char *id = req_param(r, "token");
	char obj[VIGIL_UUID_STRLEN + 600];
	enum vigil_err e;

	(void)platform;
	snprintf(obj, sizeof obj, "token/%s", id);
	if (api_begin(r) < 0)
		return;
	e = vigil_iam_token_revoke(r->st, scope, id);
	api_finish_204(r, e, "token.revoke", obj, NULL);
}

/* ------------------------------------------------------------------ */
/* Route handlers (api.h) */

/*
 * Each route runs one body above in its scope: a tenant route in the
 * resolved {tenant}; a platform route in the platform's own, where ""
 * matches only rows of the platform scope, never a tenant's, and NULL
 * (create) makes a platform principal or token (scope is evaluated in
 * the handler, r being its request). The route table names one handler
 * per route, hence one definition per line here.
 */
#define IAM_ROUTE(handler, body, scope, platform)			\
	void								\
	handler(struct req *r)						\
	{								\
		body(r, scope, platform);				\
	}

IAM_ROUTE(api_principal_list, principal_page, r->tenant.id, false)
IAM_ROUTE(api_principal_create, principal_create, r->tenant.id, false)
IAM_ROUTE(api_principal_get, principal_get, r->tenant.id, false)
IAM_ROUTE(api_principal_update, principal_update, r->tenant.id, false)
IAM_ROUTE(api_principal_delete, principal_delete, r->tenant.id, false)
IAM_ROUTE(api_principal_password, password_set, r->tenant.id, false)
IAM_ROUTE(api_token_create, token_create, r->tenant.id, false)
IAM_ROUTE(api_token_list, token_list, r->tenant.id, false)
IAM_ROUTE(api_token_revoke, token_revoke, r->tenant.id, false)

IAM_ROUTE(api_platform_principal_list, principal_page, "", true)
IAM_ROUTE(api_platform_principal_create, principal_create, NULL, true)
IAM_ROUTE(api_platform_principal_get, principal_get, "", true)
IAM_ROUTE(api_platform_principal_update, principal_update, "", true)
IAM_ROUTE(api_platform_principal_delete, principal_delete, "", true)
IAM_ROUTE(api_platform_principal_password, password_set, "", true)
IAM_ROUTE(api_platform_token_create, token_create, NULL, true)
IAM_ROUTE(api_platform_token_list, token_list, "", true)
IAM_ROUTE(api_platform_token_revoke, token_revoke, "", true)
