/*
 * Remote backend, principals and tokens (the API's IAM routes), and the
 * remote backend table. Tenant principals and tokens live under
 * /v1/tenants/{tenant}/principals and .../tokens; platform ones under
 * /v1/platform/principals and /v1/platform/tokens, with the same
 * operations.
 */
#include <string.h>

#include "vigil/json.h"

#include "remote_be.h"

static enum vigil_err
no_memory(struct cli_ctx *ctx)
{
	return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL, "out of memory");
}

/* Releases a request body after wiping the members that may hold a
 * secret (jansson's copies of passwords). */
static void
body_free(json_t *body)
{
	static const char *const secret[] = { "password", "old", "new" };

	if (body == NULL)
		return;
	for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
		vigil_json_wipe_str(body, secret[i]);
	json_decref(body);
}

/* Sends a request and releases body (body_free). The reply goes to
 * *out, or is dropped when out is NULL. */
static enum vigil_err
request(struct cli_ctx *ctx, const char *method, const char *path,
    json_t *body, json_t **out)
{
	json_t *res = NULL;
	enum vigil_err rc;

	rc = remote_json(ctx, method, path, body, out != NULL ? out : &res);
	json_decref(res);
	body_free(body);
	return rc;
}

/* request() on the principals route of tenant (NULL: the platform). */
static enum vigil_err
principals_request(struct cli_ctx *ctx, const char *method,
    const char *tenant, const char *ref, const char *tail, json_t *body,
    json_t **out)
{
	struct vigil_buf b;
	enum vigil_err rc;

	if ((rc = r_scoped_path(ctx, &b, tenant, "principals", ref,
	    tail)) != VIGIL_OK) {
		body_free(body);
		return rc;
	}
	rc = request(ctx, method, b.data, body, out);
	vigil_buf_free(&b);
	return rc;
}

static enum vigil_err
r_user_list(struct cli_ctx *ctx, const char *tenant, json_t **out)
{
	struct vigil_buf b;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = r_scoped_path(ctx, &b, tenant, "principals", NULL,
	    NULL)) != VIGIL_OK)
		return rc;
	rc = r_get_all(ctx, b.data, out);
	vigil_buf_free(&b);
	return rc;
}

static enum vigil_err
r_user_get(struct cli_ctx *ctx, const char *tenant, const char *ref,
    json_t **out)
{
	*out = NULL;
	return principals_request(ctx, "GET", tenant, ref, NULL, NULL, out);
}

static enum vigil_err
r_user_add(struct cli_ctx *ctx, const char *tenant, const char *name,
    enum vigil_principal_kind kind, enum vigil_role role, const char *password,
    json_t **out)
{
	json_t *body;

	*out = NULL;
	if ((body = json_object()) == NULL)
		return no_memory(ctx);
	cli_json_set(body, "name", cli_json_str(name));
	cli_json_set(body, "kind", json_string(kind == VIGIL_PRINCIPAL_SERVICE ?
	    "service" : "human"));
	cli_json_set(body, "role", json_string(vigil_role_name(role)));
	if (password != NULL)
		cli_json_set(body, "password", json_string(password));
	return principals_request(ctx, "POST", tenant, NULL, NULL, body, out);
}

static enum vigil_err
r_user_update(struct cli_ctx *ctx, const char *tenant, const char *ref,
    enum vigil_role role, int disabled, json_t **out)
{
	json_t *body;

	*out = NULL;
	if ((body = json_object()) == NULL)
		return no_memory(ctx);
	if (role != VIGIL_ROLE_NONE)
		cli_json_set(body, "role", json_string(vigil_role_name(role)));
	if (disabled >= 0)
		cli_json_set(body, "disabled", json_boolean(disabled));
	return principals_request(ctx, "PATCH", tenant, ref, NULL, body, out);
}

static enum vigil_err
r_user_remove(struct cli_ctx *ctx, const char *tenant, const char *ref)
{
	return principals_request(ctx, "DELETE", tenant, ref, NULL, NULL, NULL);
}

/* Without ref: the caller's own password, proven by the old one (and
 * the TOTP code). With ref: an administrator's reset of another
 * principal's password (a privileged route; no old password). */
static enum vigil_err
r_user_passwd(struct cli_ctx *ctx, const char *tenant, const char *ref,
    const char *old, const char *new_, const char *totp)
{
	json_t *body;

	if ((body = json_object()) == NULL)
		return no_memory(ctx);
	if (ref != NULL) {
		cli_json_set(body, "password", json_string(new_));
		return principals_request(ctx, "POST", tenant, ref,
		    "password", body, NULL);
	}
	cli_json_set(body, "old", json_string(old != NULL ? old : ""));
	cli_json_set(body, "new", json_string(new_));
	if (totp != NULL && totp[0] != '\0')
		cli_json_set(body, "totp", json_string(totp));
	return request(ctx, "POST", "/v1/auth/password", body, NULL);
}

static enum vigil_err
r_token_create(struct cli_ctx *ctx, const char *tenant, const char *principal,
    enum vigil_role role, int64_t ttl_s, const char *label,
    char secret[VIGIL_TOKEN_STRLEN], json_t **info)
{
	json_t *body, *res = NULL;
	const char *tok;
	enum vigil_err rc;

	*info = NULL;
	secret[0] = '\0';
	if ((body = json_object()) == NULL)
		return no_memory(ctx);
	if (role != VIGIL_ROLE_NONE)
		cli_json_set(body, "role", json_string(vigil_role_name(role)));
	cli_json_set(body, "ttl_s", json_integer((json_int_t)ttl_s));
	if (label != NULL)
		cli_json_set(body, "label", cli_json_str(label));
	if ((rc = principals_request(ctx, "POST", tenant, principal, "tokens",
	    body, &res)) != VIGIL_OK)
		return rc;
	tok = json_string_value(json_object_get(res, "token"));
	if (tok == NULL || strlen(tok) >= VIGIL_TOKEN_STRLEN) {
		json_decref(res);
		return remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN, "malformed "
		    "reply from the server: token: field 'token' is missing "
		    "or of the wrong type");
	}
	memcpy(secret, tok, strlen(tok) + 1);
	vigil_json_wipe_str(res, "token");
	json_object_del(res, "token");
	*info = res;
	return VIGIL_OK;
}

static enum vigil_err
r_token_list(struct cli_ctx *ctx, const char *tenant, const char *principal,
    json_t **out)
{
	struct vigil_buf b;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = r_scoped_path(ctx, &b, tenant, "tokens", NULL, NULL)) !=
	    VIGIL_OK)
		return rc;
	rc = rpath_query(&b, "principal", principal);
	if (rc == VIGIL_OK)
		rc = r_get_all(ctx, b.data, out);
	else
		rc = r_path_err(ctx, rc);
	vigil_buf_free(&b);
	return rc;
}

static enum vigil_err
r_token_revoke(struct cli_ctx *ctx, const char *tenant, const char *id)
{
	struct vigil_buf b;
	enum vigil_err rc;

	if ((rc = r_scoped_path(ctx, &b, tenant, "tokens", id, NULL)) !=
	    VIGIL_OK)
		return rc;
	rc = request(ctx, "DELETE", b.data, NULL, NULL);
	vigil_buf_free(&b);
	return rc;
}

const struct cli_backend cli_backend_remote = {
	.name = "remote",
	.tenant_create = r_tenant_create,
	.tenant_get = r_tenant_get,
	.tenant_list = r_tenant_list,
	.device_count = r_device_count,
	.device_add = r_device_add,
	.device_get = r_device_get,
	.device_list = r_device_list,
	.device_find = r_device_find,
	.device_update = r_device_update,
	.device_set_state = r_device_set_state,
	.device_history = r_device_history,
	.device_summary = r_device_summary,
	.device_import = r_device_import,
	.device_export = r_device_export,
	.user_list = r_user_list,
	.user_get = r_user_get,
	.user_add = r_user_add,
	.user_update = r_user_update,
	.user_remove = r_user_remove,
	.user_passwd = r_user_passwd,
	.token_create = r_token_create,
	.token_list = r_token_list,
	.token_revoke = r_token_revoke,
};
