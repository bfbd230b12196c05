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

/* Appends the audit entry of a local IAM change (inside the caller's
 * transaction, so the change and its entry commit together). */
static enum vigil_err
audit(struct cli_ctx *ctx, const char *tenant, const char *action,
    const char *object, const char *detail)
{
	struct vigil_audit_event ev;

	memset(&ev, 0, sizeof ev);
	ev.principal = ctx->actor;
	ev.tenant_id = tenant != NULL ? tenant : "";
	ev.action = action;
	ev.object = object;
	ev.outcome = "ok";
	ev.privileged = 1;
	ev.detail = detail;
	return vigil_audit_append(ctx->store, &ev, NULL, NULL);
}

/* Runs the audit append and commits, or rolls back on any failure. */
static enum vigil_err
finish_tx(struct cli_ctx *ctx, enum vigil_err rc, const char *tenant,
    const char *action, const char *object, const char *detail)
{
	if (rc == VIGIL_OK)
		rc = audit(ctx, tenant, action, object, detail);
	if (rc != VIGIL_OK) {
		/* A successful rollback keeps the handle's error text for
		 * cli_store_err(). */
		vigil_store_rollback(ctx->store);
		return rc;
	}
	/* A failed commit ends the transaction itself. */
	return vigil_store_commit(ctx->store);
}

static void
object_of(char *buf, size_t size, const char *kind, const char *id)
{
	snprintf(buf, size, "%s/%s", kind, id);
}

static enum vigil_err
l_user_list(struct cli_ctx *ctx, const char *tenant, json_t **out)
{
	struct vigil_principal *page = NULL;
	struct vigil_store *st;
	char after[VIGIL_UUID_STRLEN] = "";
	enum vigil_err rc;
	size_t n;

	if ((*out = json_array()) == NULL)
		return VIGIL_ENOMEM;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	do {
		rc = vigil_iam_principal_list(st, tenant, after[0] ? after :
		    NULL, 1000, &page, &n);
		if (rc != VIGIL_OK)
			break;
		for (size_t i = 0; i < n; i++)
			/* Without a tenant the library sees every scope; the
			 * platform listing shows the platform's own. */
			if (tenant != NULL || page[i].tenant_id[0] == '\0')
				json_array_append_new(*out,
				    vigil_principal_to_json(&page[i]));
		if (n > 0)
			memcpy(after, page[n - 1].id, sizeof after);
		vigil_free(page);
		page = NULL;
	} while (n == 1000);
	if (rc != VIGIL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
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
	*out = vigil_principal_to_json(&p);
	return *out != NULL ? VIGIL_OK : VIGIL_ENOMEM;
}

static enum vigil_err
l_user_add(struct cli_ctx *ctx, const char *tenant, const char *name,
    enum vigil_principal_kind kind, enum vigil_role role, const char *password,
    json_t **out)
{
	struct vigil_principal p;
	struct vigil_store *st;
	char obj[80];
	enum vigil_err rc;

	*out = NULL;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_principal_create(st, tenant, name, kind, role, &p);
	if (rc == VIGIL_OK && password != NULL)
		rc = vigil_iam_password_set(st, tenant, p.id, password);
	object_of(obj, sizeof obj, "principal", rc == VIGIL_OK ? p.id : "");
	if ((rc = finish_tx(ctx, rc, tenant, "principal.create", obj,
	    vigil_role_name(role))) != VIGIL_OK)
		return rc;
	*out = vigil_principal_to_json(&p);
	return *out != NULL ? VIGIL_OK : VIGIL_ENOMEM;
}

static enum vigil_err
l_user_update(struct cli_ctx *ctx, const char *tenant, const char *ref,
    enum vigil_role role, int disabled, json_t **out)
{
	struct vigil_principal p;
	struct vigil_store *st;
	char obj[80], detail[96];
	enum vigil_err rc;

	*out = NULL;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_principal_get(st, tenant, ref, &p);
	if (rc == VIGIL_OK && role != VIGIL_ROLE_NONE)
		rc = vigil_iam_principal_set_role(st, tenant, p.id, role);
	if (rc == VIGIL_OK && disabled >= 0)
		rc = vigil_iam_principal_set_disabled(st, tenant, p.id,
		    disabled);
	if (rc == VIGIL_OK)
		rc = vigil_iam_principal_get(st, tenant, p.id, &p);
	object_of(obj, sizeof obj, "principal", rc == VIGIL_OK ? p.id : "");
	if (role != VIGIL_ROLE_NONE)
		snprintf(detail, sizeof detail, "role %s",
		    vigil_role_name(role));
	else
		snprintf(detail, sizeof detail, "%s", disabled ? "disabled" :
		    "enabled");
	if ((rc = finish_tx(ctx, rc, tenant, "principal.update", obj,
	    detail)) != VIGIL_OK)
		return rc;
	*out = vigil_principal_to_json(&p);
	return *out != NULL ? VIGIL_OK : VIGIL_ENOMEM;
}

static enum vigil_err
l_user_remove(struct cli_ctx *ctx, const char *tenant, const char *ref)
{
	struct vigil_principal p;
	struct vigil_store *st;
	char obj[80];
	enum vigil_err rc;

	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_principal_get(st, tenant, ref, &p);
	if (rc == VIGIL_OK)
		rc = vigil_iam_principal_delete(st, tenant, p.id);
	object_of(obj, sizeof obj, "principal", rc == VIGIL_OK ? p.id : "");
	return finish_tx(ctx, rc, tenant, "principal.delete", obj, p.name);
}

static enum vigil_err
l_user_passwd(struct cli_ctx *ctx, const char *tenant, const char *ref,
    const char *old, const char *new_, const char *totp)
{
	struct vigil_principal p;
	struct vigil_store *st;
	char obj[80];
	enum vigil_err rc;

	/* Whoever holds the data directory holds the keys: no proof. */
	(void)old;
	(void)totp;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_principal_get(st, tenant, ref, &p);
	if (rc == VIGIL_OK)
		rc = vigil_iam_password_set(st, tenant, p.id, new_);
	object_of(obj, sizeof obj, "principal", rc == VIGIL_OK ? p.id : "");
	return finish_tx(ctx, rc, tenant, "principal.password", obj, NULL);
}

static enum vigil_err
l_token_create(struct cli_ctx *ctx, const char *tenant, const char *principal,
    enum vigil_role role, int64_t ttl_s, const char *label,
    char secret[VIGIL_TOKEN_STRLEN], json_t **info)
{
	struct vigil_principal p;
	struct vigil_token_info t;
	struct vigil_store *st;
	char obj[80];
	enum vigil_err rc;

	*info = NULL;
	secret[0] = '\0';
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_principal_get(st, tenant, principal, &p);
	if (rc == VIGIL_OK)
		rc = vigil_iam_token_create(st, tenant, p.id, role, ttl_s,
		    label, vigil_time_now_ms(), 0, secret, &t);
	object_of(obj, sizeof obj, "token", rc == VIGIL_OK ? t.id : "");
	if ((rc = finish_tx(ctx, rc, tenant, "token.create", obj, p.name)) !=
	    VIGIL_OK) {
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
	struct vigil_token_info *page = NULL;
	struct vigil_principal p;
	struct vigil_store *st;
	char after[VIGIL_UUID_STRLEN] = "";
	enum vigil_err rc;
	size_t n = 0;

	if ((*out = json_array()) == NULL)
		return VIGIL_ENOMEM;
	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if (principal != NULL &&
	    (rc = vigil_iam_principal_get(st, tenant, principal, &p)) !=
	    VIGIL_OK)
		goto fail;
	do {
		rc = vigil_iam_token_list(st, tenant, principal ? p.id : NULL,
		    after[0] ? after : NULL, 1000, &page, &n);
		if (rc != VIGIL_OK)
			goto fail;
		for (size_t i = 0; i < n; i++)
			if (tenant != NULL || page[i].tenant_id[0] == '\0')
				json_array_append_new(*out,
				    vigil_token_info_to_json(&page[i]));
		if (n > 0)
			memcpy(after, page[n - 1].id, sizeof after);
		vigil_free(page);
		page = NULL;
	} while (n == 1000);
	return VIGIL_OK;
fail:
	json_decref(*out);
	*out = NULL;
	return rc;
}

static enum vigil_err
l_token_revoke(struct cli_ctx *ctx, const char *tenant, const char *id)
{
	struct vigil_store *st;
	char obj[80];
	enum vigil_err rc;

	if ((rc = need_store(ctx, &st)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = vigil_iam_token_revoke(st, tenant, id);
	object_of(obj, sizeof obj, "token", id);
	return finish_tx(ctx, rc, tenant, "token.revoke", obj, NULL);
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
