/*
 * Remote backend, principals and tokens (the API's IAM routes), and the
 * remote backend table. Tenant principals live under
 * /v1/tenants/{tenant}/principals; platform principals under
 * /v1/platform/principals, where the API offers list, create and token
 * creation only.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "remote_be.h"

#define PATH_MAX_BYTES 16384

/* "/v1/tenants/<t>/principals[/<ref>][/<tail>]" or the platform's. */
static enum vigil_err
principals_path(struct cli_ctx *ctx, struct vigil_buf *b, const char *tenant,
    const char *ref, const char *tail)
{
	enum vigil_err rc;

	vigil_buf_init(b, PATH_MAX_BYTES);
	if (tenant != NULL)
		rc = rpath_tenant(ctx, b, tenant);
	else
		rc = vigil_buf_appends(b, "/v1/platform");
	if (rc == VIGIL_OK)
		rc = vigil_buf_appends(b, "/principals");
	if (rc == VIGIL_OK)
		rc = rpath_seg(b, ref);
	if (rc == VIGIL_OK)
		rc = rpath_seg(b, tail);
	if (rc != VIGIL_OK) {
		vigil_buf_free(b);
		return r_path_err(ctx, rc);
	}
	return VIGIL_OK;
}

static enum vigil_err
platform_only(struct cli_ctx *ctx, const char *what)
{
	return remote_fail(ctx, VIGIL_EUNSUPPORTED, CLI_EXIT_FAIL, "the API "
	    "cannot %s a platform principal; run it on the server's data "
	    "directory (vigil --data DIR ...), or name a tenant with "
	    "--tenant", what);
}

static enum vigil_err
r_user_list(struct cli_ctx *ctx, const char *tenant, json_t **out)
{
	struct vigil_buf b;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = principals_path(ctx, &b, tenant, NULL, NULL)) != VIGIL_OK)
		return rc;
	rc = r_get_all(ctx, b.data, out);
	vigil_buf_free(&b);
	return rc;
}

static enum vigil_err
r_user_get(struct cli_ctx *ctx, const char *tenant, const char *ref,
    json_t **out)
{
	struct vigil_buf b;
	json_t *all = NULL, *v;
	enum vigil_err rc;
	size_t i;

	*out = NULL;
	if (tenant != NULL) {
		if ((rc = principals_path(ctx, &b, tenant, ref, NULL)) !=
		    VIGIL_OK)
			return rc;
		rc = remote_json(ctx, "GET", b.data, NULL, out);
		vigil_buf_free(&b);
		return rc;
	}
	/* The platform scope has a list route only. */
	if ((rc = r_user_list(ctx, NULL, &all)) != VIGIL_OK)
		return rc;
	json_array_foreach(all, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *nm = json_string_value(json_object_get(v, "name"));

		if ((id && strcmp(id, ref) == 0) || (nm && strcmp(nm, ref) ==
		    0)) {
			*out = json_incref(v);
			break;
		}
	}
	json_decref(all);
	if (*out == NULL)
		return remote_fail(ctx, VIGIL_ENOTFOUND, CLI_EXIT_FAIL,
		    "platform principal %s not found", ref);
	return VIGIL_OK;
}

static enum vigil_err
r_user_add(struct cli_ctx *ctx, const char *tenant, const char *name,
    enum vigil_principal_kind kind, enum vigil_role role, const char *password,
    json_t **out)
{
	struct vigil_buf b;
	json_t *body;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = principals_path(ctx, &b, tenant, NULL, NULL)) != VIGIL_OK)
		return rc;
	if ((body = json_object()) == NULL) {
		vigil_buf_free(&b);
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	}
	cli_json_set(body, "name", cli_json_str(name));
	cli_json_set(body, "kind", json_string(kind == VIGIL_PRINCIPAL_SERVICE ?
	    "service" : "human"));
	cli_json_set(body, "role", json_string(vigil_role_name(role)));
	if (password != NULL)
		cli_json_set(body, "password", json_string(password));
	rc = remote_json(ctx, "POST", b.data, body, out);
	if (password != NULL) {
		/* Wipe jansson's copy of the password. */
		json_t *p = json_object_get(body, "password");

		if (json_is_string(p))
			OPENSSL_cleanse((char *)json_string_value(p),
			    json_string_length(p));
	}
	json_decref(body);
	vigil_buf_free(&b);
	return rc;
}

static enum vigil_err
r_user_update(struct cli_ctx *ctx, const char *tenant, const char *ref,
    enum vigil_role role, int disabled, json_t **out)
{
	struct vigil_buf b;
	json_t *body;
	enum vigil_err rc;

	*out = NULL;
	if (tenant == NULL)
		return platform_only(ctx, "change");
	if ((rc = principals_path(ctx, &b, tenant, ref, NULL)) != VIGIL_OK)
		return rc;
	if ((body = json_object()) == NULL) {
		vigil_buf_free(&b);
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	}
	if (role != VIGIL_ROLE_NONE)
		cli_json_set(body, "role", json_string(vigil_role_name(role)));
	if (disabled >= 0)
		cli_json_set(body, "disabled", json_boolean(disabled));
	rc = remote_json(ctx, "PATCH", b.data, body, out);
	json_decref(body);
	vigil_buf_free(&b);
	return rc;
}

static enum vigil_err
r_user_remove(struct cli_ctx *ctx, const char *tenant, const char *ref)
{
	struct vigil_buf b;
	json_t *res = NULL;
	enum vigil_err rc;

	if (tenant == NULL)
		return platform_only(ctx, "remove");
	if ((rc = principals_path(ctx, &b, tenant, ref, NULL)) != VIGIL_OK)
		return rc;
	rc = remote_json(ctx, "DELETE", b.data, NULL, &res);
	json_decref(res);
	vigil_buf_free(&b);
	return rc;
}

static void
wipe_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		OPENSSL_cleanse((char *)json_string_value(v),
		    json_string_length(v));
}

/* The API changes only the caller's own password (ref is NULL). */
static enum vigil_err
r_user_passwd(struct cli_ctx *ctx, const char *tenant, const char *ref,
    const char *old, const char *new_, const char *totp)
{
	json_t *body, *res = NULL;
	enum vigil_err rc;

	(void)tenant;
	(void)ref;
	if ((body = json_object()) == NULL)
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	cli_json_set(body, "old", json_string(old != NULL ? old : ""));
	cli_json_set(body, "new", json_string(new_));
	if (totp != NULL && totp[0] != '\0')
		cli_json_set(body, "totp", json_string(totp));
	rc = remote_json(ctx, "POST", "/v1/auth/password", body, &res);
	wipe_str(body, "old");
	wipe_str(body, "new");
	json_decref(body);
	json_decref(res);
	return rc;
}

static enum vigil_err
r_token_create(struct cli_ctx *ctx, const char *tenant, const char *principal,
    enum vigil_role role, int64_t ttl_s, const char *label,
    char secret[VIGIL_TOKEN_STRLEN], json_t **info)
{
	struct vigil_buf b;
	json_t *body, *res = NULL;
	const char *tok;
	enum vigil_err rc;

	*info = NULL;
	secret[0] = '\0';
	if ((rc = principals_path(ctx, &b, tenant, principal, "tokens")) !=
	    VIGIL_OK)
		return rc;
	if ((body = json_object()) == NULL) {
		vigil_buf_free(&b);
		return remote_fail(ctx, VIGIL_ENOMEM, CLI_EXIT_FAIL,
		    "out of memory");
	}
	if (role != VIGIL_ROLE_NONE)
		cli_json_set(body, "role", json_string(vigil_role_name(role)));
	cli_json_set(body, "ttl_s", json_integer((json_int_t)ttl_s));
	if (label != NULL)
		cli_json_set(body, "label", cli_json_str(label));
	rc = remote_json(ctx, "POST", b.data, body, &res);
	json_decref(body);
	vigil_buf_free(&b);
	if (rc != VIGIL_OK)
		return rc;
	tok = json_string_value(json_object_get(res, "token"));
	if (tok == NULL || strlen(tok) >= VIGIL_TOKEN_STRLEN) {
		json_decref(res);
		return remote_fail(ctx, VIGIL_EIO, CLI_EXIT_CONN, "malformed "
		    "reply from the server: token: field 'token' is missing "
		    "or of the wrong type");
	}
	memcpy(secret, tok, strlen(tok) + 1);
	wipe_str(res, "token");
	json_object_del(res, "token");
	*info = res;
	return VIGIL_OK;
}

static enum vigil_err
tokens_path(struct cli_ctx *ctx, struct vigil_buf *b, const char *tenant,
    const char *id)
{
	enum vigil_err rc;

	vigil_buf_init(b, PATH_MAX_BYTES);
	rc = rpath_tenant(ctx, b, tenant);
	if (rc == VIGIL_OK)
		rc = vigil_buf_appends(b, "/tokens");
	if (rc == VIGIL_OK)
		rc = rpath_seg(b, id);
	if (rc != VIGIL_OK) {
		vigil_buf_free(b);
		return r_path_err(ctx, rc);
	}
	return VIGIL_OK;
}

static enum vigil_err
r_token_list(struct cli_ctx *ctx, const char *tenant, const char *principal,
    json_t **out)
{
	struct vigil_buf b;
	enum vigil_err rc;

	*out = NULL;
	if (tenant == NULL)
		return remote_fail(ctx, VIGIL_EUNSUPPORTED, CLI_EXIT_FAIL,
		    "the API lists the tokens of a tenant: name one with "
		    "--tenant");
	if ((rc = tokens_path(ctx, &b, tenant, NULL)) != VIGIL_OK)
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
	json_t *res = NULL;
	enum vigil_err rc;

	if (tenant == NULL)
		return remote_fail(ctx, VIGIL_EUNSUPPORTED, CLI_EXIT_FAIL,
		    "the API revokes the tokens of a tenant: name one with "
		    "--tenant (your own token: vigil logout)");
	if ((rc = tokens_path(ctx, &b, tenant, id)) != VIGIL_OK)
		return rc;
	rc = remote_json(ctx, "DELETE", b.data, NULL, &res);
	json_decref(res);
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
