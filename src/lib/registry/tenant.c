/*
 * Tenants. Creating, listing, renaming and deleting tenants is a
 * platform-admin act (vigil_admin_*); a tenant may read its own record.
 */
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"

int
vigil_tenant_name_valid(const char *name)
{
	size_t n;

	if (name == NULL || (n = strlen(name)) == 0 ||
	    n > VIGIL_TENANT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    (ch == '-' && i > 0)))
			return 0;
	}
	/* Tenants are looked up by id or name: a name shaped like an id
	 * would make that ambiguous. */
	return !reg_is_uuid_shape(name);
}

static enum vigil_err
check_name(struct vigil_store *st, const char *name)
{
	char q[REG_QUOTE_SIZE];

	if (name == NULL || name[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant name: missing");
	if (!vigil_tenant_name_valid(name))
		return store_seterr(st, VIGIL_EINVAL, "tenant name \"%s\": "
		    "must be 1 to %d of a-z 0-9 and '-', starting with a "
		    "letter or digit, and not shaped like an id",
		    reg_quote(name, q, sizeof q), VIGIL_TENANT_NAME_MAX);
	return VIGIL_OK;
}

static enum vigil_err
check_display(struct vigil_store *st, const char *display)
{
	char why[128];

	if (display != NULL && !reg_text_ok(display, VIGIL_TENANT_DISPLAY_MAX,
	    why, sizeof why))
		return store_seterr(st, VIGIL_EINVAL, "tenant display name: %s",
		    why);
	return VIGIL_OK;
}

enum vigil_err
vigil_admin_tenant_create(struct vigil_store *st, const char *name,
    const char *display_name, struct vigil_tenant *out)
{
	struct vigil_tenant t;
	enum vigil_err rc;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	store_clearerr(st);
	if ((rc = check_name(st, name)) != VIGIL_OK ||
	    (rc = check_display(st, display_name)) != VIGIL_OK)
		return rc;
	memset(&t, 0, sizeof t);
	if (vigil_uuid7(t.id) != VIGIL_OK)
		return store_seterr(st, VIGIL_EIO,
		    "registry: cannot generate a tenant id");
	memcpy(t.name, name, strlen(name) + 1);
	if (display_name == NULL || display_name[0] == '\0')
		display_name = name;
	memcpy(t.display_name, display_name, strlen(display_name) + 1);
	t.created_ms = vigil_time_now_ms();
	if ((rc = store_tenant_insert(st, &t)) != VIGIL_OK)
		return rc;
	if (out != NULL)
		*out = t;
	return VIGIL_OK;
}

enum vigil_err
vigil_admin_tenant_get(struct vigil_store *st, const char *id_or_name,
    struct vigil_tenant *out)
{
	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (id_or_name == NULL || id_or_name[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	return store_tenant_get_unscoped(st, id_or_name, out);
}

enum vigil_err
vigil_admin_tenant_list(struct vigil_store *st, const char *after,
    size_t limit, struct vigil_tenant **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	store_clearerr(st);
	if (limit == 0)
		limit = VIGIL_LIST_DEFAULT_LIMIT;
	if (limit > VIGIL_LIST_MAX_LIMIT)
		limit = VIGIL_LIST_MAX_LIMIT;
	return store_tenant_list_unscoped(st, after, limit, out, n);
}

enum vigil_err
vigil_admin_tenant_rename(struct vigil_store *st, const char *tenant_id,
    const char *new_name, const char *display_name, struct vigil_tenant *out)
{
	enum vigil_err rc;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	if ((new_name != NULL && (rc = check_name(st, new_name)) != VIGIL_OK) ||
	    (rc = check_display(st, display_name)) != VIGIL_OK)
		return rc;
	if ((rc = store_tenant_update(st, tenant_id, new_name,
	    display_name)) != VIGIL_OK)
		return rc;
	if (out != NULL)
		return store_tenant_get_unscoped(st, tenant_id, out);
	return VIGIL_OK;
}

enum vigil_err
vigil_admin_tenant_delete(struct vigil_store *st, const char *tenant_id)
{
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	return store_tenant_delete(st, tenant_id);
}

enum vigil_err
vigil_tenant_show(struct vigil_store *st, const char *tenant_id,
    struct vigil_tenant *out)
{
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (tenant_id == NULL || tenant_id[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL, "tenant: missing");
	rc = store_tenant_get_unscoped(st, tenant_id, out);
	/* Scoped: the argument is the caller's tenant id, never a name. */
	if (rc == VIGIL_OK && strcmp(out->id, tenant_id) != 0) {
		memset(out, 0, sizeof *out);
		return store_seterr(st, VIGIL_ENOTFOUND,
		    "tenant: no such tenant id");
	}
	return rc;
}
