/*
 * Store operations of the IAM area (principals, credentials, tokens,
 * failure counters). Implemented per backend (sqlite_iam.c); reached
 * only through src/lib/iam. Scoped operations take the tenant scope:
 * NULL = platform (unscoped, every tenant), "" = the platform's own
 * principals only, otherwise one tenant id. Rows of another tenant are
 * VIGIL_ENOTFOUND, exactly like rows that do not exist.
 */
#ifndef VIGIL_STORE_IAM_H
#define VIGIL_STORE_IAM_H

#include "store_internal.h"
#include "vigil/iam.h"

/* Longest PHC string stored (argon2id with any sane cost fits 128). */
#define STORE_IAM_PHC_MAX 256
/* Longest per-IP counter key: an address or "<IPv6 prefix>/64". */
#define STORE_IAM_IPKEY_MAX (VIGIL_IP_STRLEN + 4)

/* A failure counter (per principal or per source IP). */
struct store_iam_counter {
	uint32_t failures;
	int64_t last_failure_ms;
	int64_t locked_until_ms;
};

/* Credential state of a principal: only src/lib/iam reads it, and
 * wipes it after use. */
struct store_iam_secrets {
	char password_hash[STORE_IAM_PHC_MAX]; /* PHC string; "" = none */
	uint8_t totp_secret[VIGIL_TOTP_SECRET_LEN];
	size_t totp_len;         /* 0 = TOTP off */
	uint8_t totp_pending[VIGIL_TOTP_SECRET_LEN];
	size_t pending_len;      /* 0 = no enrollment pending */
	int64_t totp_last_step;  /* last accepted step (replay guard) */
	struct store_iam_counter counter;
};

struct store_iam_ops {
	/* Principals. */
	enum vigil_err (*principal_insert)(struct vigil_store *st,
	    const struct vigil_principal *p);
	/* By id (scoped as above). */
	enum vigil_err (*principal_get_id)(struct vigil_store *st,
	    const char *scope, const char *id, struct vigil_principal *out);
	/* By name inside one tenant ("" = platform). */
	enum vigil_err (*principal_get_name)(struct vigil_store *st,
	    const char *tenant_id, const char *name,
	    struct vigil_principal *out);
	/* Ordered by id, ids after `after` ("" = start), at most limit;
	 * *out is heap memory (vigil_free). */
	enum vigil_err (*principal_list)(struct vigil_store *st,
	    const char *scope, const char *after, size_t limit,
	    struct vigil_principal **out, size_t *n);
	enum vigil_err (*principal_set_role)(struct vigil_store *st,
	    const char *scope, const char *id, enum vigil_role role);
	enum vigil_err (*principal_set_disabled)(struct vigil_store *st,
	    const char *scope, const char *id, int disabled);
	/* Deletes the principal and (cascade) its tokens. */
	enum vigil_err (*principal_delete)(struct vigil_store *st,
	    const char *scope, const char *id);
	/* Enabled platform-admins (the last one may not be removed). */
	enum vigil_err (*platform_admin_count)(struct vigil_store *st,
	    uint64_t *n);

	/* Credentials, by id of a principal already resolved in scope. */
	enum vigil_err (*secrets_get)(struct vigil_store *st, const char *id,
	    struct store_iam_secrets *out);
	/* phc NULL removes the password. */
	enum vigil_err (*password_set)(struct vigil_store *st, const char *id,
	    const char *phc);
	enum vigil_err (*totp_set_pending)(struct vigil_store *st,
	    const char *id, const uint8_t *secret, size_t len);
	/* Moves the pending secret (which must still equal `pending`, so a
	 * concurrent new enrollment is not enabled unseen) to the active
	 * one, with last_step as the replay guard. ESTATE when it changed. */
	enum vigil_err (*totp_enable)(struct vigil_store *st, const char *id,
	    const uint8_t *pending, size_t len, int64_t last_step);
	enum vigil_err (*totp_disable)(struct vigil_store *st,
	    const char *id);
	/* Records step as used when it is after the last used one;
	 * *accepted = 0 when another check already used it (or a later
	 * one): the code is then a replay. Atomic across processes. */
	enum vigil_err (*totp_use_step)(struct vigil_store *st,
	    const char *id, int64_t step, int *accepted);

	/* Failure counters. */
	enum vigil_err (*principal_counter_set)(struct vigil_store *st,
	    const char *id, const struct store_iam_counter *c);
	/* Resets the counter and sets last_login_ms (when > 0). */
	enum vigil_err (*principal_login_ok)(struct vigil_store *st,
	    const char *id, int64_t last_login_ms);
	/* Missing key: a zero counter. */
	enum vigil_err (*ip_counter_get)(struct vigil_store *st,
	    const char *key, struct store_iam_counter *out);
	/* A zero counter deletes the row. */
	enum vigil_err (*ip_counter_set)(struct vigil_store *st,
	    const char *key, const struct store_iam_counter *c);
	/* Drops rows with no failure since before_ms and no lock. */
	enum vigil_err (*ip_counter_purge)(struct vigil_store *st,
	    int64_t before_ms, int64_t now_ms);

	/* Tokens. */
	enum vigil_err (*token_insert)(struct vigil_store *st,
	    const struct vigil_token_info *t, const uint8_t hash[32]);
	/* Token by hash with its principal; *hash_out is the stored hash
	 * for the caller's constant-time comparison. ENOTFOUND. */
	enum vigil_err (*token_by_hash)(struct vigil_store *st,
	    const uint8_t hash[32], struct vigil_auth *out,
	    uint8_t hash_out[32]);
	enum vigil_err (*token_get)(struct vigil_store *st, const char *scope,
	    const char *id, struct vigil_token_info *out);
	/* Sets last use when the stored one is at least 1 s older. */
	enum vigil_err (*token_touch)(struct vigil_store *st, const char *id,
	    int64_t now_ms, const char *ip);
	enum vigil_err (*token_set_auth)(struct vigil_store *st,
	    const char *id, int64_t auth_ms);
	/* principal_id NULL = every principal in scope. */
	enum vigil_err (*token_list)(struct vigil_store *st, const char *scope,
	    const char *principal_id, const char *after, size_t limit,
	    struct vigil_token_info **out, size_t *n);
	enum vigil_err (*token_revoke)(struct vigil_store *st,
	    const char *scope, const char *id);
};

extern const struct store_iam_ops store_sq_iam_ops;

#endif
