/*
 * Principals: create, scoped lookup and listing, role changes,
 * enabling and disabling, deletion. Another tenant's principal is "not
 * found", exactly like one that does not exist.
 */
#include <string.h>

#include "iam_internal.h"

#define LIST_DEFAULT 100
#define LIST_MAX 1000

bool
iam_is_uuid_shape(const char *s)
{
	if (s == NULL || strlen(s) != VIGIL_UUID_STRLEN - 1)
		return false;
	for (int i = 0; i < VIGIL_UUID_STRLEN - 1; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (vigil_hex_value(s[i]) < 0) {
			return false;
		}
	}
	return true;
}

bool
iam_name_valid(const char *name)
{
	size_t n;

	if (name == NULL || (n = strlen(name)) == 0 ||
	    n > VIGIL_PRINCIPAL_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '@' &&
		    c != '-')))
			return false;
	}
	return !iam_is_uuid_shape(name);
}

enum vigil_err
iam_principal_resolve(struct vigil_store *st, const char *scope,
    const char *id_or_name, struct vigil_principal *out)
{
	char q[IAM_QUOTE_SIZE], key[VIGIL_PRINCIPAL_NAME_MAX + 1];
	size_t n;

	/* Callers may pass out->id itself: copy before clearing out. */
	if (id_or_name == NULL || id_or_name[0] == '\0') {
		memset(out, 0, sizeof *out);
		return store_seterr(st, VIGIL_EINVAL, "principal: missing");
	}
	if ((n = strnlen(id_or_name, sizeof key)) >= sizeof key) {
		memset(out, 0, sizeof *out);
		return store_seterr(st, VIGIL_ENOTFOUND,
		    "principal \"%s\": not found",
		    iam_quote(id_or_name, q, sizeof q));
	}
	memcpy(key, id_or_name, n + 1);
	id_or_name = key;
	memset(out, 0, sizeof *out);
	if (iam_is_uuid_shape(id_or_name))
		return iam_ops(st)->principal_get_id(st, scope, id_or_name,
		    out);
	if (!iam_name_valid(id_or_name))
		return store_seterr(st, VIGIL_ENOTFOUND,
		    "principal \"%s\": not found",
		    iam_quote(id_or_name, q, sizeof q));
	/* A name is unique within one tenant only: the platform scope
	 * looks names up among platform principals. */
	return iam_ops(st)->principal_get_name(st, scope != NULL ? scope : "",
	    id_or_name, out);
}

enum vigil_err
vigil_iam_principal_create(struct vigil_store *st, const char *tenant_id,
    const char *name, enum vigil_principal_kind kind, enum vigil_role role,
    struct vigil_principal *out)
{
	struct vigil_principal p;
	struct vigil_tenant t;
	char q[IAM_QUOTE_SIZE];
	bool platform;
	enum vigil_err rc;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (tenant_id == NULL)
		tenant_id = "";
	platform = tenant_id[0] == '\0';
	if (name == NULL || name[0] == '\0')
		return store_seterr(st, VIGIL_EINVAL,
		    "principal name: missing");
	if (!iam_name_valid(name))
		return store_seterr(st, VIGIL_EINVAL, "principal name \"%s\": "
		    "must be 1 to %d of a-z 0-9 . _ @ -, starting with a "
		    "letter or digit, and not shaped like an id",
		    iam_quote(name, q, sizeof q), VIGIL_PRINCIPAL_NAME_MAX);
	if (kind != VIGIL_PRINCIPAL_HUMAN && kind != VIGIL_PRINCIPAL_SERVICE)
		return store_seterr(st, VIGIL_EINVAL, "principal %s: kind "
		    "must be human or service", name);
	if (!iam_role_valid_in(role, platform))
		return store_seterr(st, VIGIL_EINVAL, "principal %s: role %s "
		    "is not valid in %s (%s)", name, vigil_role_name(role),
		    platform ? "the platform scope" : "a tenant",
		    platform ? "platform-admin or auditor" :
		    "tenant-admin, security-analyst, device-manager, "
		    "operator or auditor");
	if (!platform) {
		if (strlen(tenant_id) >= sizeof p.tenant_id)
			return store_seterr(st, VIGIL_ENOTFOUND,
			    "tenant: not found");
		if ((rc = store_tenant_get_unscoped(st, tenant_id, &t)) !=
		    VIGIL_OK)
			return rc;
		/* The argument is an id: a tenant name that happens to
		 * match is not the same tenant. */
		if (strcmp(t.id, tenant_id) != 0)
			return store_seterr(st, VIGIL_ENOTFOUND,
			    "tenant %s: no such tenant", tenant_id);
	}
	memset(&p, 0, sizeof p);
	if (vigil_uuid7(p.id) != VIGIL_OK)
		return store_seterr(st, VIGIL_EIO,
		    "iam: cannot generate a principal id");
	memcpy(p.tenant_id, tenant_id, strlen(tenant_id) + 1);
	memcpy(p.name, name, strlen(name) + 1);
	p.kind = kind;
	p.role = role;
	p.created_ms = vigil_time_now_ms();
	if ((rc = iam_ops(st)->principal_insert(st, &p)) != VIGIL_OK)
		return rc;
	if (out != NULL)
		*out = p;
	return VIGIL_OK;
}

enum vigil_err
vigil_iam_principal_get(struct vigil_store *st, const char *scope,
    const char *id_or_name, struct vigil_principal *out)
{
	store_clearerr(st);
	return iam_principal_resolve(st, scope, id_or_name, out);
}

enum vigil_err
vigil_iam_principal_list(struct vigil_store *st, const char *scope,
    const char *after, size_t limit, struct vigil_principal **out,
    size_t *n)
{
	*out = NULL;
	*n = 0;
	store_clearerr(st);
	if (limit == 0)
		limit = LIST_DEFAULT;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	return iam_ops(st)->principal_list(st, scope, after, limit, out, n);
}

/* Refuses a change that would leave the platform without an enabled
 * platform-admin: nobody could then manage tenants or accounts. */
static enum vigil_err
keep_one_admin(struct vigil_store *st, const struct vigil_principal *p,
    const char *what)
{
	uint64_t n;
	enum vigil_err rc;

	if (p->role != VIGIL_ROLE_PLATFORM_ADMIN || p->disabled)
		return VIGIL_OK;
	if ((rc = iam_ops(st)->platform_admin_count(st, &n)) != VIGIL_OK)
		return rc;
	if (n <= 1)
		return store_seterr(st, VIGIL_ESTATE, "principal %s: cannot "
		    "%s the last enabled platform-admin", p->name, what);
	return VIGIL_OK;
}

/* Resolves the principal and runs the guard and the change in one
 * transaction, so two admins cannot demote each other at once. */
static enum vigil_err
modify(struct vigil_store *st, const char *scope, const char *id,
    enum vigil_role role, int disabled, int del)
{
	struct vigil_principal p;
	enum vigil_err rc;

	store_clearerr(st);
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	if ((rc = iam_principal_resolve(st, scope, id, &p)) != VIGIL_OK)
		goto out;
	if (role != VIGIL_ROLE_NONE) {
		if (!iam_role_valid_in(role, p.tenant_id[0] == '\0')) {
			rc = store_seterr(st, VIGIL_EINVAL, "principal %s: "
			    "role %s is not valid in %s", p.name,
			    vigil_role_name(role), p.tenant_id[0] == '\0' ?
			    "the platform scope" : "a tenant");
			goto out;
		}
		if (role != p.role &&
		    (rc = keep_one_admin(st, &p, "demote")) != VIGIL_OK)
			goto out;
		rc = iam_ops(st)->principal_set_role(st, scope, p.id, role);
	} else if (disabled >= 0) {
		if (disabled &&
		    (rc = keep_one_admin(st, &p, "disable")) != VIGIL_OK)
			goto out;
		rc = iam_ops(st)->principal_set_disabled(st, scope, p.id,
		    disabled);
	} else if (del) {
		if ((rc = keep_one_admin(st, &p, "delete")) != VIGIL_OK)
			goto out;
		rc = iam_ops(st)->principal_delete(st, scope, p.id);
	}
out:
	return store_tx_end(st, rc);
}

enum vigil_err
vigil_iam_principal_set_role(struct vigil_store *st, const char *scope,
    const char *id, enum vigil_role role)
{
	if (role == VIGIL_ROLE_NONE || (int)role >= (int)VIGIL_ROLE_COUNT ||
	    (int)role < 0)
		return store_seterr(st, VIGIL_EINVAL, "role: unknown role");
	return modify(st, scope, id, role, -1, 0);
}

enum vigil_err
vigil_iam_principal_set_disabled(struct vigil_store *st, const char *scope,
    const char *id, int disabled)
{
	return modify(st, scope, id, VIGIL_ROLE_NONE, disabled ? 1 : 0, 0);
}

enum vigil_err
vigil_iam_principal_delete(struct vigil_store *st, const char *scope,
    const char *id)
{
	return modify(st, scope, id, VIGIL_ROLE_NONE, -1, 1);
}
