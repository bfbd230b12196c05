/*
 * Internal interface of the IAM module: the store area's operations,
 * password hashing, the brute-force counters, TOTP helpers and the
 * token format. No SQL here: rows go through store/store_iam.h.
 */
#ifndef VIGIL_IAM_INTERNAL_H
#define VIGIL_IAM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_iam.h"
#include "vigil/iam.h"

/* The store operations of the IAM area for this handle's backend. */
static inline const struct store_iam_ops *
iam_ops(const struct vigil_store *st)
{
	return st->be->iam;
}

/* ------------------------------------------------------------------ */
/* Roles (iam_roles.c). */

/* True when role may be held in this scope: platform (tenant "")
 * principals are platform-admin or auditor; tenant principals hold any
 * other role. */
bool iam_role_valid_in(enum vigil_role role, bool platform);

/* True when a token of role `sub` carries no permission its principal
 * (role `holder`) lacks in that scope. Platform-only permissions
 * (tenant:manage, audit:verify) are ignored in a tenant scope, where no
 * route can use them. */
bool iam_role_within(enum vigil_role holder, enum vigil_role sub,
    bool platform);

/* True for the permissions that only platform-scope routes use. */
bool iam_perm_platform_only(enum vigil_perm perm);

/* ------------------------------------------------------------------ */
/* Principals (iam_principal.c). */

/* True for [a-z0-9][a-z0-9._@-]{0,63} not shaped like a UUID (a name
 * shaped like an id would make lookups by id-or-name ambiguous). */
bool iam_name_valid(const char *name);
bool iam_is_uuid_shape(const char *s);

/* Scoped lookup used by every function that takes a principal id (or
 * name): sets "principal X: not found" (never "in another tenant"). */
enum vigil_err iam_principal_resolve(struct vigil_store *st,
    const char *scope, const char *id_or_name, struct vigil_principal *out);

/* Copies s for embedding in a message: control and non-ASCII bytes
 * become \xNN, '"' and '\' are escaped, long values end in "...".
 * Never use it for secrets. Returns dst. */
#define IAM_QUOTE_SIZE 160
const char *iam_quote(const char *s, char *dst, size_t dstsize);

/* ------------------------------------------------------------------ */
/* Passwords (iam_password.c). */

/* Production cost: t=3 passes over m=64 MiB, one lane (RFC 9106 §4's
 * second recommended option), 16-byte salt, 32-byte hash. */
#define IAM_ARGON2_T 3u
#define IAM_ARGON2_M_KIB 65536u
#define IAM_ARGON2_P 1u
#define IAM_SALT_LEN 16
#define IAM_HASH_LEN 32

/* TEST HOOK ONLY: lowers the cost of new hashes and of the dummy
 * verification so unit tests stay fast. (0, 0) restores production
 * cost. Never called by vigild or the CLI. Process-wide. */
void iam_set_argon2_cost_for_tests(uint32_t t_cost, uint32_t m_kib);

/* Hashes password into a PHC string (argon2id, current cost). */
enum vigil_err iam_password_hash(struct vigil_store *st,
    const char *password, char *phc, size_t phcsize);
/* 1 when password matches phc, 0 when not (or phc is NULL/"" or
 * malformed: then a dummy verification of the same cost runs, so the
 * caller's timing does not tell "no such user" from "wrong password"). */
int iam_password_verify(const char *phc, const char *password);
/* Checks length rules; sets the error text (never the password). */
enum vigil_err iam_password_check(struct vigil_store *st,
    const char *password);
/* Resolves the principal whose password is to become password into *p:
 * a human (a service account has none) and an acceptable password. */
enum vigil_err iam_password_target(struct vigil_store *st, const char *scope,
    const char *principal_id, const char *password,
    struct vigil_principal *p /* OUT */);

/* ------------------------------------------------------------------ */
/* Brute-force counters (iam_brute.c). */

struct iam_limits {
	uint32_t free_failures;
	uint32_t lockout_failures;
};
extern const struct iam_limits iam_principal_limits;
extern const struct iam_limits iam_ip_limits;

/* Seconds to wait before the next attempt may be checked (0 = may
 * try now). Counters older than VIGIL_IAM_LOCKOUT_S without a failure
 * count as zero. */
int64_t iam_retry_after(const struct iam_limits *lim,
    const struct store_iam_counter *c, int64_t now_ms);
/* The counter after one more failure at now_ms (locks when it reaches
 * the lockout count). */
void iam_counter_fail(const struct iam_limits *lim,
    struct store_iam_counter *c, int64_t now_ms);

/* Key of the per-IP counter: the address in canonical form, IPv4 as
 * is (IPv4-mapped IPv6 too), IPv6 reduced to its /64 (one subscriber
 * owns a whole /64). VIGIL_EINVAL when ip is not an address. */
enum vigil_err iam_ip_key(const char *ip, char key[VIGIL_IP_STRLEN + 4]);

/* The credential check itself (charge, verify, settle) is private to
 * iam_login.c; vigil_iam_login, vigil_iam_reauth and
 * vigil_iam_password_change are its only entries. */

/* ------------------------------------------------------------------ */
/* TOTP (iam_totp.c). */

#define IAM_TOTP_STEP 30u
#define IAM_TOTP_DIGITS 6u

/* RFC 4648 base32 without padding; out needs 8 * ceil(n / 5) + 1. */
enum vigil_err iam_base32_encode(const uint8_t *in, size_t n, char *out,
    size_t outsize);
/* Decodes unpadded (or padded) base32, either case. */
enum vigil_err iam_base32_decode(const char *in, uint8_t *out,
    size_t outsize, size_t *outlen);

/* True for exactly IAM_TOTP_DIGITS ASCII digits. */
bool iam_totp_code_wellformed(const char *code);
/* The step (t / 30) in [now-1, now+1] whose code equals code and is
 * after last_step; -1 when none. Constant-time code comparison. */
int64_t iam_totp_match(const uint8_t *secret, size_t len, const char *code,
    int64_t now_ms, int64_t last_step);

/* ------------------------------------------------------------------ */
/* Tokens (iam_token.c). */

/* Writes the token text for 32 random bytes. */
void iam_token_format(const uint8_t raw[32], char out[VIGIL_TOKEN_STRLEN]);
/* True when text has the token shape: "vgl_" + 43 base64url characters
 * that decode canonically. */
bool iam_token_wellformed(const char *text);
/* SHA-256 of the token text. */
enum vigil_err iam_token_hash(const char *text, uint8_t out[32]);

/* Checks free text: UTF-8, no control characters, at most max bytes.
 * On failure writes what is wrong (without the value) into why. */
bool iam_text_ok(const char *s, size_t max, char *why, size_t whysize);

#endif
