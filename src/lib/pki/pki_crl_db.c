/*
 * Revocation records in the store: the newest CRL of each CA, the
 * revoked-and-unexpired certificates CRLs and the gateway's revocation
 * set are built from, the revocation generation workers poll, and the
 * devices whose certificates are blocked by their lifecycle state.
 * SQL in store/sqlite_pki.c.
 */
#include <stdlib.h>
#include <string.h>

#include "pki_db_internal.h"
#include "store/store_pki.h"
#include "vigil/pki.h"

/* A CRL of a million entries is about 40 MB; beyond this something is
 * wrong. */
#define CRL_MAX ((size_t)256 * 1024 * 1024)

static enum vigil_err
crl_put_in(struct vigil_store *st, const char *ca_id, int64_t number,
    const uint8_t *der, size_t len, int64_t this_update, int64_t next_update)
{
	struct vigil_ca ca;
	enum vigil_err rc;

	if ((rc = pki_db_ca_by_id(st, ca_id, &ca)) == VIGIL_ENOTFOUND)
		return store_seterr(st, VIGIL_ENOTFOUND, "CRL: CA %s not "
		    "found", ca_id);
	if (rc != VIGIL_OK)
		return rc;
	return store_pki_ops(st)->crl_put(st, ca_id, number, der, len,
	    this_update, next_update);
}

enum vigil_err
vigil_crl_put(struct vigil_store *st, const char *ca_id, int64_t number,
    const uint8_t *der, size_t len, int64_t this_update, int64_t next_update)
{
	enum vigil_err rc;

	store_clearerr(st);
	if (!pki_db_id_ok(ca_id))
		return store_seterr(st, VIGIL_EINVAL, "CRL: CA id expected");
	if (der == NULL || len == 0)
		return store_seterr(st, VIGIL_EINVAL, "CRL of CA %s: empty",
		    ca_id);
	if (len > CRL_MAX)
		return store_seterr(st, VIGIL_ERANGE, "CRL of CA %s: %zu bytes "
		    "(at most %zu)", ca_id, len, CRL_MAX);
	if (number < 0)
		return store_seterr(st, VIGIL_EINVAL, "CRL of CA %s: negative "
		    "number", ca_id);
	if (next_update <= this_update)
		return store_seterr(st, VIGIL_EINVAL, "CRL of CA %s: "
		    "nextUpdate is not after thisUpdate", ca_id);
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	return store_tx_end(st, crl_put_in(st, ca_id, number, der, len,
	    this_update, next_update));
}

enum vigil_err
vigil_crl_get(struct vigil_store *st, const char *ca_id, uint8_t **der,
    size_t *len, int64_t *number, int64_t *next_update)
{
	enum vigil_err rc;

	*der = NULL;
	*len = 0;
	if (number != NULL)
		*number = 0;
	if (next_update != NULL)
		*next_update = 0;
	store_clearerr(st);
	if (!pki_db_id_ok(ca_id))
		return store_seterr(st, VIGIL_ENOTFOUND, "CRL: no CA id given");
	rc = store_pki_ops(st)->crl_get(st, ca_id, der, len, number,
	    next_update);
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, rc, "CRL of CA %s: none yet", ca_id);
	return rc;
}

enum vigil_err
vigil_cert_revoked(struct vigil_store *st, const char *ca_id, int64_t now,
    struct vigil_pki_revoked **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	store_clearerr(st);
	if (ca_id != NULL && !pki_db_id_ok(ca_id))
		return store_seterr(st, VIGIL_EINVAL, "revoked certificates: "
		    "malformed CA id");
	return store_pki_ops(st)->cert_revoked(st, ca_id, now, out, n);
}

enum vigil_err
vigil_pki_generation(struct vigil_store *st, int64_t *gen)
{
	store_clearerr(st);
	return store_pki_ops(st)->gen_get(st, gen);
}

enum vigil_err
vigil_pki_generation_bump(struct vigil_store *st)
{
	store_clearerr(st);
	return store_pki_ops(st)->gen_bump(st);
}

enum vigil_err
vigil_pki_blocked_devices(struct vigil_store *st,
    char (**ids)[VIGIL_UUID_STRLEN], size_t *n)
{
	store_clearerr(st);
	return store_pki_ops(st)->blocked_devices(st, ids, n);
}
