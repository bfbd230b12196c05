/*
 * Certificate sightings in the store (pki.h, "Store: sightings"): input
 * checks and the one transaction per batch around the PKI area's
 * operations (SQL in store/sqlite_pki.c). The gateway writes them; the
 * certificate audit reads the cloning and revoked-still-connecting
 * evidence from here.
 */
#include <stdlib.h>
#include <string.h>

#include "pki_db_internal.h"
#include "store/store_pki.h"
#include "vigil/pki.h"

/* Most sightings one batch may carry (a worker's whole table). */
#define BATCH_MAX 65536
#define LIST_MAX 10000

/* An address as inet_ntop spells it: hex digits, dots, colons. */
static int
ip_ok(const char *s)
{
	size_t n = strnlen(s, VIGIL_SIGHTING_IP_STRLEN);

	if (n == 0 || n >= VIGIL_SIGHTING_IP_STRLEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F') || s[i] == '.' ||
		    s[i] == ':'))
			return 0;
	return 1;
}

static enum vigil_err
check_one(struct vigil_store *st, const struct vigil_sighting *v, size_t i)
{
	if (!pki_db_fits(v->serial, sizeof v->serial) ||
	    !pki_db_hex_ok(v->serial, 1, 40))
		return store_seterr(st, VIGIL_EINVAL, "sighting %zu: serial "
		    "must be 1-40 lowercase hex digits", i);
	if (!pki_db_fits(v->ip, sizeof v->ip) || !ip_ok(v->ip))
		return store_seterr(st, VIGIL_EINVAL, "sighting %zu (serial "
		    "%s): source address expected", i, v->serial);
	if (!pki_db_fits(v->tenant_id, sizeof v->tenant_id) ||
	    !pki_db_fits(v->device_id, sizeof v->device_id))
		return store_seterr(st, VIGIL_EINVAL, "sighting %zu (serial "
		    "%s): tenant or device id too long", i, v->serial);
	if (v->first_ms <= 0 || v->last_ms < v->first_ms)
		return store_seterr(st, VIGIL_EINVAL, "sighting %zu (serial "
		    "%s): window [%lld, %lld] is not a time range", i,
		    v->serial, (long long)v->first_ms, (long long)v->last_ms);
	if (v->count < 1)
		return store_seterr(st, VIGIL_EINVAL, "sighting %zu (serial "
		    "%s): count %lld is not positive", i, v->serial,
		    (long long)v->count);
	return VIGIL_OK;
}

enum vigil_err
vigil_sighting_record_batch(struct vigil_store *st,
    const struct vigil_sighting *s, size_t n)
{
	enum vigil_err rc;

	store_clearerr(st);
	if (n == 0)
		return VIGIL_OK;
	if (s == NULL)
		return store_seterr(st, VIGIL_EINVAL, "sightings: none given");
	if (n > BATCH_MAX)
		return store_seterr(st, VIGIL_ERANGE, "sightings: %zu in one "
		    "batch (at most %d)", n, BATCH_MAX);
	for (size_t i = 0; i < n; i++)
		if ((rc = check_one(st, &s[i], i)) != VIGIL_OK)
			return rc;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return rc;
	for (size_t i = 0; i < n && rc == VIGIL_OK; i++)
		rc = store_pki_ops(st)->sighting_add(st, &s[i],
		    VIGIL_SIGHTING_GAP_MS);
	return store_tx_end(st, rc);
}

enum vigil_err
vigil_sighting_list(struct vigil_store *st, const char *scope,
    const char *serial, const char *device_id, int64_t since_ms,
    size_t limit, struct vigil_sighting **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	store_clearerr(st);
	if (limit < 1 || limit > LIST_MAX)
		return store_seterr(st, VIGIL_ERANGE, "sightings: limit %zu "
		    "is outside 1..%d", limit, LIST_MAX);
	if (serial != NULL && !pki_db_hex_ok(serial, 1, 40))
		return store_seterr(st, VIGIL_EINVAL, "sightings: serial "
		    "must be 1-40 lowercase hex digits");
	return store_pki_ops(st)->sighting_list(st, scope, serial, device_id,
	    since_ms, limit, out, n);
}

enum vigil_err
vigil_sighting_clones(struct vigil_store *st, const char *scope,
    int64_t since_ms, struct vigil_sighting **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	store_clearerr(st);
	return store_pki_ops(st)->sighting_clones(st, scope, since_ms, out, n);
}

enum vigil_err
vigil_sighting_revoked_connecting(struct vigil_store *st, const char *scope,
    int64_t since_ms, struct vigil_sighting_revoked **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	store_clearerr(st);
	return store_pki_ops(st)->sighting_revoked(st, scope, since_ms, out,
	    n);
}

enum vigil_err
vigil_sighting_prune(struct vigil_store *st, int64_t before_ms, size_t *n)
{
	store_clearerr(st);
	return store_pki_ops(st)->sighting_prune(st, before_ms, n);
}
