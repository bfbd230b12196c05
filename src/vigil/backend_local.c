/*
 * The local backend: the command backend table (backend.h) over the
 * library and the store of the data directory. Thin on purpose: every
 * rule lives in libvigil, every rendering in the command files.
 * Changes to principals and tokens are written to the audit log in the
 * same transaction, as the daemon does.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "vigil/audit.h"

#include "backend.h"
#include "pki_cli.h"

static enum vigil_err
need_store(struct cli_ctx *ctx, struct vigil_store **st)
{
	*st = cli_store(ctx);
	/* cli_store() printed why; the caller's report adds nothing. */
	return *st != NULL ? VIGIL_OK : VIGIL_ESTORE;
}

/* ------------------------------------------------------------------ */
/* Tenants and devices */

static enum vigil_err
l_tenant_create(struct cli_ctx *ctx, const char *name, const char *display,
    struct vigil_tenant *out)
{
	struct vigil_store *st;
	enum vigil_err rc;

	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_admin_tenant_create(st, name, display, out);
}

static enum vigil_err
l_tenant_get(struct cli_ctx *ctx, const char *ref, struct vigil_tenant *out)
{
	struct vigil_store *st;
	enum vigil_err rc;

	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return vigil_admin_tenant_get(st, ref, out);
}

static enum vigil_err
l_tenant_list(struct cli_ctx *ctx, const char *cursor, size_t limit,
    struct vigil_tenant **out, size_t *n, char next[CLI_CURSOR_MAX])
{
	struct vigil_store *st;
	enum vigil_err rc;

	next[0] = '\0';
	*out = NULL;
	*n = 0;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	rc = vigil_admin_tenant_list(st, cursor, limit, out, n);
	/* The library pages by name: the last one is the cursor. */
	if (rc == VIGIL_OK && *n == limit && *n > 0)
		snprintf(next, CLI_CURSOR_MAX, "%s", (*out)[*n - 1].name);
	return rc;
}

static enum vigil_err
l_device_count(struct cli_ctx *ctx, const char *tenant_id, uint64_t *count)
{
	struct vigil_device_filter f;
	struct vigil_store *st;
	enum vigil_err rc;

	*count = 0;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	memset(&f, 0, sizeof f);
	return vigil_device_count(st, tenant_id, &f, count);
}

static enum vigil_err
l_device_add(struct cli_ctx *ctx, const struct vigil_device_spec *spec,
    struct vigil_device **out)
{
	return vigil_device_add(ctx->store, ctx->tenant_id, spec, ctx->actor,
	    out);
}

static enum vigil_err
l_device_get(struct cli_ctx *ctx, const char *ref, struct vigil_device **out)
{
	return vigil_device_get(ctx->store, ctx->tenant_id, ref, out);
}

static enum vigil_err
l_device_list(struct cli_ctx *ctx, const struct vigil_device_filter *f,
    struct vigil_device_list *out)
{
	return vigil_device_list(ctx->store, ctx->tenant_id, f, out);
}

static enum vigil_err
l_device_find(struct cli_ctx *ctx, enum vigil_id_type type, const char *text,
    struct vigil_device_list *out)
{
	return vigil_device_find(ctx->store, ctx->tenant_id, type, text, out);
}

static enum vigil_err
l_device_update(struct cli_ctx *ctx, const char *ref,
    const struct vigil_device_update *u, const char *reason,
    struct vigil_device **out)
{
	return vigil_device_update(ctx->store, ctx->tenant_id, ref, u,
	    ctx->actor, reason, out);
}

static enum vigil_err
l_device_set_state(struct cli_ctx *ctx, const char *ref,
    enum vigil_device_state to, const char *reason, struct vigil_device **out)
{
	if (to == VIGIL_DEV_RETIRED)
		return vigil_device_retire(ctx->store, ctx->tenant_id, ref, 0,
		    ctx->actor, reason, out);
	return vigil_device_set_state(ctx->store, ctx->tenant_id, ref, to, 0,
	    ctx->actor, reason, out);
}

static enum vigil_err
l_device_history(struct cli_ctx *ctx, const char *ref, int64_t after,
    size_t limit, struct vigil_history *out)
{
	return vigil_device_history(ctx->store, ctx->tenant_id, ref, after,
	    limit, out);
}

static enum vigil_err
l_device_summary(struct cli_ctx *ctx, struct vigil_inventory_summary *out)
{
	return vigil_device_summary(ctx->store, ctx->tenant_id, out);
}

static enum vigil_err
l_device_import(struct cli_ctx *ctx, int fd,
    const struct vigil_import_options *opt, struct vigil_import_summary *sum)
{
	return vigil_import_fd(ctx->store, ctx->tenant_id, fd, opt, sum);
}

static enum vigil_err
l_device_export(struct cli_ctx *ctx, const struct vigil_device_filter *f,
    enum vigil_import_format format, unsigned flags, int fd,
    uint64_t *count)
{
	struct vigil_export_options opt;

	memset(&opt, 0, sizeof opt);
	opt.format = format;
	opt.flags = flags;
	return vigil_export_fd(ctx->store, ctx->tenant_id, f, &opt, fd,
	    count);
}

/* ------------------------------------------------------------------ */
/* Principals and tokens */

/* Opens the store and a transaction for a change, and resolves the
 * principal ref into p unless ref is NULL. On failure nothing is left
 * open. */
static enum vigil_err
begin_change(struct cli_ctx *ctx, const char *tenant, const char *ref,
    struct vigil_principal *p)
{
	struct vigil_store *st;
	enum vigil_err rc;

	if ((rc = need_store(ctx, &st)) != VIGIL_OK ||
	    (rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	if (ref != NULL &&
	    (rc = vigil_iam_principal_get(st, tenant, ref, p)) != VIGIL_OK)
		/* A successful rollback keeps the handle's error text for
		 * cli_store_err(). */
		vigil_store_rollback(st);
	return rc;
}

/* Ends a change begun by begin_change(): appends its audit entry on
 * object "<kind>/<id>" and commits, or rolls back on any failure. */
static enum vigil_err
finish_change(struct cli_ctx *ctx, enum vigil_err rc, const char *tenant,
    const char *action, const char *kind, const char *id,
    const char *detail)
{
	char obj[80];

	if (rc == VIGIL_OK) {
		snprintf(obj, sizeof obj, "%s/%s", kind, id);
		/* Inside the caller's transaction: the change and its
		 * entry commit together. */
		rc = cli_pki_audit(ctx, tenant, action, obj, detail);
	}
	if (rc != VIGIL_OK) {
		vigil_store_rollback(ctx->store);
		return rc;
	}
	/* A failed commit ends the transaction itself. */
	return vigil_store_commit(ctx->store);
}

static enum vigil_err
principal_out(const struct vigil_principal *p, json_t **out)
{
	*out = vigil_principal_to_json(p);
	return *out != NULL ? VIGIL_OK : VIGIL_ENOMEM;
}

/* Listings: the library pages by id, PAGE at a time. Without a tenant
 * it sees every scope; the platform listing shows the platform's own. */
#define PAGE 1000

/* Appends one page after cursor (empty: the first) to arr, sets *n to
 * the page's size and cursor to its last id. */
typedef enum vigil_err (*page_fn)(struct vigil_store *st, const char *tenant,
    const char *principal_id, char cursor[VIGIL_UUID_STRLEN], json_t *arr,
    size_t *n);

static int
in_listing(const char *tenant, const char *row_tenant)
{
	return tenant != NULL || row_tenant[0] == '\0';
}

static enum vigil_err
user_page(struct vigil_store *st, const char *tenant,
    const char *principal_id, char cursor[VIGIL_UUID_STRLEN], json_t *arr,
    size_t *n)
{
	struct vigil_principal *page = NULL;
	enum vigil_err rc;

	(void)principal_id;
	if ((rc = vigil_iam_principal_list(st, tenant, cursor[0] ? cursor :
	    NULL, PAGE, &page, n)) != VIGIL_OK)
		return rc;
	for (size_t i = 0; i < *n; i++)
		if (in_listing(tenant, page[i].tenant_id))
			json_array_append_new(arr,
			    vigil_principal_to_json(&page[i]));
	if (*n > 0)
		memcpy(cursor, page[*n - 1].id, VIGIL_UUID_STRLEN);
	vigil_free(page);
	return VIGIL_OK;
}

static enum vigil_err
token_page(struct vigil_store *st, const char *tenant,
    const char *principal_id, char cursor[VIGIL_UUID_STRLEN], json_t *arr,
    size_t *n)
{
	struct vigil_token_info *page = NULL;
	enum vigil_err rc;

	if ((rc = vigil_iam_token_list(st, tenant, principal_id, cursor[0] ?
	    cursor : NULL, PAGE, &page, n)) != VIGIL_OK)
		return rc;
	for (size_t i = 0; i < *n; i++)
		if (in_listing(tenant, page[i].tenant_id))
			json_array_append_new(arr,
			    vigil_token_info_to_json(&page[i]));
	if (*n > 0)
		memcpy(cursor, page[*n - 1].id, VIGIL_UUID_STRLEN);
	vigil_free(page);
	return VIGIL_OK;
}

/* Every page of a listing into the new array *out (NULL on failure). */
static enum vigil_err
list_all(struct vigil_store *st, const char *tenant, const char *principal_id,
    page_fn page, json_t **out)
{
	char cursor[VIGIL_UUID_STRLEN] = "";
	enum vigil_err rc;
	size_t n;

	if ((*out = json_array()) == NULL)
		return VIGIL_ENOMEM;
	do {
		rc = page(st, tenant, principal_id, cursor, *out, &n);
	} while (rc == VIGIL_OK && n == PAGE);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static enum vigil_err
l_user_list(struct cli_ctx *ctx, const char *tenant, json_t **out)
{
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	return list_all(st, tenant, NULL, user_page, out);
}

static enum vigil_err
l_user_get(struct cli_ctx *ctx, const char *tenant, const char *ref,
    json_t **out)
{
	struct vigil_principal p;
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_iam_principal_get(st, tenant, ref, &p)) != VIGIL_OK)
		return rc;
	return principal_out(&p, out);
}

static enum vigil_err
l_user_add(struct cli_ctx *ctx, const char *tenant, const char *name,
    enum vigil_principal_kind kind, enum vigil_role role, const char *password,
    json_t **out)
{
	struct vigil_principal p;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = begin_change(ctx, tenant, NULL, NULL)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_principal_create(ctx->store, tenant, name, kind, role,
	    &p);
	if (rc == VIGIL_OK && password != NULL)
		rc = vigil_iam_password_set(ctx->store, tenant, p.id, password);
	if ((rc = finish_change(ctx, rc, tenant, "principal.create",
	    "principal", p.id, vigil_role_name(role))) != VIGIL_OK)
		return rc;
	return principal_out(&p, out);
}

static enum vigil_err
l_user_update(struct cli_ctx *ctx, const char *tenant, const char *ref,
    enum vigil_role role, int disabled, json_t **out)
{
	struct vigil_principal p;
	char detail[96];
	enum vigil_err rc;

	*out = NULL;
	if ((rc = begin_change(ctx, tenant, ref, &p)) != VIGIL_OK)
		return rc;
	if (role != VIGIL_ROLE_NONE)
		rc = vigil_iam_principal_set_role(ctx->store, tenant, p.id,
		    role);
	if (rc == VIGIL_OK && disabled >= 0)
		rc = vigil_iam_principal_set_disabled(ctx->store, tenant, p.id,
		    disabled);
	if (rc == VIGIL_OK)
		rc = vigil_iam_principal_get(ctx->store, tenant, p.id, &p);
	if (role != VIGIL_ROLE_NONE)
		snprintf(detail, sizeof detail, "role %s",
		    vigil_role_name(role));
	else
		snprintf(detail, sizeof detail, "%s", disabled ? "disabled" :
		    "enabled");
	if ((rc = finish_change(ctx, rc, tenant, "principal.update",
	    "principal", p.id, detail)) != VIGIL_OK)
		return rc;
	return principal_out(&p, out);
}

static enum vigil_err
l_user_remove(struct cli_ctx *ctx, const char *tenant, const char *ref)
{
	struct vigil_principal p;
	enum vigil_err rc;

	if ((rc = begin_change(ctx, tenant, ref, &p)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_principal_delete(ctx->store, tenant, p.id);
	return finish_change(ctx, rc, tenant, "principal.delete", "principal",
	    p.id, p.name);
}

static enum vigil_err
l_user_passwd(struct cli_ctx *ctx, const char *tenant, const char *ref,
    const char *old, const char *new_, const char *totp)
{
	struct vigil_principal p;
	enum vigil_err rc;

	/* Whoever holds the data directory holds the keys: no proof. */
	(void)old;
	(void)totp;
	if ((rc = begin_change(ctx, tenant, ref, &p)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_password_set(ctx->store, tenant, p.id, new_);
	return finish_change(ctx, rc, tenant, "principal.password",
	    "principal", p.id, NULL);
}

static enum vigil_err
l_token_create(struct cli_ctx *ctx, const char *tenant, const char *principal,
    enum vigil_role role, int64_t ttl_s, const char *label,
    char secret[VIGIL_TOKEN_STRLEN], json_t **info)
{
	struct vigil_principal p;
	struct vigil_token_info t;
	enum vigil_err rc;

	*info = NULL;
	secret[0] = '\0';
	if ((rc = begin_change(ctx, tenant, principal, &p)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_token_create(ctx->store, tenant, p.id, role, ttl_s,
	    label, vigil_time_now_ms(), 0, secret, &t);
	if ((rc = finish_change(ctx, rc, tenant, "token.create", "token", t.id,
	    p.name)) != VIGIL_OK) {
		OPENSSL_cleanse(secret, VIGIL_TOKEN_STRLEN);
		return rc;
	}
	*info = vigil_token_info_to_json(&t);
	return *info != NULL ? VIGIL_OK : VIGIL_ENOMEM;
}

static enum vigil_err
l_token_list(struct cli_ctx *ctx, const char *tenant, const char *principal,
    json_t **out)
{
	struct vigil_principal p;
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if (principal != NULL &&
	    (rc = vigil_iam_principal_get(st, tenant, principal, &p)) !=
	    VIGIL_OK)
		return rc;
	return list_all(st, tenant, principal != NULL ? p.id : NULL,
	    token_page, out);
}

static enum vigil_err
l_token_revoke(struct cli_ctx *ctx, const char *tenant, const char *id)
{
	enum vigil_err rc;

	if ((rc = begin_change(ctx, tenant, NULL, NULL)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_token_revoke(ctx->store, tenant, id);
	return finish_change(ctx, rc, tenant, "token.revoke", "token", id,
	    NULL);
}

const struct cli_backend cli_backend_local = {
	.name = "local",
	.tenant_create = l_tenant_create,
	.tenant_get = l_tenant_get,
	.tenant_list = l_tenant_list,
	.device_count = l_device_count,
	.device_add = l_device_add,
	.device_get = l_device_get,
	.device_list = l_device_list,
	.device_find = l_device_find,
	.device_update = l_device_update,
	.device_set_state = l_device_set_state,
	.device_history = l_device_history,
	.device_summary = l_device_summary,
	.device_import = l_device_import,
	.device_export = l_device_export,
	.user_list = l_user_list,
	.user_get = l_user_get,
	.user_add = l_user_add,
	.user_update = l_user_update,
	.user_remove = l_user_remove,
	.user_passwd = l_user_passwd,
	.token_create = l_token_create,
	.token_list = l_token_list,
	.token_revoke = l_token_revoke,
};
