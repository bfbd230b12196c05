/*
 * Fleet-claim allow-list (zero-touch provisioning): identifiers a
 * tenant expects to claim devices with, stored by their match key
 * (vigil/id.h) so any spelling of one identifier finds it, each
 * claimable once. SQL in store/sqlite_pki.c.
 */
#include <stdlib.h>
#include <string.h>

#include "pki_db_internal.h"
#include "store/store_pki.h"
#include "vigil/id.h"
#include "vigil/pki.h"

/* The match keys an identifier may stand for: one, or one per valid
 * reading of an ambiguous spelling. */
struct keys {
	size_t n;
	char key[VIGIL_ID_MAX_CANDIDATES][VIGIL_ID_MAX_VALUE];
};

static void
keys_add(struct keys *k, const char *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->key[i], key) == 0)
			return;
	if (k->n < VIGIL_ID_MAX_CANDIDATES)
		memcpy(k->key[k->n++], key, VIGIL_ID_MAX_VALUE);
}

/* A parse buffer for a non-empty identifier into *id (caller frees).
 * struct vigil_id is large: kept off small worker stacks. */
static enum vigil_err
id_buffer(struct vigil_store *st, const char *identifier,
    struct vigil_id **id)
{
	*id = NULL;
	if (identifier == NULL || identifier[0] == '\0') {
		store_seterr(st, VIGIL_EINVAL, "claim: no identifier given");
		return VIGIL_EINVAL;
	}
	if ((*id = malloc(sizeof **id)) == NULL) {
		store_seterr(st, VIGIL_ENOMEM, "claim: out of memory");
		return VIGIL_ENOMEM;
	}
	return VIGIL_OK;
}

/* VIGIL_OK with at least one key; otherwise the code of vigil_id and
 * its message in the store error. */
static enum vigil_err
match_keys(struct vigil_store *st, const char *identifier, struct keys *k)
{
	enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES];
	size_t ncand = 0;
	struct vigil_id *id;
	enum vigil_err rc;

	k->n = 0;
	if ((rc = id_buffer(st, identifier, &id)) != VIGIL_OK)
		return rc;
	rc = vigil_id_detect_ex(identifier, strlen(identifier),
	    VIGIL_ID_PARSE_NO_DETAIL, id, cand, &ncand);
	if (rc == VIGIL_OK)
		keys_add(k, id->match_key);
	else if (rc == VIGIL_EAMBIGUOUS)
		for (size_t i = 0; i < ncand; i++)
			if (vigil_id_parse_ex(cand[i], identifier,
			    strlen(identifier), VIGIL_ID_PARSE_NO_DETAIL, id) ==
			    VIGIL_OK)
				keys_add(k, id->match_key);
	/* Not a standard identifier at all (a near miss such as an IMEI
	 * with a wrong check digit stays an error): a manufacturer serial,
	 * as claim certificates' CSRs usually carry (vigil_claim_allow
	 * does the same). */
	if (k->n == 0 && rc == VIGIL_EINVAL && id->type == VIGIL_ID_UNKNOWN &&
	    vigil_id_parse_ex(VIGIL_ID_SERIAL, identifier, strlen(identifier),
	    VIGIL_ID_PARSE_NO_DETAIL, id) == VIGIL_OK) {
		keys_add(k, id->match_key);
		rc = VIGIL_OK;
	}
	if (k->n == 0)
		store_seterr(st, rc == VIGIL_OK ? VIGIL_EINVAL : rc, "%s",
		    id->error);
	free(id);
	return k->n > 0 ? VIGIL_OK : rc == VIGIL_OK ? VIGIL_EINVAL : rc;
}

enum vigil_err
vigil_claim_allow(struct vigil_store *st, const char *tenant_id,
    const char *identifier)
{
	struct vigil_id *id;
	char key[VIGIL_ID_MAX_VALUE];
	enum vigil_err rc;

	store_clearerr(st);
	if (!pki_db_id_ok(tenant_id))
		return store_seterr(st, VIGIL_EINVAL, "claim: tenant id "
		    "expected");
	if ((rc = id_buffer(st, identifier, &id)) != VIGIL_OK)
		return rc;
	/* One identifier, one entry: an ambiguous spelling would allow
	 * more than the operator meant. */
	rc = vigil_id_detect_ex(identifier, strlen(identifier),
	    VIGIL_ID_PARSE_NO_DETAIL, id, NULL, NULL);
	/* Text that looks like no standard identifier is taken as a
	 * manufacturer serial number (printable, bounded); a near miss
	 * (an IMEI with a wrong check digit) stays an error. */
	if (rc == VIGIL_EINVAL && id->type == VIGIL_ID_UNKNOWN)
		rc = vigil_id_parse_ex(VIGIL_ID_SERIAL, identifier,
		    strlen(identifier), VIGIL_ID_PARSE_NO_DETAIL, id);
	if (rc != VIGIL_OK) {
		store_seterr(st, rc, "%s", id->error);
		free(id);
		return rc;
	}
	memcpy(key, id->match_key, sizeof key);
	free(id);
	return store_pki_ops(st)->claim_allow(st, tenant_id, key);
}

int
vigil_claim_check(struct vigil_store *st, const char *tenant_id,
    const char *identifier, int claim)
{
	const struct store_pki_ops *ops = store_pki_ops(st);
	struct keys k;
	int64_t claimed_ms, now_ms = vigil_time_now_ms();
	int taken;
	enum vigil_err rc;

	store_clearerr(st);
	if (!pki_db_id_ok(tenant_id))
		return -(int)store_seterr(st, VIGIL_EINVAL, "claim: tenant id "
		    "expected");
	/* An identifier that does not parse was never allowed; the store
	 * error says why it does not parse. */
	if ((rc = match_keys(st, identifier, &k)) != VIGIL_OK)
		return rc == VIGIL_ENOMEM ? -(int)rc : 0;
	for (size_t i = 0; i < k.n; i++) {
		if (claim) {
			/* The UPDATE only flips an unclaimed entry: two
			 * workers cannot both claim it. */
			rc = ops->claim_take(st, tenant_id, k.key[i], now_ms,
			    &taken);
			if (rc != VIGIL_OK)
				return -(int)rc;
			if (taken)
				return 1;
			continue;
		}
		rc = ops->claim_get(st, tenant_id, k.key[i], &claimed_ms);
		if (rc == VIGIL_OK && claimed_ms == 0)
			return 1;
		if (rc != VIGIL_OK && rc != VIGIL_ENOTFOUND)
			return -(int)rc;
	}
	return 0;
}
