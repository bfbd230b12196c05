/*
 * Store operations of the PKI area (CAs, issued certificates, the
 * revocation generation, CRLs, enrollment tokens, enrollment requests,
 * the fleet-claim allow-list). Implemented per backend (sqlite_pki.c);
 * reached only through src/lib/pki/pki_*_db.c, which validate input,
 * judge state transitions and word the errors the caller sees.
 *
 * Scopes: NULL = platform (every tenant); otherwise one tenant id. For
 * CAs a tenant also sees the shared CAs (tenant_id ""). Rows of another
 * tenant are VIGIL_ENOTFOUND, exactly like rows that do not exist.
 * Lookups that find nothing return VIGIL_ENOTFOUND without an error
 * text: the caller names what is missing.
 */
#ifndef VIGIL_STORE_PKI_H
#define VIGIL_STORE_PKI_H

#include "store_internal.h"
#include "vigil/pki.h"

/* Who already holds a certified key. */
struct store_pki_key_owner {
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN];
	char device_id[VIGIL_UUID_STRLEN]; /* "" = server/operator cert */
};

/* What vigil_cert_list asks for, with the clock it is judged at. */
struct store_pki_cert_query {
	const char *scope;
	const char *device_id;  /* NULL = any */
	const char *ca_id;      /* NULL = any */
	int status;             /* 0 = any */
	int64_t expires_before; /* unix seconds; 0 = no bound */
	int64_t not_expired_at; /* unix seconds; 0 = no bound */
};

struct store_pki_ops {
	/* CAs. cert_der of a read CA is heap memory (vigil_ca_clear). */
	enum vigil_err (*ca_insert)(struct vigil_store *st,
	    const struct vigil_ca *ca);
	enum vigil_err (*ca_get)(struct vigil_store *st, const char *scope,
	    const char *id_or_label, struct vigil_ca *out);
	/* role 0 = any; ordered by created_ms, id; *out heap (free). */
	enum vigil_err (*ca_list)(struct vigil_store *st, const char *scope,
	    int role, struct vigil_ca **out, size_t *n);
	enum vigil_err (*ca_set_status)(struct vigil_store *st,
	    const char *id, int status);
	enum vigil_err (*ca_set_policy)(struct vigil_store *st,
	    const char *id, uint32_t validity_s, int approval);

	/* Certificates. Serials are lowercase hex. */
	enum vigil_err (*cert_insert)(struct vigil_store *st,
	    const struct vigil_cert *c);
	/* A certificate of key_fp whose device differs from device_id
	 * ("" counts as an identity of its own); ENOTFOUND when none. */
	enum vigil_err (*cert_key_owner)(struct vigil_store *st,
	    const char *key_fp, const char *device_id,
	    struct store_pki_key_owner *out);
	/* with_der: load der (heap) too. */
	enum vigil_err (*cert_get)(struct vigil_store *st, const char *scope,
	    const char *serial, int with_der, struct vigil_cert *out);
	/* Keyset page ordered by (issued_ms, serial), after a serial
	 * ("" = start); der not loaded. *out heap (free). */
	enum vigil_err (*cert_list)(struct vigil_store *st,
	    const struct store_pki_cert_query *q, const char *after,
	    size_t limit, struct vigil_cert **out, size_t *n);
	/* Sets status, reason and revoked_ms of one certificate whose
	 * status is `from` (the caller read it in the same transaction);
	 * ESTATE when it changed meanwhile. */
	enum vigil_err (*cert_set_status)(struct vigil_store *st,
	    const char *serial, int from, int to, int reason,
	    int64_t revoked_ms);
	/* Revokes every good or held certificate of a device in scope. */
	enum vigil_err (*cert_revoke_device)(struct vigil_store *st,
	    const char *scope, const char *device_id, int reason,
	    int64_t now_ms, size_t *n);
	/* Not-good, unexpired certificates (ca_id NULL = every CA);
	 * *out heap (free). */
	enum vigil_err (*cert_revoked)(struct vigil_store *st,
	    const char *ca_id, int64_t now, struct vigil_pki_revoked **out,
	    size_t *n);

	/* Revocation generation. */
	enum vigil_err (*gen_get)(struct vigil_store *st, int64_t *gen);
	enum vigil_err (*gen_bump)(struct vigil_store *st);
	/* Ids of quarantined and retired devices of every tenant. */
	enum vigil_err (*blocked_devices)(struct vigil_store *st,
	    char (**ids)[VIGIL_UUID_STRLEN], size_t *n);

	/* CRLs: put refuses (ESTATE) a number not above the stored one. */
	enum vigil_err (*crl_put)(struct vigil_store *st, const char *ca_id,
	    int64_t number, const uint8_t *der, size_t len,
	    int64_t this_update, int64_t next_update);
	enum vigil_err (*crl_get)(struct vigil_store *st, const char *ca_id,
	    uint8_t **der, size_t *len, int64_t *number,
	    int64_t *next_update);

	/* A device of the tenant and its lifecycle state (enrollment
	 * records are bound to registered devices). */
	enum vigil_err (*device_state)(struct vigil_store *st,
	    const char *tenant_id, const char *device_id,
	    enum vigil_device_state *state);

	/* Enrollment tokens: only the SHA-256 of the text is stored. */
	enum vigil_err (*token_insert)(struct vigil_store *st,
	    const struct vigil_enroll_token *t, const uint8_t hash[32]);
	/* *hash_out is the stored hash for a constant-time recheck. */
	enum vigil_err (*token_by_hash)(struct vigil_store *st,
	    const uint8_t hash[32], struct vigil_enroll_token *out,
	    uint8_t hash_out[32]);
	/* Marks an unused token used at now_ms; *consumed = 0 when another
	 * caller used it first (atomic across processes). */
	enum vigil_err (*token_consume)(struct vigil_store *st,
	    const char *id, int64_t now_ms, int *consumed);
	/* Undoes the consume that set used_ms (and only that one). */
	enum vigil_err (*token_restore)(struct vigil_store *st,
	    const char *id, int64_t used_ms, int *restored);
	enum vigil_err (*token_list)(struct vigil_store *st,
	    const char *scope, struct vigil_enroll_token **out, size_t *n);
	enum vigil_err (*token_delete)(struct vigil_store *st,
	    const char *scope, const char *id);

	/* Enrollment requests. add inserts r unless (device_id, key_fp)
	 * has one already; either way *out is the stored request. */
	enum vigil_err (*req_get_or_add)(struct vigil_store *st,
	    const struct vigil_enroll_request *r,
	    struct vigil_enroll_request *out);
	enum vigil_err (*req_get)(struct vigil_store *st, const char *scope,
	    const char *id, struct vigil_enroll_request *out);
	/* Moves a request in scope from state `from` to `to` (decided_by
	 * and decided_ms set when by != NULL); *changed = 0 when it was
	 * not in `from`. */
	enum vigil_err (*req_move)(struct vigil_store *st, const char *scope,
	    const char *id, int from, int to, const char *by,
	    int64_t now_ms, int *changed);
	/* state 0 = any; ordered by created_ms, id. */
	enum vigil_err (*req_list)(struct vigil_store *st, const char *scope,
	    int state, struct vigil_enroll_request **out, size_t *n);

	/* Fleet-claim allow-list, by identifier match key. allow keeps an
	 * existing entry (and its claimed mark); ENOTFOUND for an unknown
	 * tenant. */
	enum vigil_err (*claim_allow)(struct vigil_store *st,
	    const char *tenant_id, const char *match_key);
	/* *claimed_ms: 0 = allowed, not claimed; ENOTFOUND = not allowed. */
	enum vigil_err (*claim_get)(struct vigil_store *st,
	    const char *tenant_id, const char *match_key, int64_t *claimed_ms);
	/* Marks an unclaimed entry claimed; *taken = 0 when it was not
	 * there or already claimed. */
	enum vigil_err (*claim_take)(struct vigil_store *st,
	    const char *tenant_id, const char *match_key, int64_t now_ms,
	    int *taken);

	/* Sightings (added by H9; vigil_sighting_* in pki.h). add extends
	 * the newest window of (serial, ip, refused) that ended at most
	 * gap_ms before s->first_ms, or inserts one, inside the caller's
	 * transaction. Lists: *out heap (free). */
	enum vigil_err (*sighting_add)(struct vigil_store *st,
	    const struct vigil_sighting *s, int64_t gap_ms);
	enum vigil_err (*sighting_list)(struct vigil_store *st,
	    const char *scope, const char *serial, const char *device_id,
	    int64_t since_ms, size_t limit, struct vigil_sighting **out,
	    size_t *n);
	enum vigil_err (*sighting_clones)(struct vigil_store *st,
	    const char *scope, int64_t since_ms, struct vigil_sighting **out,
	    size_t *n);
	enum vigil_err (*sighting_revoked)(struct vigil_store *st,
	    const char *scope, int64_t since_ms,
	    struct vigil_sighting_revoked **out, size_t *n);
	enum vigil_err (*sighting_prune)(struct vigil_store *st,
	    int64_t before_ms, size_t *n);
};

extern const struct store_pki_ops store_sq_pki_ops;

static inline const struct store_pki_ops *
store_pki_ops(const struct vigil_store *st)
{
	return st->be->pki;
}

#endif
