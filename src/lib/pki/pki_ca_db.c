/*
 * CA records in the store: add, look up (by id or label, tenant
 * scoped), list, lifecycle status and the enrollment policy of issuing
 * CAs. Validation and error texts live here; SQL in store/sqlite_pki.c.
 */
#include <stdlib.h>
#include <string.h>

#include "pki_db_internal.h"
#include "store/store_pki.h"
#include "vigil/pki.h"

/* Bounds of an issuing CA's device certificate validity: those of the
 * device profile (1 hour .. 397 days, vigil_pki_profile_get). */
#define CA_VALIDITY_MIN_S 3600u
#define CA_VALIDITY_MAX_S (397u * 86400u)

static const char *const role_names[] = {
	[VIGIL_CA_ROOT] = "root",
	[VIGIL_CA_ISSUING] = "issuing",
	[VIGIL_CA_RESPONDER] = "responder",
	[VIGIL_CA_CROSS] = "cross",
	[VIGIL_CA_MANUFACTURER] = "manufacturer",
	[VIGIL_CA_CLAIM] = "claim",
};
#define NROLES (sizeof role_names / sizeof role_names[0])

static const char *const status_names[] = {
	[VIGIL_CA_ACTIVE] = "active",
	[VIGIL_CA_RETIRING] = "retiring",
	[VIGIL_CA_RETIRED] = "retired",
};
#define NSTATUS (sizeof status_names / sizeof status_names[0])

const char *
vigil_ca_role_name(enum vigil_ca_role r)
{
	if ((unsigned)r >= NROLES || role_names[r] == NULL)
		return "unknown";
	return role_names[r];
}

enum vigil_ca_role
vigil_ca_role_from_name(const char *name)
{
	if (name == NULL)
		return 0;
	for (size_t i = 1; i < NROLES; i++)
		if (strcmp(name, role_names[i]) == 0)
			return (enum vigil_ca_role)i;
	return 0;
}

const char *
vigil_ca_status_name(enum vigil_ca_status s)
{
	if ((unsigned)s >= NSTATUS || status_names[s] == NULL)
		return "unknown";
	return status_names[s];
}

void
vigil_ca_clear(struct vigil_ca *ca)
{
	if (ca == NULL)
		return;
	free(ca->cert_der);
	ca->cert_der = NULL;
	ca->cert_len = 0;
}

void
vigil_ca_list_free(struct vigil_ca *cas, size_t n)
{
	if (cas == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		vigil_ca_clear(&cas[i]);
	free(cas);
}

static enum vigil_err
check_new(struct vigil_store *st, const struct vigil_ca *ca)
{
	if (!pki_db_fits(ca->id, sizeof ca->id) ||
	    !pki_db_fits(ca->tenant_id, sizeof ca->tenant_id) ||
	    !pki_db_fits(ca->label, sizeof ca->label) ||
	    !pki_db_fits(ca->parent_id, sizeof ca->parent_id) ||
	    !pki_db_fits(ca->key_ref, sizeof ca->key_ref) ||
	    !pki_db_fits(ca->subject, sizeof ca->subject) ||
	    !pki_db_fits(ca->key_fp, sizeof ca->key_fp))
		return store_seterr(st, VIGIL_EINVAL, "CA: a text field is "
		    "not NUL-terminated");
	if (!pki_db_slug(ca->label, VIGIL_PKI_LABEL_MAX))
		return store_seterr(st, VIGIL_EINVAL, "CA label: 1 to %d "
		    "characters of a-z, 0-9 and '-'", VIGIL_PKI_LABEL_MAX);
	if (ca->id[0] != '\0' && !pki_db_id_ok(ca->id))
		return store_seterr(st, VIGIL_EINVAL, "CA %s: id is not a "
		    "UUID", ca->label);
	if ((unsigned)ca->role >= NROLES || role_names[ca->role] == NULL)
		return store_seterr(st, VIGIL_EINVAL, "CA %s: unknown role %d",
		    ca->label, (int)ca->role);
	if ((unsigned)ca->status >= NSTATUS)
		return store_seterr(st, VIGIL_EINVAL, "CA %s: unknown status "
		    "%d", ca->label, (int)ca->status);
	if (ca->key_fp[0] != '\0' &&
	    !pki_db_hex_ok(ca->key_fp, 64, 64))
		return store_seterr(st, VIGIL_EINVAL, "CA %s: key fingerprint "
		    "is not 64 lowercase hex digits", ca->label);
	if (ca->cert_len > VIGIL_PKI_CERT_MAX ||
	    (ca->cert_len > 0 && ca->cert_der == NULL))
		return store_seterr(st, VIGIL_ERANGE, "CA %s: certificate of "
		    "%zu bytes (at most %d)", ca->label, ca->cert_len,
		    VIGIL_PKI_CERT_MAX);
	if (ca->validity_s != 0 && (ca->validity_s < CA_VALIDITY_MIN_S ||
	    ca->validity_s > CA_VALIDITY_MAX_S))
		return store_seterr(st, VIGIL_EINVAL, "CA %s: certificate "
		    "validity %u s is outside %u..%u s", ca->label,
		    ca->validity_s, CA_VALIDITY_MIN_S, CA_VALIDITY_MAX_S);
	return VIGIL_OK;
}

/* Parent and tenant must exist; the caller holds the transaction. */
static enum vigil_err
check_refs(struct vigil_store *st, const struct vigil_ca *ca)
{
	struct vigil_tenant t;
	struct vigil_ca parent;
	enum vigil_err rc;

	if (ca->tenant_id[0] != '\0') {
		rc = store_tenant_get_unscoped(st, ca->tenant_id, &t);
		if (rc == VIGIL_ENOTFOUND || (rc == VIGIL_OK &&
		    strcmp(t.id, ca->tenant_id) != 0))
			return store_seterr(st, VIGIL_ENOTFOUND,
			    "CA %s: tenant %s: no such tenant", ca->label,
			    ca->tenant_id);
		if (rc != VIGIL_OK)
			return rc;
	}
	if (ca->parent_id[0] == '\0')
		return VIGIL_OK;
	if ((rc = pki_db_ca_by_id(st, ca->parent_id, &parent)) ==
	    VIGIL_ENOTFOUND)
		return store_seterr(st, VIGIL_ENOTFOUND, "CA %s: parent CA %s: "
		    "not found", ca->label, ca->parent_id);
	return rc;
}

static enum vigil_err
insert(struct vigil_store *st, const struct vigil_ca *ca)
{
	const struct store_pki_ops *ops = store_pki_ops(st);
	struct vigil_ca other;
	enum vigil_err rc;

	if ((rc = check_refs(st, ca)) != VIGIL_OK)
		return rc;
	if ((rc = ops->ca_insert(st, ca)) != VIGIL_EEXIST)
		return rc;
	/* Which key clashed: say so in the caller's words. */
	rc = ops->ca_get(st, NULL, ca->label, &other);
	if (rc == VIGIL_OK && strcmp(other.label, ca->label) == 0) {
		vigil_ca_clear(&other);
		return store_seterr(st, VIGIL_EEXIST, "CA label %s is already "
		    "taken", ca->label);
	}
	vigil_ca_clear(&other);
	return store_seterr(st, VIGIL_EEXIST, "CA %s: id %s already exists",
	    ca->label, ca->id);
}

enum vigil_err
vigil_ca_add(struct vigil_store *st, struct vigil_ca *ca)
{
	struct vigil_ca row;
	enum vigil_err rc;

	store_clearerr(st);
	if (ca == NULL)
		return store_seterr(st, VIGIL_EINVAL, "CA: nothing given");
	if ((rc = check_new(st, ca)) != VIGIL_OK)
		return rc;
	row = *ca;
	if (row.status == 0)
		row.status = VIGIL_CA_ACTIVE;
	row.approval = row.approval ? 1 : 0;
	if (row.id[0] == '\0' && vigil_uuid7(row.id) != VIGIL_OK)
		return store_seterr(st, VIGIL_EIO, "CA %s: cannot generate an "
		    "id", ca->label);
	row.created_ms = vigil_time_now_ms();
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	rc = store_tx_end(st, insert(st, &row));
	if (rc == VIGIL_OK) {
		memcpy(ca->id, row.id, sizeof ca->id);
		ca->status = row.status;
		ca->approval = row.approval;
		ca->created_ms = row.created_ms;
	}
	return rc;
}

/* Names a CA that was not found without echoing unchecked text. */
static enum vigil_err
not_found(struct vigil_store *st, const char *ref)
{
	if (pki_db_slug(ref, VIGIL_PKI_LABEL_MAX))
		return store_seterr(st, VIGIL_ENOTFOUND, "CA %s: not found",
		    ref);
	return store_seterr(st, VIGIL_ENOTFOUND, "CA not found (an id or "
	    "a label of a-z, 0-9 and '-' expected)");
}

enum vigil_err
vigil_ca_get(struct vigil_store *st, const char *scope,
    const char *id_or_label, struct vigil_ca *out)
{
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	store_clearerr(st);
	if (!pki_db_slug(id_or_label, VIGIL_PKI_LABEL_MAX))
		return not_found(st, id_or_label != NULL ? id_or_label : "");
	rc = store_pki_ops(st)->ca_get(st, scope, id_or_label, out);
	if (rc == VIGIL_ENOTFOUND)
		return not_found(st, id_or_label);
	return rc;
}

enum vigil_err
vigil_ca_list(struct vigil_store *st, const char *scope,
    enum vigil_ca_role role, struct vigil_ca **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	store_clearerr(st);
	if ((unsigned)role >= NROLES)
		return store_seterr(st, VIGIL_EINVAL, "CA list: unknown role "
		    "%d", (int)role);
	return store_pki_ops(st)->ca_list(st, scope, (int)role, out, n);
}

static enum vigil_err
set_status_in(struct vigil_store *st, const char *id,
    enum vigil_ca_status status)
{
	struct vigil_ca ca;
	enum vigil_err rc;

	if ((rc = pki_db_ca_by_id(st, id, &ca)) != VIGIL_OK)
		return rc == VIGIL_ENOTFOUND ? not_found(st, id) : rc;
	if (ca.status == status)
		return VIGIL_OK;
	/* Retiring a CA removes it from every trust store; bringing it
	 * back would silently trust what it signed meanwhile. */
	if (ca.status == VIGIL_CA_RETIRED)
		return store_seterr(st, VIGIL_ESTATE, "CA %s is retired; a "
		    "retired CA stays retired", ca.label);
	return store_pki_ops(st)->ca_set_status(st, id, (int)status);
}

enum vigil_err
vigil_ca_set_status(struct vigil_store *st, const char *id,
    enum vigil_ca_status status)
{
	enum vigil_err rc;

	store_clearerr(st);
	if (id == NULL || !pki_db_id_ok(id))
		return not_found(st, id != NULL ? id : "");
	if (status < VIGIL_CA_ACTIVE || status > VIGIL_CA_RETIRED)
		return store_seterr(st, VIGIL_EINVAL, "CA %s: unknown status "
		    "%d", id, (int)status);
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	return store_tx_end(st, set_status_in(st, id, status));
}

static enum vigil_err
set_policy_in(struct vigil_store *st, const char *id, uint32_t validity_s,
    int approval)
{
	struct vigil_ca ca;
	enum vigil_err rc;

	if ((rc = pki_db_ca_by_id(st, id, &ca)) != VIGIL_OK)
		return rc == VIGIL_ENOTFOUND ? not_found(st, id) : rc;
	if (ca.role != VIGIL_CA_ISSUING)
		return store_seterr(st, VIGIL_ESTATE, "CA %s is a %s CA; only "
		    "issuing CAs have an enrollment policy", ca.label,
		    vigil_ca_role_name(ca.role));
	return store_pki_ops(st)->ca_set_policy(st, id, validity_s,
	    approval ? 1 : 0);
}

enum vigil_err
vigil_ca_set_policy(struct vigil_store *st, const char *id,
    uint32_t validity_s, int approval)
{
	enum vigil_err rc;

	store_clearerr(st);
	if (id == NULL || !pki_db_id_ok(id))
		return not_found(st, id != NULL ? id : "");
	if (validity_s != 0 && (validity_s < CA_VALIDITY_MIN_S ||
	    validity_s > CA_VALIDITY_MAX_S))
		return store_seterr(st, VIGIL_EINVAL, "CA %s: certificate "
		    "validity %u s is outside %u..%u s (0 = the profile's "
		    "default)", id, validity_s, CA_VALIDITY_MIN_S,
		    CA_VALIDITY_MAX_S);
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	return store_tx_end(st, set_policy_in(st, id, validity_s, approval));
}
